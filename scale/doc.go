// Package scale reads and changes the replicas of anything that has a scale
// subresource (Deployments, ReplicaSets, StatefulSets,
// ReplicationControllers, and every custom resource whose CRD declares
// one) without knowing its type. Its shapes are client-go's scale
// package's, with anykube's own Scale type in place of k8s.io/api's
// autoscaling/v1 Scale (same JSON), so moving over is a change of imports.
//
//	mapper := restmapper.NewLazyRESTMapper(dc, restmapper.LazyOptions{})
//	scales, err := scale.NewForConfig(cfg, mapper, nil, scale.NewDiscoveryScaleKindResolver(memory.NewMemCacheClient(dc)))
//	deploys := schema.GroupResource{Group: "apps", Resource: "deployments"}
//	s, err := scales.Scales("default").Get(ctx, deploys, "web", metav1.GetOptions{})
//	s.Spec.Replicas = 3
//	s, err = scales.Scales("default").Update(ctx, deploys, s, metav1.UpdateOptions{})
//
// Get and Update take a GroupResource and let the PreferredResourceMapper
// choose the version; Patch takes a GroupVersionResource, and here may leave
// its version empty for the mapper too. SetReplicas sets replicas in one
// request (a merge patch), with no read-modify-write.
//
// # Flavours
//
// The scale subresource answers with the Scale of autoscaling/v1 on current
// servers, and of extensions/v1beta1, apps/v1beta1 or apps/v1beta2 on old
// ones, whose status.selector is a map beside a status.targetSelector
// string. Every flavour is read into the same Scale, Status.Selector always
// in string form. Update writes the flavour the ScaleKindResolver names,
// which NewDiscoveryScaleKindResolver reads from the "<resource>/scale"
// entry of discovery.
//
// # Errors
//
// Errors answered by the server are *apierrors.StatusError, as with
// client-go, so apierrors.IsConflict tells a stale Update. Every other
// failure is an *Error naming the call, wrapping ErrInvalidRequest for
// input refused before sending, the mapper's error (meta.IsNoMatchError
// works), or a *NoScaleSubresourceError for a resource without a scale
// subresource. The server answers a request for a missing subresource with
// the same 404 as for a missing object; the client asks the kind resolver
// which one it was, so that 404 comes back as a *NoScaleSubresourceError
// (apierrors.IsNotFound still true) when the resource has none.
//
// The fake subpackage records calls and answers them from canned scales or
// injected results, for tests of code that scales things.
package scale
