package restmappertest

import (
	"strings"
	"testing"
)

// TestGroupResourcesShaped checks that a shape gets the group-versions
// asked for, laid out as it says.
func TestGroupResourcesShaped(t *testing.T) {
	shape := Shape{Versions: 1, MinKinds: 1, MaxKinds: 2, NoSubresources: true}
	groups := GroupResourcesShaped(2000, shape)
	gvs, custom := 0, 0
	for _, g := range groups {
		gvs += len(g.Group.Versions)
		if !strings.HasSuffix(g.Group.Name, ".example.com") {
			continue
		}
		custom++
		if len(g.Group.Versions) != 1 {
			t.Errorf("%s serves %d versions, want 1", g.Group.Name, len(g.Group.Versions))
		}
		rs := g.VersionedResources["v1"]
		if len(rs) < 1 || len(rs) > 2 {
			t.Errorf("%s v1 has %d resources, want 1 or 2", g.Group.Name, len(rs))
		}
		for _, r := range rs {
			if strings.Contains(r.Name, "/") {
				t.Errorf("%s v1 has subresource %s", g.Group.Name, r.Name)
			}
		}
	}
	if gvs != 2000 {
		t.Errorf("%d group-versions, want 2000", gvs)
	}
	if want := 2000 - BuiltinGroupVersions(); custom != want {
		t.Errorf("%d CRD-like groups, want %d", custom, want)
	}
}

// TestGroupResourcesShapedZero checks that the zero Shape is
// GroupResources' layout.
func TestGroupResourcesShapedZero(t *testing.T) {
	a, b := GroupResources(300), GroupResourcesShaped(300, Shape{})
	if len(a) != len(b) {
		t.Fatalf("%d groups, want %d", len(b), len(a))
	}
	for i := range a {
		if a[i].Group.Name != b[i].Group.Name || len(a[i].VersionedResources) != len(b[i].VersionedResources) {
			t.Fatalf("group %d is %s, want %s", i, b[i].Group.Name, a[i].Group.Name)
		}
	}
}
