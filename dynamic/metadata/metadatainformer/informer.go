package metadatainformer

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic/informer"
	"github.com/anykube/anykube/dynamic/lister"
	"github.com/anykube/anykube/dynamic/metadata"
)

// The informer and lister types of dynamic/informer and dynamic/lister for
// *metav1.PartialObjectMetadata; their documentation is there.
type (
	// Informer keeps the cache of one resource's metadata.
	Informer = informer.InformerOf[*metav1.PartialObjectMetadata]
	// Options configures an Informer; see informer.OptionsOf.
	Options = informer.OptionsOf[*metav1.PartialObjectMetadata]
	// GenericInformer is what a factory hands out: Informer and Lister.
	GenericInformer = informer.GenericInformerOf[*metav1.PartialObjectMetadata]
	// EventHandler is told about changes to an Informer's cache.
	EventHandler = informer.EventHandlerOf[*metav1.PartialObjectMetadata]
	// EventHandlerFuncs is an EventHandler made of functions.
	EventHandlerFuncs = informer.EventHandlerFuncsOf[*metav1.PartialObjectMetadata]
	// DeletedFinalStateUnknown is handed to OnDelete for a deletion
	// found by a list rather than seen in the watch.
	DeletedFinalStateUnknown = informer.DeletedFinalStateUnknownOf[*metav1.PartialObjectMetadata]
	// TransformFunc changes an object before it is cached.
	TransformFunc = informer.TransformFuncOf[*metav1.PartialObjectMetadata]
	// Lister answers Get and List from an Informer's cache, with the
	// shape of client-go's metadatalister.Lister.
	Lister = lister.ListerOf[*metav1.PartialObjectMetadata]
	// NamespaceLister answers Get and List for one namespace.
	NamespaceLister = lister.NamespaceListerOf[*metav1.PartialObjectMetadata]
	// Store is an Informer's cache.
	Store = lister.StoreOf[*metav1.PartialObjectMetadata]
	// IndexFunc computes the values an object is indexed under.
	IndexFunc = lister.IndexFuncOf[*metav1.PartialObjectMetadata]
	// Indexers names index functions, for Options.Indexers and
	// Informer.AddIndexers.
	Indexers = lister.IndexersOf[*metav1.PartialObjectMetadata]
)

// New returns an informer for the metadata of resource through client,
// configured by opts (nil means the zero Options: every namespace, the
// StripManagedFields transform). It fails only on an invalid Indexers.
// Run starts it.
func New(client metadata.Interface, resource schema.GroupVersionResource, opts *Options) (*Informer, error) {
	return informer.NewOf(Source(client), resource, opts)
}

// NewLister returns a Lister over indexer (an Informer's GetIndexer, or a
// Store of your own) for resource, which names the resource in NotFound
// errors.
func NewLister(indexer lister.IndexerOf[*metav1.PartialObjectMetadata], resource schema.GroupVersionResource) Lister {
	return lister.NewOf(indexer, resource)
}

// LabelIndexFunc returns an IndexFunc that indexes objects by the value
// of the label named key; objects without the label are left out.
func LabelIndexFunc(key string) IndexFunc {
	return lister.LabelIndexFuncOf[*metav1.PartialObjectMetadata](key)
}

// DeletedObject returns the object of an OnDelete call, whether it is the
// object itself or a DeletedFinalStateUnknown; ok is false for anything
// else.
func DeletedObject(obj any) (*metav1.PartialObjectMetadata, bool) {
	return informer.DeletedObjectOf[*metav1.PartialObjectMetadata](obj)
}
