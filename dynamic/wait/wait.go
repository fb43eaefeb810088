package wait

import (
	"context"
	"slices"
	"sync"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/unstructured/status"
)

// Options tunes Wait. The zero value waits until every object is Current
// and stops at the first Failed one.
type Options struct {
	// Until is the condition every object must reach. Nil means Current.
	Until Condition
	// KeepWaitingOnFailure keeps waiting when an object's status is
	// Failed, for statuses that may recover (a Deployment past its
	// progress deadline that a new node rescues). False stops the wait
	// with an *Error wrapping ErrFailed as soon as an object that has not
	// reached Until is Failed.
	KeepWaitingOnFailure bool
	// Progress, when set, is called with an object's state whenever its
	// status, message or Done changes, from Wait's goroutine, one call at
	// a time. It must not block for long: watches wait for it.
	Progress func(State)
}

// State is where one object stands.
type State struct {
	Object Object
	// Result is the object's last status; Unknown with reason
	// "NotObserved" until its watch's initial list is in.
	Result status.Result
	// Done says the object has reached the condition waited for.
	Done bool
}

// String formats s as "Kind namespace/name: Status: message".
func (s State) String() string { return s.Object.String() + ": " + s.Result.String() }

// notObserved is the status of an object before its watch has listed it.
var notObserved = status.Result{Status: status.Unknown, Reason: "NotObserved", Message: "not yet observed"}

// Wait waits until every object reaches opts.Until (Current by default),
// following them with one list and watch per resource and namespace. It
// returns the final state of every object, in the order given (duplicates
// once), and nil when all reached the condition.
//
// Otherwise it returns the states and an *Error naming the objects that
// did not, wrapping why: ErrFailed when one of them became Failed (unless
// opts.KeepWaitingOnFailure), the context's error when ctx ended (set a
// deadline on ctx for a timeout), or a *WatchError when a list or watch
// failed for good (a resource the server does not serve, a Forbidden).
func Wait(ctx context.Context, client dynamic.Interface, objects []Object, opts Options) ([]State, error) {
	until := opts.Until
	if until == nil {
		until = Current
	}
	order := make([]Object, 0, len(objects))
	states := make(map[Object]*State, len(objects))
	groups := map[group]map[string]bool{}
	for _, o := range objects {
		if _, dup := states[o]; dup {
			continue
		}
		order = append(order, o)
		states[o] = &State{Object: o, Result: notObserved}
		g := group{resource: o.Resource, namespace: o.Namespace}
		if groups[g] == nil {
			groups[g] = map[string]bool{}
		}
		groups[g][o.Name] = true
	}
	// byName finds the Object an update is about; Kind is only for
	// messages, so it is not part of the key.
	byName := make(map[update]Object, len(order))
	for _, o := range order {
		byName[update{group: group{o.Resource, o.Namespace}, name: o.Name}] = o
	}

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	updates := make(chan update)
	for g, names := range groups {
		wg.Go(func() { follow(ctx, client, g, names, updates) })
	}

	result := func(err error) ([]State, error) {
		out := make([]State, 0, len(order))
		var pending []State
		for _, o := range order {
			s := *states[o]
			out = append(out, s)
			if !s.Done {
				pending = append(pending, s)
			}
		}
		if err == nil {
			return out, nil
		}
		// Failed objects first: they are why the wait ended, or the
		// likeliest reason it timed out.
		slices.SortStableFunc(pending, func(a, b State) int {
			af, bf := a.Result.Status == status.Failed, b.Result.Status == status.Failed
			switch {
			case af && !bf:
				return -1
			case bf && !af:
				return 1
			}
			return 0
		})
		return out, &Error{Pending: pending, Total: len(order), Err: err}
	}

	unsynced := len(groups)
	notDone := len(order)
	for unsynced > 0 || notDone > 0 {
		var u update
		select {
		case u = <-updates:
		case <-ctx.Done():
			return result(context.Cause(ctx))
		}
		switch {
		case u.err != nil:
			return result(&WatchError{Group: u.group.resource.GroupResource().String(), Namespace: u.group.namespace, Err: u.err})
		case u.synced:
			unsynced--
			continue
		}
		o := byName[update{group: u.group, name: u.name}]
		s := states[o]
		r, err := status.Compute(u.obj)
		if err != nil {
			// A malformed status is not a reason to stop: the next
			// change may fix it, and the message says what is wrong.
			r = status.Result{Status: status.Unknown, Reason: r.Reason, Message: err.Error()}
		}
		done := until(u.obj, r)
		if done == s.Done && r == s.Result {
			continue
		}
		if done != s.Done {
			if done {
				notDone--
			} else {
				notDone++
			}
		}
		s.Result, s.Done = r, done
		if opts.Progress != nil {
			opts.Progress(*s)
		}
		if !done && r.Status == status.Failed && !opts.KeepWaitingOnFailure {
			return result(ErrFailed)
		}
	}
	return result(nil)
}
