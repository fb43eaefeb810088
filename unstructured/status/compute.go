package status

import (
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// rule computes the status of one kind once the generic checks have not
// decided it. now is passed in so the one time-dependent rule (a pod that
// cannot be scheduled) stays testable.
type rule func(f *fields, u *unstructured.Unstructured, now time.Time) Result

// rules maps "group/Kind" ("Kind" for the core group) to its rule. The
// version is left out on purpose: the fields read are the same in every
// served version (extensions/v1beta1 Deployments included).
var rules = map[string]rule{
	"apps/Deployment":            deployment,
	"extensions/Deployment":      deployment,
	"apps/StatefulSet":           statefulSet,
	"apps/DaemonSet":             daemonSet,
	"extensions/DaemonSet":       daemonSet,
	"apps/ReplicaSet":            replicaSet,
	"extensions/ReplicaSet":      replicaSet,
	"Pod":                        pod,
	"batch/Job":                  job,
	"PersistentVolumeClaim":      persistentVolumeClaim,
	"Service":                    service,
	"policy/PodDisruptionBudget": podDisruptionBudget,
	"apiextensions.k8s.io/CustomResourceDefinition": customResourceDefinition,
}

// Compute returns the status of u. A nil u is NotFound. When a field the
// rules read has the wrong type (a string replicas, a condition that is not
// a map), it returns a Result with status Unknown and an *Error naming the
// object and wrapping a *unstructured.FieldError; absent fields take the
// defaults their controllers assume.
//
// Results agree with cli-utils' kstatus (v0.37) on status and reason, with
// three deliberate differences, each because kstatus' answer would end a
// wait too early or fail it for no reason:
//
//   - a Job that has started but not completed is InProgress ("JobRunning"),
//     where kstatus calls it Current: waiting for a Job means waiting for it
//     to finish;
//   - a Pod in phase Failed is Failed ("PodFailed"), where kstatus calls it
//     Current because it has stopped;
//   - a Pod in a phase Kubernetes does not define is Unknown, where kstatus
//     returns an error.
func Compute(u *unstructured.Unstructured) (Result, error) {
	return compute(u, time.Now())
}

func compute(u *unstructured.Unstructured, now time.Time) (Result, error) {
	if u == nil {
		return Result{Status: NotFound, Reason: "NotFound", Message: "object not found"}, nil
	}
	f := newFields(u)
	r := decide(f, u, now)
	if f.err != nil {
		err := newError(u, f.err)
		return Result{Status: Unknown, Reason: "MalformedStatus", Message: f.err.Error()}, err
	}
	return r, nil
}

// decide applies the generic rules, then the kind's own, then the Ready
// condition, in kstatus' order: a controller that speaks the standard
// conditions is believed over anything derived from other fields.
func decide(f *fields, u *unstructured.Unstructured, now time.Time) Result {
	if f.has("metadata.deletionTimestamp") {
		return Result{Status: Terminating, Reason: "Terminating", Message: "deletion in progress"}
	}
	if r, ok := generation(f, u); ok {
		return r
	}
	conds := f.conditions()
	for _, c := range conds {
		if c.Status != "True" {
			continue
		}
		switch c.Type {
		case "Reconciling":
			return fromCondition(InProgress, c)
		case "Stalled":
			return fromCondition(Failed, c)
		}
	}
	key := u.GetKind()
	if g := u.GroupVersionKind().Group; g != "" {
		key = g + "/" + key
	}
	if r, ok := rules[key]; ok {
		return r(f, u, now)
	}
	if c, ok := find(conds, "Ready"); ok {
		switch c.Status {
		case "True":
			return current("Ready")
		case "False", "Unknown":
			return fromCondition(InProgress, c)
		}
	}
	return current("no status to wait for")
}

// generation reports an object whose controller has not yet seen its latest
// spec. Objects that do not publish status.observedGeneration are not
// judged by it: many kinds (ConfigMap, most CRDs) never do.
func generation(f *fields, u *unstructured.Unstructured) (Result, bool) {
	if !f.has("metadata.generation") || !f.has("status.observedGeneration") {
		return Result{}, false
	}
	gen := f.integer("metadata.generation", 0)
	seen := f.integer("status.observedGeneration", 0)
	if gen == seen {
		return Result{}, false
	}
	return inProgress("LatestGenerationNotObserved",
		"%s generation %d not yet observed by its controller (observed %d)", u.GetKind(), gen, seen), true
}

// fromCondition reports the condition that decided the status, its own
// reason and message when it has them; a bare condition still says which
// one it was.
func fromCondition(s Status, c condition) Result {
	msg := c.Message
	if msg == "" {
		msg = c.Type + " condition is " + c.Status
	}
	return Result{Status: s, Reason: c.Reason, Message: msg}
}
