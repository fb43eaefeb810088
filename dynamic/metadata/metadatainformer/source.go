package metadatainformer

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/informer"
	"github.com/anykube/anykube/dynamic/metadata"
)

// Source returns the informer.SourceOf metadata read through client, for
// informer.NewOf and informer.NewSharedInformerFactoryOf: lists and
// watches of the metadata view, StripManagedFields as the default
// transform, and a server without the view (metadata.IsViewUnsupported)
// as a failure that retrying does not fix.
func Source(client metadata.Interface) informer.SourceOf[*metav1.PartialObjectMetadata] {
	return informer.SourceOf[*metav1.PartialObjectMetadata]{
		ListWatch: func(resource schema.GroupVersionResource, namespace string) informer.ListWatcherOf[*metav1.PartialObjectMetadata] {
			if namespace == "" {
				return listWatcher{client.Resource(resource)}
			}
			return listWatcher{client.Resource(resource).Namespace(namespace)}
		},
		DefaultTransform: newStripper().strip,
		Unrecoverable:    metadata.IsViewUnsupported,
	}
}

// listWatcher lists and watches through a metadata client.
type listWatcher struct {
	ri metadata.ResourceInterface
}

// ListAll reads the list in pages of opts.Limit (dynamic.DefaultPageSize
// when zero) from one snapshot; when the snapshot expires midway (410
// Expired), it reads the list again in one request, which is consistent
// by construction.
func (l listWatcher) ListAll(ctx context.Context, opts metav1.ListOptions) ([]*metav1.PartialObjectMetadata, string, error) {
	if opts.Limit <= 0 {
		opts.Limit = dynamic.DefaultPageSize
	}
	var items []*metav1.PartialObjectMetadata
	for {
		page, err := l.ri.List(ctx, opts)
		if err != nil && opts.Continue != "" && apierrors.IsResourceExpired(err) {
			opts.Limit, opts.Continue, items = 0, "", items[:0]
			page, err = l.ri.List(ctx, opts)
		}
		if err != nil {
			return nil, "", err
		}
		if items == nil {
			items = make([]*metav1.PartialObjectMetadata, 0, len(page.Items)+int(ptrOr(page.RemainingItemCount)))
		}
		for i := range page.Items {
			// Each object is moved to an allocation of its own, so
			// that the page's item array is not kept alive by
			// whichever objects stay cached longest.
			obj := new(metav1.PartialObjectMetadata)
			*obj = page.Items[i]
			items = append(items, obj)
		}
		if page.Continue == "" {
			return items, page.ResourceVersion, nil
		}
		opts.Continue = page.Continue
	}
}

func (l listWatcher) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	return l.ri.Watch(ctx, opts)
}

func ptrOr(p *int64) int64 {
	if p == nil || *p < 0 {
		return 0
	}
	return *p
}
