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
	// Sized for both documents when getRoot decoded them aggregated, so
	// that the group list and the map of resource lists do not grow.
	groups, versions := 0, 0
	for _, res := range []*response{api, apis} {
		if res != nil && res.root != nil && res.root.aggregated != nil {
			groups += len(res.root.aggregated.Items)
			versions += countVersions(res.root.aggregated)
		}
	}
	snap := &Snapshot{
		Groups:    &metav1.APIGroupList{Groups: make([]metav1.APIGroup, 0, groups)},
		Resources: make(map[schema.GroupVersion]*metav1.APIResourceList, versions),
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

// parseRoot1 builds a snapshot from one answer, to /api or /apis, with
// resources and the entity tag only when the answer was aggregated.
func parseRoot1(path string, res *response) (*Snapshot, bool, error) {
	snap := &Snapshot{
		Groups:    &metav1.APIGroupList{},
		Resources: make(map[schema.GroupVersion]*metav1.APIResourceList),
		Failed:    make(map[schema.GroupVersion]error),
	}
	aggregated, err := parseRoot(path, res, snap)
	if err != nil {
		return nil, false, err
	}
	switch {
	case !aggregated:
		snap.Resources = nil
	case path == "/api":
		snap.ETags.API = res.etag
	default:
		snap.ETags.APIs = res.etag
	}
	return snap, false, nil
}

// rootDoc is a decoded answer to /api or /apis: the aggregated document, or
// the legacy APIVersions (/api) or APIGroupList (/apis). err is the decoding
// failure, kept so that it is reported where the answer is used.
type rootDoc struct {
	aggregated *APIGroupDiscoveryList
	versions   *metav1.APIVersions
	groups     *metav1.APIGroupList
	err        error
}

// decode fills r from one answer's body. A body that does not decode is not
// a request failure: it is kept in r.err for parseRoot to report.
func (r *rootDoc) decode(path string, body []byte, contentType string) error {
	fail := func(err error) {
		r.err = fmt.Errorf("discovery: decoding %s (content type %q): %w", path, contentType, err)
	}
	switch {
	case isAggregated(contentType):
		r.aggregated = &APIGroupDiscoveryList{}
		if err := decodeAggregated(body, r.aggregated); err != nil {
			fail(err)
		}
	case path == "/api":
		r.versions = &metav1.APIVersions{}
		if err := json.UnmarshalCaseSensitivePreserveInts(body, r.versions); err != nil {
			fail(err)
		}
	default:
		r.groups = &metav1.APIGroupList{}
		if err := json.UnmarshalCaseSensitivePreserveInts(body, r.groups); err != nil {
			fail(err)
		}
	}
	return nil
}

// parseRoot adds one answer's groups (and, when aggregated, resources and
// stale versions) to snap, and reports whether it was aggregated. The
// answer is res.root when getRoot decoded it, else res.body.
func parseRoot(path string, res *response, snap *Snapshot) (aggregated bool, err error) {
	root := res.root
	if root == nil {
		root = &rootDoc{}
		root.decode(path, res.body, res.contentType)
	}
	if root.err != nil {
		return false, root.err
	}
	switch {
	case root.aggregated != nil:
		splitInto(root.aggregated, &snap.Groups.Groups, snap.Resources, snap.Failed)
		return true, nil
	case root.versions != nil:
		if g, ok := coreGroup(root.versions); ok {
			snap.Groups.Groups = append(snap.Groups.Groups, g)
		}
		return false, nil
	}
	for _, g := range root.groups.Groups {
		if len(g.Versions) > 0 {
			snap.Groups.Groups = append(snap.Groups.Groups, g)
		}
	}
	return false, nil
}
