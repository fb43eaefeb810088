package wait

import (
	"errors"
	"fmt"
	"strings"
)

// ErrFailed is matched (errors.Is) by the *Error of a wait that stopped
// because an object's status became Failed.
var ErrFailed = errors.New("an object failed")

// Error is the one error Wait returns when the wait did not succeed. It
// names every object that did not reach the condition, with its last
// status, and wraps why the wait ended: ErrFailed, the context's error
// (context.DeadlineExceeded for a timeout), or the error that ended a watch
// (an *errors.StatusError such as Forbidden, or a *dynamic.Error).
type Error struct {
	// Pending are the objects that did not reach the condition, failed
	// ones first, then in the order given to Wait.
	Pending []State
	// Total is the number of objects waited for.
	Total int
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wait: %d of %d objects not ready: %v", len(e.Pending), e.Total, e.Err)
	for _, s := range e.Pending {
		b.WriteString("\n  ")
		b.WriteString(s.String())
	}
	return b.String()
}

// Unwrap returns why the wait ended.
func (e *Error) Unwrap() error { return e.Err }

// WatchError says which watch failed; it is the Err of an *Error when a
// watch (or the list that starts it) ended with an error other than the
// context's, and wraps that error.
type WatchError struct {
	Group     string // the resource, such as "deployments.apps"
	Namespace string // empty for a cluster-wide watch
	Err       error
}

func (e *WatchError) Error() string {
	where := e.Group
	if e.Namespace != "" {
		where += " in namespace " + e.Namespace
	}
	return fmt.Sprintf("watching %s: %v", where, e.Err)
}

// Unwrap returns the watch's error.
func (e *WatchError) Unwrap() error { return e.Err }
