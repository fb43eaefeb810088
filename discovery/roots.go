package discovery

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/json"
)

// This file decodes the answers to GET /api and /apis, whose content type
// says whether the server sent the aggregated document or the legacy one.

// parseRoots builds a snapshot from the /api answer (nil when the server has
// no core group) and the /apis answer. Resources are set only when every
// answer was aggregated, and so are the entity tags, since a legacy /apis
// document says nothing of the per-group-version documents a tag would
// have to vouch for.
func parseRoots(api, apis *response) (*Snapshot, error) {
	snap := &Snapshot{
		Groups:    &metav1.APIGroupList{},
		Resources: make(map[schema.GroupVersion]*metav1.APIResourceList),
		Failed:    make(map[schema.GroupVersion]error),
	}
	aggregated := true
	if api != nil {
		agg, err := parseRoot("/api", api, snap)
		if err != nil {
			return nil, err
		}
		aggregated = aggregated && agg
	}
	agg, err := parseRoot("/apis", apis, snap)
	if err != nil {
		return nil, err
	}
	aggregated = aggregated && agg
	if !aggregated {
		snap.Resources = nil
		return snap, nil
	}
	if api != nil {
		snap.ETags.API = api.etag
	}
	snap.ETags.APIs = apis.etag
	return snap, nil
}

// parseRoot adds one answer's groups (and, when aggregated, resources and
// stale versions) to snap, and reports whether it was aggregated.
func parseRoot(path string, res *response, snap *Snapshot) (aggregated bool, err error) {
	fail := func(err error) error {
		return fmt.Errorf("discovery: decoding %s (content type %q): %w", path, res.contentType, err)
	}
	if isAggregated(res.contentType) {
		var list APIGroupDiscoveryList
		if err := decodeAggregated(res.body, &list); err != nil {
			return false, fail(err)
		}
		groups, resources, failed := SplitGroupsAndResources(list)
		snap.Groups.Groups = append(snap.Groups.Groups, groups.Groups...)
		for gv, l := range resources {
			snap.Resources[gv] = l
		}
		for gv, e := range failed {
			snap.Failed[gv] = e
		}
		return true, nil
	}
	if path == "/api" {
		var versions metav1.APIVersions
		if err := json.UnmarshalCaseSensitivePreserveInts(res.body, &versions); err != nil {
			return false, fail(err)
		}
		if g, ok := coreGroup(&versions); ok {
			snap.Groups.Groups = append(snap.Groups.Groups, g)
		}
		return false, nil
	}
	var groups metav1.APIGroupList
	if err := json.UnmarshalCaseSensitivePreserveInts(res.body, &groups); err != nil {
		return false, fail(err)
	}
	for _, g := range groups.Groups {
		if len(g.Versions) > 0 {
			snap.Groups.Groups = append(snap.Groups.Groups, g)
		}
	}
	return false, nil
}
