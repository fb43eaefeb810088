package lister

import (
	"errors"
	"fmt"
	"maps"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// StoreOf is a thread-safe, indexed map of objects keyed by MetaNamespaceKey.
// It is what an informer keeps its cache in and what a Lister reads. T is
// a pointer type: *unstructured.Unstructured for dynamic informers (Store),
// *metav1.PartialObjectMetadata for metadata informers.
//
// Every Store has NamespaceIndex; more indexes are given to NewStore or
// added later with AddIndexers. Readers never wait for index functions of
// other objects to run and never see a half-applied change: each write
// updates the object and all its index entries under one lock.
//
// The Store holds the objects it is given and hands the same pointers back.
// They are shared with every reader: treat them as read-only, and DeepCopy
// one before changing it.
type StoreOf[T Object] struct {
	// mu guards every field below.
	mu       sync.RWMutex
	items    map[string]T
	indexers IndexersOf[T]
	indices  map[string]index
}

// Store is the StoreOf unstructured objects that dynamic informers keep.
type Store = StoreOf[*unstructured.Unstructured]

var _ Indexer = (*Store)(nil)

// NewStore returns an empty Store with NamespaceIndex and indexers. A nil
// function in indexers, or one named NamespaceIndex, is an error.
func NewStore(indexers Indexers) (*Store, error) {
	return NewStoreOf(indexers)
}

// NewStoreOf is NewStore for objects of any type T.
func NewStoreOf[T Object](indexers IndexersOf[T]) (*StoreOf[T], error) {
	s := &StoreOf[T]{
		items:    map[string]T{},
		indexers: IndexersOf[T]{NamespaceIndex: namespaceOf[T]},
		indices:  map[string]index{NamespaceIndex: {}},
	}
	if err := s.AddIndexers(indexers); err != nil {
		return nil, err
	}
	return s, nil
}

// AddIndexers adds indexes, filing every stored object in them. It may be
// called at any time. A name already in use, or a nil function, is an error
// and adds nothing. Objects whose index function fails are left out of that
// index, and the first such failure is returned as an *IndexError after all
// indexes are added.
func (s *StoreOf[T]) AddIndexers(indexers IndexersOf[T]) error {
	for name, fn := range indexers {
		if fn == nil {
			return fmt.Errorf("lister: index %q has no function", name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := range indexers {
		if _, ok := s.indexers[name]; ok {
			return fmt.Errorf("lister: index %q already exists", name)
		}
	}
	var first error
	for name, fn := range indexers {
		s.indexers[name] = fn
		ix := index{}
		s.indices[name] = ix
		for key, obj := range s.items {
			if err := fileLocked(ix, name, fn, key, obj); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// Indexers returns a copy of the Store's index functions by name, including
// NamespaceIndex.
func (s *StoreOf[T]) Indexers() IndexersOf[T] {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return maps.Clone(s.indexers)
}

// Add stores obj under its key, replacing any object stored there. It
// fails only when index functions do, with an error wrapping an
// *IndexError for each (errors.As finds them); obj is stored all the same.
func (s *StoreOf[T]) Add(obj T) error {
	_, _, err := s.Upsert(obj)
	return err
}

// Update is Add: the Store does not tell a new object from a changed one.
func (s *StoreOf[T]) Update(obj T) error {
	_, _, err := s.Upsert(obj)
	return err
}

// Upsert stores obj under its key and returns the object it replaced, if
// any. Index functions' failures are returned as by Add; obj is stored all
// the same.
func (s *StoreOf[T]) Upsert(obj T) (old T, existed bool, err error) {
	key := MetaNamespaceKey(obj)
	s.mu.Lock()
	defer s.mu.Unlock()
	old, existed = s.items[key]
	if existed {
		s.unfileLocked(key, old)
	}
	s.items[key] = obj
	return old, existed, s.fileAllLocked(key, obj)
}

// Delete removes the object stored under obj's key, if any; the stored
// object need not be obj itself. It never fails; the error is there for
// the shape of client-go's stores.
func (s *StoreOf[T]) Delete(obj T) error {
	s.DeleteKey(MetaNamespaceKey(obj))
	return nil
}

// DeleteKey removes the object stored under key and returns it, if there
// was one.
func (s *StoreOf[T]) DeleteKey(key string) (old T, existed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, existed = s.items[key]
	if existed {
		s.unfileLocked(key, old)
		delete(s.items, key)
	}
	return old, existed
}

// Replace makes objs the Store's whole content, rebuilding every index. Of
// two objects with the same key the last wins. Index failures are handled
// as by AddIndexers: the first is returned, the objects are stored.
func (s *StoreOf[T]) Replace(objs []T) error {
	items := make(map[string]T, len(objs))
	for _, obj := range objs {
		items[MetaNamespaceKey(obj)] = obj
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = items
	var first error
	for name, fn := range s.indexers {
		ix := index{}
		s.indices[name] = ix
		for key, obj := range items {
			if err := fileLocked(ix, name, fn, key, obj); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// Get returns the object stored under obj's key.
func (s *StoreOf[T]) Get(obj T) (item T, exists bool) {
	return s.GetByKey(MetaNamespaceKey(obj))
}

// GetByKey returns the object stored under key.
func (s *StoreOf[T]) GetByKey(key string) (item T, exists bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	item, exists = s.items[key]
	return item, exists
}

// List returns every stored object, in no particular order. The slice is
// the caller's; the objects are shared.
func (s *StoreOf[T]) List() []T {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]T, 0, len(s.items))
	for _, obj := range s.items {
		out = append(out, obj)
	}
	return out
}

// ListKeys returns every key, in no particular order.
func (s *StoreOf[T]) ListKeys() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.items))
	for key := range s.items {
		out = append(out, key)
	}
	return out
}

// Len returns how many objects are stored.
func (s *StoreOf[T]) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}

// ByIndex returns the objects filed under value in the named index, in no
// particular order. An unknown index is an *UnknownIndexError.
func (s *StoreOf[T]) ByIndex(indexName, value string) ([]T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix, ok := s.indices[indexName]
	if !ok {
		return nil, &UnknownIndexError{Index: indexName}
	}
	set := ix[value]
	out := make([]T, 0, len(set))
	for key := range set {
		out = append(out, s.items[key])
	}
	return out, nil
}

// IndexKeys returns the keys filed under value in the named index. An
// unknown index is an *UnknownIndexError.
func (s *StoreOf[T]) IndexKeys(indexName, value string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix, ok := s.indices[indexName]
	if !ok {
		return nil, &UnknownIndexError{Index: indexName}
	}
	out := make([]string, 0, len(ix[value]))
	for key := range ix[value] {
		out = append(out, key)
	}
	return out, nil
}

// Index returns the objects that share an index value with obj in the named
// index: those filed under any of the values the index function gives for
// obj, each once. An unknown index is an *UnknownIndexError; the index
// function's failure is returned as is.
func (s *StoreOf[T]) Index(indexName string, obj T) ([]T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, ok := s.indexers[indexName]
	if !ok {
		return nil, &UnknownIndexError{Index: indexName}
	}
	values, err := fn(obj)
	if err != nil {
		return nil, &IndexError{Index: indexName, Key: MetaNamespaceKey(obj), Err: err}
	}
	ix := s.indices[indexName]
	if len(values) == 1 {
		out := make([]T, 0, len(ix[values[0]]))
		for key := range ix[values[0]] {
			out = append(out, s.items[key])
		}
		return out, nil
	}
	seen := map[string]struct{}{}
	var out []T
	for _, v := range values {
		for key := range ix[v] {
			if _, dup := seen[key]; !dup {
				seen[key] = struct{}{}
				out = append(out, s.items[key])
			}
		}
	}
	return out, nil
}

// IndexValues returns the values the named index has objects for, in no
// particular order; nil for an unknown index.
func (s *StoreOf[T]) IndexValues(indexName string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix := s.indices[indexName]
	out := make([]string, 0, len(ix))
	for v := range ix {
		out = append(out, v)
	}
	return out
}

// fileAllLocked files obj under key in every index, returning the first
// failure.
func (s *StoreOf[T]) fileAllLocked(key string, obj T) error {
	var errs []error
	for name, fn := range s.indexers {
		if err := fileLocked(s.indices[name], name, fn, key, obj); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

// unfileLocked removes key, stored as old, from every index.
func (s *StoreOf[T]) unfileLocked(key string, old T) {
	for name, fn := range s.indexers {
		ix := s.indices[name]
		values, err := fn(old)
		if err != nil {
			// The object may be filed under some values from a
			// time the function worked on it: look everywhere.
			ix.removeEverywhere(key)
			continue
		}
		for _, v := range values {
			ix.remove(v, key)
		}
	}
}

func fileLocked[T Object](ix index, name string, fn IndexFuncOf[T], key string, obj T) error {
	values, err := fn(obj)
	if err != nil {
		return &IndexError{Index: name, Key: key, Err: err}
	}
	for _, v := range values {
		ix.add(v, key)
	}
	return nil
}
