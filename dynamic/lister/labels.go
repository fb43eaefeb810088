package lister

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
)

// rawLabels reads an object's labels in place. Unstructured.GetLabels
// copies the map on every call, which a List over thousands of cached
// objects would pay once per object.
type rawLabels map[string]any

var _ labels.Labels = rawLabels(nil)

func objectLabels(obj *unstructured.Unstructured) rawLabels {
	md, _ := obj.Object["metadata"].(map[string]any)
	l, _ := md["labels"].(map[string]any)
	return rawLabels(l)
}

// Has reports whether the label is set to a string.
func (l rawLabels) Has(key string) bool {
	_, ok := l.Lookup(key)
	return ok
}

// Get returns the label's value, or "" when it is not set.
func (l rawLabels) Get(key string) string {
	v, _ := l.Lookup(key)
	return v
}

// Lookup returns the label's value and whether it is set. A value that is
// not a string, which the server never stores, counts as unset.
func (l rawLabels) Lookup(key string) (string, bool) {
	v, ok := l[key].(string)
	return v, ok
}

// labelsOf returns obj's labels without copying them: in place for an
// unstructured object, the map itself for typed ones, whose GetLabels
// returns it.
func labelsOf[T Object](obj T) labels.Labels {
	if u, ok := any(obj).(*unstructured.Unstructured); ok {
		return objectLabels(u)
	}
	return labels.Set(obj.GetLabels())
}

// matches reports whether obj's labels satisfy sel; a nil selector matches
// everything.
func matches[T Object](sel labels.Selector, obj T) bool {
	return sel == nil || sel.Empty() || sel.Matches(labelsOf(obj))
}
