package discovery_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/disk"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/fake"
)

// Asking a real server what it serves: on Kubernetes 1.26 and later, every
// group, version and resource comes from two requests.
func ExampleNewDiscoveryClientForConfig() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err)
	}
	d, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	groups, lists, err := d.WithContext(ctx).ServerGroupsAndResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		log.Fatal(err)
	}
	// A partial failure (an aggregated API whose backend is down) still
	// gives everything else.
	fmt.Printf("%d groups, %d group-versions\n", len(groups), len(lists))
}

// Programs that ask discovery more than once keep the answers: in memory
// for the life of the process, or on disk (kubectl's cache, shared with it)
// across runs.
func Example_caching() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err)
	}
	d, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	inMemory := memory.NewMemCacheClient(d)
	onDisk, err := disk.NewCachedDiscoveryClientForConfig(cfg, "", "", disk.DefaultTTL)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range []discovery.CachedDiscoveryInterface{inMemory, onDisk} {
		if _, err := c.ServerGroups(); err != nil { // fills the cache
			log.Fatal(err)
		}
		fmt.Println(c.Fresh()) // true: answered by the server in this process
		c.Invalidate()         // the next question goes to the server again
	}
}

// ServerPreferredResources is what `kubectl api-resources` lists: each
// resource once, in its group's preferred version.
func ExampleServerPreferredResources() {
	d := &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "configmaps", Kind: "ConfigMap", Namespaced: true, ShortNames: []string{"cm"}},
			{Name: "namespaces", Kind: "Namespace", ShortNames: []string{"ns"}},
		}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			{Name: "deployments", Kind: "Deployment", Namespaced: true, ShortNames: []string{"deploy"}},
			{Name: "deployments/scale", Kind: "Scale", Namespaced: true},
		}},
		{GroupVersion: "apps/v1beta1", APIResources: []metav1.APIResource{
			{Name: "deployments", Kind: "Deployment", Namespaced: true},
		}},
	}}

	lists, err := discovery.ServerPreferredResources(context.Background(), d)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range lists {
		for _, r := range l.APIResources {
			fmt.Printf("%-12s %-8s %-8s %t\n", r.Name, strings.Join(r.ShortNames, ","), l.GroupVersion, r.Namespaced)
		}
	}
	// Output:
	// configmaps   cm       v1       true
	// namespaces   ns       v1       false
	// deployments  deploy   apps/v1  true
}

// When some group-versions fail, discovery returns the others together
// with an *ErrGroupDiscoveryFailed that names each failure.
func ExampleErrGroupDiscoveryFailed() {
	metrics := schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}
	d := &fake.FakeDiscovery{
		Resources: []*metav1.APIResourceList{
			{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Kind: "Pod", Namespaced: true}}},
			{GroupVersion: metrics.String(), APIResources: []metav1.APIResource{{Name: "pods", Kind: "PodMetrics", Namespaced: true}}},
		},
		Failures: map[schema.GroupVersion]error{metrics: errors.New("service unavailable")},
	}

	_, lists, err := d.ServerGroupsAndResources()
	for _, l := range lists {
		fmt.Println("discovered", l.GroupVersion)
	}
	if failed, ok := discovery.GroupDiscoveryFailedErrorGroups(err); ok {
		for gv, cause := range failed {
			fmt.Println("failed", gv, "-", cause)
		}
	}
	// Output:
	// discovered v1
	// failed metrics.k8s.io/v1beta1 - service unavailable
}
