// Package fake provides a DiscoveryInterface that answers from a fixed list
// of resources, for tests of code that uses discovery.
package fake

import (
	"context"
	"errors"
	"fmt"
	"sync"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
)

// ErrNotModeled is wrapped by the errors of methods whose answer the fake
// was not given (OpenAPI documents, an unset server version). The fake
// returns it instead of panicking, so a test that strays learns why.
var ErrNotModeled = errors.New("not modeled by the fake discovery client")

// FakeDiscovery answers discovery questions from Resources. Set its fields
// before use; it is then safe for concurrent use.
//
// Its answers are deterministic: the core group ("") comes first, then the
// other groups in the order their first list appears in Resources; versions
// follow the order of their lists, and a group's first version is its
// preferred one.
type FakeDiscovery struct {
	// Resources lists the served resources, one list per group-version.
	// A list whose GroupVersion cannot be parsed makes every call fail.
	Resources []*metav1.APIResourceList
	// Failures maps group-versions to the error their resources fail with,
	// to test callers of partial discovery. They are still listed by
	// ServerGroups when Resources has them.
	Failures map[schema.GroupVersion]error
	// FakedServerVersion is what ServerVersion returns; nil makes it fail.
	FakedServerVersion *version.Info
	// OpenAPIV2 is what OpenAPISchema returns; nil makes it fail.
	OpenAPIV2 *openapi_v2.Document

	// mu guards actions.
	mu      sync.Mutex
	actions []string
}

var _ discovery.DiscoveryInterface = (*FakeDiscovery)(nil)

// Actions returns the names of the methods called so far, in order.
func (f *FakeDiscovery) Actions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.actions...)
}

func (f *FakeDiscovery) record(name string) {
	f.mu.Lock()
	f.actions = append(f.actions, name)
	f.mu.Unlock()
}

// WithContext returns f: the fake never blocks, so contexts do not matter.
func (f *FakeDiscovery) WithContext(context.Context) discovery.DiscoveryInterface { return f }

// RESTClient returns nil, as client-go's fake does: the fake has no server
// to send raw requests to.
func (f *FakeDiscovery) RESTClient() *anykube.RESTClient { return nil }

// WithLegacy returns f.
func (f *FakeDiscovery) WithLegacy() discovery.DiscoveryInterface { return f }

// ServerGroups returns the groups of Resources, in the order described on
// FakeDiscovery, or an error naming a list whose GroupVersion is invalid.
func (f *FakeDiscovery) ServerGroups() (*metav1.APIGroupList, error) {
	f.record("ServerGroups")
	return f.groups()
}

func (f *FakeDiscovery) groups() (*metav1.APIGroupList, error) {
	out := &metav1.APIGroupList{}
	index := make(map[string]int)
	seen := make(map[schema.GroupVersion]bool)
	add := func(gv schema.GroupVersion) {
		if seen[gv] {
			return
		}
		seen[gv] = true
		i, ok := index[gv.Group]
		if !ok {
			i = len(out.Groups)
			index[gv.Group] = i
			out.Groups = append(out.Groups, metav1.APIGroup{Name: gv.Group})
		}
		g := &out.Groups[i]
		gvd := metav1.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: gv.Version}
		g.Versions = append(g.Versions, gvd)
		if len(g.Versions) == 1 {
			g.PreferredVersion = gvd
		}
	}
	var gvs []schema.GroupVersion
	for _, list := range f.Resources {
		if list == nil {
			continue
		}
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil || gv.Version == "" {
			return nil, fmt.Errorf("fake discovery: resource list with invalid group-version %q", list.GroupVersion)
		}
		gvs = append(gvs, gv)
	}
	for _, gv := range gvs {
		if gv.Group == "" {
			add(gv)
		}
	}
	for _, gv := range gvs {
		if gv.Group != "" {
			add(gv)
		}
	}
	return out, nil
}

// ServerResourcesForGroupVersion returns the list for groupVersion, its
// configured failure, or a NotFound StatusError when Resources has no such
// list. The list is completed as discovery.CompleteResourceList does (a
// copy when something is missing; Resources is never written to), so that
// code under test sees the shape a real server's discovery gives whether
// the test wrote its lists in the legacy shape or in the full one.
func (f *FakeDiscovery) ServerResourcesForGroupVersion(groupVersion string) (*metav1.APIResourceList, error) {
	f.record("ServerResourcesForGroupVersion")
	gv, err := schema.ParseGroupVersion(groupVersion)
	if err != nil || gv.Version == "" {
		return nil, fmt.Errorf("fake discovery: invalid group-version %q", groupVersion)
	}
	if err := f.Failures[gv]; err != nil {
		return nil, err
	}
	for _, list := range f.Resources {
		if list != nil && list.GroupVersion == gv.String() {
			return discovery.CompleteResourceList(list), nil
		}
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: gv.Group, Resource: "groupversions"}, gv.String())
}

// ServerGroupsAndResources returns every group and list; group-versions in
// Failures are reported in an *discovery.ErrGroupDiscoveryFailed.
func (f *FakeDiscovery) ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	f.record("ServerGroupsAndResources")
	return discovery.ServerGroupsAndResources(context.Background(), f)
}

// ServerPreferredResources returns each resource in its group's preferred
// version, as discovery.ServerPreferredResources does.
func (f *FakeDiscovery) ServerPreferredResources() ([]*metav1.APIResourceList, error) {
	f.record("ServerPreferredResources")
	return discovery.ServerPreferredResources(context.Background(), f)
}

// ServerPreferredNamespacedResources is ServerPreferredResources keeping
// only namespaced resources.
func (f *FakeDiscovery) ServerPreferredNamespacedResources() ([]*metav1.APIResourceList, error) {
	f.record("ServerPreferredNamespacedResources")
	return discovery.ServerPreferredNamespacedResources(context.Background(), f)
}

// ServerVersion returns a copy of FakedServerVersion, or an error wrapping
// ErrNotModeled when it is nil.
func (f *FakeDiscovery) ServerVersion() (*version.Info, error) {
	f.record("ServerVersion")
	if f.FakedServerVersion == nil {
		return nil, fmt.Errorf("fake discovery: ServerVersion without FakedServerVersion: %w", ErrNotModeled)
	}
	v := *f.FakedServerVersion
	return &v, nil
}

// OpenAPISchema returns OpenAPIV2, or an error wrapping ErrNotModeled when it
// is nil.
func (f *FakeDiscovery) OpenAPISchema() (*openapi_v2.Document, error) {
	f.record("OpenAPISchema")
	if f.OpenAPIV2 == nil {
		return nil, fmt.Errorf("fake discovery: OpenAPISchema without OpenAPIV2: %w", ErrNotModeled)
	}
	return f.OpenAPIV2, nil
}

// OpenAPIV3 returns a client whose Paths fails with an error wrapping
// ErrNotModeled.
func (f *FakeDiscovery) OpenAPIV3() discovery.OpenAPIV3Client {
	f.record("OpenAPIV3")
	return notModeledOpenAPIV3{}
}

type notModeledOpenAPIV3 struct{}

func (notModeledOpenAPIV3) Paths() (map[string]discovery.OpenAPIGroupVersion, error) {
	return nil, fmt.Errorf("fake discovery: OpenAPI v3: %w", ErrNotModeled)
}
