package informer

import (
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/dynamic/lister"
)

// EventHandlerOf is told about changes to an informer's cache, in the order
// the cache changed. Each handler has its own queue and goroutine, so a
// slow handler delays only itself: never the watch, the cache or other
// handlers. Calls to one handler never overlap.
//
// When a handler is called the cache already holds the new state. The
// objects are shared with the cache and other handlers: treat them as
// read-only.
type EventHandlerOf[T lister.Object] interface {
	// OnAdd is called for an object new to the cache. isInInitialList is
	// true for the objects of the informer's first list, and for the
	// objects already cached when the handler was added.
	OnAdd(obj T, isInInitialList bool)
	// OnUpdate is called when an object changed, and on every resync
	// (then oldObj and newObj are the same object).
	OnUpdate(oldObj, newObj T)
	// OnDelete is called when an object left the cache. obj is the T the
	// server sent with the deletion, or a DeletedFinalStateUnknownOf[T]
	// when the deletion happened while the watch was not connected and
	// was found by a later list.
	OnDelete(obj any)
}

// EventHandler is the EventHandlerOf unstructured objects.
type EventHandler = EventHandlerOf[*unstructured.Unstructured]

// DeletedFinalStateUnknownOf stands for an object that was deleted while the
// informer could not watch: a later list no longer had it (or had another
// object of the same name). Obj is the last state the informer knew, which
// may be older than the state the object was deleted in.
type DeletedFinalStateUnknownOf[T lister.Object] struct {
	// Key is the object's MetaNamespaceKey.
	Key string
	// Obj is the last state the cache held.
	Obj T
}

// DeletedFinalStateUnknown is the DeletedFinalStateUnknownOf unstructured
// objects.
type DeletedFinalStateUnknown = DeletedFinalStateUnknownOf[*unstructured.Unstructured]

// DeletedObject returns the object of an OnDelete call, whether it is the
// object itself or a DeletedFinalStateUnknown; ok is false for anything
// else.
func DeletedObject(obj any) (u *unstructured.Unstructured, ok bool) {
	return DeletedObjectOf[*unstructured.Unstructured](obj)
}

// DeletedObjectOf is DeletedObject for objects of any type T.
func DeletedObjectOf[T lister.Object](obj any) (o T, ok bool) {
	var none T
	switch d := obj.(type) {
	case T:
		return d, d != none
	case DeletedFinalStateUnknownOf[T]:
		return d.Obj, d.Obj != none
	case *DeletedFinalStateUnknownOf[T]:
		if d != nil && d.Obj != none {
			return d.Obj, true
		}
	}
	return none, false
}

// EventHandlerFuncsOf is an EventHandlerOf made of functions; nil ones are
// skipped.
type EventHandlerFuncsOf[T lister.Object] struct {
	AddFunc    func(obj T, isInInitialList bool)
	UpdateFunc func(oldObj, newObj T)
	DeleteFunc func(obj any)
}

// EventHandlerFuncs is the EventHandlerFuncsOf unstructured objects.
type EventHandlerFuncs = EventHandlerFuncsOf[*unstructured.Unstructured]

// OnAdd calls AddFunc, if set.
func (f EventHandlerFuncsOf[T]) OnAdd(obj T, isInInitialList bool) {
	if f.AddFunc != nil {
		f.AddFunc(obj, isInInitialList)
	}
}

// OnUpdate calls UpdateFunc, if set.
func (f EventHandlerFuncsOf[T]) OnUpdate(oldObj, newObj T) {
	if f.UpdateFunc != nil {
		f.UpdateFunc(oldObj, newObj)
	}
}

// OnDelete calls DeleteFunc, if set.
func (f EventHandlerFuncsOf[T]) OnDelete(obj any) {
	if f.DeleteFunc != nil {
		f.DeleteFunc(obj)
	}
}

// HandlerOptions tunes one handler.
type HandlerOptions struct {
	// ResyncPeriod is how often the handler gets OnUpdate(obj, obj) for
	// every cached object, to retry work that failed outside the
	// informer's view. Zero means the informer's Options.ResyncPeriod;
	// negative means never.
	ResyncPeriod time.Duration
}

// Registration is a handler added to an informer: what RemoveEventHandler
// takes, and the way to know the handler has caught up.
type Registration struct {
	l registered
}

// registered is a *listener[T] as a Registration holds it.
type registered interface{ hasSynced() bool }

// HasSynced reports whether the handler has been called for every object
// of the informer's first list (or, for a handler added later, for every
// object cached when it was added). It is false until the informer itself
// has synced.
func (r *Registration) HasSynced() bool { return r.l.hasSynced() }

// notification is one change as a handler's queue holds it.
type notification[T lister.Object] struct {
	op       op
	old, obj T
	// tombstone marks a deletion found by a list: delivered as
	// DeletedFinalStateUnknown{Key: key, Obj: obj}.
	tombstone bool
	key       string
	initial   bool
}

type op uint8

const (
	opAdd op = iota
	opUpdate
	opDelete
)

func (n notification[T]) deliver(h EventHandlerOf[T]) {
	switch n.op {
	case opAdd:
		h.OnAdd(n.obj, n.initial)
	case opUpdate:
		h.OnUpdate(n.old, n.obj)
	case opDelete:
		if n.tombstone {
			h.OnDelete(DeletedFinalStateUnknownOf[T]{Key: n.key, Obj: n.obj})
		} else {
			h.OnDelete(n.obj)
		}
	}
}
