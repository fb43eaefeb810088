package restmapper

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resolver turns the resource arguments people type, as kubectl takes them,
// into exactly one mapping, or an error that says why not. Build one with
// NewResolver over any meta.RESTMapper; wrap the mapper in a
// ShortcutExpander first for short names to resolve.
//
// An argument is TYPE, TYPE.GROUP or TYPE.VERSION.GROUP, compared without
// regard to case, where TYPE is a plural, singular or (wrapped) short name,
// or a kind. A short name counts as naming its resource's group. It
// resolves in this order:
//
//  1. With two dots or more, as TYPE.VERSION.GROUP: the one resource of
//     that group-version ("deployments.v1.apps"). Over a LazyRESTMapper this
//     reading loads the group it names, which for "clusters.a.example.com"
//     is "example.com": a second round of discovery, as kubectl's would be.
//  2. Otherwise, or when that finds nothing, as TYPE.GROUP, the group being
//     everything after the first dot ("certificates.cert-manager.io"). A
//     group matches exactly; only when no group matches exactly does it
//     match as a prefix ("storageclasses.storage" finds storage.k8s.io).
//  3. As TYPE alone, in every group.
//  4. When no resource has that name, as a kind, spelt as typed or in
//     lower case (TYPE.VERSION.GROUP and TYPE.GROUP name the kind in that
//     group; a bare kind is looked up in the core group, as kubectl does).
//
// Among the resources matching, the core group wins when no group was
// given (so "events" is the core group's, as in kubectl); then, unlike
// client-go's mappers, which silently prefer the group listed first,
// matches in more than one group are an *meta.AmbiguousResourceError
// listing them, so the caller can ask for TYPE.GROUP. Within one group the
// preferred version wins. An argument matching nothing is a
// *meta.NoResourceMatchError. The zero value maps nothing.
type Resolver struct {
	mapper meta.RESTMapperWithContext
	// expander is mapper when it expands short names: the resolver expands
	// first, so that a short name's group counts as given.
	expander *ShortcutExpander
}

// NewResolver returns a resolver asking mapper; a nil mapper maps nothing.
func NewResolver(mapper meta.RESTMapper) *Resolver {
	if mapper == nil {
		mapper = &DiscoveryRESTMapper{}
	}
	e, _ := mapper.(*ShortcutExpander)
	return &Resolver{mapper: meta.ToRESTMapperWithContext(mapper), expander: e}
}

// Resolve returns the mapping arg names: its resource, its kind and its
// scope. The mapping is the caller's. It fails with a
// *meta.AmbiguousResourceError or *meta.NoResourceMatchError as described
// on Resolver, with an error naming the argument when it is malformed, and
// with the mapper's error when the mapper fails (a discovery error).
func (r *Resolver) Resolve(ctx context.Context, arg string) (*meta.RESTMapping, error) {
	typed := strings.TrimSpace(arg)
	if typed == "" || strings.ContainsAny(typed, "/ ") || strings.HasPrefix(typed, ".") || strings.HasSuffix(typed, ".") || strings.Contains(typed, "..") {
		return nil, fmt.Errorf("restmapper: %q is not a resource argument (TYPE, TYPE.GROUP or TYPE.VERSION.GROUP)", arg)
	}
	lower := strings.ToLower(typed)
	name, group, _ := strings.Cut(lower, ".")

	if strings.Count(lower, ".") >= 2 {
		version, g, _ := strings.Cut(group, ".")
		gvr := schema.GroupVersionResource{Group: g, Version: version, Resource: name}
		m, err := r.fromResources(ctx, gvr)
		if err == nil || !meta.IsNoMatchError(err) {
			return m, err
		}
	}
	partial := schema.GroupVersionResource{Group: group, Resource: name}
	m, err := r.fromResources(ctx, partial)
	if err == nil || !meta.IsNoMatchError(err) {
		return m, err
	}

	kind, _, _ := strings.Cut(typed, ".")
	kinds := []kindArg{{gk: schema.GroupKind{Group: group, Kind: kind}}}
	if strings.Count(lower, ".") >= 2 {
		version, g, _ := strings.Cut(group, ".")
		kinds = append([]kindArg{{gk: schema.GroupKind{Group: g, Kind: kind}, version: version}}, kinds...)
	}
	for _, ka := range kinds {
		for _, k := range []string{ka.gk.Kind, strings.ToLower(ka.gk.Kind)} {
			gk := schema.GroupKind{Group: ka.gk.Group, Kind: k}
			var mapping *meta.RESTMapping
			var kerr error
			if ka.version != "" {
				mapping, kerr = r.restMapper().RESTMappingWithContext(ctx, gk, ka.version)
			} else {
				mapping, kerr = r.restMapper().RESTMappingWithContext(ctx, gk)
			}
			if kerr == nil {
				return r.mapping(ctx, mapping.Resource)
			}
			if !meta.IsNoMatchError(kerr) {
				return nil, kerr
			}
		}
	}
	return nil, err
}

// fromResources resolves a partial resource to one resource, applying the
// rules described on Resolver.
func (r *Resolver) fromResources(ctx context.Context, partial schema.GroupVersionResource) (*meta.RESTMapping, error) {
	if r.expander != nil {
		partial = r.expander.Expand(ctx, partial)
	}
	all, err := r.restMapper().ResourcesForWithContext(ctx, partial)
	if err != nil {
		return nil, err
	}
	matches := all
	if partial.Group != "" {
		if exact := inGroup(all, partial.Group); len(exact) > 0 {
			matches = exact
		}
	} else if core := inGroup(all, ""); len(core) > 0 {
		matches = core
	}
	best := matches[0]
	for _, m := range matches[1:] {
		if m.Group != best.Group || (m.Version == best.Version && m.Resource != best.Resource) {
			return nil, &meta.AmbiguousResourceError{PartialResource: partial, MatchingResources: matches}
		}
	}
	return r.mapping(ctx, best)
}

// restMapper returns the mapper; the zero resolver maps nothing.
func (r *Resolver) restMapper() meta.RESTMapperWithContext {
	if r.mapper == nil {
		return &DiscoveryRESTMapper{}
	}
	return r.mapper
}

// kindArg is one reading of an argument as a kind.
type kindArg struct {
	gk      schema.GroupKind
	version string
}

func inGroup(rs []schema.GroupVersionResource, group string) []schema.GroupVersionResource {
	var out []schema.GroupVersionResource
	for _, r := range rs {
		if r.Group == group {
			out = append(out, r)
		}
	}
	return out
}

// mapping completes a resource with its kind and scope. The scope is the
// kind's mapping's, which belongs to another resource of the same kind
// only when a group-version serves one kind under two resources.
func (r *Resolver) mapping(ctx context.Context, gvr schema.GroupVersionResource) (*meta.RESTMapping, error) {
	gvk, err := r.restMapper().KindForWithContext(ctx, gvr)
	if err != nil {
		return nil, err
	}
	km, err := r.restMapper().RESTMappingWithContext(ctx, gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	return &meta.RESTMapping{Resource: gvr, GroupVersionKind: gvk, Scope: km.Scope}, nil
}
