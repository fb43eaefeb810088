package restmapper

import (
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// errNoClient is what mappers built without a discovery client fail with.
var errNoClient = errors.New("restmapper: no discovery client")

// GetAPIGroupResources asks d for every group and the resources of every
// group-version, and returns them in the server's group order, ready for
// NewDiscoveryRESTMapper. Pass d.WithContext(ctx) to bound the requests.
//
// Like client-go's, it returns what it got when only some group-versions
// fail (an aggregated API whose backend is down must not stop the rest from
// mapping): such a version stays listed in Group.Versions but has no entry
// in VersionedResources. Ask d.ServerGroupsAndResources to learn why. Any
// other failure, or a nil d, returns a nil slice and an error.
func GetAPIGroupResources(d discovery.DiscoveryInterface) ([]*APIGroupResources, error) {
	if d == nil {
		return nil, errNoClient
	}
	groups, lists, err := d.ServerGroupsAndResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, err
	}
	return groupResources(groups, lists), nil
}

// groupResources pairs groups with their resource lists; lists that belong
// to no listed version are dropped.
func groupResources(groups []*metav1.APIGroup, lists []*metav1.APIResourceList) []*APIGroupResources {
	byGV := make(map[string]*metav1.APIResourceList, len(lists))
	for _, l := range lists {
		if l != nil {
			byGV[l.GroupVersion] = l
		}
	}
	out := make([]*APIGroupResources, 0, len(groups))
	for _, g := range groups {
		if g == nil {
			continue
		}
		gr := &APIGroupResources{Group: *g, VersionedResources: make(map[string][]metav1.APIResource, len(g.Versions))}
		for _, v := range g.Versions {
			gv := v.GroupVersion
			if gv == "" {
				gv = schema.GroupVersion{Group: g.Name, Version: v.Version}.String()
			}
			if l, ok := byGV[gv]; ok {
				gr.VersionedResources[v.Version] = l.APIResources
			}
		}
		out = append(out, gr)
	}
	return out
}
