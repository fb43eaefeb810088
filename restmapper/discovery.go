package restmapper

import (
	"errors"

	"k8s.io/apimachinery/pkg/api/meta"
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
	groups, _, err := getAPIGroupResources(d)
	return groups, err
}

// getAPIGroupResources is GetAPIGroupResources that also returns the
// group-versions whose discovery failed (nil when none did), for mappers
// that report them.
func getAPIGroupResources(d discovery.DiscoveryInterface) ([]*APIGroupResources, map[schema.GroupVersion]error, error) {
	groups, lists, failed, err := discover(d)
	if err != nil {
		return nil, nil, err
	}
	return groupResources(groups, lists), failed, nil
}

// getDiscoveredOrder is getAPIGroupResources for a mapper that needs only
// the index: the group-versions to index, in priority order.
func getDiscoveredOrder(d discovery.DiscoveryInterface) ([]groupVersionSource, map[schema.GroupVersion]error, error) {
	groups, lists, failed, err := discover(d)
	if err != nil {
		return nil, nil, err
	}
	return discoveredOrder(groups, lists), failed, nil
}

// discover asks d for every group and resource list; a failure of some
// group-versions only is returned in failed, not as an error.
func discover(d discovery.DiscoveryInterface) ([]*metav1.APIGroup, []*metav1.APIResourceList, map[schema.GroupVersion]error, error) {
	if d == nil {
		return nil, nil, nil, errNoClient
	}
	groups, lists, err := d.ServerGroupsAndResources()
	failed, partial := discovery.GroupDiscoveryFailedErrorGroups(err)
	if err != nil && !partial {
		return nil, nil, nil, err
	}
	return groups, lists, failed, nil
}

// failuresFor returns the failures among failed that a question needing n
// depends on, or nil when there are none.
func failuresFor(failed map[schema.GroupVersion]error, n need) map[schema.GroupVersion]error {
	var out map[schema.GroupVersion]error
	for gv, err := range failed {
		if n.all || gv.Group == n.group {
			if out == nil {
				out = make(map[schema.GroupVersion]error)
			}
			out[gv] = err
		}
	}
	return out
}

// withFailures adds to a no-match error the discovery failures that may
// explain it, if any, as a *discovery.ErrGroupDiscoveryFailed that
// errors.As finds; meta.IsNoMatchError still holds.
func withFailures(err error, failed map[schema.GroupVersion]error) error {
	if err == nil || !meta.IsNoMatchError(err) || len(failed) == 0 {
		return err
	}
	return errors.Join(err, &discovery.ErrGroupDiscoveryFailed{Groups: failed})
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
