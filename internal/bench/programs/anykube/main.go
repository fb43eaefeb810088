// Command anykube is the small program whose stripped binary size the
// report compares: discovery, a RESTMapper, a dynamic Get and a scale Get,
// written with anykube. programs/clientgo is the same with client-go.
package main

import (
	"context"
	"fmt"
	"os"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/scale"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	cfg, err := anykube.InferConfig()
	if err != nil {
		return err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	cached := memory.NewMemCacheClient(dc)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(cached)
	m, err := mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	d, err := dyn.Resource(m.Resource).Namespace("default").Get(ctx, "demo", metav1.GetOptions{})
	if err != nil {
		return err
	}
	sc, err := scale.NewForConfig(cfg, mapper, scale.LegacyAPIPathResolverFunc, scale.NewDiscoveryScaleKindResolver(cached))
	if err != nil {
		return err
	}
	s, err := sc.Scales("default").Get(ctx, m.Resource.GroupResource(), d.GetName(), metav1.GetOptions{})
	if err != nil {
		return err
	}
	fmt.Println(d.GetName(), s.Spec.Replicas)
	return nil
}
