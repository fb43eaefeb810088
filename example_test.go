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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
