package applyset

import (
	"fmt"

	"github.com/anykube/anykube/dynamic/wait"
)

// Action is what Apply did, or with DryRun would do, to one object.
type Action string

const (
	// Created: the object did not exist.
	Created Action = "created"
	// Configured: the object existed and the apply changed it.
	Configured Action = "configured"
	// Unchanged: the object existed and the apply changed nothing.
	Unchanged Action = "unchanged"
	// Pruned: the object was a member of the set, is no longer in it, and
	// was deleted.
	Pruned Action = "pruned"
)

// Change is one object and the action taken on it.
type Change struct {
	// Object names the object; it is what dynamic/wait takes.
	Object wait.Object
	Action Action
}

// String formats c as kubectl prints it: "Kind namespace/name created".
func (c Change) String() string { return fmt.Sprintf("%s %s", c.Object, c.Action) }

// ChangeSet is the outcome of Apply: one entry per object, applied ones in
// the order applied, then pruned ones in the order deleted.
type ChangeSet struct {
	// DryRun says nothing was written: the actions are what the server
	// answered to dry-run requests.
	DryRun  bool
	Changes []Change
}

// Applied returns the objects applied (not the pruned ones), ready for
// wait.Wait.
func (cs ChangeSet) Applied() []wait.Object {
	var out []wait.Object
	for _, c := range cs.Changes {
		if c.Action != Pruned {
			out = append(out, c.Object)
		}
	}
	return out
}

// Pruned returns the objects pruned, ready for wait.Wait with wait.Deleted.
func (cs ChangeSet) Pruned() []wait.Object {
	var out []wait.Object
	for _, c := range cs.Changes {
		if c.Action == Pruned {
			out = append(out, c.Object)
		}
	}
	return out
}
