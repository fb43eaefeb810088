package status

import "fmt"

// Status is where an object stands on its way to the state its spec asks
// for. The values and their spelling are kstatus' own, so they can be
// compared with, and stored beside, kstatus results.
type Status string

const (
	// Current means the object has reached the state its spec asks for.
	Current Status = "Current"
	// InProgress means the controller is still working towards it.
	InProgress Status = "InProgress"
	// Failed means the object will not get there without a change:
	// a deadline passed, a job failed, a controller reports Stalled.
	Failed Status = "Failed"
	// Terminating means the object is being deleted.
	Terminating Status = "Terminating"
	// NotFound means the object does not exist. Compute returns it for a
	// nil object; waiters use it for objects that are gone.
	NotFound Status = "NotFound"
	// Unknown means the status could not be computed, because a field the
	// rules read has the wrong type.
	Unknown Status = "Unknown"
)

// String returns the status as spelled on the wire.
func (s Status) String() string { return string(s) }

// Result is the outcome of Compute: a status, a CamelCase reason saying which
// rule decided it (such as "LessReady" or "ProgressDeadlineExceeded"; empty
// for a plain Current), and a message for people.
type Result struct {
	Status  Status
	Reason  string
	Message string
}

// String formats r as "Status: message", or "Status" when there is no
// message.
func (r Result) String() string {
	if r.Message == "" {
		return string(r.Status)
	}
	return fmt.Sprintf("%s: %s", r.Status, r.Message)
}

// current, inProgress and failed build a Result with a formatted message.
func current(format string, args ...any) Result {
	return Result{Status: Current, Message: fmt.Sprintf(format, args...)}
}

func inProgress(reason, format string, args ...any) Result {
	return Result{Status: InProgress, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

func failed(reason, format string, args ...any) Result {
	return Result{Status: Failed, Reason: reason, Message: fmt.Sprintf(format, args...)}
}
