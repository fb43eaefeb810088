package disk

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// checkSnapshotLikeJSON decodes data with decodeSnapshot and with
// encoding/json and fails unless both give deeply equal documents, or both
// fail with the same message. It reports whether the fast path took it.
func checkSnapshotLikeJSON(t testing.TB, data []byte) (fast bool) {
	t.Helper()
	var want snapshotDoc
	wantErr := json.Unmarshal(data, &want)
	var got snapshotDoc
	gotErr := decodeSnapshot(data, &got)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("errors differ on %q: got %v, want %v", data, gotErr, wantErr)
	}
	if wantErr != nil {
		if gotErr.Error() != wantErr.Error() {
			t.Fatalf("error messages differ on %q: got %v, want %v", data, gotErr, wantErr)
		}
		return false
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("results differ on %q:\ngot  %#v\nwant %#v", data, got, want)
	}
	d := new(snapDecoder)
	var only snapshotDoc
	fast = d.decode(data, &only)
	if fast && !reflect.DeepEqual(only, want) {
		t.Fatalf("fast path differs on %q:\ngot  %#v\nwant %#v", data, only, want)
	}
	return fast
}

func snapshotOf(t testing.TB, groups *metav1.APIGroupList, lists []*metav1.APIResourceList) []byte {
	data, err := json.Marshal(&snapshotDoc{
		Kind:      snapshotKind,
		ETags:     discovery.ETags{API: `"a"`, APIs: `"b"`},
		Groups:    groups,
		Resources: lists,
		Stale:     []string{"g.example.com/v2"},
	})
	require.NoError(t, err)
	return data
}

// TestDecodeSnapshotGenerated checks snapshots of generated servers take
// the fast path and decode as encoding/json decodes them.
func TestDecodeSnapshotGenerated(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 20, Versions: 2, Resources: 4})
	lists := make([]*metav1.APIResourceList, 0, len(api.Resources))
	for _, l := range api.Resources {
		lists = append(lists, l)
	}
	groups := api.Groups
	groups.Groups = append([]metav1.APIGroup{{Name: "", Versions: []metav1.GroupVersionForDiscovery{{GroupVersion: "v1", Version: "v1"}},
		ServerAddressByClientCIDRs: []metav1.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: "10.0.0.1:6443"}}}}, groups.Groups...)
	rmGroups, rmLists := restmappertest.Discovery(restmappertest.GroupResources(300))
	for name, data := range map[string][]byte{
		"discoverytest":   snapshotOf(t, &groups, lists),
		"restmappertest":  snapshotOf(t, rmGroups, rmLists),
		"no groups":       snapshotOf(t, nil, nil),
		"empty resources": snapshotOf(t, &metav1.APIGroupList{}, []*metav1.APIResourceList{}),
	} {
		require.True(t, checkSnapshotLikeJSON(t, data), "%s: the fast path gave up on a snapshot anykube writes", name)
	}
}

var snapshotEdgeCases = []string{
	`{}`, `null`, ``, `[]`, `{"kind":1}`,
	`{"kind":"AnykubeDiscoverySnapshot/v1","etags":null,"groups":null,"resources":null,"stale":null}`,
	`{"etags":{"api":"x","other":1},"groups":{"groups":[null,{"name":"g","versions":[null],"preferredVersion":null,"serverAddressByClientCIDRs":null}]}}`,
	`{"resources":[null,{"groupVersion":"v1","resources":[null,{"name":"pods","namespaced":true,"verbs":["get"],"shortNames":[],"categories":null,"storageVersionHash":"h"}]}]}`,
	`{"resources":[{"resources":[{"name":"a","verbs":["get","list"]},{"name":"b","verbs":["get","list"]}]}]}`,
	`{"resources":[{"resources":[{"namespaced":null}]}]}`,
	`{"resources":[{"resources":[{"namespaced":"true"}]}]}`,
	`{"resources":[{"resources":[{"namespaced":1}]}]}`,
	`{"Kind":"x"}`,
	`{"KIND":"x","kind":"y"}`,
	`{"kind":"x","kind":"y"}`,
	`{"groups":{"groups":[{"name":"a"}]},"groups":{"kind":"k"}}`,
	`{"resources":[{"resources":[{"Name":"a"}]}]}`,
	`{"resources":[{"resources":[{"verbs":["a"],"Verbs":["b"]}]}]}`,
	`{"ſtale":["x"]}`,
	"{\"\u212aind\":\"x\"}",
	`{"kind":"a\u00e9"}`,
	`{"stale":["a",1]}`,
	`{"unknown":{"deep":[1,2,{"x":null}]},"kind":"k"}`,
	`{} x`,
	`{"kind":"k",}`,
	`{"x":` + strings.Repeat(`[`, 2000) + strings.Repeat(`]`, 2000) + `}`,
}

func TestDecodeSnapshotEdgeCases(t *testing.T) {
	for _, c := range snapshotEdgeCases {
		checkSnapshotLikeJSON(t, []byte(c))
	}
}

// FuzzDecodeSnapshot compares decodeSnapshot with encoding/json.
func FuzzDecodeSnapshot(f *testing.F) {
	for _, c := range snapshotEdgeCases {
		f.Add([]byte(c))
	}
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2, Versions: 2, Resources: 2})
	lists := make([]*metav1.APIResourceList, 0, len(api.Resources))
	for _, l := range api.Resources {
		lists = append(lists, l)
	}
	f.Add(snapshotOf(f, &api.Groups, lists))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSnapshotLikeJSON(t, data)
	})
}
