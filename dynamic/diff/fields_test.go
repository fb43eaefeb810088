package diff

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	au "github.com/anykube/anykube/unstructured"
)

func TestFields(t *testing.T) {
	container := func(name, image string) map[string]any { return map[string]any{"name": name, "image": image} }
	for _, tc := range []struct {
		name         string
		live, merged map[string]any
		want         []FieldChange
	}{
		{"equal", map[string]any{"a": int64(1)}, map[string]any{"a": float64(1)}, nil},
		{"scalar", map[string]any{"spec": map[string]any{"replicas": int64(2)}}, map[string]any{"spec": map[string]any{"replicas": int64(3)}},
			[]FieldChange{{Path: "spec.replicas", Old: int64(2), New: int64(3)}}},
		{"added and removed keys",
			map[string]any{"metadata": map[string]any{"labels": map[string]any{"app.kubernetes.io/name": "web", "gone": "x"}}},
			map[string]any{"metadata": map[string]any{"labels": map[string]any{"app.kubernetes.io/name": "web", "tier": "front"}}},
			[]FieldChange{{Path: "metadata.labels.gone", Old: "x"}, {Path: "metadata.labels.tier", New: "front"}}},
		{"a whole map added is one change",
			map[string]any{"data": nil}, map[string]any{"data": map[string]any{"k": "v"}},
			[]FieldChange{{Path: "data", New: map[string]any{"k": "v"}}}},
		{"named list items by name",
			map[string]any{"containers": []any{container("web", "nginx:1"), container("log", "fluent:1")}},
			map[string]any{"containers": []any{container("init", "busybox"), container("web", "nginx:2"), container("log", "fluent:1")}},
			[]FieldChange{{Path: "containers[name=init]", New: container("init", "busybox")}, {Path: "containers[name=web].image", Old: "nginx:1", New: "nginx:2"}}},
		{"other lists by index",
			map[string]any{"args": []any{"a", "b"}}, map[string]any{"args": []any{"a", "c", "d"}},
			[]FieldChange{{Path: "args[1]", Old: "b", New: "c"}, {Path: "args[2]", New: "d"}}},
		{"type change", map[string]any{"x": "1"}, map[string]any{"x": map[string]any{"y": true}},
			[]FieldChange{{Path: "x", Old: "1", New: map[string]any{"y": true}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Fields(tc.live, tc.merged)
			assert.Equal(t, tc.want, got)
			for _, f := range got {
				_, err := au.ParsePath(f.Path)
				require.NoError(t, err, "every path parses: %q", f.Path)
			}
		})
	}
}
