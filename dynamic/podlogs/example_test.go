package podlogs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/podlogs"
)

// apiServer answers for two pods, web-1 and web-2 of Deployment web, whose
// containers have printed two lines and stopped.
func apiServer() *httptest.Server {
	pod := func(name string) string {
		return fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q,"namespace":"shop","uid":%q,"labels":{"app":"web"}},
			"spec":{"nodeName":"node-1","containers":[{"name":"app"}]},
			"status":{"phase":"Succeeded","containerStatuses":[{"name":"app","containerID":"cri://%s","state":{"terminated":{"exitCode":0}}}]}}`, name, name, name)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/namespaces/shop/pods":
			fmt.Fprintf(w, `{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"7"},"items":[%s,%s]}`, pod("web-2"), pod("web-1"))
		case "/api/v1/namespaces/shop/pods/web-1", "/api/v1/namespaces/shop/pods/web-2":
			fmt.Fprint(w, pod(r.URL.Path[len("/api/v1/namespaces/shop/pods/"):]))
		case "/api/v1/namespaces/shop/pods/web-1/log", "/api/v1/namespaces/shop/pods/web-2/log":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "listening on :8080\nshutting down\n")
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"pods %q not found"}`, r.URL.Path)
		}
	}))
}

// Stream reads one container's log; with Follow it would go on until the
// container stops.
func ExampleClient_Stream() {
	srv := apiServer()
	defer srv.Close()
	logs, err := podlogs.NewForConfig(&anykube.Config{Host: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	r, err := logs.Stream(context.Background(), "shop", "web-1", podlogs.PodLogOptions{Follow: true})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	if _, err := io.Copy(os.Stdout, r); err != nil {
		// A cut stream is an error, never a silent end.
		log.Fatal(err)
	}

	_, err = logs.Stream(context.Background(), "shop", "web-9", podlogs.PodLogOptions{})
	var e *podlogs.Error
	fmt.Println(apierrors.IsNotFound(err), errors.As(err, &e) && e.Pod == "web-9")
	// Output:
	// listening on :8080
	// shutting down
	// true true
}

// StreamOwner reads the logs of every pod of a workload, each line after
// the pod and container it comes from, as kubectl logs --prefix does.
func ExampleClient_StreamOwner() {
	srv := apiServer()
	defer srv.Close()
	logs, err := podlogs.NewForConfig(&anykube.Config{Host: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	// Usually read with the dynamic client.
	deploy := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "shop"},
		"spec":     map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}}},
	}}
	r, err := logs.StreamOwner(context.Background(), deploy, podlogs.Options{Prefix: true})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	if _, err := io.Copy(os.Stdout, r); err != nil {
		log.Fatal(err)
	}
	// Output:
	// [pod/web-1/app] listening on :8080
	// [pod/web-1/app] shutting down
	// [pod/web-2/app] listening on :8080
	// [pod/web-2/app] shutting down
}
