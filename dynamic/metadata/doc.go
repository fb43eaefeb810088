// Package metadata is a client for the metadata of any Kubernetes resource:
// it asks the API server for the metadata view of objects
// (metav1.PartialObjectMetadata, with the Accept header
// "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1", or
// PartialObjectMetadataList for lists), so that tools that need only names,
// labels, owners and finalizers (garbage collectors, label auditors,
// inventories) neither download nor decode specs and data.
//
// The client has the dynamic client's shape (Get, List, Watch, Patch,
// Delete, DeleteCollection) and the same request layer, validation and
// errors. Answers, the frames of a watch included, are decoded in one pass
// that builds only kind, apiVersion and metadata and steps over everything
// else.
//
// # Servers without the metadata view
//
// kube-apiserver serves the view for every resource it stores, CRDs
// included. An aggregated API may not: some answer 406 Not Acceptable,
// some ignore "as=" and send the full object. By default the client says
// so: the 406 comes back as the server's StatusError, a full object as a
// *Error wrapping ErrViewUnsupported, and IsViewUnsupported matches both.
// A client made with Options{FallbackToFull: true} accepts full objects
// instead and keeps their metadata; those objects keep the full object's
// apiVersion and kind, so the fallback shows in every result. See
// Options.FallbackToFull.
package metadata
