package informer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/lister"
)

// ListMode chooses how an informer reads the full state.
type ListMode string

const (
	// ListModeAuto (the zero value) tries a streaming list (a watch with
	// sendInitialEvents=true, Kubernetes 1.27 and later with the WatchList
	// feature) and falls back to paged lists: for good when the server
	// refuses streaming lists, for one attempt when one fails otherwise.
	ListModeAuto ListMode = ""
	// ListModePaged always lists in pages of Options.PageSize.
	ListModePaged ListMode = "Paged"
	// ListModeStreaming always uses streaming lists and never falls back.
	ListModeStreaming ListMode = "Streaming"
)

// OptionsOf configures an InformerOf. The zero value informs on every
// object of the resource, cluster-wide.
type OptionsOf[T lister.Object] struct {
	// Namespace limits the informer to one namespace; "" means all
	// namespaces (and is required for cluster-scoped resources).
	Namespace string
	// LabelSelector and FieldSelector limit the objects, as in a List.
	LabelSelector, FieldSelector string
	// ResyncPeriod is the resync period of handlers that do not set their
	// own; zero means no resync.
	ResyncPeriod time.Duration
	// Indexers are added to the cache's built-in namespace index.
	Indexers lister.IndexersOf[T]
	// Transform is applied to every object before it is cached. Nil means
	// the source's default: StripManagedFields for dynamic informers;
	// KeepEverything keeps objects whole.
	Transform TransformFuncOf[T]
	// ListMode chooses streaming or paged lists; see ListModeAuto.
	ListMode ListMode
	// PageSize is the Limit of paged lists; zero means
	// dynamic.DefaultPageSize.
	PageSize int64
	// MinBackoff and MaxBackoff bound the wait after a failure; it
	// doubles from MinBackoff, with up to 50% random jitter added, and
	// starts over once a list or watch succeeds. Zero means 200ms and 30s.
	// Waiting for a resource that is not served yet uses the same bounds.
	MinBackoff, MaxBackoff time.Duration
	// WatchTimeout is the shortest server-side timeout of a watch request;
	// each watch asks for a random one between it and twice it, so that
	// many informers do not reconnect at once. Zero means 5 minutes.
	WatchTimeout time.Duration
	// Discovery, when set, confirms a 404 before the informer acts on it:
	// only a resource that discovery no longer lists counts as gone. Nil
	// means a 404 for the resource's list or watch is taken as the answer.
	Discovery discovery.DiscoveryInterface
	// OnStatus, when set, is called with every status the informer
	// reports, in order, on a goroutine of its own: it does not hold up
	// the informer, but Run returns only after it has seen the final
	// status.
	OnStatus func(Status)
}

// Options is the OptionsOf dynamic informers.
type Options = OptionsOf[*unstructured.Unstructured]

// ErrResourceGone is wrapped by the Status.Err of an informer in
// PhaseResourceGone, and returned by Err: the resource it informed on is no
// longer served. Test for it with errors.Is.
var ErrResourceGone = errors.New("the resource is no longer served")

// ErrStopped is returned by AddEventHandler on an informer that has ended.
var ErrStopped = errors.New("informer: the informer has ended")

// ErrStarted is returned by SetTransform once Run has begun: objects
// already cached went through the old transform.
var ErrStarted = errors.New("informer: Run has begun")

// InformerOf keeps a local, always-current cache of one resource: it lists,
// then watches, and keeps an indexed Store current with every change,
// telling handlers about each one. It survives dropped watches (resuming
// from the last resourceVersion), expired ones (listing again, with
// DeletedFinalStateUnknown tombstones for what it missed) and a resource
// that is not served yet or any more. Its methods are safe for concurrent
// use.
//
// T is the type of the objects cached: Informer caches unstructured
// objects read through the dynamic client; the metadata informers cache
// *metav1.PartialObjectMetadata.
type InformerOf[T lister.Object] struct {
	resource schema.GroupVersionResource
	lw       ListWatcherOf[T]
	opts     OptionsOf[T]
	store    *lister.StoreOf[T]
	lister   lister.ListerOf[T]
	// defaultTransform is what a nil transform means.
	defaultTransform TransformFuncOf[T]
	// unrecoverable is the source's Unrecoverable.
	unrecoverable func(error) bool

	// mu serializes every change to the store with the queuing of its
	// notifications, so that each handler sees changes in store order,
	// and guards the fields below.
	mu        sync.Mutex
	listeners []*listener[T]
	transform TransformFuncOf[T]
	started   bool
	ended     bool

	// hasSynced is set once the first list is cached.
	hasSynced atomic.Bool
	syncedCh  chan struct{}
	done      chan struct{}
	// wg counts the goroutines Run waits for: listeners and resyncs.
	wg sync.WaitGroup

	// statusMu guards status.
	statusMu sync.Mutex
	status   Status
	statusQ  *queue[Status]
}

// Informer is the InformerOf unstructured objects, read through the
// dynamic client.
type Informer = InformerOf[*unstructured.Unstructured]

var _ GenericInformer = (*Informer)(nil)

// New returns an informer for resource through client, configured by opts
// (nil means the zero Options). It fails only on an invalid Indexers. Run
// starts it.
func New(client dynamic.Interface, resource schema.GroupVersionResource, opts *Options) (*Informer, error) {
	return NewOf(DynamicSource(client), resource, opts)
}

// NewOf is New for objects of type T, read from source.
func NewOf[T lister.Object](source SourceOf[T], resource schema.GroupVersionResource, opts *OptionsOf[T]) (*InformerOf[T], error) {
	var o OptionsOf[T]
	if opts != nil {
		o = *opts
	}
	if o.PageSize <= 0 {
		o.PageSize = dynamic.DefaultPageSize
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 200 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.WatchTimeout <= 0 {
		o.WatchTimeout = 5 * time.Minute
	}
	store, err := lister.NewStoreOf(o.Indexers)
	if err != nil {
		return nil, fmt.Errorf("informer for %s: %w", resourceString(resource), err)
	}
	def := source.DefaultTransform
	if def == nil {
		def = func(obj T) (T, error) { return obj, nil }
	}
	inf := &InformerOf[T]{
		resource:         resource,
		lw:               source.ListWatch(resource, o.Namespace),
		opts:             o,
		store:            store,
		lister:           lister.NewOf(store, resource),
		defaultTransform: def,
		unrecoverable:    source.Unrecoverable,
		transform:        o.Transform,
		syncedCh:         make(chan struct{}),
		done:             make(chan struct{}),
		status:           Status{Phase: PhasePending, Time: time.Now()},
		statusQ:          newQueue[Status](),
	}
	if inf.transform == nil {
		inf.transform = def
	}
	return inf, nil
}

// Informer returns the receiver, so that an *InformerOf is a
// GenericInformerOf as client-go's factories hand out.
func (inf *InformerOf[T]) Informer() *InformerOf[T] { return inf }

// Lister returns a Lister that answers from the cache.
func (inf *InformerOf[T]) Lister() lister.ListerOf[T] { return inf.lister }

// GetIndexer returns the cache. Read from it freely; writing to it
// confuses the informer.
func (inf *InformerOf[T]) GetIndexer() *lister.StoreOf[T] { return inf.store }

// AddIndexers adds indexes to the cache, at any time; see
// lister.Store.AddIndexers for the errors.
func (inf *InformerOf[T]) AddIndexers(indexers lister.IndexersOf[T]) error {
	return inf.store.AddIndexers(indexers)
}

// Resource returns the resource the informer is for.
func (inf *InformerOf[T]) Resource() schema.GroupVersionResource { return inf.resource }

// SetTransform replaces the transform; nil means the source's default
// (StripManagedFields for dynamic informers). It fails with ErrStarted
// once Run has begun.
func (inf *InformerOf[T]) SetTransform(fn TransformFuncOf[T]) error {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	if inf.started {
		return ErrStarted
	}
	if fn == nil {
		fn = inf.defaultTransform
	}
	inf.transform = fn
	return nil
}

// HasSynced reports whether the cache has been filled by the first list.
// Handlers may still be working through it: see Registration.HasSynced.
func (inf *InformerOf[T]) HasSynced() bool { return inf.hasSynced.Load() }

// WaitForCacheSync waits until the cache has been filled by the first
// list. It returns false if ctx ends first or the informer ends without
// having synced (its Status says why).
func (inf *InformerOf[T]) WaitForCacheSync(ctx context.Context) bool {
	select {
	case <-inf.syncedCh:
		return true
	default:
	}
	select {
	case <-inf.syncedCh:
		return true
	case <-inf.done:
		return inf.HasSynced()
	case <-ctx.Done():
		return false
	}
}

// LastSyncResourceVersion returns the resourceVersion the cache is at, ""
// before the first list.
func (inf *InformerOf[T]) LastSyncResourceVersion() string {
	return inf.Status().ResourceVersion
}

// Status returns the informer's current status.
func (inf *InformerOf[T]) Status() Status {
	inf.statusMu.Lock()
	defer inf.statusMu.Unlock()
	return inf.status
}

// Done is closed when Run has returned.
func (inf *InformerOf[T]) Done() <-chan struct{} { return inf.done }

// Err returns why the informer ended: an error wrapping ErrResourceGone,
// or the unrecoverable failure. It is nil while the informer runs and when
// it was stopped by its context.
func (inf *InformerOf[T]) Err() error {
	st := inf.Status()
	if st.Phase == PhaseResourceGone || st.Phase == PhaseFailed {
		return st.Err
	}
	return nil
}

// AddEventHandler adds a handler with the informer's resync period. See
// AddEventHandlerWithOptions.
func (inf *InformerOf[T]) AddEventHandler(h EventHandlerOf[T]) (*Registration, error) {
	return inf.AddEventHandlerWithOptions(h, HandlerOptions{})
}

// AddEventHandlerWithOptions adds a handler. It may be called before or
// while the informer runs: a handler added to a filled cache first gets
// OnAdd (isInInitialList true) for every cached object. It fails with
// ErrStopped on an informer that has ended, and on a nil handler.
func (inf *InformerOf[T]) AddEventHandlerWithOptions(h EventHandlerOf[T], o HandlerOptions) (*Registration, error) {
	if h == nil {
		return nil, errors.New("informer: nil event handler")
	}
	resync := o.ResyncPeriod
	if resync == 0 {
		resync = inf.opts.ResyncPeriod
	}
	l := newListener(h, max(resync, 0))
	inf.mu.Lock()
	defer inf.mu.Unlock()
	if inf.ended {
		return nil, ErrStopped
	}
	if inf.hasSynced.Load() {
		for _, obj := range inf.store.List() {
			l.q.push(notification[T]{op: opAdd, obj: obj, initial: true})
		}
		l.markSynced()
	}
	inf.listeners = append(inf.listeners, l)
	if inf.started {
		inf.startListenerLocked(l)
	}
	return &Registration{l: l}, nil
}

// RemoveEventHandler removes a handler: it is not called again once a
// call in progress returns. Notifications queued for it are dropped.
// Removing a handler twice, or one of another informer, does nothing.
func (inf *InformerOf[T]) RemoveEventHandler(r *Registration) error {
	if r == nil {
		return nil
	}
	inf.mu.Lock()
	i := slices.IndexFunc(inf.listeners, func(l *listener[T]) bool { return registered(l) == r.l })
	var l *listener[T]
	if i >= 0 {
		l = inf.listeners[i]
		inf.listeners = slices.Delete(inf.listeners, i, i+1)
	}
	inf.mu.Unlock()
	if l != nil {
		l.stop(false)
	}
	return nil
}

// Run runs the informer until ctx ends or the informer ends by itself
// (PhaseResourceGone, PhaseFailed), then stops every handler and returns
// once all the goroutines it started have. Handlers are stopped at once
// when ctx ends; when the informer ends by itself they first get what was
// queued for them, such as the deletions that empty the cache of a
// resource that is gone. Calling Run more than once returns at once.
func (inf *InformerOf[T]) Run(ctx context.Context) {
	inf.mu.Lock()
	if inf.started {
		inf.mu.Unlock()
		return
	}
	inf.started = true
	for _, l := range inf.listeners {
		inf.startListenerLocked(l)
	}
	inf.mu.Unlock()

	statusDone := make(chan struct{})
	go inf.runStatus(statusDone)

	r := newReflector(inf)
	final := r.run(ctx)

	inf.mu.Lock()
	inf.ended = true
	listeners := inf.listeners
	inf.mu.Unlock()
	for _, l := range listeners {
		l.stop(final.Phase != PhaseStopped)
	}
	inf.wg.Wait()
	inf.report(final)
	inf.statusQ.stop(true)
	<-statusDone
	close(inf.done)
}

// startListenerLocked starts l's goroutines. inf.mu must be held.
func (inf *InformerOf[T]) startListenerLocked(l *listener[T]) {
	inf.wg.Go(l.run)
	if l.resync > 0 {
		inf.wg.Go(func() { inf.resyncLoop(l) })
	}
}

// resyncLoop queues OnUpdate(obj, obj) for every cached object to l every
// resync period, until l stops.
func (inf *InformerOf[T]) resyncLoop(l *listener[T]) {
	t := time.NewTicker(l.resync)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
		}
		inf.mu.Lock()
		if inf.hasSynced.Load() {
			for _, obj := range inf.store.List() {
				l.q.push(notification[T]{op: opUpdate, old: obj, obj: obj})
			}
		}
		inf.mu.Unlock()
	}
}

// runStatus hands statuses to Options.OnStatus, in order.
func (inf *InformerOf[T]) runStatus(done chan struct{}) {
	defer close(done)
	for {
		st, ok := inf.statusQ.pop()
		if !ok {
			return
		}
		if inf.opts.OnStatus != nil {
			inf.opts.OnStatus(st)
		}
		inf.statusQ.done()
	}
}

// report records st as the current status and queues it for OnStatus.
// Phase-less reports (transform or index failures) keep the phase.
func (inf *InformerOf[T]) report(st Status) {
	inf.statusMu.Lock()
	if st.Phase == "" {
		st.Phase = inf.status.Phase
		st.RetryAfter = inf.status.RetryAfter
	}
	st.Synced = inf.hasSynced.Load()
	st.ResourceVersion = inf.status.ResourceVersion
	st.Time = time.Now()
	inf.status = st
	inf.statusMu.Unlock()
	inf.statusQ.push(st)
}

// setResourceVersion records the version the cache is at.
func (inf *InformerOf[T]) setResourceVersion(rv string) {
	if rv == "" {
		return
	}
	inf.statusMu.Lock()
	inf.status.ResourceVersion = rv
	inf.statusMu.Unlock()
}

// applyTransform runs the transform, reporting a failure and keeping the
// object as received.
func (inf *InformerOf[T]) applyTransform(obj T) T {
	out, err := inf.transform(obj)
	var none T
	if err != nil || out == none {
		if err == nil {
			err = errors.New("the transform returned no object")
		}
		inf.report(Status{Reason: ReasonTransformFailed, Err: fmt.Errorf("transforming %s %s: %w", resourceString(inf.resource), lister.MetaNamespaceKey(obj), err)})
		return obj
	}
	return out
}

// pushLocked queues n for every handler. inf.mu must be held.
func (inf *InformerOf[T]) pushLocked(n notification[T]) {
	for _, l := range inf.listeners {
		l.q.push(n)
	}
}

func (inf *InformerOf[T]) indexFailed(err error) {
	if err != nil {
		inf.report(Status{Reason: ReasonIndexFailed, Err: err})
	}
}

// upsert caches obj from an ADDED or MODIFIED event.
func (inf *InformerOf[T]) upsert(obj T) {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	key := lister.MetaNamespaceKey(obj)
	old, existed := inf.store.GetByKey(key)
	if existed && old.GetUID() == obj.GetUID() && old.GetResourceVersion() == obj.GetResourceVersion() {
		// A replay of what the cache already has.
		return
	}
	_, _, err := inf.store.Upsert(obj)
	switch {
	case !existed:
		inf.pushLocked(notification[T]{op: opAdd, obj: obj})
	case old.GetUID() != obj.GetUID():
		// Another object under the same name: the old one was deleted
		// out of our sight.
		inf.pushLocked(notification[T]{op: opDelete, obj: old, key: key, tombstone: true})
		inf.pushLocked(notification[T]{op: opAdd, obj: obj})
	default:
		inf.pushLocked(notification[T]{op: opUpdate, old: old, obj: obj})
	}
	inf.indexFailed(err)
}

// remove drops the object of a DELETED event from the cache, unless the
// event is about another object than the cached one: a different uid (an
// older object of the same name), or an older resourceVersion (a replay).
// A server that keeps its promises never sends those, but one replaying
// old events must not make a live object disappear.
func (inf *InformerOf[T]) remove(obj T) {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	key := lister.MetaNamespaceKey(obj)
	old, existed := inf.store.GetByKey(key)
	if !existed || !deletes(obj, old) {
		return
	}
	inf.store.DeleteKey(key)
	inf.pushLocked(notification[T]{op: opDelete, obj: obj})
}

// deletes reports whether a DELETED event carrying ev may remove cached,
// the object cached under the same key. uids are compared when both are
// set; resourceVersions only when both are decimal integers, as the API
// server's are, since they are otherwise opaque.
func deletes[T lister.Object](ev, cached T) bool {
	if a, b := ev.GetUID(), cached.GetUID(); a != "" && b != "" && a != b {
		return false
	}
	a, errA := strconv.ParseUint(ev.GetResourceVersion(), 10, 64)
	b, errB := strconv.ParseUint(cached.GetResourceVersion(), 10, 64)
	return errA != nil || errB != nil || a >= b
}

// replace makes items, a full list, the cache's content, queuing the
// changes: tombstone deletions for cached objects the list lacks (sorted
// by key), then additions and updates in list order. Objects the cache
// already has at the same version are left alone. The first replace marks
// the informer synced.
func (inf *InformerOf[T]) replace(items []T) {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	first := !inf.hasSynced.Load()
	listed := make(map[string]struct{}, len(items))
	for _, obj := range items {
		listed[lister.MetaNamespaceKey(obj)] = struct{}{}
	}
	var gone []string
	for _, key := range inf.store.ListKeys() {
		if _, ok := listed[key]; !ok {
			gone = append(gone, key)
		}
	}
	slices.Sort(gone)
	for _, key := range gone {
		if old, ok := inf.store.DeleteKey(key); ok {
			inf.pushLocked(notification[T]{op: opDelete, obj: old, key: key, tombstone: true})
		}
	}
	var errs []error
	for _, obj := range items {
		key := lister.MetaNamespaceKey(obj)
		old, existed := inf.store.GetByKey(key)
		if existed && old.GetUID() == obj.GetUID() && old.GetResourceVersion() == obj.GetResourceVersion() {
			continue
		}
		if _, _, err := inf.store.Upsert(obj); err != nil {
			errs = append(errs, err)
		}
		switch {
		case !existed:
			inf.pushLocked(notification[T]{op: opAdd, obj: obj, initial: first})
		case old.GetUID() != obj.GetUID():
			inf.pushLocked(notification[T]{op: opDelete, obj: old, key: key, tombstone: true})
			inf.pushLocked(notification[T]{op: opAdd, obj: obj, initial: first})
		default:
			inf.pushLocked(notification[T]{op: opUpdate, old: old, obj: obj})
		}
	}
	if first {
		for _, l := range inf.listeners {
			l.markSynced()
		}
		inf.hasSynced.Store(true)
		close(inf.syncedCh)
	}
	if len(errs) > 0 {
		inf.indexFailed(fmt.Errorf("%d objects not fully indexed, first: %w", len(errs), errs[0]))
	}
}

func resourceString(gvr schema.GroupVersionResource) string {
	if gvr.Group == "" {
		return gvr.Version + "/" + gvr.Resource
	}
	return gvr.Group + "/" + gvr.Version + "/" + gvr.Resource
}
