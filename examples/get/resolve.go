package main

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/anykube/anykube/restmapper"
)

// resolveTypes turns the TYPE argument into mappings: "deploy,svc" names
// two types, "all" every type in the category, and each type may be a
// plural, singular, short name or kind, with a version and group.
func resolveTypes(ctx context.Context, types string, categories restmapper.CategoryExpander, resolver *restmapper.Resolver) ([]*meta.RESTMapping, error) {
	var mappings []*meta.RESTMapping
	for _, arg := range strings.Split(types, ",") {
		args := []string{arg}
		if grs, ok := categories.Expand(arg); ok {
			args = args[:0]
			for _, gr := range grs {
				args = append(args, gr.String()) // "deployments.apps"
			}
		}
		for _, a := range args {
			m, err := resolver.Resolve(ctx, a)
			if meta.IsNoMatchError(err) {
				return nil, fmt.Errorf("the server has no resource type %q", a)
			} else if err != nil {
				return nil, err // ambiguous ("name it TYPE.GROUP"), or discovery failed
			}
			mappings = append(mappings, m)
		}
	}
	return mappings, nil
}
