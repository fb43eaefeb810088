package informer

import (
	"context"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/lister"
)

// GenericInformerOf is what a factory hands out, as in client-go: the
// informer and a lister over its cache. *InformerOf[T] implements it.
type GenericInformerOf[T lister.Object] interface {
	// Informer returns the informer.
	Informer() *InformerOf[T]
	// Lister returns a Lister answering from the informer's cache.
	Lister() lister.ListerOf[T]
}

// GenericInformer is the GenericInformerOf unstructured objects.
type GenericInformer = GenericInformerOf[*unstructured.Unstructured]

// InformerKey names one informer of a factory: a resource in a namespace
// ("" for all) with label and field selectors ("" for none).
type InformerKey struct {
	Resource                     schema.GroupVersionResource
	Namespace                    string
	LabelSelector, FieldSelector string
}

// FactoryOptionsOf configures a SharedInformerFactoryOf.
type FactoryOptionsOf[T lister.Object] struct {
	// Namespace, LabelSelector and FieldSelector are the scope of the
	// informers ForResource makes.
	Namespace, LabelSelector, FieldSelector string
	// Informer is the template for every informer the factory makes; its
	// Namespace, LabelSelector and FieldSelector are replaced by the
	// informer's key.
	Informer OptionsOf[T]
	// OnStatus, when set, receives every informer's statuses with its
	// key, after Informer.OnStatus, on the informer's status goroutine.
	OnStatus func(InformerKey, Status)
}

// FactoryOptions is the FactoryOptionsOf dynamic informers.
type FactoryOptions = FactoryOptionsOf[*unstructured.Unstructured]

// SharedInformerFactoryOf hands out one informer per InformerKey, so that
// the parts of a program watching the same resource share one watch and
// one cache. Informers are made by ForResource or InformerFor, started by
// Start, and run until Shutdown, Remove, or their own end. Its methods are
// safe for concurrent use.
//
// An informer that ends by itself because its resource is gone
// (PhaseResourceGone) or because it cannot go on (PhaseFailed) is dropped
// from the factory, so that the next ForResource for its key makes a new
// one, which the next Start starts: this is how a re-created
// CustomResourceDefinition gets an informer again.
type SharedInformerFactoryOf[T lister.Object] struct {
	source SourceOf[T]
	opts   FactoryOptionsOf[T]

	// mu guards every field below.
	mu        sync.Mutex
	informers map[InformerKey]*entry[T]
	shutdown  bool
	// wg counts the goroutines running informers.
	wg sync.WaitGroup
}

// SharedInformerFactory is the SharedInformerFactoryOf dynamic informers.
type SharedInformerFactory = SharedInformerFactoryOf[*unstructured.Unstructured]

type entry[T lister.Object] struct {
	inf *InformerOf[T]
	// cancel stops the informer; nil until started.
	cancel context.CancelFunc
}

// NewSharedInformerFactory returns a factory whose informers watch every
// namespace, with handlers resynced every defaultResync (zero: never).
func NewSharedInformerFactory(client dynamic.Interface, defaultResync time.Duration) *SharedInformerFactory {
	return NewSharedInformerFactoryWithOptions(client, FactoryOptions{Informer: Options{ResyncPeriod: defaultResync}})
}

// NewFilteredSharedInformerFactory is NewSharedInformerFactory with
// client-go's filtered shape: informers watch namespace ("" for all), and
// tweak, if not nil, sets the label and field selectors (it is called once,
// on empty ListOptions; other fields it sets are ignored).
func NewFilteredSharedInformerFactory(client dynamic.Interface, defaultResync time.Duration, namespace string, tweak func(*metav1.ListOptions)) *SharedInformerFactory {
	return NewSharedInformerFactoryWithOptions(client, FilteredFactoryOptions[*unstructured.Unstructured](defaultResync, namespace, tweak))
}

// FilteredFactoryOptions returns the options of client-go's filtered
// factories: informers watch namespace ("" for all) with handlers
// resynced every defaultResync (zero: never), and tweak, if not nil, sets
// the label and field selectors (it is called once, on empty ListOptions;
// other fields it sets are ignored).
func FilteredFactoryOptions[T lister.Object](defaultResync time.Duration, namespace string, tweak func(*metav1.ListOptions)) FactoryOptionsOf[T] {
	o := FactoryOptionsOf[T]{Namespace: namespace, Informer: OptionsOf[T]{ResyncPeriod: defaultResync}}
	if tweak != nil {
		var lo metav1.ListOptions
		tweak(&lo)
		o.LabelSelector, o.FieldSelector = lo.LabelSelector, lo.FieldSelector
	}
	return o
}

// NewSharedInformerFactoryWithOptions returns a factory configured by opts.
func NewSharedInformerFactoryWithOptions(client dynamic.Interface, opts FactoryOptions) *SharedInformerFactory {
	return NewSharedInformerFactoryOf(DynamicSource(client), opts)
}

// NewSharedInformerFactoryOf returns a factory of informers of objects of
// type T, read from source, configured by opts.
func NewSharedInformerFactoryOf[T lister.Object](source SourceOf[T], opts FactoryOptionsOf[T]) *SharedInformerFactoryOf[T] {
	return &SharedInformerFactoryOf[T]{source: source, opts: opts, informers: map[InformerKey]*entry[T]{}}
}

// Key returns the key ForResource uses for resource: the factory's
// namespace and selectors.
func (f *SharedInformerFactoryOf[T]) Key(resource schema.GroupVersionResource) InformerKey {
	return InformerKey{Resource: resource, Namespace: f.opts.Namespace, LabelSelector: f.opts.LabelSelector, FieldSelector: f.opts.FieldSelector}
}

// ForResource returns the informer for resource in the factory's scope,
// making it if needed. It is not started until Start is called.
func (f *SharedInformerFactoryOf[T]) ForResource(resource schema.GroupVersionResource) GenericInformerOf[T] {
	return f.InformerFor(f.Key(resource))
}

// InformerFor returns the informer for key, making it if needed. It is
// not started until Start is called. If the factory's Informer.Indexers
// are invalid, the informer made has none but the namespace index.
func (f *SharedInformerFactoryOf[T]) InformerFor(key InformerKey) GenericInformerOf[T] {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.informers[key]; ok {
		return e.inf
	}
	o := f.opts.Informer
	o.Namespace, o.LabelSelector, o.FieldSelector = key.Namespace, key.LabelSelector, key.FieldSelector
	perInformer, all := o.OnStatus, f.opts.OnStatus
	if all != nil {
		o.OnStatus = func(st Status) {
			if perInformer != nil {
				perInformer(st)
			}
			all(key, st)
		}
	}
	inf, err := NewOf(f.source, key.Resource, &o)
	if err != nil {
		o.Indexers = nil
		inf, _ = NewOf(f.source, key.Resource, &o)
	}
	f.informers[key] = &entry[T]{inf: inf}
	return inf
}

// Start starts every informer not started yet, each running until ctx
// ends, Shutdown, or Remove of its key. It returns at once. After
// Shutdown it does nothing.
func (f *SharedInformerFactoryOf[T]) Start(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.shutdown {
		return
	}
	for key, e := range f.informers {
		if e.cancel != nil {
			continue
		}
		ictx, cancel := context.WithCancel(ctx)
		e.cancel = cancel
		f.wg.Go(func() {
			defer cancel()
			e.inf.Run(ictx)
			if e.inf.Status().Phase != PhaseStopped {
				f.forget(key, e)
			}
		})
	}
}

// forget drops e from the map if it is still there.
func (f *SharedInformerFactoryOf[T]) forget(key InformerKey, e *entry[T]) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.informers[key] == e {
		delete(f.informers, key)
	}
}

// WaitForCacheSync waits until every started informer has synced, or has
// ended, or ctx ends, and reports for each whether it synced.
func (f *SharedInformerFactoryOf[T]) WaitForCacheSync(ctx context.Context) map[InformerKey]bool {
	f.mu.Lock()
	started := map[InformerKey]*InformerOf[T]{}
	for key, e := range f.informers {
		if e.cancel != nil {
			started[key] = e.inf
		}
	}
	f.mu.Unlock()
	out := make(map[InformerKey]bool, len(started))
	for key, inf := range started {
		out[key] = inf.WaitForCacheSync(ctx)
	}
	return out
}

// Remove stops and drops the informer ForResource(resource) would return,
// waiting until it has ended; the others go on. It reports whether there
// was one.
func (f *SharedInformerFactoryOf[T]) Remove(resource schema.GroupVersionResource) bool {
	return f.RemoveKey(f.Key(resource))
}

// RemoveKey stops and drops the informer for key, waiting until it has
// ended; the others go on. It reports whether there was one.
func (f *SharedInformerFactoryOf[T]) RemoveKey(key InformerKey) bool {
	f.mu.Lock()
	e, ok := f.informers[key]
	delete(f.informers, key)
	f.mu.Unlock()
	if !ok {
		return false
	}
	if e.cancel != nil {
		e.cancel()
		<-e.inf.Done()
	}
	return true
}

// Shutdown stops every informer and waits until all have ended, with
// their handlers. Informers made later are never started. It may be
// called more than once.
func (f *SharedInformerFactoryOf[T]) Shutdown() {
	f.mu.Lock()
	f.shutdown = true
	for _, e := range f.informers {
		if e.cancel != nil {
			e.cancel()
		}
	}
	f.mu.Unlock()
	f.wg.Wait()
}
