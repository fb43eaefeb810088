package metadatainformer

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/dynamic/informer"
	"github.com/anykube/anykube/dynamic/metadata"
)

// SharedInformerFactory hands out one metadata informer per resource and
// scope, shared by the parts of a program that ask for it; see
// informer.SharedInformerFactoryOf. ForResource(gvr) returns a
// GenericInformer (Informer and Lister); Start, WaitForCacheSync and
// Shutdown run them.
type SharedInformerFactory = informer.SharedInformerFactoryOf[*metav1.PartialObjectMetadata]

// FactoryOptions configures a SharedInformerFactory.
type FactoryOptions = informer.FactoryOptionsOf[*metav1.PartialObjectMetadata]

// NewSharedInformerFactory returns a factory whose informers read the
// metadata of every namespace through client, with handlers resynced
// every defaultResync (zero: never).
func NewSharedInformerFactory(client metadata.Interface, defaultResync time.Duration) *SharedInformerFactory {
	return NewSharedInformerFactoryWithOptions(client, FactoryOptions{Informer: Options{ResyncPeriod: defaultResync}})
}

// NewFilteredSharedInformerFactory is NewSharedInformerFactory with
// client-go's filtered shape: informers watch namespace ("" for all), and
// tweak, if not nil, sets the label and field selectors (it is called once,
// on empty ListOptions; other fields it sets are ignored).
func NewFilteredSharedInformerFactory(client metadata.Interface, defaultResync time.Duration, namespace string, tweak func(*metav1.ListOptions)) *SharedInformerFactory {
	return NewSharedInformerFactoryWithOptions(client, informer.FilteredFactoryOptions[*metav1.PartialObjectMetadata](defaultResync, namespace, tweak))
}

// NewSharedInformerFactoryWithOptions returns a factory of informers that
// read metadata through client, configured by opts.
func NewSharedInformerFactoryWithOptions(client metadata.Interface, opts FactoryOptions) *SharedInformerFactory {
	return informer.NewSharedInformerFactoryOf(Source(client), opts)
}
