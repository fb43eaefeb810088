package wait

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
)

// group is the unit one watch follows: a resource in one namespace ("" for
// cluster-scoped resources).
type group struct {
	resource  schema.GroupVersionResource
	namespace string
}

// update is what a group's watcher tells the wait loop: one object's new
// state (obj nil when it does not exist), or that the group's initial list
// is in (synced), or that its watch failed (err).
type update struct {
	group  group
	name   string
	obj    *unstructured.Unstructured
	synced bool
	err    error
}

// follow lists and watches g until ctx ends, sending the state of the
// objects named in names to out. After the initial list it reports every
// named object the list did not hold as absent, then the group as synced,
// so the wait loop knows the initial state of all of them.
func follow(ctx context.Context, client dynamic.Interface, g group, names map[string]bool, out chan<- update) {
	send := func(u update) bool {
		select {
		case out <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var ri dynamic.ResourceInterface = client.Resource(g.resource)
	if g.namespace != "" {
		ri = client.Resource(g.resource).Namespace(g.namespace)
	}
	opts := metav1.ListOptions{AllowWatchBookmarks: true}
	if len(names) == 1 {
		// One object: let the server filter, so a busy namespace costs
		// nothing.
		for name := range names {
			opts.FieldSelector = "metadata.name=" + name
		}
	}
	rw, err := dynamic.NewRetryWatcher(ctx, ri, opts, nil)
	if err != nil {
		if ctx.Err() == nil {
			send(update{group: g, err: err})
		}
		return
	}
	defer rw.Stop()
	seen := map[string]bool{}
	synced := false
	for ev := range rw.ResultChan() {
		switch ev.Type {
		case watch.Bookmark:
			if synced || !dynamic.IsInitialEventsEnd(ev) {
				continue
			}
			synced = true
			for name := range names {
				if !seen[name] && !send(update{group: g, name: name}) {
					return
				}
			}
			if !send(update{group: g, synced: true}) {
				return
			}
		case watch.Error:
			err := apierrors.FromObject(ev.Object)
			if ctx.Err() == nil {
				send(update{group: g, err: err})
			}
			return
		case watch.Added, watch.Modified, watch.Deleted:
			u, ok := ev.Object.(*unstructured.Unstructured)
			if !ok {
				send(update{group: g, err: fmt.Errorf("watch event holds a %T, not an object", ev.Object)})
				return
			}
			name := u.GetName()
			if !names[name] {
				continue
			}
			seen[name] = true
			if ev.Type == watch.Deleted {
				u = nil
			}
			if !send(update{group: g, name: name, obj: u}) {
				return
			}
		}
	}
}
