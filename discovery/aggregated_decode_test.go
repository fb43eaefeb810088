package discovery_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// checkSameAsReflective decodes data with the fast decoder and with
// sigs.k8s.io/json and fails unless both give deeply equal lists, or both
// fail with the same message.
func checkSameAsReflective(t testing.TB, data []byte) {
	t.Helper()
	var want discovery.APIGroupDiscoveryList
	wantErr := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &want)
	var got discovery.APIGroupDiscoveryList
	gotErr := discovery.DecodeAggregated(data, &got)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("errors differ on %q: got %v, want %v", data, gotErr, wantErr)
	}
	if wantErr != nil {
		if gotErr.Error() != wantErr.Error() {
			t.Fatalf("error messages differ on %q: got %v, want %v", data, gotErr, wantErr)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("results differ on %q:\ngot  %#v\nwant %#v", data, got, want)
	}
	// The fast path alone must never disagree where it accepts.
	if fast, ok := discovery.FastDecodeAggregated(data); ok && !reflect.DeepEqual(fast, want) {
		t.Fatalf("fast path differs on %q:\ngot  %#v\nwant %#v", data, fast, want)
	}
}

func generatedDocuments(t testing.TB) map[string][]byte {
	docs := map[string][]byte{}
	add := func(name string, v any) {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		docs[name] = b
	}
	api := discoverytest.Generate(discoverytest.Spec{
		Groups: 20, Versions: 2, Resources: 4,
		Stale: []schema.GroupVersion{{Group: "g003.example.com", Version: "v2"}},
	})
	add("discoverytest/apis", api.Aggregated)
	add("discoverytest/api", api.Core)
	rm := restmappertest.API(restmappertest.GroupResources(300))
	add("restmappertest/apis", rm.Aggregated)
	add("restmappertest/api", rm.Core)
	return docs
}

// TestDecodeAggregatedGenerated checks the generated documents take the fast
// path and decode as sigs.k8s.io/json decodes them, compact and indented.
func TestDecodeAggregatedGenerated(t *testing.T) {
	for name, doc := range generatedDocuments(t) {
		t.Run(name, func(t *testing.T) {
			var indented strings.Builder
			enc := json.NewEncoder(&indented)
			enc.SetIndent("", "\t")
			var v any
			require.NoError(t, json.Unmarshal(doc, &v))
			require.NoError(t, enc.Encode(v))
			for _, data := range [][]byte{doc, []byte(indented.String())} {
				_, ok := discovery.FastDecodeAggregated(data)
				require.True(t, ok, "the fast path gave up on a generated document")
				checkSameAsReflective(t, data)
			}
		})
	}
}

// TestDecodeAggregatedSharesLists checks equal verb lists share one array.
func TestDecodeAggregatedSharesLists(t *testing.T) {
	doc := `{"items":[{"metadata":{"name":"g"},"versions":[{"version":"v1","resources":[
		{"resource":"a","verbs":["get","list"]},{"resource":"b","verbs":["get","list"]}]}]}]}`
	var list discovery.APIGroupDiscoveryList
	require.NoError(t, discovery.DecodeAggregated([]byte(doc), &list))
	rs := list.Items[0].Versions[0].Resources
	require.Equal(t, []string{"get", "list"}, rs[0].Verbs)
	require.Same(t, &rs[0].Verbs[0], &rs[1].Verbs[0])
}

// aggregatedEdgeCases are documents at the edges of what the fast path
// handles; each must decode as sigs.k8s.io/json decodes it.
var aggregatedEdgeCases = []string{
	`{}`,
	`null`,
	``,
	`   `,
	`[]`,
	`"x"`,
	`{"items":null}`,
	`{"items":[]}`,
	`{"items":[null]}`,
	`{"items":[{}]}`,
	`{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{}}`,
	`{"metadata":null,"kind":null}`,
	`{"metadata":{"resourceVersion":"1","continue":"c","selfLink":"/s","remainingItemCount":null,"x":[1,2]}}`,
	`{"metadata":{"remainingItemCount":3}}`,
	`{"metadata":{"remainingItemCount":"3"}}`,
	`{"items":[{"metadata":{"name":"apps","creationTimestamp":null},"versions":[{"version":"v1","freshness":"Current"}]}]}`,
	`{"items":[{"metadata":{"name":"apps","labels":{"a":"b"}}}]}`,
	`{"items":[{"metadata":{"name":"apps","creationTimestamp":"2020-01-01T00:00:00Z"}}]}`,
	`{"items":[{"metadata":{"name":"apps","creationTimestamp":"garbage"}}]}`,
	`{"items":[{"metadata":{"name":1}}]}`,
	`{"items":[{"versions":[null,{"version":"v1","resources":[null,{"resource":"r","responseKind":null,"verbs":null,"shortNames":[],"categories":["all"],"subresources":[null,{"subresource":"s","acceptedTypes":[null,{"kind":"K"}],"verbs":[]}]}]}]}]}`,
	`{"items":[{"versions":[{"resources":[{"resource":"r","responseKind":{"group":"","version":"v1","kind":"K","extra":{"a":[true,false,null,-1.5e+3]}}}]}]}]}`,
	`{"items":[{"versions":[{"resources":[{"resource":"r","verbs":["get",null,"list"]}]}]}]}`,
	`{"items":[{"versions":[{"resources":[{"resource":"r","verbs":["get",1]}]}]}]}`,
	`{"items":[{"versions":[{"resources":[{"resource":"r","verbs":"get"}]}]}]}`,
	`{"items":[{"versions":[{"resources":[{"resource":"r","scope":"Namespaced","scope":"Cluster"}]}]}]}`,
	`{"items":[{"versions":[{"resources":[{"resource":"r","verbs":["a","b"],"verbs":["c"]}]}]}]}`,
	`{"items":[{"versions":[{"version":"v1"}]}],"items":[{"versions":[{"freshness":"Stale"}]}]}`,
	`{"items":[{"metadata":{"name":"caf\u00e9"}}]}`,
	`{"items":[{"metadata":{"name":"café"}}]}`,
	"{\"items\":[{\"metadata\":{\"name\":\"a\xffb\"}}]}",
	"{\"items\":[{\"metadata\":{\"name\":\"a\x01b\"}}]}",
	`{"items":[{"metadata":{"name":"a\"b"}}]}`,
	`{"items":[{"metadata":{"na\u006de":"x"}}]}`,
	`{"Items":[{}],"KIND":"x"}`,
	`{"x":"\ud800","y":"\q"}`,
	`{"x":01}`,
	`{"x":1.}`,
	`{"x":-}`,
	`{"x":1e}`,
	`{"x":tru}`,
	`{"x":nul}`,
	`{"items":[]} x`,
	`{"items":[]}` + "\n\t ",
	`{"items":[],}`,
	`{"items":[{},]}`,
	`{"items":[{}`,
	`{"items"`,
	`{"items":[{"versions":[{"resources":[{"resource":"r","subresources":[{"subresource":"s","responseKind":{"kind":"Scale","group":"autoscaling","version":"v1"}}]}]}]}]}`,
	`{"x":` + strings.Repeat(`[`, 2000) + strings.Repeat(`]`, 2000) + `}`,
	`{"x":` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `}`,
}

func TestDecodeAggregatedEdgeCases(t *testing.T) {
	for _, doc := range aggregatedEdgeCases {
		checkSameAsReflective(t, []byte(doc))
	}
}

// FuzzDecodeAggregated compares the fast decoder with sigs.k8s.io/json.
func FuzzDecodeAggregated(f *testing.F) {
	for _, doc := range aggregatedEdgeCases {
		f.Add([]byte(doc))
	}
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2, Versions: 2, Resources: 2})
	for _, v := range []any{api.Aggregated, api.Core} {
		b, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSameAsReflective(t, data)
	})
}
