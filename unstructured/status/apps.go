package status

import (
	"math"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The rules for the apps controllers compare the replica counts the
// controller publishes with the ones asked for, in the order a rollout
// fills them in: created, updated, old ones gone, available, ready. The
// first shortfall is the one reported, as it is the one that moves next.

// deployment is Failed once the controller gives up (the Progressing
// condition's ProgressDeadlineExceeded reason) and Current once every
// replica is updated, available and ready and the controller says so.
func deployment(f *fields, _ *unstructured.Unstructured, _ time.Time) Result {
	conds := f.conditions()
	if c, ok := find(conds, "Progressing"); ok && c.Reason == "ProgressDeadlineExceeded" {
		return Result{Status: Failed, Reason: c.Reason, Message: "progress deadline exceeded: " + c.Message}
	}
	want := f.integer("spec.replicas", 1) // the controller's default
	have := f.integer("status.replicas", 0)
	updated := f.integer("status.updatedReplicas", 0)
	ready := f.integer("status.readyReplicas", 0)
	available := f.integer("status.availableReplicas", 0)
	switch {
	case want > have:
		return inProgress("LessReplicas", "%d of %d replicas created", have, want)
	case want > updated:
		return inProgress("LessUpdated", "%d of %d replicas updated", updated, want)
	case have > want:
		return inProgress("ExtraPods", "%d old replicas still terminating", have-want)
	case updated > available:
		return inProgress("LessAvailable", "%d of %d updated replicas available", available, updated)
	case want > ready:
		return inProgress("LessReady", "%d of %d replicas ready", ready, want)
	}
	// Without a deadline the controller never writes Progressing, so its
	// absence cannot mean anything; MaxInt32 is how the API spells "none".
	deadline := f.integer("spec.progressDeadlineSeconds", math.MaxInt32)
	progressing := deadline == math.MaxInt32
	if c, ok := find(conds, "Progressing"); ok && c.Status == "True" && c.Reason == "NewReplicaSetAvailable" {
		progressing = true
	}
	if !progressing {
		return inProgress("ReplicaSetNotAvailable", "new replica set not yet available")
	}
	if !isTrue(conds, "Available") {
		return inProgress("DeploymentNotAvailable", "deployment not yet Available")
	}
	return current("deployment available, %d replicas", have)
}

// statefulSet is Current once every replica exists, is ready and runs the
// update revision (or, with a partition, every replica at or above it does).
// With the OnDelete strategy the user rolls pods by hand, so nothing is left
// to wait for.
func statefulSet(f *fields, _ *unstructured.Unstructured, _ time.Time) Result {
	if f.str("spec.updateStrategy.type", "") == "OnDelete" {
		return current("OnDelete update strategy: pods are replaced by hand")
	}
	want := f.integer("spec.replicas", 1)
	have := f.integer("status.replicas", 0)
	ready := f.integer("status.readyReplicas", 0)
	cur := f.integer("status.currentReplicas", 0)
	updated := f.integer("status.updatedReplicas", 0)
	switch {
	case want > have:
		return inProgress("LessReplicas", "%d of %d replicas created", have, want)
	case want > ready:
		return inProgress("LessReady", "%d of %d replicas ready", ready, want)
	case have > want:
		return inProgress("ExtraPods", "%d extra replicas still terminating", have-want)
	}
	if f.has("spec.updateStrategy.rollingUpdate.partition") {
		partition := f.integer("spec.updateStrategy.rollingUpdate.partition", 0)
		if updated < want-partition {
			return inProgress("PartitionRollout", "%d of %d replicas above the partition updated", updated, want-partition)
		}
		return current("partitioned rollout done, %d replicas updated", updated)
	}
	if want > cur {
		return inProgress("LessCurrent", "%d of %d replicas at the current revision", cur, want)
	}
	if f.str("status.currentRevision", "") != f.str("status.updateRevision", "") {
		return inProgress("RevisionMismatch", "current revision differs from the update revision")
	}
	return current("statefulset ready, %d replicas", have)
}

// daemonSet is Current once every node that should run a pod runs an
// updated, available and ready one. Its controller always writes
// observedGeneration, so its absence means the controller has not seen the
// object yet (the generic check lets it pass).
func daemonSet(f *fields, u *unstructured.Unstructured, _ time.Time) Result {
	if !f.has("metadata.generation") {
		return inProgress("NoGeneration", "%s has no metadata.generation yet", u.GetKind())
	}
	if !f.has("status.observedGeneration") {
		return inProgress("NoObservedGeneration", "%s not yet observed by its controller", u.GetKind())
	}
	if !f.has("status.desiredNumberScheduled") {
		return inProgress("NoDesiredNumber", "desired number of pods not yet computed")
	}
	want := f.integer("status.desiredNumberScheduled", 0)
	scheduled := f.integer("status.currentNumberScheduled", 0)
	updated := f.integer("status.updatedNumberScheduled", 0)
	available := f.integer("status.numberAvailable", 0)
	ready := f.integer("status.numberReady", 0)
	switch {
	case want > scheduled:
		return inProgress("LessCurrent", "%d of %d pods scheduled", scheduled, want)
	case want > updated:
		return inProgress("LessUpdated", "%d of %d pods updated", updated, want)
	case want > available:
		return inProgress("LessAvailable", "%d of %d pods available", available, want)
	case want > ready:
		return inProgress("LessReady", "%d of %d pods ready", ready, want)
	}
	return current("daemonset ready on %d nodes", want)
}

// replicaSet is Current once every replica is labelled, available and ready
// and no extra ones remain. A ReplicaFailure condition (pods the controller
// could not create, often quota) keeps it InProgress: the controller keeps
// retrying, so kstatus does not call it Failed and neither does this.
func replicaSet(f *fields, _ *unstructured.Unstructured, _ time.Time) Result {
	if c, ok := find(f.conditions(), "ReplicaFailure"); ok && c.Status == "True" {
		return inProgress("ReplicaFailure", "replica failure, check the pods and quotas: %s", c.Message)
	}
	want := f.integer("spec.replicas", 1)
	have := f.integer("status.replicas", 0)
	labelled := f.integer("status.fullyLabeledReplicas", 0)
	available := f.integer("status.availableReplicas", 0)
	ready := f.integer("status.readyReplicas", 0)
	switch {
	case want > labelled:
		return inProgress("LessLabelled", "%d of %d replicas labelled", labelled, want)
	case want > available:
		return inProgress("LessAvailable", "%d of %d replicas available", available, want)
	case want > ready:
		return inProgress("LessReady", "%d of %d replicas ready", ready, want)
	case have > want:
		return inProgress("ExtraPods", "%d extra replicas still terminating", have-want)
	}
	return current("replicaset available, %d replicas", have)
}
