package informer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/lister"
)

// reflector is the informer's list-and-watch loop. It runs on Run's
// goroutine and owns the fields below; it changes the cache only through
// the informer's upsert, remove and replace.
type reflector[T lister.Object] struct {
	inf  *InformerOf[T]
	opts OptionsOf[T]

	// rv is the resourceVersion the cache is at.
	rv string
	// synced: a list has filled the cache at least once, so a 404 means
	// the resource went away rather than has not come yet.
	synced bool
	// streaming: streaming lists are still worth trying.
	streaming bool
	wait      time.Duration
}

func newReflector[T lister.Object](inf *InformerOf[T]) *reflector[T] {
	return &reflector[T]{
		inf:       inf,
		opts:      inf.opts,
		streaming: inf.opts.ListMode != ListModePaged,
		wait:      inf.opts.MinBackoff,
	}
}

// verdict is what an error means for the loop.
type verdict int

const (
	retry    verdict = iota // back off, then try again
	expired                 // 410: list again
	notFound                // 404: not served (yet, or any more)
	fatal                   // give up
	stopped                 // the context ended
)

// run lists and watches until ctx ends or the informer must end, and
// returns the final status.
func (r *reflector[T]) run(ctx context.Context) Status {
	reason := ReasonStarted
	for {
		r.inf.report(Status{Phase: PhaseListing, Reason: reason})
		w, err := r.list(ctx)
		if err != nil {
			v := r.classify(ctx, err)
			switch v {
			case stopped:
				return stoppedStatus()
			case fatal:
				return failedStatus(fmt.Errorf("listing %s: %w", r.what(), err))
			case notFound:
				if st, end := r.notServed(ctx, err); end {
					return st
				}
			default:
				if !r.backoff(ctx, ReasonListFailed, err) {
					return stoppedStatus()
				}
			}
			reason = ReasonRetry
			continue
		}
		r.synced = true
		r.wait = r.opts.MinBackoff
		var st Status
		var end bool
		if st, end, reason = r.watchLoop(ctx, w); end {
			return st
		}
	}
}

// watchLoop watches from r.rv, starting with w when the list left a watch
// open, until the server can no longer replay from r.rv (end false: list
// again, for relist) or the informer must end (end true, with final).
func (r *reflector[T]) watchLoop(ctx context.Context, w watch.Interface) (final Status, end bool, relist Reason) {
	reason := ReasonSynced
	for {
		if w == nil {
			var err error
			w, err = r.inf.lw.Watch(ctx, r.watchOptions())
			if err != nil {
				switch r.classify(ctx, err) {
				case stopped:
					return stoppedStatus(), true, ""
				case expired:
					return Status{}, false, ReasonExpired
				case fatal:
					return failedStatus(fmt.Errorf("watching %s: %w", r.what(), err)), true, ""
				case notFound:
					if st, end := r.notServed(ctx, err); end {
						return st, true, ""
					}
					// Served after all: list afresh.
					return Status{}, false, ReasonRetry
				}
				if !r.backoff(ctx, ReasonWatchFailed, err) {
					return stoppedStatus(), true, ""
				}
				reason = ReasonResumed
				continue
			}
		}
		r.inf.report(Status{Phase: PhaseWatching, Reason: reason})
		reason = ReasonResumed
		started := time.Now()
		delivered, err := r.consume(ctx, w)
		w.Stop()
		w = nil
		if delivered {
			r.wait = r.opts.MinBackoff
		}
		if err == nil {
			// The server ended the watch (its timeout): go on at once,
			// unless watches end as soon as they start.
			if delivered || time.Since(started) > time.Second {
				continue
			}
			err = errors.New("the watch ended at once")
		}
		switch r.classify(ctx, err) {
		case stopped:
			return stoppedStatus(), true, ""
		case expired:
			return Status{}, false, ReasonExpired
		case fatal:
			return failedStatus(fmt.Errorf("watching %s: %w", r.what(), err)), true, ""
		case notFound:
			if st, end := r.notServed(ctx, err); end {
				return st, true, ""
			}
			return Status{}, false, ReasonRetry
		}
		if !r.backoff(ctx, ReasonWatchFailed, err) {
			return stoppedStatus(), true, ""
		}
	}
}

// consume applies w's events to the cache until w ends (nil), an ERROR
// event arrives (its error) or ctx ends (ctx's error). delivered reports
// whether anything arrived.
func (r *reflector[T]) consume(ctx context.Context, w watch.Interface) (delivered bool, err error) {
	for {
		select {
		case <-ctx.Done():
			return delivered, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return delivered, nil
			}
			delivered = true
			switch ev.Type {
			case watch.Added, watch.Modified, watch.Deleted:
				obj, ok := ev.Object.(T)
				if !ok {
					return delivered, fmt.Errorf("a %s event carried %T, not an object", ev.Type, ev.Object)
				}
				rv := obj.GetResourceVersion()
				obj = r.inf.applyTransform(obj)
				if ev.Type == watch.Deleted {
					r.inf.remove(obj)
				} else {
					r.inf.upsert(obj)
				}
				r.setRV(rv)
			case watch.Bookmark:
				if m, err := meta.Accessor(ev.Object); err == nil {
					r.setRV(m.GetResourceVersion())
				}
			case watch.Error:
				return delivered, eventError(ev)
			}
		}
	}
}

func (r *reflector[T]) setRV(rv string) {
	if rv != "" {
		r.rv = rv
		r.inf.setResourceVersion(rv)
	}
}

// list reads the full state into the cache. After a streaming list it
// returns the stream, left open for the watch.
func (r *reflector[T]) list(ctx context.Context) (watch.Interface, error) {
	if r.streaming {
		w, err := r.streamList(ctx)
		if err == nil || r.opts.ListMode == ListModeStreaming {
			return w, err
		}
		switch r.classify(ctx, err) {
		case stopped, notFound:
			return nil, err
		}
		if refusesStreaming(err) {
			r.streaming = false
			r.inf.report(Status{Reason: ReasonStreamingUnsupported, Err: err})
		}
		// Any other failure: a paged list this time.
	}
	return nil, r.pagedList(ctx)
}

// streamList reads the initial events of a streaming list up to the
// bookmark that ends them and caches them.
func (r *reflector[T]) streamList(ctx context.Context) (watch.Interface, error) {
	yes := true
	opts := r.watchOptions()
	opts.ResourceVersion = ""
	opts.SendInitialEvents = &yes
	opts.ResourceVersionMatch = metav1.ResourceVersionMatchNotOlderThan
	w, err := r.inf.lw.Watch(ctx, opts)
	if err != nil {
		return nil, err
	}
	var items []T
	for {
		select {
		case <-ctx.Done():
			w.Stop()
			return nil, ctx.Err()
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, errStreamEnded
			}
			switch ev.Type {
			case watch.Added, watch.Modified:
				obj, ok := ev.Object.(T)
				if !ok {
					w.Stop()
					return nil, fmt.Errorf("a %s event carried %T, not an object", ev.Type, ev.Object)
				}
				items = append(items, r.inf.applyTransform(obj))
			case watch.Error:
				w.Stop()
				return nil, eventError(ev)
			case watch.Bookmark:
				if !dynamic.IsInitialEventsEnd(ev) {
					continue
				}
				m, err := meta.Accessor(ev.Object)
				if err != nil {
					w.Stop()
					return nil, fmt.Errorf("the initial-events-end bookmark: %w", err)
				}
				r.inf.replace(items)
				r.setRV(m.GetResourceVersion())
				return w, nil
			}
		}
	}
}

// errStreamEnded is a streaming list whose stream closed before the
// initial events were all sent.
var errStreamEnded = errors.New("the streaming list ended before its initial events did")

// pagedList lists in pages at one resourceVersion and caches the result.
func (r *reflector[T]) pagedList(ctx context.Context) error {
	items, rv, err := r.inf.lw.ListAll(ctx, metav1.ListOptions{
		LabelSelector: r.opts.LabelSelector,
		FieldSelector: r.opts.FieldSelector,
		Limit:         r.opts.PageSize,
	})
	if err != nil {
		return err
	}
	for i, obj := range items {
		items[i] = r.inf.applyTransform(obj)
	}
	r.inf.replace(items)
	r.setRV(rv)
	return nil
}

func (r *reflector[T]) watchOptions() metav1.ListOptions {
	timeout := int64((r.opts.WatchTimeout + rand.N(r.opts.WatchTimeout+1)) / time.Second)
	return metav1.ListOptions{
		LabelSelector:       r.opts.LabelSelector,
		FieldSelector:       r.opts.FieldSelector,
		ResourceVersion:     r.rv,
		AllowWatchBookmarks: true,
		TimeoutSeconds:      &timeout,
	}
}

// classify decides what an error from a list, a watch or an ERROR event
// means.
func (r *reflector[T]) classify(ctx context.Context, err error) verdict {
	if ctx.Err() != nil {
		return stopped
	}
	if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		return expired
	}
	if apierrors.IsNotFound(err) {
		return notFound
	}
	if errors.Is(err, dynamic.ErrInvalidRequest) || (r.inf.unrecoverable != nil && r.inf.unrecoverable(err)) {
		return fatal
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		// Transport and decoding failures: worth another try.
		return retry
	}
	switch status.Status().Code {
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusNotAcceptable, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return fatal
	}
	// 401 and 403 too: credentials and permissions may be fixed while
	// the informer waits.
	return retry
}

// refusesStreaming reports whether err is a server saying it cannot do a
// streaming list: older servers reject resourceVersionMatch on a watch,
// newer ones without the WatchList feature reject sendInitialEvents, both
// as 422 Invalid or 400 Bad Request.
func refusesStreaming(err error) bool {
	return apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || apierrors.IsMethodNotSupported(err)
}

// notServed handles a 404. Before the first sync the resource has not come
// yet: wait and list again. After it, the resource went away, if discovery
// (when given) agrees: empty the cache and end. end reports whether the
// informer ends, with final its status.
func (r *reflector[T]) notServed(ctx context.Context, cause error) (final Status, end bool) {
	if !r.synced {
		if !r.sleep(ctx, PhaseWaitingForResource, ReasonNotServed, cause) {
			return stoppedStatus(), true
		}
		return Status{}, false
	}
	if d := r.opts.Discovery; d != nil {
		served, err := discovery.IsResourceEnabled(d.WithContext(ctx), r.inf.resource)
		if ctx.Err() != nil {
			return stoppedStatus(), true
		}
		if err != nil || served {
			// Not confirmed: a transient 404 (discovery lagging a
			// re-created CRD, a proxy), or discovery failing. Retry.
			if err == nil {
				err = cause
			}
			if !r.backoff(ctx, ReasonWatchFailed, err) {
				return stoppedStatus(), true
			}
			return Status{}, false
		}
	}
	// Everything the cache holds went with the resource.
	r.inf.replace(nil)
	return Status{
		Phase:  PhaseResourceGone,
		Reason: ReasonResourceRemoved,
		Err:    fmt.Errorf("informer for %s: %w (%w)", r.what(), ErrResourceGone, cause),
	}, true
}

// backoff reports PhaseBackoff and waits; false means ctx ended.
func (r *reflector[T]) backoff(ctx context.Context, reason Reason, err error) bool {
	return r.sleep(ctx, PhaseBackoff, reason, err)
}

// sleep reports phase and waits the current backoff, with jitter, then
// doubles it up to MaxBackoff. It returns false if ctx ends first.
func (r *reflector[T]) sleep(ctx context.Context, phase Phase, reason Reason, err error) bool {
	d := r.wait + rand.N(r.wait/2+1)
	r.wait = min(2*r.wait, r.opts.MaxBackoff)
	r.inf.report(Status{Phase: phase, Reason: reason, Err: err, RetryAfter: d})
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *reflector[T]) what() string {
	s := resourceString(r.inf.resource)
	if r.opts.Namespace != "" {
		s += " in namespace " + r.opts.Namespace
	}
	return s
}

// eventError turns an ERROR event into an error.
func eventError(ev watch.Event) error {
	switch ev.Object.(type) {
	case *metav1.Status:
		return apierrors.FromObject(ev.Object)
	case *unstructured.Unstructured:
		if u := ev.Object.(*unstructured.Unstructured); u.GetKind() == "Status" {
			return apierrors.FromObject(ev.Object)
		}
	}
	return fmt.Errorf("a watch ERROR event carried %T", ev.Object)
}

func stoppedStatus() Status {
	return Status{Phase: PhaseStopped, Reason: ReasonContextDone}
}

func failedStatus(err error) Status {
	return Status{Phase: PhaseFailed, Reason: ReasonUnrecoverable, Err: err}
}
