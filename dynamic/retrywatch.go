package dynamic

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// RetryWatchOptions tunes a RetryWatcher. The zero value is what most
// callers want.
type RetryWatchOptions struct {
	// PageSize is the Limit of the lists the watcher makes. Zero means
	// DefaultPageSize.
	PageSize int64
	// MinBackoff and MaxBackoff bound the wait before trying again after a
	// failed or empty watch; the wait doubles from MinBackoff up to
	// MaxBackoff and starts over once events flow. Zero means 100ms and
	// 30s.
	MinBackoff, MaxBackoff time.Duration
}

// RetryWatcher is a watch that outlives its connections. It implements
// watch.Interface and delivers every change to the objects it selects
// exactly once, in order, however often the underlying watch ends:
//
//   - When a watch ends (the server's timeout, a dropped connection, a
//     stream cut mid-event, a retryable error such as 429 or 503), it
//     watches again from the resourceVersion of the last event or bookmark
//     it saw, after a backoff when nothing was received, so the server
//     replays exactly what was missed.
//   - When the server can no longer replay from there (410 Gone, or an
//     ERROR event with reason Expired, after etcd compaction), it lists
//     again and compares the list with the objects it has delivered: it
//     sends ADDED for new objects, MODIFIED for changed ones (by
//     resourceVersion), and DELETED for vanished ones (with the last state
//     delivered and the list's resourceVersion); an object replaced under
//     the same name (new uid) is DELETED then ADDED. Then it sends a
//     BOOKMARK annotated with RelistAnnotation (IsRelistBookmark), always,
//     so the caller knows a relist happened, and watches on from the list's
//     resourceVersion.
//   - Any other error (401, 403, 404, an invalid request) ends it: the
//     error is sent as an ERROR event carrying a *metav1.Status, and the
//     result channel is closed.
//
// Events with the resourceVersion the watcher last delivered for the same
// object are dropped, so a replay never repeats an event. Server bookmarks
// are forwarded only when the caller set AllowWatchBookmarks.
//
// The watcher remembers the last object it delivered for each key, to build
// DELETED events after a relist; those are the objects the caller
// received, so a caller that modifies received objects will find its
// changes there.
type RetryWatcher struct {
	client    ListWatcher
	opts      metav1.ListOptions
	pageSize  int64
	minWait   time.Duration
	maxWait   time.Duration
	streaming bool
	bookmarks bool
	// listedInitial means the watcher began by sending a list's objects,
	// which ends with an initial-events-end bookmark when bookmarks are on.
	listedInitial bool

	ctx    context.Context
	cancel context.CancelFunc
	result chan watch.Event
	done   chan struct{}

	// The fields below belong to the run goroutine.
	lastRV string
	known  map[knownKey]knownObject
	// kind and apiVersion name the resource's objects in synthetic
	// bookmarks; learnt from lists and events.
	apiVersion, kind string
}

type knownKey struct{ namespace, name string }

type knownObject struct {
	rv  string
	uid types.UID
	obj *unstructured.Unstructured
}

var _ watch.Interface = (*RetryWatcher)(nil)

// NewRetryWatcher starts a RetryWatcher on client for the objects opts
// selects (LabelSelector, FieldSelector; TimeoutSeconds bounds each
// underlying watch request). Where it starts depends on opts:
//
//   - ResourceVersion "" (or "0"): it lists (in pages of PageSize), sends
//     every object as ADDED, and watches on from the list's
//     resourceVersion. With AllowWatchBookmarks, the end of those initial
//     events is marked with a bookmark annotated with
//     InitialEventsEndAnnotation, as a streaming list marks it.
//   - SendInitialEvents=true (ResourceVersion must be ""): the initial state
//     and every relist come from a streaming list instead of List calls,
//     ending with the InitialEventsEndAnnotation bookmark; the server must
//     support streaming lists (Kubernetes 1.32 and later). Bookmarks are
//     then forwarded as if AllowWatchBookmarks were set.
//   - Any other ResourceVersion: the caller already knows the state at that
//     version; the watcher lists at exactly that version to learn it,
//     sends nothing for it, and watches on from there.
//
// The first list or watch happens before NewRetryWatcher returns, and its
// failure is returned as is (a 410 for a ResourceVersion that is too old
// to list: start again from ""). options may be nil. The watcher runs until
// Stop is called or ctx ends.
func NewRetryWatcher(ctx context.Context, client ListWatcher, opts metav1.ListOptions, options *RetryWatchOptions) (*RetryWatcher, error) {
	var o RetryWatchOptions
	if options != nil {
		o = *options
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	streaming := opts.SendInitialEvents != nil && *opts.SendInitialEvents
	if streaming && opts.ResourceVersion != "" {
		return nil, &Error{Verb: "watch", Err: fmt.Errorf("%w: a retrying streaming list starts from the present: ResourceVersion must be empty", ErrInvalidRequest)}
	}
	rw := &RetryWatcher{
		client:    client,
		opts:      metav1.ListOptions{LabelSelector: opts.LabelSelector, FieldSelector: opts.FieldSelector, TimeoutSeconds: opts.TimeoutSeconds},
		pageSize:  o.PageSize,
		minWait:   o.MinBackoff,
		maxWait:   o.MaxBackoff,
		streaming: streaming,
		bookmarks: opts.AllowWatchBookmarks || streaming,
		result:    make(chan watch.Event),
		done:      make(chan struct{}),
		known:     make(map[knownKey]knownObject),
	}
	// The first list or watch runs under the watcher's own context, so
	// that Stop ends it too.
	rw.ctx, rw.cancel = context.WithCancel(ctx)
	var initial []*unstructured.Unstructured
	var stream watch.Interface
	var err error
	switch {
	case streaming:
		stream, err = client.Watch(rw.ctx, rw.streamingOptions())
	case opts.ResourceVersion == "" || opts.ResourceVersion == "0":
		lo := rw.listOptions()
		lo.ResourceVersion = opts.ResourceVersion
		var list *unstructured.UnstructuredList
		if list, err = ListAll(rw.ctx, client, lo); err == nil {
			rw.learnList(list)
			rw.lastRV = list.GetResourceVersion()
			rw.listedInitial = true
			for i := range list.Items {
				initial = append(initial, &list.Items[i])
			}
		}
	default:
		lo := rw.listOptions()
		lo.ResourceVersion = opts.ResourceVersion
		lo.ResourceVersionMatch = metav1.ResourceVersionMatchExact
		var list *unstructured.UnstructuredList
		if list, err = ListAll(rw.ctx, client, lo); err == nil {
			rw.learnList(list)
			for i := range list.Items {
				rw.remember(&list.Items[i])
			}
			rw.lastRV = opts.ResourceVersion
		}
	}
	if err != nil {
		rw.cancel()
		return nil, err
	}
	go rw.run(initial, stream)
	return rw, nil
}

// ResultChan returns the events. It is closed when the watcher ends.
func (rw *RetryWatcher) ResultChan() <-chan watch.Event { return rw.result }

// Stop ends the watcher and its current watch. It may be called more than
// once, from any goroutine; the result channel is closed soon after.
func (rw *RetryWatcher) Stop() { rw.cancel() }

// Done is closed when the watcher has ended and closed its result channel.
func (rw *RetryWatcher) Done() <-chan struct{} { return rw.done }

func (rw *RetryWatcher) listOptions() metav1.ListOptions {
	return metav1.ListOptions{LabelSelector: rw.opts.LabelSelector, FieldSelector: rw.opts.FieldSelector, Limit: rw.pageSize}
}

func (rw *RetryWatcher) streamingOptions() metav1.ListOptions {
	yes := true
	o := rw.opts
	o.SendInitialEvents = &yes
	o.ResourceVersionMatch = metav1.ResourceVersionMatchNotOlderThan
	o.AllowWatchBookmarks = true
	return o
}

func (rw *RetryWatcher) resumeOptions() metav1.ListOptions {
	o := rw.opts
	o.ResourceVersion = rw.lastRV
	// Bookmarks keep lastRV fresh on quiet resources, so a resume rarely
	// needs history the server has compacted.
	o.AllowWatchBookmarks = true
	return o
}

// outcome is how one underlying watch ended.
type outcome int

const (
	stopped outcome = iota // the caller stopped the watcher
	ended                  // the stream closed: resume
	gone                   // 410: relist
	failed                 // a retryable error: resume after a backoff
	fatal                  // give up
)

func (rw *RetryWatcher) run(initial []*unstructured.Unstructured, stream watch.Interface) {
	defer close(rw.done)
	defer close(rw.result)
	defer rw.cancel()

	for _, obj := range initial {
		rw.remember(obj)
		if !rw.send(watch.Event{Type: watch.Added, Object: obj}) {
			return
		}
	}
	if rw.listedInitial && rw.bookmarks {
		if !rw.send(watch.Event{Type: watch.Bookmark, Object: rw.bookmark(InitialEventsEndAnnotation)}) {
			return
		}
	}

	wait := rw.minWait
	relist := false
	firstStream := rw.streaming
	for {
		var w watch.Interface
		var err error
		streamList := firstStream || (relist && rw.streaming)
		switch {
		case stream != nil:
			w, stream = stream, nil
		case streamList:
			w, err = rw.client.Watch(rw.ctx, rw.streamingOptions())
		case relist:
			err = rw.relistFromList()
		default:
			w, err = rw.client.Watch(rw.ctx, rw.resumeOptions())
		}
		if err == nil && streamList {
			if err = rw.relistFromStream(w, firstStream); err != nil {
				w.Stop()
				w = nil
			} else {
				firstStream = false
			}
		}
		var res outcome
		var delivered bool
		if err != nil {
			res = rw.classify(err)
		} else {
			relist = false
			if w == nil {
				continue // relisted with List: now watch from its version
			}
			res, delivered, err = rw.consume(w)
			w.Stop()
			if res == ended && !delivered {
				// A stream that ends at once, again and again, must
				// not become a busy loop.
				res = failed
			}
		}
		if delivered {
			wait = rw.minWait
		}
		switch res {
		case stopped:
			return
		case ended:
			continue
		case gone:
			if !relist {
				relist = true
				continue
			}
			// A relist that itself meets 410 waits like any failure.
		case fatal:
			rw.sendError(err)
			return
		}
		if !rw.sleep(wait) {
			return
		}
		wait = min(wait*2, rw.maxWait)
	}
}

// classify decides what an error from Watch, a relist or an ERROR event
// means.
func (rw *RetryWatcher) classify(err error) outcome {
	if rw.ctx.Err() != nil {
		return stopped
	}
	if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		return gone
	}
	if errors.Is(err, ErrInvalidRequest) {
		return fatal
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		// Transport and decode failures: the connection is worth
		// another try.
		return failed
	}
	switch code := status.Status().Code; {
	case code == 429, code >= 500:
		return failed
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err), apierrors.IsTooManyRequests(err):
		return failed
	}
	return fatal
}

// consume forwards w's events until it ends. delivered reports whether
// anything was received.
func (rw *RetryWatcher) consume(w watch.Interface) (res outcome, delivered bool, err error) {
	for {
		select {
		case <-rw.ctx.Done():
			return stopped, delivered, nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return ended, delivered, nil
			}
			delivered = true
			switch ev.Type {
			case watch.Added, watch.Modified, watch.Deleted:
				obj, ok := ev.Object.(*unstructured.Unstructured)
				if !ok {
					return failed, delivered, fmt.Errorf("watch event %s carries %T, not an object", ev.Type, ev.Object)
				}
				if !rw.track(ev.Type, obj) {
					continue
				}
				if !rw.send(ev) {
					return stopped, delivered, nil
				}
			case watch.Bookmark:
				if m, err := meta.Accessor(ev.Object); err == nil && m.GetResourceVersion() != "" {
					rw.lastRV = m.GetResourceVersion()
				}
				if rw.bookmarks && !rw.send(ev) {
					return stopped, delivered, nil
				}
			case watch.Error:
				err := apierrors.FromObject(ev.Object)
				if _, ok := ev.Object.(*metav1.Status); !ok {
					if u, isU := ev.Object.(*unstructured.Unstructured); !isU || u.GetKind() != "Status" {
						err = fmt.Errorf("watch ERROR event carries %T", ev.Object)
					}
				}
				return rw.classify(err), delivered, err
			}
		}
	}
}

// track updates what the caller knows after an event and reports whether
// the event is news: an ADDED or MODIFIED with the version already
// delivered for that object is a replay and is dropped.
func (rw *RetryWatcher) track(typ watch.EventType, obj *unstructured.Unstructured) bool {
	rw.learn(obj.GetAPIVersion(), obj.GetKind())
	key := knownKey{obj.GetNamespace(), obj.GetName()}
	rv := obj.GetResourceVersion()
	if rv != "" {
		rw.lastRV = rv
	}
	if typ == watch.Deleted {
		delete(rw.known, key)
		return true
	}
	if k, ok := rw.known[key]; ok && rv != "" && k.rv == rv && k.uid == obj.GetUID() {
		return false
	}
	rw.remember(obj)
	return true
}

func (rw *RetryWatcher) remember(obj *unstructured.Unstructured) {
	rw.known[knownKey{obj.GetNamespace(), obj.GetName()}] = knownObject{rv: obj.GetResourceVersion(), uid: obj.GetUID(), obj: obj}
}

// relistFromList lists the current state and sends what changed since the
// caller's view, then the relist bookmark.
func (rw *RetryWatcher) relistFromList() error {
	list, err := ListAll(rw.ctx, rw.client, rw.listOptions())
	if err != nil {
		return err
	}
	rw.learnList(list)
	items := make([]*unstructured.Unstructured, len(list.Items))
	for i := range list.Items {
		items[i] = &list.Items[i]
	}
	if !rw.sendDiff(items, list.GetResourceVersion()) {
		return context.Canceled
	}
	return nil
}

// errStreamEnded is a streaming list that ended before its initial events
// did; it is retried like any dropped connection.
var errStreamEnded = errors.New("the streaming list ended before its initial-events-end bookmark")

// relistFromStream reads the initial events of a streaming list from w up
// to the bookmark that ends them, then sends what changed since the
// caller's view. After the very first stream the InitialEventsEndAnnotation
// bookmark is forwarded; after later ones, the relist bookmark. w is left
// open for the events that follow.
func (rw *RetryWatcher) relistFromStream(w watch.Interface, first bool) error {
	var items []*unstructured.Unstructured
	for {
		select {
		case <-rw.ctx.Done():
			return rw.ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return errStreamEnded
			}
			switch ev.Type {
			case watch.Added, watch.Modified:
				if obj, ok := ev.Object.(*unstructured.Unstructured); ok {
					rw.learn(obj.GetAPIVersion(), obj.GetKind())
					items = append(items, obj)
				}
			case watch.Deleted:
				// Not part of an initial state; ignore.
			case watch.Error:
				return apierrors.FromObject(ev.Object)
			case watch.Bookmark:
				m, err := meta.Accessor(ev.Object)
				if err != nil || m.GetAnnotations()[InitialEventsEndAnnotation] != "true" {
					continue
				}
				if u, ok := ev.Object.(*unstructured.Unstructured); ok {
					rw.learn(u.GetAPIVersion(), u.GetKind())
				}
				rv := m.GetResourceVersion()
				if first {
					for _, obj := range items {
						if rw.track(watch.Added, obj) && !rw.send(watch.Event{Type: watch.Added, Object: obj}) {
							return context.Canceled
						}
					}
					rw.lastRV = rv
					if !rw.send(ev) {
						return context.Canceled
					}
					return nil
				}
				if !rw.sendDiff(items, rv) {
					return context.Canceled
				}
				return nil
			}
		}
	}
}

// sendDiff sends the events that take the caller from what it was sent to
// items, the state at rv, then the relist bookmark. It returns false when
// the watcher was stopped.
func (rw *RetryWatcher) sendDiff(items []*unstructured.Unstructured, rv string) bool {
	var upserts []watch.Event
	var gone []knownKey // deleted, or replaced by a new object of the same name
	seen := make(map[knownKey]bool, len(items))
	for _, obj := range items {
		key := knownKey{obj.GetNamespace(), obj.GetName()}
		seen[key] = true
		old, ok := rw.known[key]
		switch {
		case !ok:
			upserts = append(upserts, watch.Event{Type: watch.Added, Object: obj})
		case old.uid != obj.GetUID():
			gone = append(gone, key)
			upserts = append(upserts, watch.Event{Type: watch.Added, Object: obj})
		case old.rv != obj.GetResourceVersion():
			upserts = append(upserts, watch.Event{Type: watch.Modified, Object: obj})
		}
	}
	for key := range rw.known {
		if !seen[key] {
			gone = append(gone, key)
		}
	}
	slices.SortFunc(gone, func(a, b knownKey) int {
		if c := strings.Compare(a.namespace, b.namespace); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	events := make([]watch.Event, 0, len(gone)+len(upserts)+1)
	for _, key := range gone {
		d := rw.known[key].obj.DeepCopy()
		d.SetResourceVersion(rv)
		events = append(events, watch.Event{Type: watch.Deleted, Object: d})
		delete(rw.known, key)
	}
	events = append(events, upserts...)
	for _, obj := range items {
		rw.remember(obj)
	}
	rw.lastRV = rv
	events = append(events, watch.Event{Type: watch.Bookmark, Object: rw.bookmark(RelistAnnotation)})
	for _, ev := range events {
		if !rw.send(ev) {
			return false
		}
	}
	return true
}

// bookmark returns a BOOKMARK object at lastRV carrying annotation.
func (rw *RetryWatcher) bookmark(annotation string) *unstructured.Unstructured {
	b := &unstructured.Unstructured{Object: map[string]any{}}
	b.SetAPIVersion(rw.apiVersion)
	b.SetKind(rw.kind)
	b.SetResourceVersion(rw.lastRV)
	b.SetAnnotations(map[string]string{annotation: "true"})
	return b
}

func (rw *RetryWatcher) learnList(list *unstructured.UnstructuredList) {
	rw.learn(list.GetAPIVersion(), strings.TrimSuffix(list.GetKind(), "List"))
	for i := range list.Items {
		rw.learn(list.Items[i].GetAPIVersion(), list.Items[i].GetKind())
	}
}

func (rw *RetryWatcher) learn(apiVersion, kind string) {
	if rw.apiVersion == "" && apiVersion != "" {
		rw.apiVersion = apiVersion
	}
	if (rw.kind == "" || rw.kind == "List") && kind != "" && kind != "Status" {
		rw.kind = kind
	}
}

// send delivers ev unless the watcher is stopped first.
func (rw *RetryWatcher) send(ev watch.Event) bool {
	select {
	case rw.result <- ev:
		return true
	case <-rw.ctx.Done():
		return false
	}
}

func (rw *RetryWatcher) sendError(err error) {
	var st *metav1.Status
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		s := status.Status()
		st = &s
	} else {
		st = &apierrors.NewInternalError(err).ErrStatus
	}
	rw.send(watch.Event{Type: watch.Error, Object: st})
}

// sleep waits d with jitter, or until the watcher is stopped.
func (rw *RetryWatcher) sleep(d time.Duration) bool {
	d += time.Duration(rand.Int64N(int64(d)/5 + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-rw.ctx.Done():
		return false
	}
}
