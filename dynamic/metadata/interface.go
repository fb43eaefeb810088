package metadata

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// Interface hands out metadata clients for one resource at a time. It is
// satisfied by *Client. Implementations are safe for concurrent use.
type Interface interface {
	// Resource returns a client for the resource named by its group,
	// version and plural name. It never fails; a resource the server does
	// not serve shows up as a NotFound error on the first call.
	Resource(resource schema.GroupVersionResource) NamespaceableResourceInterface
}

// NamespaceableResourceInterface is a ResourceInterface for a cluster-scoped
// resource, or for a namespaced resource across all namespaces (List, Watch,
// DeleteCollection), that can be narrowed to one namespace.
type NamespaceableResourceInterface interface {
	// Namespace returns a client for the resource in namespace ns. It
	// returns a copy, so the receiver is unchanged. An invalid ns is
	// reported by each call, before any request is sent.
	Namespace(ns string) ResourceInterface
	ResourceInterface
}

// ResourceInterface performs the API verbs whose answers are objects'
// metadata, on one resource, in one namespace or cluster-wide. It has the
// dynamic client's method shapes, with metav1.PartialObjectMetadata in
// place of Unstructured; there is no Create, Update or Apply, as a write
// needs the whole object.
//
// Every method validates its input first and returns an error wrapping
// ErrInvalidRequest without sending anything when it is bad. An error
// answer from the server is returned as apimachinery's
// *errors.StatusError, unwrapped, so apierrors.IsNotFound and friends work
// (a server that cannot give the metadata view at all answers 406:
// apierrors.IsNotAcceptable). Every other failure is a *Error naming the
// verb and the resource; an answer that is a full object instead of the
// metadata view, when the client does not fall back (see
// Options.FallbackToFull), wraps ErrViewUnsupported.
type ResourceInterface interface {
	// Delete deletes the named object (or subresource). The options travel
	// in the request body.
	Delete(ctx context.Context, name string, options metav1.DeleteOptions, subresources ...string) error
	// DeleteCollection deletes every object listOptions selects.
	DeleteCollection(ctx context.Context, options metav1.DeleteOptions, listOptions metav1.ListOptions) error
	// Get returns the metadata of the named object (or subresource).
	Get(ctx context.Context, name string, options metav1.GetOptions, subresources ...string) (*metav1.PartialObjectMetadata, error)
	// List returns the metadata of the objects opts selects, one page of
	// them when opts.Limit is set.
	List(ctx context.Context, opts metav1.ListOptions) (*metav1.PartialObjectMetadataList, error)
	// Watch streams changes to the objects opts selects until ctx ends, the
	// server closes the stream or Stop is called on the result. Events
	// carry *metav1.PartialObjectMetadata, except ERROR events, which carry
	// the *metav1.Status the server sent. A stream that breaks (cut
	// mid-event, a garbled frame, an object that is not the metadata view
	// when the client does not fall back) ends with one ERROR event whose
	// Status has code 500 and names the cause, as the dynamic client's
	// watch does.
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
	// Patch applies data, of patch type pt, to the named object (or
	// subresource) and returns the metadata of the result.
	Patch(ctx context.Context, name string, pt types.PatchType, data []byte, options metav1.PatchOptions, subresources ...string) (*metav1.PartialObjectMetadata, error)
}
