package scale_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	discoveryfake "github.com/anykube/anykube/discovery/fake"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/scale"
	"github.com/anykube/anykube/scale/fake"
)

// SetReplicas takes any ScaleInterface; here the fake's, which answers from
// a canned scale as a server would.
func ExampleSetReplicas() {
	deployments := schema.GroupResource{Group: "apps", Resource: "deployments"}
	scales := &fake.FakeScaleClient{}
	_ = scales.SetScale(deployments, &scale.Scale{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec:       scale.ScaleSpec{Replicas: 1},
		Status:     scale.ScaleStatus{Replicas: 1, Selector: "app=web"},
	})

	s, err := scale.SetReplicas(context.Background(), scales.Scales("default"), deployments.WithVersion("v1"), "web", 3, metav1.PatchOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Spec.Replicas, s.Status.Selector)
	for _, a := range scales.Actions() {
		fmt.Println(a.Verb, a.Resource.Resource, a.PatchType, string(a.Patch))
	}
	// Output:
	// 3 app=web
	// patch deployments application/merge-patch+json {"spec":{"replicas":3}}
}

// The client for a real cluster: the mapper picks each resource's version,
// the kind resolver reads from discovery which Scale its /scale serves.
// Here the cluster is a test server that serves one Deployment's scale.
func ExampleNewForConfig() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/apis/apps/v1/namespaces/default/deployments/web/scale" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"apiVersion":"autoscaling/v1","kind":"Scale",
			"metadata":{"name":"web","namespace":"default","resourceVersion":"42"},
			"spec":{"replicas":2},"status":{"replicas":2,"selector":"app=web"}}`)
	}))
	defer srv.Close()
	cfg := &anykube.Config{Host: srv.URL}

	// What discovery says about the server (a real program asks it:
	// discovery.NewDiscoveryClientForConfig, cached with memory.NewMemCacheClient).
	d := &discoveryfake.FakeDiscovery{Resources: []*metav1.APIResourceList{{
		GroupVersion: "apps/v1",
		APIResources: []metav1.APIResource{
			{Name: "deployments", Kind: "Deployment", Namespaced: true},
			{Name: "deployments/scale", Group: "autoscaling", Version: "v1", Kind: "Scale", Namespaced: true},
		},
	}}}
	groups, err := restmapper.GetAPIGroupResources(d)
	if err != nil {
		log.Fatal(err)
	}
	mapper := restmapper.NewDiscoveryRESTMapper(groups)

	scales, err := scale.NewForConfig(cfg, mapper, nil, scale.NewDiscoveryScaleKindResolver(d))
	if err != nil {
		log.Fatal(err)
	}
	s, err := scales.Scales("default").Get(context.Background(), schema.GroupResource{Group: "apps", Resource: "deployments"}, "web", metav1.GetOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Name, s.Spec.Replicas, s.Status.Selector)
	// Output:
	// web 2 app=web
}
