package lister

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// IndexFuncOf computes the values an object is indexed under. An object
// may have any number of values, including none (it is then not in the
// index). It must depend only on the object, so that computing it again for
// a stored object gives the same values.
type IndexFuncOf[T Object] func(obj T) ([]string, error)

// IndexersOf names index functions. The names are what ByIndex and
// IndexKeys take.
type IndexersOf[T Object] map[string]IndexFuncOf[T]

// IndexFunc is the IndexFuncOf unstructured objects.
type IndexFunc = IndexFuncOf[*unstructured.Unstructured]

// Indexers is the IndexersOf unstructured objects.
type Indexers = IndexersOf[*unstructured.Unstructured]

// NamespaceIndex is the name of the index every Store has: objects by
// metadata.namespace. Cluster-scoped objects are filed under "".
const NamespaceIndex = "namespace"

// MetaNamespaceIndexFunc indexes an object by its namespace. It never fails.
func MetaNamespaceIndexFunc(obj *unstructured.Unstructured) ([]string, error) {
	return namespaceOf(obj)
}

// namespaceOf is MetaNamespaceIndexFunc for any object type.
func namespaceOf[T Object](obj T) ([]string, error) {
	return []string{obj.GetNamespace()}, nil
}

// LabelIndexFunc returns an IndexFunc that indexes objects by the value of
// the label named key; objects without the label are left out.
func LabelIndexFunc(key string) IndexFunc {
	return LabelIndexFuncOf[*unstructured.Unstructured](key)
}

// LabelIndexFuncOf is LabelIndexFunc for objects of any type T.
func LabelIndexFuncOf[T Object](key string) IndexFuncOf[T] {
	return func(obj T) ([]string, error) {
		v, ok := labelsOf(obj).Lookup(key)
		if !ok {
			return nil, nil
		}
		return []string{v}, nil
	}
}

// IndexError reports that an index function failed for an object. The
// object is stored all the same, and is in every other index; it is missing
// from this one until a later version of it indexes cleanly.
type IndexError struct {
	// Index is the name of the index whose function failed.
	Index string
	// Key is the object's key.
	Key string
	// Err is what the function returned.
	Err error
}

// Error returns "lister: index INDEX for KEY: cause".
func (e *IndexError) Error() string {
	return fmt.Sprintf("lister: index %s for %s: %v", e.Index, e.Key, e.Err)
}

// Unwrap returns the index function's error.
func (e *IndexError) Unwrap() error { return e.Err }

// UnknownIndexError reports a query on an index the Store does not have.
type UnknownIndexError struct {
	// Index is the name asked for.
	Index string
}

// Error returns "lister: no index named INDEX".
func (e *UnknownIndexError) Error() string {
	return fmt.Sprintf("lister: no index named %q", e.Index)
}

// keySet is the set of keys filed under one index value.
type keySet map[string]struct{}

// index maps index values to the keys filed under them.
type index map[string]keySet

func (ix index) add(value, key string) {
	set := ix[value]
	if set == nil {
		set = keySet{}
		ix[value] = set
	}
	set[key] = struct{}{}
}

func (ix index) remove(value, key string) {
	set := ix[value]
	if set == nil {
		return
	}
	delete(set, key)
	// Empty sets are dropped so that values that come and go (such as
	// short-lived namespaces) do not pile up.
	if len(set) == 0 {
		delete(ix, value)
	}
}

// removeEverywhere drops key from every value of the index. It is the slow
// path for when the old values cannot be computed again.
func (ix index) removeEverywhere(key string) {
	for value := range ix {
		ix.remove(value, key)
	}
}
