package restmapper

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// ShortcutExpander is a meta.RESTMapper that turns short names ("po",
// "deploy", a CRD's short names) into the resources they stand for before
// asking its delegate. Build one with NewShortcutExpander.
//
// A name resolves in this order, comparing without regard to case:
//
//  1. A resource's plural or singular name (in the partial resource's group,
//     when it has one) is never expanded: full names beat short names, so a
//     CRD cannot take over "pods" by declaring it as a short name.
//  2. Otherwise, the first resource that declares the name as a short name,
//     in discovery order (the core group first, then groups and versions as
//     the server lists them), restricted to the partial resource's group
//     when it has one. Every other resource declaring it is reported through
//     the warning handler once per expansion, as "short name %q could also
//     match lower priority resource <resource.group>".
//  3. Otherwise, when the partial resource has a group, the first resource
//     declaring the short name in a group whose name starts with it
//     ("hpa.autoscal" finds autoscaling).
//  4. Otherwise the name goes to the delegate unchanged.
//
// An expansion keeps the partial resource's version and sets its group to
// the resource's (client-go also drops the version). RESTMapping and
// RESTMappings take kinds, which have no short names, and pass through.
//
// Short names come from the discovery client on every question, so give it
// a cached client (discovery/cached/memory); the expander rebuilds its
// table only when the client's answer changes. When a question finds no
// match, the names are read again and, if the expansion changed (the
// delegate may have reloaded discovery), the question is asked once more.
//
// The zero value has no delegate and no client: it maps nothing.
type ShortcutExpander struct {
	delegate meta.RESTMapperWithContext
	// original is the delegate as given, for Reset: the context adapter
	// apimachinery wraps an old mapper in does not pass Reset on.
	original meta.RESTMapper
	client   discovery.DiscoveryInterface
	warn     func(string)

	table atomic.Pointer[shortcutTable]
}

var (
	_ meta.ResettableRESTMapper            = (*ShortcutExpander)(nil)
	_ meta.ResettableRESTMapperWithContext = (*ShortcutExpander)(nil)
)

// NewShortcutExpander wraps delegate so that short names found through
// client expand to resources. warn receives a message for each ambiguous
// short name; nil ignores them. A nil delegate maps nothing; a nil client
// knows no short names.
func NewShortcutExpander(delegate meta.RESTMapper, client discovery.DiscoveryInterface, warn func(string)) *ShortcutExpander {
	if delegate == nil {
		delegate = &DiscoveryRESTMapper{}
	}
	return &ShortcutExpander{delegate: meta.ToRESTMapperWithContext(delegate), original: delegate, client: client, warn: warn}
}

// shortcutTable is what one discovery answer says about names.
type shortcutTable struct {
	// lists is the answer the table was built from; a later answer made of
	// the same lists (a cache hit) reuses the table.
	lists []*metav1.APIResourceList
	// full maps a plural or singular name to the groups serving it.
	full map[string][]string
	// short maps a short name to the resources declaring it, in discovery
	// order, without repeats.
	short map[string][]schema.GroupResource
}

// mapper returns the delegate; the zero expander maps nothing.
func (e *ShortcutExpander) mapper() meta.RESTMapperWithContext {
	if e.delegate == nil {
		return &DiscoveryRESTMapper{}
	}
	return e.delegate
}

// currentTable returns the table for the client's current answer. When
// discovery fails completely the table is empty and names pass through.
func (e *ShortcutExpander) currentTable(ctx context.Context) *shortcutTable {
	if e.client == nil {
		return &shortcutTable{}
	}
	_, lists, _ := e.client.WithContext(ctx).ServerGroupsAndResources()
	if t := e.table.Load(); t != nil && slices.Equal(t.lists, lists) {
		return t
	}
	t := &shortcutTable{lists: lists, full: map[string][]string{}, short: map[string][]schema.GroupResource{}}
	for _, l := range lists {
		if l == nil {
			continue
		}
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			for _, n := range []string{r.Name, r.SingularName} {
				if n != "" && !slices.Contains(t.full[n], gv.Group) {
					t.full[n] = append(t.full[n], gv.Group)
				}
			}
			gr := schema.GroupResource{Group: gv.Group, Resource: r.Name}
			for _, s := range r.ShortNames {
				s = strings.ToLower(s)
				if !slices.Contains(t.short[s], gr) {
					t.short[s] = append(t.short[s], gr)
				}
			}
		}
	}
	e.table.Store(t)
	return t
}

// Expand returns r with its short name expanded, following the resolution
// order described on ShortcutExpander, or r unchanged when it is no short
// name. It asks the discovery client for the current names; when that
// fails, names pass through unchanged.
func (e *ShortcutExpander) Expand(ctx context.Context, r schema.GroupVersionResource) schema.GroupVersionResource {
	return e.expand(ctx, r)
}

func (e *ShortcutExpander) expand(ctx context.Context, r schema.GroupVersionResource) schema.GroupVersionResource {
	t := e.currentTable(ctx)
	name := strings.ToLower(r.Resource)
	for _, g := range t.full[name] {
		if r.Group == "" || r.Group == g {
			return r
		}
	}
	var chosen *schema.GroupResource
	for i, gr := range t.short[name] {
		if r.Group != "" && r.Group != gr.Group {
			continue
		}
		if chosen == nil {
			chosen = &t.short[name][i]
			continue
		}
		if e.warn != nil {
			e.warn(fmt.Sprintf("short name %q could also match lower priority resource %s", name, gr.String()))
		}
	}
	if chosen == nil && r.Group != "" {
		for i, gr := range t.short[name] {
			if strings.HasPrefix(gr.Group, r.Group) {
				chosen = &t.short[name][i]
				break
			}
		}
	}
	if chosen == nil {
		return r
	}
	return schema.GroupVersionResource{Group: chosen.Group, Version: r.Version, Resource: chosen.Resource}
}

// expanded asks q about the expansion of r and, on a no-match answer, asks
// again if a new reading of discovery expands r differently.
func expanded[T any](ctx context.Context, e *ShortcutExpander, r schema.GroupVersionResource, q func(schema.GroupVersionResource) (T, error)) (T, error) {
	first := e.expand(ctx, r)
	v, err := q(first)
	if !meta.IsNoMatchError(err) {
		return v, err
	}
	if again := e.expand(ctx, r); again != first {
		return q(again)
	}
	return v, err
}

// KindFor expands resource's short name, then asks the delegate.
func (e *ShortcutExpander) KindFor(resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return e.KindForWithContext(context.Background(), resource)
}

// KindForWithContext is KindFor under ctx.
func (e *ShortcutExpander) KindForWithContext(ctx context.Context, resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return expanded(ctx, e, resource, func(r schema.GroupVersionResource) (schema.GroupVersionKind, error) {
		return e.mapper().KindForWithContext(ctx, r)
	})
}

// KindsFor expands resource's short name, then asks the delegate.
func (e *ShortcutExpander) KindsFor(resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return e.KindsForWithContext(context.Background(), resource)
}

// KindsForWithContext is KindsFor under ctx.
func (e *ShortcutExpander) KindsForWithContext(ctx context.Context, resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return expanded(ctx, e, resource, func(r schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
		return e.mapper().KindsForWithContext(ctx, r)
	})
}

// ResourceFor expands input's short name, then asks the delegate.
func (e *ShortcutExpander) ResourceFor(input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return e.ResourceForWithContext(context.Background(), input)
}

// ResourceForWithContext is ResourceFor under ctx.
func (e *ShortcutExpander) ResourceForWithContext(ctx context.Context, input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return expanded(ctx, e, input, func(r schema.GroupVersionResource) (schema.GroupVersionResource, error) {
		return e.mapper().ResourceForWithContext(ctx, r)
	})
}

// ResourcesFor expands input's short name, then asks the delegate.
func (e *ShortcutExpander) ResourcesFor(input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return e.ResourcesForWithContext(context.Background(), input)
}

// ResourcesForWithContext is ResourcesFor under ctx.
func (e *ShortcutExpander) ResourcesForWithContext(ctx context.Context, input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return expanded(ctx, e, input, func(r schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
		return e.mapper().ResourcesForWithContext(ctx, r)
	})
}

// RESTMapping asks the delegate: kinds have no short names.
func (e *ShortcutExpander) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return e.mapper().RESTMappingWithContext(context.Background(), gk, versions...)
}

// RESTMappingWithContext is RESTMapping under ctx.
func (e *ShortcutExpander) RESTMappingWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return e.mapper().RESTMappingWithContext(ctx, gk, versions...)
}

// RESTMappings asks the delegate: kinds have no short names.
func (e *ShortcutExpander) RESTMappings(gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return e.mapper().RESTMappingsWithContext(context.Background(), gk, versions...)
}

// RESTMappingsWithContext is RESTMappings under ctx.
func (e *ShortcutExpander) RESTMappingsWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return e.mapper().RESTMappingsWithContext(ctx, gk, versions...)
}

// ResourceSingularizer expands resource's short name, then asks the
// delegate for the singular.
func (e *ShortcutExpander) ResourceSingularizer(resource string) (string, error) {
	return e.ResourceSingularizerWithContext(context.Background(), resource)
}

// ResourceSingularizerWithContext is ResourceSingularizer under ctx.
func (e *ShortcutExpander) ResourceSingularizerWithContext(ctx context.Context, resource string) (string, error) {
	r := e.expand(ctx, schema.GroupVersionResource{Resource: resource})
	return e.mapper().ResourceSingularizerWithContext(ctx, r.Resource)
}

// Reset resets the delegate when it can be reset; the short-name table
// follows the discovery client's answers by itself.
func (e *ShortcutExpander) Reset() { e.ResetWithContext(context.Background()) }

// ResetWithContext is Reset under ctx.
func (e *ShortcutExpander) ResetWithContext(ctx context.Context) {
	if _, ok := e.original.(meta.ResettableRESTMapperWithContext); ok {
		meta.MaybeResetRESTMapperWithContext(ctx, e.mapper())
		return
	}
	meta.MaybeResetRESTMapper(e.original)
}
