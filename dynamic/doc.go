// Package dynamic is a client for any Kubernetes resource, built-in or
// custom, that works on unstructured.Unstructured objects: every verb
// (Create, Update, UpdateStatus, Delete, DeleteCollection, Get, List, Watch,
// Patch, Apply, ApplyStatus) with client-go's dynamic signatures, so moving
// over is a change of import path.
//
//	dc, err := dynamic.NewForConfig(cfg)
//	deploys := dc.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"})
//	d, err := deploys.Namespace("default").Get(ctx, "web", metav1.GetOptions{})
//
// interface.go holds the contracts; client.go builds clients and holds the
// one request path every method follows: validate, build, send, decode.
// Names, namespaces and subresources are checked before anything is sent;
// options become query parameters named by their JSON tags, DeleteOptions
// travel in the body; responses are decoded in one pass by anykube's codec,
// lists keeping their kind and every item its apiVersion and kind.
//
// Errors answered by the server are apimachinery's *errors.StatusError, as
// in client-go, so apierrors.IsNotFound and the like work; every other
// failure is a *Error naming the verb and resource, wrapping
// ErrInvalidRequest for input refused before sending.
//
// Beyond client-go's shapes the package has the helpers programs otherwise
// write by hand: Items and Pages iterate over a paged list (Go 1.23
// iterators), ListAll reads a large list in pages at one resourceVersion,
// UpdateWithRetry and RetryOnConflict run read-modify-write loops, and
// RetryWatcher is a watch that survives dropped connections and 410 Gone
// without losing or repeating an event. They take a ResourceInterface, so
// they work with dynamic/fake too.
package dynamic
