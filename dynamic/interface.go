package dynamic

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// Interface hands out clients for one resource at a time. It is satisfied by
// *DynamicClient, which talks to an API server, and by the in-memory
// *fake.FakeDynamicClient. Implementations are safe for concurrent use.
type Interface interface {
	// Resource returns a client for the resource named by its group,
	// version and plural name (such as apps/v1 "deployments"). It never
	// fails; a resource the server does not serve shows up as a NotFound
	// error on the first call.
	Resource(resource schema.GroupVersionResource) NamespaceableResourceInterface
}

// NamespaceableResourceInterface is a ResourceInterface for a cluster-scoped
// resource, or for a namespaced resource across all namespaces (List, Watch,
// DeleteCollection), that can be narrowed to one namespace.
type NamespaceableResourceInterface interface {
	// Namespace returns a client for the resource in namespace ns. It
	// returns a copy, so the receiver is unchanged and the two may be used
	// concurrently. An invalid ns is reported by each call, before any
	// request is sent.
	Namespace(ns string) ResourceInterface
	ResourceInterface
}

// ResourceInterface performs the API verbs on one resource, in one namespace
// or cluster-wide. Every method validates its input first (names and
// namespaces must be valid path segments; Create and Update need the object's
// apiVersion and kind) and returns an error wrapping ErrInvalidRequest
// without sending anything when it is bad.
//
// An error answer from the server is returned as apimachinery's
// *errors.StatusError, unwrapped, so apierrors.IsNotFound, IsConflict and
// friends (and type assertions written for client-go) work. Every other
// failure (validation, transport, an undecodable response) is a *Error
// naming the verb and the resource.
//
// Subresources are path segments after the name ("status", "scale"); a
// method given none addresses the object itself.
type ResourceInterface interface {
	// Create creates obj, or with subresources a subresource of the object
	// named by obj's metadata.name (such as "serviceaccounts/token"), and
	// returns what the server stored.
	Create(ctx context.Context, obj *unstructured.Unstructured, options metav1.CreateOptions, subresources ...string) (*unstructured.Unstructured, error)
	// Update replaces the object named by obj's metadata.name with obj and
	// returns what the server stored. A metadata.resourceVersion in obj
	// makes the update conditional: a stale one fails with a Conflict.
	Update(ctx context.Context, obj *unstructured.Unstructured, options metav1.UpdateOptions, subresources ...string) (*unstructured.Unstructured, error)
	// UpdateStatus is Update on the "status" subresource: only obj's
	// status is written.
	UpdateStatus(ctx context.Context, obj *unstructured.Unstructured, options metav1.UpdateOptions) (*unstructured.Unstructured, error)
	// Delete deletes the named object (or subresource). The options travel
	// in the request body.
	Delete(ctx context.Context, name string, options metav1.DeleteOptions, subresources ...string) error
	// DeleteCollection deletes every object listOptions selects.
	DeleteCollection(ctx context.Context, options metav1.DeleteOptions, listOptions metav1.ListOptions) error
	// Get returns the named object (or subresource).
	Get(ctx context.Context, name string, options metav1.GetOptions, subresources ...string) (*unstructured.Unstructured, error)
	// List returns the objects opts selects, one page of them when
	// opts.Limit is set. The list keeps the server's kind ("ConfigMapList")
	// and each item its apiVersion and kind.
	List(ctx context.Context, opts metav1.ListOptions) (*unstructured.UnstructuredList, error)
	// Watch streams changes to the objects opts selects until ctx ends, the
	// server closes the stream or Stop is called on the result.
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
	// Patch applies data, of patch type pt (JSON patch, merge patch,
	// strategic merge patch or apply patch), to the named object (or
	// subresource) and returns the result.
	Patch(ctx context.Context, name string, pt types.PatchType, data []byte, options metav1.PatchOptions, subresources ...string) (*unstructured.Unstructured, error)
	// Apply sends obj as a server-side apply patch for the named object (or
	// subresource) and returns the result. options.FieldManager is
	// required; obj must not carry metadata.managedFields.
	Apply(ctx context.Context, name string, obj *unstructured.Unstructured, options metav1.ApplyOptions, subresources ...string) (*unstructured.Unstructured, error)
	// ApplyStatus is Apply on the "status" subresource.
	ApplyStatus(ctx context.Context, name string, obj *unstructured.Unstructured, options metav1.ApplyOptions) (*unstructured.Unstructured, error)
}

// Lister is the List of a ResourceInterface, all the paging helpers
// (Pages, Items, ListAll) call, so that they page any source of lists.
type Lister interface {
	List(ctx context.Context, opts metav1.ListOptions) (*unstructured.UnstructuredList, error)
}

// ListWatcher is the List and Watch of a ResourceInterface, all a
// RetryWatcher calls, so that a source other than the dynamic client (the
// metadata view cut down to what is needed, a test's fake) can feed one.
type ListWatcher interface {
	Lister
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}
