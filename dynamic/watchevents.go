package dynamic

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/watch"
)

// InitialEventsEndAnnotation is set to "true" on the BOOKMARK that ends the
// initial ADDED events of a streaming list (a watch with
// SendInitialEvents=true, ResourceVersionMatch=NotOlderThan and
// AllowWatchBookmarks=true). Its resourceVersion is the one the initial
// state was read at.
const InitialEventsEndAnnotation = "k8s.io/initial-events-end"

// RelistAnnotation is set to "true" on the BOOKMARK a RetryWatcher sends
// after it had to list again (the server answered 410 Gone): the events
// just before it were made up by comparing the new list with what the
// watcher had delivered, and the bookmark's resourceVersion is the list's.
const RelistAnnotation = "dynamic.anykube.io/relisted"

// IsInitialEventsEnd reports whether ev is the bookmark that ends the
// initial events of a streaming list.
func IsInitialEventsEnd(ev watch.Event) bool {
	return isAnnotatedBookmark(ev, InitialEventsEndAnnotation)
}

// IsRelistBookmark reports whether ev is the bookmark a RetryWatcher sends
// after a relist.
func IsRelistBookmark(ev watch.Event) bool {
	return isAnnotatedBookmark(ev, RelistAnnotation)
}

func isAnnotatedBookmark(ev watch.Event, annotation string) bool {
	if ev.Type != watch.Bookmark || ev.Object == nil {
		return false
	}
	m, err := meta.Accessor(ev.Object)
	if err != nil {
		return false
	}
	return m.GetAnnotations()[annotation] == "true"
}
