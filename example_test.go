package anykube_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
)

// A program finds its cluster the way kubectl does: $KUBECONFIG, else
// ~/.kube/config, else the pod's service account.
func ExampleInferConfig() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err) // names every place it looked
	}
	ns, err := anykube.InferNamespace()
	if err != nil {
		log.Fatal(err)
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	pods := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	list, err := client.Resource(pods).Namespace(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range list.Items {
		fmt.Println(p.GetName())
	}
}

// LoadKubeconfig picks a context other than the current one, and tells
// which namespace goes with it.
func ExampleLoadKubeconfig() {
	dir, err := os.MkdirTemp("", "kubeconfig-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config")
	err = os.WriteFile(path, []byte(`
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster: {server: "https://dev.example.com:6443"}
- name: staging
  cluster: {server: "https://staging.example.com"}
users:
- name: me
  user: {token: s3cr3t}
contexts:
- name: dev
  context: {cluster: dev, user: me}
- name: staging
  context: {cluster: staging, user: me, namespace: shop}
`), 0o600)
	if err != nil {
		log.Fatal(err)
	}

	kc, err := anykube.LoadKubeconfig(anykube.KubeconfigOptions{Paths: []string{path}, Context: "staging"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(kc.Context, kc.Namespace, kc.Config.Host)
	// Printing a Config never shows its credentials.
	fmt.Println(strings.Contains(kc.Config.String(), "s3cr3t"))

	// A missing context is an error that says what is missing.
	_, err = anykube.LoadKubeconfig(anykube.KubeconfigOptions{Paths: []string{path}, Context: "prod"})
	var notFound *anykube.KubeconfigNotFoundError
	if errors.As(err, &notFound) {
		fmt.Println("no", notFound.Kind, notFound.Name)
	}
	// Output:
	// staging shop https://staging.example.com
	// false
	// no context prod
}

// HTTPClientFor gives a plain *http.Client that trusts the cluster's CA and
// sends its credentials, for requests the clients do not cover.
func ExampleHTTPClientFor() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s, authorized: %t", r.Method, r.URL.Path, r.Header.Get("Authorization") == "Bearer s3cr3t")
	}))
	defer srv.Close()

	cfg := &anykube.Config{
		Host:        srv.URL,
		BearerToken: "s3cr3t",
		TLSClientConfig: anykube.TLSClientConfig{
			CAData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}),
		},
	}
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := hc.Get(srv.URL + "/version")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, string(body))
	// Output:
	// 200 OK GET /version, authorized: true
}

// fakeAPIServer answers a few paths the way kube-apiserver does, for the
// REST client examples.
func fakeAPIServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			fmt.Fprint(w, "ok")
		case "/version":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"major":"1","minor":"37","gitVersion":"v1.37.2"}`)
		case "/api/v1/namespaces/default/pods/web":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},"spec":{"nodeName":"node-1"}}`)
		case "/api/v1/namespaces/default/pods/web/log":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "tail=%s: listening on :8080\n", r.URL.Query().Get("tailLines"))
		case "/api/v1/namespaces/default/pods/db":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"db\" not found","reason":"NotFound","code":404}`)
		case "/api/v1/namespaces/default/configmaps":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintln(w, `{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}}`)
			fmt.Fprintln(w, `{"type":"DELETED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}}`)
		default:
			http.NotFound(w, r)
		}
	}))
}

// RESTClientFor gives raw requests with the dynamic client's transport,
// credentials, limiter, retries and errors: non-resource paths, objects,
// and subresources such as a pod's log.
func ExampleRESTClientFor() {
	srv := fakeAPIServer()
	defer srv.Close()
	ctx := context.Background()

	rc, err := anykube.RESTClientFor(&anykube.Config{Host: srv.URL})
	if err != nil {
		log.Fatal(err)
	}

	// Non-resource paths: AbsPath.
	health, err := rc.Get().AbsPath("/healthz").DoRaw(ctx)
	if err != nil {
		log.Fatal(err)
	}
	var version struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := rc.Get().AbsPath("/version").Do(ctx).Into(&version); err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(health), version.GitVersion)

	// Resources: a version (and group) for the root, then the usual parts.
	pod, err := rc.Get().Version("v1").Namespace("default").Resource("pods").Name("web").Do(ctx).Get()
	if err != nil {
		log.Fatal(err)
	}
	node, _, _ := unstructured.NestedString(pod.Object, "spec", "nodeName")
	fmt.Println(pod.GetKind(), pod.GetName(), "on", node)

	// The server's errors are apimachinery StatusErrors.
	err = rc.Get().Version("v1").Namespace("default").Resource("pods").Name("db").Do(ctx).Error()
	fmt.Println(apierrors.IsNotFound(err))

	// Subresources, option structs as query parameters, streamed bodies.
	tail := int64(20)
	logs, err := rc.Get().Version("v1").Namespace("default").Resource("pods").Name("web").SubResource("log").
		VersionedParams(&struct {
			TailLines *int64 `json:"tailLines,omitempty"`
		}{&tail}).
		Stream(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer logs.Close()
	if _, err := io.Copy(os.Stdout, logs); err != nil {
		log.Fatal(err)
	}
	// Output:
	// ok v1.37.2
	// Pod web on node-1
	// true
	// tail=20: listening on :8080
}

// Watch decodes the stream of events into Unstructured objects.
func ExampleRequest_Watch() {
	srv := fakeAPIServer()
	defer srv.Close()

	rc, err := anykube.RESTClientFor(&anykube.Config{Host: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	w, err := rc.Get().Version("v1").Namespace("default").Resource("configmaps").
		VersionedParams(&metav1.ListOptions{Watch: true}).
		Watch(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		fmt.Println(ev.Type, ev.Object.(*unstructured.Unstructured).GetName())
	}
	// Output:
	// ADDED settings
	// DELETED settings
}
