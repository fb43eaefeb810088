package restmapper

import (
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestDiscoveredOrderIsPriorityOrder checks that the deferred mapper's
// shortcut from discovery results to the index's input gives what pairing
// them up first gives, on the odd shapes a server or a wrapper may return.
func TestDiscoveredOrderIsPriorityOrder(t *testing.T) {
	res := func(name string) []metav1.APIResource {
		return []metav1.APIResource{{Name: name, Kind: "K" + name}}
	}
	list := func(gv, name string) *metav1.APIResourceList {
		return &metav1.APIResourceList{GroupVersion: gv, APIResources: res(name)}
	}
	gvd := func(gv, v string) metav1.GroupVersionForDiscovery {
		return metav1.GroupVersionForDiscovery{GroupVersion: gv, Version: v}
	}
	groups := []*metav1.APIGroup{
		{Name: "a", Versions: []metav1.GroupVersionForDiscovery{gvd("a/v1", "v1"), gvd("a/v2", "v2")}, PreferredVersion: gvd("a/v2", "v2")},
		nil,
		// The core group after another, without GroupVersion strings.
		{Name: "", Versions: []metav1.GroupVersionForDiscovery{gvd("", "v1")}, PreferredVersion: gvd("", "v1")},
		// A preferred version that is not listed, and one without a list.
		{Name: "b", Versions: []metav1.GroupVersionForDiscovery{gvd("b/v1", "v1"), gvd("b/v3", "v3")}, PreferredVersion: gvd("b/v9", "v9")},
		// A version listed twice, under two GroupVersion strings.
		{Name: "c", Versions: []metav1.GroupVersionForDiscovery{gvd("c/v1", "v1"), gvd("c/v1x", "v1")}, PreferredVersion: gvd("c/v1", "v1")},
		// A group listed twice.
		{Name: "a", Versions: []metav1.GroupVersionForDiscovery{gvd("a/v3", "v3")}, PreferredVersion: gvd("a/v3", "v3")},
		// A group without versions, and one with an empty version.
		{Name: "d"},
		{Name: "e", Versions: []metav1.GroupVersionForDiscovery{gvd("e/", "")}},
	}
	lists := []*metav1.APIResourceList{
		list("a/v1", "a1"), list("a/v2", "a2"), list("v1", "pods"), nil,
		list("b/v1", "b1"), list("c/v1", "c1"), list("c/v1x", "c1x"), list("a/v3", "a3"),
		list("a/v1", "a1again"), list("e/", "e0"), list("z/v1", "orphan"),
	}
	want := priorityOrder(groupResources(groups, lists, nil))
	got := discoveredOrder(groups, lists)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("discoveredOrder:\n%v\nwant priorityOrder(groupResources(...)):\n%v", got, want)
	}
	if len(want) < 5 {
		t.Errorf("only %d group-versions ordered: the cases above test little", len(want))
	}
}
