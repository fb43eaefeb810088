package status

import (
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// scheduleGrace is how long a pod may stay unschedulable before it counts
// as Failed: the scheduler often places a pod on its second try, once a node
// has come up or another pod has left (kstatus uses the same window).
const scheduleGrace = 15 * time.Second

// pod is Current when Ready or finished successfully, Failed when finished
// unsuccessfully, crash-looping or unschedulable past the grace period.
func pod(f *fields, u *unstructured.Unstructured, now time.Time) Result {
	conds := f.conditions()
	switch phase := f.str("status.phase", ""); phase {
	case "Succeeded":
		return current("pod completed successfully")
	case "Failed":
		return failed("PodFailed", "pod completed unsuccessfully")
	case "Running":
		if isTrue(conds, "Ready") {
			return current("pod ready")
		}
		if names := crashLooping(f); len(names) > 0 {
			return failed("ContainerCrashLooping", "containers crash-looping: %s", strings.Join(names, ", "))
		}
		return inProgress("PodRunningNotReady", "pod running but not ready")
	case "Pending":
		c, ok := find(conds, "PodScheduled")
		if ok && c.Status == "False" && c.Reason == "Unschedulable" {
			if now.Sub(u.GetCreationTimestamp().Time) < scheduleGrace {
				return inProgress("PodNotScheduled", "pod not yet scheduled: %s", c.Message)
			}
			return failed("PodUnschedulable", "pod cannot be scheduled: %s", c.Message)
		}
		return inProgress("PodPending", "pod pending")
	case "":
		return inProgress("PodNotObserved", "pod has no phase yet")
	default:
		return Result{Status: Unknown, Reason: "UnknownPhase", Message: "pod in unknown phase " + phase}
	}
}

// crashLooping returns the names of the containers waiting in
// CrashLoopBackOff.
func crashLooping(f *fields) []string {
	list := f.slice("status.containerStatuses")
	var names []string
	for _, item := range list {
		cs, ok := item.(map[string]any)
		if !ok {
			continue
		}
		reason, _, _ := unstructured.NestedString(cs, "state", "waiting", "reason")
		if reason == "CrashLoopBackOff" {
			name, _ := cs["name"].(string)
			names = append(names, name)
		}
	}
	return names
}
