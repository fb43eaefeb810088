// Package anykube is a light client library for any Kubernetes resource,
// built-in or custom, handled as unstructured.Unstructured. It depends on
// k8s.io/apimachinery but not on k8s.io/client-go or k8s.io/api.
//
// This package holds Config, which says how to reach and authenticate to an
// API server, and the ways to get one:
//
//   - InferConfig: the files in KUBECONFIG, else ~/.kube/config, else the
//     pod's service account. InferNamespace gives the matching namespace.
//   - LoadKubeconfig and ConfigFromKubeconfig: chosen kubeconfig files and
//     context, merged the way kubectl merges them.
//   - InClusterConfig and InClusterNamespace: the pod's service account.
//
// HTTPClientFor and TransportFor turn a Config into an HTTP client with its
// TLS settings and credentials: static or file-based bearer tokens (rotated
// files are re-read), basic auth, client certificates, client-go exec
// credential plugins, and impersonation.
//
// RESTClientFor and RESTClientForConfigAndClient give a raw REST client, in
// client-go's builder shape, for what the other clients do not model:
// non-resource paths (/healthz, /version, /metrics), subresources (log,
// proxy, eviction, token), any content type. It is the request layer the
// other clients are built on, with their rate limiter, retries, warning
// handling and StatusErrors.
//
// The clients live in sub-packages: discovery (what the server serves),
// restmapper (kinds to resources), dynamic (create, get, list, watch, patch
// and apply any resource) and scale (the scale subresource). Each has a
// NewForConfig(*anykube.Config) constructor.
//
// A minimal program:
//
//	cfg, err := anykube.InferConfig()
//	if err != nil {
//		return err
//	}
//	client, err := dynamic.NewForConfig(cfg)
//	if err != nil {
//		return err
//	}
//	pods := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
//	list, err := client.Resource(pods).Namespace("default").List(ctx, metav1.ListOptions{})
//
// Configs never print credentials: String and GoString mask tokens,
// passwords, keys and user info in Host, and errors from this package never
// contain them. Credentials are sent only to the host a request is
// addressed to: a redirect elsewhere, or from https to http, fails with a
// *RedirectError (see TransportFor). README.md's "Security" section lists
// what is guaranteed and the tests that hold it.
package anykube
