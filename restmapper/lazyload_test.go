package restmapper_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/fake"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// aggregatedFake answers GroupsAndMaybeResources from memory, as an
// aggregated server would, without HTTP: what remains is the mapper's own
// cost.
type aggregatedFake struct {
	*fake.FakeDiscovery
	list      *metav1.APIGroupList
	resources map[schema.GroupVersion]*metav1.APIResourceList
}

func newAggregatedFake(groups []*restmapper.APIGroupResources) *aggregatedFake {
	list, lists := restmappertest.Discovery(groups)
	f := &aggregatedFake{FakeDiscovery: &fake.FakeDiscovery{Resources: lists}, list: list, resources: map[schema.GroupVersion]*metav1.APIResourceList{}}
	for _, l := range lists {
		gv, _ := schema.ParseGroupVersion(l.GroupVersion)
		f.resources[gv] = l
	}
	return f
}

func (f *aggregatedFake) WithContext(context.Context) discovery.DiscoveryInterface { return f }

func (f *aggregatedFake) GroupsAndMaybeResources() (*metav1.APIGroupList, map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error, error) {
	return f.list, f.resources, map[schema.GroupVersion]error{}, nil
}

// oneByOne is n CRD-like groups and the kind of each.
func oneByOne(n int) ([]*restmapper.APIGroupResources, []schema.GroupKind) {
	groups := restmappertest.Builtin()
	var kinds []schema.GroupKind
	for i := range n {
		name := fmt.Sprintf("g%05d.example.com", i)
		groups = append(groups, crdGroup(name, []string{"Thing"}, "v1"))
		kinds = append(kinds, schema.GroupKind{Group: name, Kind: "Thing"})
	}
	return groups, kinds
}

// mapEach maps every kind with a new lazy mapper over d, one group at a
// time.
func mapEach(tb testing.TB, d discovery.DiscoveryInterface, kinds []schema.GroupKind) {
	m := restmapper.NewLazyRESTMapper(d, restmapper.LazyOptions{})
	for _, gk := range kinds {
		if _, err := m.RESTMapping(gk); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestLazyLoadingGroupsOneByOneIsLinear(t *testing.T) {
	allocs := map[int]float64{}
	for _, n := range []int{100, 1000} {
		groups, kinds := oneByOne(n)
		d := newAggregatedFake(groups)
		allocs[n] = testing.AllocsPerRun(3, func() { mapEach(t, d, kinds) })
	}
	// Ten times the groups: about ten times the allocations, where
	// rebuilding the whole index per load would cost a hundred.
	assert.Less(t, allocs[1000], 12*allocs[100], "allocations: %v", allocs)
}

func TestLazyStaleMissIsRemembered(t *testing.T) {
	groups := append(restmappertest.Builtin(), crdGroup("x.example.com", []string{"Widget"}, "v1", "v2"))
	e := newLazyEnvAPI(t, restmappertest.API(groups, schema.GroupVersion{Group: "x.example.com", Version: "v2"}))
	widget := schema.GroupKind{Group: "x.example.com", Kind: "Widget"}
	_, err := e.mapper.RESTMapping(widget)
	require.NoError(t, err)
	e.requests()
	for range 100 {
		_, err = e.mapper.RESTMapping(widget, "v2")
		var failed *discovery.ErrGroupDiscoveryFailed
		require.ErrorAs(t, err, &failed)
	}
	assert.Equal(t, 1, e.requests(), "one revalidation, then the miss is remembered")
}

func BenchmarkLazyLoadGroupsOneByOne(b *testing.B) {
	for _, n := range []int{250, 500, 1000} {
		groups, kinds := oneByOne(n)
		d := newAggregatedFake(groups)
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mapEach(b, d, kinds)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/group")
		})
	}
}
