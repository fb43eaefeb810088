package informer

import (
	"fmt"
	"time"
)

// Phase is what an informer is doing.
type Phase string

// The phases. ResourceGone, Failed and Stopped are final: the informer has
// ended.
const (
	// PhasePending: created, Run not called yet.
	PhasePending Phase = "Pending"
	// PhaseListing: reading the full state, by a paged list or a
	// streaming list.
	PhaseListing Phase = "Listing"
	// PhaseWatching: the cache is filled and a watch is open.
	PhaseWatching Phase = "Watching"
	// PhaseBackoff: waiting before trying again after a failure
	// (Status.Err, Status.RetryAfter).
	PhaseBackoff Phase = "Backoff"
	// PhaseWaitingForResource: the server does not serve the resource
	// (yet): a CustomResourceDefinition not created or not established.
	// The informer lists again with a bounded backoff and starts once it
	// is served.
	PhaseWaitingForResource Phase = "WaitingForResource"
	// PhaseResourceGone: the resource was served and no longer is (its
	// CustomResourceDefinition was deleted, or the version is no longer
	// served). The informer has emptied its cache, telling handlers, and
	// ended; Status.Err wraps ErrResourceGone.
	PhaseResourceGone Phase = "ResourceGone"
	// PhaseFailed: a failure that retrying cannot fix (an invalid
	// selector, a resource that cannot be listed or watched). Status.Err
	// says which.
	PhaseFailed Phase = "Failed"
	// PhaseStopped: Run's context ended.
	PhaseStopped Phase = "Stopped"
)

// Final reports whether the informer has ended in this phase.
func (p Phase) Final() bool {
	return p == PhaseResourceGone || p == PhaseFailed || p == PhaseStopped
}

// Reason says why a Status was reported.
type Reason string

// The reasons.
const (
	// ReasonStarted: Run began (PhaseListing).
	ReasonStarted Reason = "Started"
	// ReasonExpired: the server could no longer replay the watch from the
	// cache's resourceVersion (410 Gone): listing again (PhaseListing).
	ReasonExpired Reason = "Expired"
	// ReasonRetry: listing again after a failed list (PhaseListing).
	ReasonRetry Reason = "Retry"
	// ReasonSynced: a list filled the cache; watching from its
	// resourceVersion (PhaseWatching).
	ReasonSynced Reason = "Synced"
	// ReasonResumed: watching again from the last resourceVersion after
	// the previous watch ended (PhaseWatching).
	ReasonResumed Reason = "Resumed"
	// ReasonListFailed and ReasonWatchFailed: a list or watch failed, or
	// the watch broke off (PhaseBackoff).
	ReasonListFailed  Reason = "ListFailed"
	ReasonWatchFailed Reason = "WatchFailed"
	// ReasonNotServed: the server answered 404 for the resource
	// (PhaseWaitingForResource).
	ReasonNotServed Reason = "NotServed"
	// ReasonStreamingUnsupported: the server refused a streaming list;
	// the informer uses paged lists from now on (phase unchanged).
	ReasonStreamingUnsupported Reason = "StreamingUnsupported"
	// ReasonTransformFailed and ReasonIndexFailed: the transform or an
	// index function failed for an object, which was cached as received
	// or left out of that index (phase unchanged; Err says which).
	ReasonTransformFailed Reason = "TransformFailed"
	ReasonIndexFailed     Reason = "IndexFailed"
	// ReasonResourceRemoved: PhaseResourceGone.
	ReasonResourceRemoved Reason = "ResourceRemoved"
	// ReasonUnrecoverable: PhaseFailed.
	ReasonUnrecoverable Reason = "Unrecoverable"
	// ReasonContextDone: PhaseStopped.
	ReasonContextDone Reason = "ContextDone"
)

// Status is an informer's state and what last happened to it. An
// informer reports every change through Options.OnStatus and keeps the
// latest for Informer.Status.
type Status struct {
	// Phase is what the informer is doing.
	Phase Phase
	// Reason is why this status was reported.
	Reason Reason
	// Err is the failure behind the status, nil when there is none.
	Err error
	// RetryAfter is, in PhaseBackoff and PhaseWaitingForResource, how long
	// the informer waits before trying again.
	RetryAfter time.Duration
	// Synced reports whether the cache has been filled by a first list.
	Synced bool
	// ResourceVersion is the version the cache is at: the last list's,
	// or the last event's or bookmark's since.
	ResourceVersion string
	// Time is when the status was reported.
	Time time.Time
}

// String returns "Phase (Reason): err", leaving out what is empty.
func (s Status) String() string {
	out := string(s.Phase)
	if s.Reason != "" {
		out += " (" + string(s.Reason) + ")"
	}
	if s.RetryAfter > 0 {
		out += fmt.Sprintf(" retry in %s", s.RetryAfter.Round(time.Millisecond))
	}
	if s.Err != nil {
		out += ": " + s.Err.Error()
	}
	return out
}
