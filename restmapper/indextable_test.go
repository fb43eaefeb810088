package restmapper

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestIndexTablesGrow checks that the index finds every name and kind when
// the builder's estimates are short, and its tables grow while it is built:
// many resources of one kind (names are estimated by kinds), and versions
// of one group serving different kinds (kinds are estimated by a group's
// largest version).
func TestIndexTablesGrow(t *testing.T) {
	var same []metav1.APIResource
	for i := range 50 {
		same = append(same, metav1.APIResource{Name: fmt.Sprintf("r%02ds", i), Kind: "Same", Namespaced: true})
	}
	versions := map[string][]metav1.APIResource{}
	var gvds []metav1.GroupVersionForDiscovery
	for v := range 20 {
		version := fmt.Sprintf("v%d", v+1)
		versions[version] = []metav1.APIResource{{Name: fmt.Sprintf("k%02ds", v), Kind: fmt.Sprintf("K%02d", v)}}
		gvds = append(gvds, metav1.GroupVersionForDiscovery{GroupVersion: "many.example.com/" + version, Version: version})
	}
	ix := newIndex([]*APIGroupResources{{
		Group:              metav1.APIGroup{Name: "one.example.com", Versions: []metav1.GroupVersionForDiscovery{{GroupVersion: "one.example.com/v1", Version: "v1"}}, PreferredVersion: metav1.GroupVersionForDiscovery{Version: "v1"}},
		VersionedResources: map[string][]metav1.APIResource{"v1": same},
	}})
	for _, r := range same {
		if _, ok := ix.names.find(ix.strs, r.Name); !ok {
			t.Errorf("name %s not found", r.Name)
		}
	}
	if n := len(ix.kindList(schema.GroupKind{Group: "one.example.com", Kind: "Same"})); n != 1 {
		t.Errorf("kind Same has %d entries, want 1", n)
	}
	ix = newIndex([]*APIGroupResources{{
		Group:              metav1.APIGroup{Name: "many.example.com", Versions: gvds, PreferredVersion: gvds[0]},
		VersionedResources: versions,
	}})
	for v := range 20 {
		for _, kind := range []string{fmt.Sprintf("K%02d", v), fmt.Sprintf("k%02d", v), fmt.Sprintf("K%02dList", v)} {
			if n := len(ix.kindList(schema.GroupKind{Group: "many.example.com", Kind: kind})); n != 1 {
				t.Errorf("kind %s has %d entries, want 1", kind, n)
			}
		}
		name := fmt.Sprintf("k%02ds", v)
		if _, ok := ix.names.findBytes(ix.strs, []byte(name)); !ok {
			t.Errorf("name %s not found by its bytes", name)
		}
	}
	if n := len(ix.kindList(schema.GroupKind{Group: "many.example.com", Kind: "List"})); n != 20 {
		t.Errorf("kind List has %d entries in many.example.com, want 20", n)
	}
	if _, ok := ix.names.find(ix.strs, "nothing"); ok {
		t.Errorf("a name never indexed was found")
	}
}
