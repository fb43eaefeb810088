package podlogs

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// instance identifies the container instance a stream reads: the pod's
// UID and the container's ID. Empty fields are unknown and match anything.
type instance struct {
	uid         string
	containerID string
}

// containerState is what a pod object says about one container, as far as
// its log is concerned.
type containerState int

const (
	// stateRunning: the instance still runs, so its log may grow.
	stateRunning containerState = iota
	// stateFinished: the instance stopped (the container terminated or was
	// restarted as another instance, or the pod completed): its log is
	// complete.
	stateFinished
	// stateGone: the pod was deleted, or replaced by another of the same
	// name.
	stateGone
	// stateNotStarted: the container has no instance yet (the pod is not
	// scheduled, or the container is waiting for its first start).
	stateNotStarted
)

// podInfo is what a log stream needs to know about a pod.
type podInfo struct {
	uid      string
	phase    string
	nodeName string
	// all lists the containers in kubectl's --all-containers order: init
	// containers, containers, ephemeral containers; regular lists
	// spec.containers alone.
	all, regular []string
	// status maps a container's name to its status.
	status map[string]map[string]any
}

// readPod extracts podInfo from a pod object; missing fields stay empty.
func readPod(u *unstructured.Unstructured) podInfo {
	p := podInfo{uid: string(u.GetUID()), status: map[string]map[string]any{}}
	p.phase, _, _ = unstructured.NestedString(u.Object, "status", "phase")
	p.nodeName, _, _ = unstructured.NestedString(u.Object, "spec", "nodeName")
	for _, field := range []string{"initContainers", "containers", "ephemeralContainers"} {
		list, _, _ := unstructured.NestedSlice(u.Object, "spec", field)
		for _, c := range list {
			if m, ok := c.(map[string]any); ok {
				if name, ok := m["name"].(string); ok {
					p.all = append(p.all, name)
					if field == "containers" {
						p.regular = append(p.regular, name)
					}
				}
			}
		}
	}
	for _, field := range []string{"initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"} {
		list, _, _ := unstructured.NestedSlice(u.Object, "status", field)
		for _, s := range list {
			if m, ok := s.(map[string]any); ok {
				if name, ok := m["name"].(string); ok {
					p.status[name] = m
				}
			}
		}
	}
	return p
}

// hasContainer reports whether the pod's spec has a container of that name.
func (p podInfo) hasContainer(name string) bool {
	for _, n := range p.all {
		if n == name {
			return true
		}
	}
	return false
}

// defaultContainer is the container the server reads for a request naming
// none: the only one of spec.containers, or "" when there are several
// (the server then refuses).
func (p podInfo) defaultContainer() string {
	if len(p.regular) == 1 {
		return p.regular[0]
	}
	return ""
}

// current returns the instance of container that runs or last ran, and
// whether it has started at all (has a log).
func (p podInfo) current(container string) (instance, bool) {
	st, ok := p.status[container]
	if !ok {
		return instance{uid: p.uid}, false
	}
	id, _ := st["containerID"].(string)
	state, _ := st["state"].(map[string]any)
	_, running := state["running"]
	_, terminated := state["terminated"]
	return instance{uid: p.uid, containerID: id}, id != "" && (running || terminated)
}

// state says where the instance a stream reads stands, and, for
// stateNotStarted, why, in the kubelet's words.
func (p podInfo) state(container string, in instance) (containerState, string) {
	if in.uid != "" && p.uid != in.uid {
		return stateGone, ""
	}
	if p.phase == "Succeeded" || p.phase == "Failed" {
		return stateFinished, ""
	}
	st, ok := p.status[container]
	if !ok {
		if p.nodeName == "" {
			return stateNotStarted, "the pod is not scheduled to a node yet"
		}
		return stateNotStarted, "no status reported yet"
	}
	id, _ := st["containerID"].(string)
	state, _ := st["state"].(map[string]any)
	if _, ok := state["running"]; ok {
		if in.containerID != "" && id != "" && id != in.containerID {
			return stateFinished, "" // restarted: the instance read is over
		}
		return stateRunning, ""
	}
	if _, ok := state["terminated"]; ok {
		return stateFinished, ""
	}
	last, _ := st["lastState"].(map[string]any)
	if _, ok := last["terminated"]; ok {
		return stateFinished, "" // waiting to restart after an instance ended
	}
	reason := "ContainerCreating"
	if w, ok := state["waiting"].(map[string]any); ok {
		if r, ok := w["reason"].(string); ok && r != "" {
			reason = r
		}
	}
	return stateNotStarted, reason
}
