package restmapper_test

import (
	"context"
	"fmt"
	"log"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/fake"
	"github.com/anykube/anykube/restmapper"
)

// fakeDiscovery is a small server's discovery: a few built-in resources and two
// CRDs, one of whose plural names clashes with another group's.
func fakeDiscovery() *fake.FakeDiscovery {
	return &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "pods", SingularName: "pod", Kind: "Pod", Namespaced: true, ShortNames: []string{"po"}, Categories: []string{"all"}},
			{Name: "services", SingularName: "service", Kind: "Service", Namespaced: true, ShortNames: []string{"svc"}, Categories: []string{"all"}},
			{Name: "events", SingularName: "event", Kind: "Event", Namespaced: true, ShortNames: []string{"ev"}},
			{Name: "namespaces", SingularName: "namespace", Kind: "Namespace", ShortNames: []string{"ns"}},
		}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			{Name: "deployments", SingularName: "deployment", Kind: "Deployment", Namespaced: true, ShortNames: []string{"deploy"}, Categories: []string{"all"}},
		}},
		{GroupVersion: "events.k8s.io/v1", APIResources: []metav1.APIResource{
			{Name: "events", SingularName: "event", Kind: "Event", Namespaced: true, ShortNames: []string{"ev"}},
		}},
		{GroupVersion: "stable.example.com/v1", APIResources: []metav1.APIResource{
			{Name: "crontabs", SingularName: "crontab", Kind: "CronTab", Namespaced: true, ShortNames: []string{"ct"}, Categories: []string{"all"}},
		}},
		{GroupVersion: "shop.example.com/v1", APIResources: []metav1.APIResource{
			{Name: "widgets", SingularName: "widget", Kind: "Widget", Namespaced: true},
		}},
		{GroupVersion: "factory.example.com/v1", APIResources: []metav1.APIResource{
			{Name: "widgets", SingularName: "widget", Kind: "Widget"},
		}},
	}}
}

// A Resolver reads resource arguments the way kubectl does, and refuses to
// guess between groups.
func ExampleResolver() {
	d := memory.NewMemCacheClient(fakeDiscovery())
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(d), d, nil)
	r := restmapper.NewResolver(mapper)

	for _, arg := range []string{"po", "deploy", "deployments.v1.apps", "Deployment", "events", "ct", "widgets.shop.example.com", "widgets", "gadgets"} {
		m, err := r.Resolve(context.Background(), arg)
		switch {
		case meta.IsAmbiguousError(err):
			fmt.Printf("%-25s ambiguous: name it TYPE.GROUP\n", arg)
		case meta.IsNoMatchError(err):
			fmt.Printf("%-25s not served\n", arg)
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Printf("%-25s %-12s %-22s %s\n", arg, m.Resource.Resource, m.Resource.GroupVersion(), m.Scope.Name())
		}
	}
	// Output:
	// po                        pods         v1                     namespace
	// deploy                    deployments  apps/v1                namespace
	// deployments.v1.apps       deployments  apps/v1                namespace
	// Deployment                deployments  apps/v1                namespace
	// events                    events       v1                     namespace
	// ct                        crontabs     stable.example.com/v1  namespace
	// widgets.shop.example.com  widgets      shop.example.com/v1    namespace
	// widgets                   ambiguous: name it TYPE.GROUP
	// gadgets                   not served
}

// The lazy mapper is the one for long-running programs: it loads only the
// groups it is asked about, and reloads a group when a kind is missing
// from it, so a CRD installed after the program started maps at once.
func ExampleNewLazyRESTMapper() {
	mapper := restmapper.NewLazyRESTMapper(fakeDiscovery(), restmapper.LazyOptions{})

	m, err := mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Resource.Resource, m.Resource.GroupVersion(), m.Scope.Name())

	_, err = mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nothing"})
	fmt.Println(meta.IsNoMatchError(err))
	// Output:
	// deployments apps/v1 namespace
	// true
}

// Categories group resources under one name: "all" is the one kubectl
// users know, and CRDs can join it or declare their own.
func ExampleDiscoveryCategoryExpander() {
	categories := restmapper.NewDiscoveryCategoryExpander(memory.NewMemCacheClient(fakeDiscovery()))
	resources, ok := categories.Expand("all")
	fmt.Println(ok, resources)
	// Output:
	// true [pods services deployments.apps crontabs.stable.example.com]
}

// Against a real cluster: a mapper from the server's discovery, with short
// names, as generic tools build it.
func ExampleNewShortcutExpander() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err)
	}
	d, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	cached := memory.NewMemCacheClient(d)
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(cached), cached, func(warning string) {
		log.Print(warning) // a short name two resources declare
	})
	gvr, err := mapper.ResourceFor(schema.GroupVersionResource{Resource: "deploy"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(gvr.Resource, gvr.GroupVersion()) // deployments apps/v1
}
