package discovery

import (
	"context"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/json"
)

// This file holds the legacy path: servers without aggregated discovery
// list their groups at /api and /apis and serve each group-version's
// resources at /api/v1 and /apis/<group>/<version>, one request each.

// DefaultParallelism bounds how many group-version documents are fetched at
// once on servers without aggregated discovery. The requests bypass the
// client-side rate limiter: this bound is what keeps the fan-out polite,
// and the API server's priority and fairness protects it anyway.
const DefaultParallelism = 32

// coreGroup turns the /api document (the core group's versions) into an
// APIGroup; ok is false when it lists no version.
func coreGroup(v *metav1.APIVersions) (g metav1.APIGroup, ok bool) {
	for _, ver := range v.Versions {
		g.Versions = append(g.Versions, metav1.GroupVersionForDiscovery{GroupVersion: ver, Version: ver})
	}
	if len(g.Versions) == 0 {
		return g, false
	}
	g.PreferredVersion = g.Versions[0]
	return g, true
}

// groupVersions lists every group-version of groups, in order.
func groupVersions(groups []metav1.APIGroup) []schema.GroupVersion {
	var out []schema.GroupVersion
	for i := range groups {
		for _, v := range groups[i].Versions {
			out = append(out, schema.GroupVersion{Group: groups[i].Name, Version: v.Version})
		}
	}
	return out
}

// groupVersionPath is where a group-version's resources are served.
func groupVersionPath(gv schema.GroupVersion) string {
	if gv.Group == "" {
		return "/api/" + gv.Version
	}
	return "/apis/" + gv.Group + "/" + gv.Version
}

// fetchFunc fetches one group-version's resources.
type fetchFunc func(ctx context.Context, gv schema.GroupVersion) (*metav1.APIResourceList, error)

// fetchAll fetches every group-version with at most parallelism requests
// in flight (DefaultParallelism when it is not positive) and collects the
// answers and the failures. A list returned together with an error (a
// cache's last known list, say) is kept in both. When ctx ends, the
// group-versions not yet started fail with ctx's error; the caller decides
// whether that makes the whole call fail.
func fetchAll(ctx context.Context, gvs []schema.GroupVersion, parallelism int, fetch fetchFunc) (map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error) {
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	parallelism = min(parallelism, len(gvs))
	lists := make(map[schema.GroupVersion]*metav1.APIResourceList, len(gvs))
	failed := make(map[schema.GroupVersion]error)

	// mu guards lists and failed.
	var mu sync.Mutex
	work := make(chan schema.GroupVersion)
	var wg sync.WaitGroup
	for range parallelism {
		wg.Go(func() {
			for gv := range work {
				var list *metav1.APIResourceList
				err := ctx.Err()
				if err == nil {
					list, err = fetch(ctx, gv)
				}
				mu.Lock()
				if err != nil {
					failed[gv] = err
				}
				if list != nil {
					lists[gv] = list
				}
				mu.Unlock()
			}
		})
	}
	for _, gv := range gvs {
		work <- gv
	}
	close(work)
	wg.Wait()
	return lists, failed
}

// parseResourceList decodes a group-version's legacy document. The group
// version is filled in when the server left it out, and the entries are
// completed to the shape aggregated discovery gives (see complete.go).
func parseResourceList(gv schema.GroupVersion, body []byte) (*metav1.APIResourceList, error) {
	list := &metav1.APIResourceList{}
	if err := json.UnmarshalCaseSensitivePreserveInts(body, list); err != nil {
		return nil, fmt.Errorf("decoding the resource list: %w", err)
	}
	if list.GroupVersion == "" {
		list.GroupVersion = gv.String()
	}
	completeResources(gv, list.APIResources)
	return list, nil
}
