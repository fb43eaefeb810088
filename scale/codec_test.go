package scale

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// wantScale is what every flavour below decodes into.
func wantScale() *Scale {
	return &Scale{
		TypeMeta: metav1.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "web", Namespace: "ns", UID: types.UID("u-1"), ResourceVersion: "42",
			CreationTimestamp: metav1.NewTime(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC).Local()), // metav1.Time decodes into Local
		},
		Spec:   ScaleSpec{Replicas: 3},
		Status: ScaleStatus{Replicas: 2, Selector: "app=demo,tier=web"},
	}
}

const metaJSON = `"metadata":{"name":"web","namespace":"ns","uid":"u-1","resourceVersion":"42","creationTimestamp":"2024-05-06T07:08:09Z"}`

func TestDecodeScaleFlavours(t *testing.T) {
	cases := map[string]string{
		"autoscaling/v1": `{"apiVersion":"autoscaling/v1","kind":"Scale",` + metaJSON +
			`,"spec":{"replicas":3},"status":{"replicas":2,"selector":"app=demo,tier=web"}}`,
		"extensions/v1beta1": `{"apiVersion":"extensions/v1beta1","kind":"Scale",` + metaJSON +
			`,"spec":{"replicas":3},"status":{"replicas":2,"selector":{"app":"demo","tier":"web"},"targetSelector":"app=demo,tier=web"}}`,
		"apps/v1beta1": `{"apiVersion":"apps/v1beta1","kind":"Scale",` + metaJSON +
			`,"spec":{"replicas":3},"status":{"replicas":2,"selector":{"app":"demo","tier":"web"},"targetSelector":"app=demo,tier=web"}}`,
		"apps/v1beta2": `{"apiVersion":"apps/v1beta2","kind":"Scale",` + metaJSON +
			`,"spec":{"replicas":3},"status":{"replicas":2,"selector":{"app":"demo","tier":"web"},"targetSelector":"app=demo,tier=web"}}`,
		// Without targetSelector, the map is rendered with sorted keys.
		"apps/v1beta2 map only": `{"apiVersion":"apps/v1beta2","kind":"Scale",` + metaJSON +
			`,"spec":{"replicas":3},"status":{"replicas":2,"selector":{"tier":"web","app":"demo"}}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := decodeScale([]byte(body))
			require.NoError(t, err)
			assert.Equal(t, wantScale(), got)
		})
	}
}

func TestDecodeScalePrefersTargetSelector(t *testing.T) {
	// The map cannot hold set-based requirements; targetSelector can.
	body := `{"apiVersion":"extensions/v1beta1","kind":"Scale","metadata":{"name":"w"},"spec":{"replicas":1},
		"status":{"replicas":1,"selector":{"app":"demo"},"targetSelector":"app=demo,tier in (web)"}}`
	got, err := decodeScale([]byte(body))
	require.NoError(t, err)
	assert.Equal(t, "app=demo,tier in (web)", got.Status.Selector)
}

func TestDecodeScaleEmptySelector(t *testing.T) {
	for _, body := range []string{
		`{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"w"},"spec":{},"status":{"replicas":0}}`,
		`{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"w"},"status":{"replicas":0,"selector":null}}`,
		`{"apiVersion":"apps/v1beta1","kind":"Scale","metadata":{"name":"w"},"status":{"replicas":0,"selector":{}}}`,
		`{"apiVersion":"apps/v1beta1","kind":"Scale","metadata":{"name":"w"},"status":{"replicas":0,"selector":null}}`,
	} {
		got, err := decodeScale([]byte(body))
		require.NoError(t, err, body)
		assert.Equal(t, "", got.Status.Selector, body)
		assert.Equal(t, int32(0), got.Spec.Replicas, body)
		assert.Equal(t, "w", got.Name, body)
	}
}

func TestDecodeScaleErrors(t *testing.T) {
	cases := map[string]struct {
		body        string
		unsupported bool
	}{
		"not json":           {body: `<html>`},
		"truncated":          {body: `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{`},
		"string where map":   {body: `{"apiVersion":"apps/v1beta2","kind":"Scale","status":{"selector":"app=demo"}}`},
		"map where string":   {body: `{"apiVersion":"autoscaling/v1","kind":"Scale","status":{"selector":{"app":"demo"}}}`},
		"replicas as string": {body: `{"apiVersion":"autoscaling/v1","kind":"Scale","spec":{"replicas":"3"}}`},
		"bad apiVersion":     {body: `{"apiVersion":"a/b/c","kind":"Scale"}`},
		"unknown version":    {body: `{"apiVersion":"autoscaling/v2","kind":"Scale"}`, unsupported: true},
		"other kind":         {body: `{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler"}`, unsupported: true},
		"no type meta":       {body: `{"spec":{"replicas":1}}`, unsupported: true},
		// Field names are case-sensitive, as on the server: "Kind" is not "kind".
		"wrong case": {body: `{"apiVersion":"autoscaling/v1","Kind":"Scale"}`, unsupported: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := decodeScale([]byte(tc.body))
			require.Error(t, err)
			var uk *UnsupportedScaleKindError
			assert.Equal(t, tc.unsupported, errors.As(err, &uk), "%v", err)
		})
	}
}

func TestEncodeScaleFlavours(t *testing.T) {
	s := wantScale()
	cases := []struct {
		gvk  schema.GroupVersionKind
		want string
	}{
		{
			gvk: schema.GroupVersionKind{Group: "autoscaling", Version: "v1", Kind: "Scale"},
			want: `{"apiVersion":"autoscaling/v1","kind":"Scale",` + metaJSON +
				`,"spec":{"replicas":3},"status":{"replicas":2,"selector":"app=demo,tier=web"}}`,
		},
		{
			gvk: schema.GroupVersionKind{Group: "extensions", Version: "v1beta1", Kind: "Scale"},
			want: `{"apiVersion":"extensions/v1beta1","kind":"Scale",` + metaJSON +
				`,"spec":{"replicas":3},"status":{"replicas":2,"selector":{"app":"demo","tier":"web"},"targetSelector":"app=demo,tier=web"}}`,
		},
		{
			gvk: schema.GroupVersionKind{Group: "apps", Version: "v1beta1", Kind: "Scale"},
			want: `{"apiVersion":"apps/v1beta1","kind":"Scale",` + metaJSON +
				`,"spec":{"replicas":3},"status":{"replicas":2,"selector":{"app":"demo","tier":"web"},"targetSelector":"app=demo,tier=web"}}`,
		},
		{
			gvk: schema.GroupVersionKind{Group: "apps", Version: "v1beta2", Kind: "Scale"},
			want: `{"apiVersion":"apps/v1beta2","kind":"Scale",` + metaJSON +
				`,"spec":{"replicas":3},"status":{"replicas":2,"selector":{"app":"demo","tier":"web"},"targetSelector":"app=demo,tier=web"}}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.gvk.GroupVersion().String(), func(t *testing.T) {
			data, err := encodeScale(s, tc.gvk)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(data))
			// What is written reads back as what was given.
			back, err := decodeScale(data)
			require.NoError(t, err)
			assert.Equal(t, s, back)
		})
	}
}

func TestEncodeScaleZeroReplicasIsSent(t *testing.T) {
	data, err := encodeScale(&Scale{ObjectMeta: metav1.ObjectMeta{Name: "w"}}, SchemeGroupVersion.WithKind("Scale"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	assert.Equal(t, map[string]any{"replicas": float64(0)}, m["spec"])
	assert.NotContains(t, m["status"], "selector")
}

func TestEncodeScaleSetBasedSelectorInOldFlavour(t *testing.T) {
	s := &Scale{ObjectMeta: metav1.ObjectMeta{Name: "w"}, Status: ScaleStatus{Selector: "app=demo,tier in (web)"}}
	data, err := encodeScale(s, schema.GroupVersionKind{Group: "apps", Version: "v1beta2", Kind: "Scale"})
	require.NoError(t, err)
	var m struct {
		Status map[string]any `json:"status"`
	}
	require.NoError(t, json.Unmarshal(data, &m))
	assert.NotContains(t, m.Status, "selector", "a map cannot hold a set-based requirement")
	assert.Equal(t, "app=demo,tier in (web)", m.Status["targetSelector"])
}

func TestEncodeScaleUnsupported(t *testing.T) {
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "autoscaling", Version: "v2", Kind: "Scale"},
		{Group: "autoscaling", Version: "v1", Kind: ""},
		{Group: "example.com", Version: "v1", Kind: "Scale"},
	} {
		_, err := encodeScale(wantScale(), gvk)
		var uk *UnsupportedScaleKindError
		require.ErrorAs(t, err, &uk, "%v", gvk)
		assert.Equal(t, gvk, uk.Kind)
		assert.Contains(t, err.Error(), gvk.GroupVersion().String())
	}
}
