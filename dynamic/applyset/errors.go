package applyset

import (
	"errors"
	"fmt"

	"github.com/anykube/anykube/dynamic/wait"
)

// ErrParentConflict is matched (errors.Is) by the error of Apply when the
// parent object exists but belongs to another tool or another set: its
// tooling annotation names another tool, or its id label is missing or
// different.
var ErrParentConflict = errors.New("applyset parent belongs to someone else")

// ObjectError says which object a step failed on, and wraps the cause (an
// *errors.StatusError from the server, a mapping error that
// meta.IsNoMatchError recognises, or a context error).
type ObjectError struct {
	// Step is "apply", "prune" or "map".
	Step   string
	Object wait.Object
	Err    error
}

func (e *ObjectError) Error() string {
	return fmt.Sprintf("applyset: %s %s: %v", e.Step, e.Object, e.Err)
}

// Unwrap returns the cause.
func (e *ObjectError) Unwrap() error { return e.Err }
