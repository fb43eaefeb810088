package restmapper_test

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/restmapper"
)

// referenceMapper composes apimachinery's mappers the way client-go's
// restmapper.NewDiscoveryRESTMapper does (v0.37.2), so that tests can compare
// our indexed mapper with the behaviour people rely on without importing
// client-go: one meta.DefaultRESTMapper per listed group-version with
// resources, under a meta.MultiRESTMapper, under a meta.PriorityRESTMapper
// whose patterns put core v1 first, then each group's preferred version and
// its other versions, then each group as a whole.
func referenceMapper(groups []*restmapper.APIGroupResources) meta.RESTMapper {
	var (
		multi     meta.MultiRESTMapper
		resPrio   = []schema.GroupVersionResource{{Group: "", Version: "v1", Resource: meta.AnyResource}}
		kindPrio  = []schema.GroupVersionKind{{Group: "", Version: "v1", Kind: meta.AnyKind}}
		groupList []string
	)
	for _, g := range groups {
		groupList = append(groupList, g.Group.Name)
		preferred := g.Group.PreferredVersion.Version
		if preferred != "" {
			if _, ok := g.VersionedResources[preferred]; ok {
				resPrio = append(resPrio, schema.GroupVersionResource{Group: g.Group.Name, Version: preferred, Resource: meta.AnyResource})
				kindPrio = append(kindPrio, schema.GroupVersionKind{Group: g.Group.Name, Version: preferred, Kind: meta.AnyKind})
			}
		}
		for _, v := range g.Group.Versions {
			resources, ok := g.VersionedResources[v.Version]
			if !ok {
				continue
			}
			if v.Version != preferred {
				resPrio = append(resPrio, schema.GroupVersionResource{Group: g.Group.Name, Version: v.Version, Resource: meta.AnyResource})
				kindPrio = append(kindPrio, schema.GroupVersionKind{Group: g.Group.Name, Version: v.Version, Kind: meta.AnyKind})
			}
			gv := schema.GroupVersion{Group: g.Group.Name, Version: v.Version}
			m := meta.NewDefaultRESTMapper([]schema.GroupVersion{gv})
			for _, r := range resources {
				if strings.Contains(r.Name, "/") {
					continue
				}
				scope := meta.RESTScopeNamespace
				if !r.Namespaced {
					scope = meta.RESTScopeRoot
				}
				plural := gv.WithResource(r.Name)
				singular := gv.WithResource(r.SingularName)
				if r.SingularName == "" {
					_, singular = meta.UnsafeGuessKindToResource(gv.WithKind(r.Kind))
				}
				m.AddSpecific(gv.WithKind(strings.ToLower(r.Kind)), plural, singular, scope)
				m.AddSpecific(gv.WithKind(r.Kind), plural, singular, scope)
				m.Add(gv.WithKind(r.Kind+"List"), scope)
			}
			m.Add(gv.WithKind("List"), meta.RESTScopeRoot)
			multi = append(multi, m)
		}
	}
	for _, g := range groupList {
		resPrio = append(resPrio, schema.GroupVersionResource{Group: g, Version: meta.AnyVersion, Resource: meta.AnyResource})
		kindPrio = append(kindPrio, schema.GroupVersionKind{Group: g, Version: meta.AnyVersion, Kind: meta.AnyKind})
	}
	return meta.PriorityRESTMapper{Delegate: multi, ResourcePriority: resPrio, KindPriority: kindPrio}
}

// mapperOrder is the order in which the reference composition walks
// group-versions, and priorityOrder the order our mapper ranks them in; lists
// compare element by element only when the two agree.
func mapperOrder(groups []*restmapper.APIGroupResources) []schema.GroupVersion {
	var out []schema.GroupVersion
	for _, g := range groups {
		for _, v := range g.Group.Versions {
			if _, ok := g.VersionedResources[v.Version]; ok {
				out = append(out, schema.GroupVersion{Group: g.Group.Name, Version: v.Version})
			}
		}
	}
	return out
}

func priorityOrder(groups []*restmapper.APIGroupResources) []schema.GroupVersion {
	var out []schema.GroupVersion
	seen := map[schema.GroupVersion]bool{}
	add := func(g *restmapper.APIGroupResources, v string) {
		gv := schema.GroupVersion{Group: g.Group.Name, Version: v}
		if _, ok := g.VersionedResources[v]; !ok || seen[gv] {
			return
		}
		for _, listed := range g.Group.Versions {
			if listed.Version == v {
				seen[gv] = true
				out = append(out, gv)
				return
			}
		}
	}
	for _, g := range groups {
		if g.Group.Name == "" {
			add(g, "v1")
		}
	}
	for _, g := range groups {
		add(g, g.Group.PreferredVersion.Version)
		for _, v := range g.Group.Versions {
			add(g, v.Version)
		}
	}
	return out
}
