package unstructured

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func deployment() *apiu.Unstructured {
	return &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata": map[string]any{
			"name":        "web",
			"labels":      map[string]any{"app": "web"},
			"annotations": map[string]any{"example.com/x.y": "dotted", "count": int64(3)},
		},
		"spec": map[string]any{
			"replicas": int64(3),
			"paused":   false,
			"ratio":    0.5,
			"whole":    float64(7),
			"nothing":  nil,
			"template": map[string]any{
				"spec": map[string]any{
					"containers": []any{
						map[string]any{"name": "web", "image": "web:1", "ports": []any{map[string]any{"containerPort": int64(8080)}}},
						map[string]any{"name": "sidecar", "image": "side:2", "args": []any{"a", "b"}},
					},
				},
			},
		},
	}}
}

func fieldErr(t *testing.T, err error) *FieldError {
	t.Helper()
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	return fe
}

func TestTypedGetters(t *testing.T) {
	u := deployment()
	s, err := GetString(u, "spec.template.spec.containers[1].image")
	require.NoError(t, err)
	assert.Equal(t, "side:2", s)

	n, err := GetInt64(u, "spec.replicas")
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)

	n, err = GetInt64(u, "spec.whole")
	require.NoError(t, err, "an integral float reads as an integer")
	assert.Equal(t, int64(7), n)

	b, err := GetBool(u, "spec.paused")
	require.NoError(t, err)
	assert.False(t, b)

	f, err := GetFloat64(u, "spec.ratio")
	require.NoError(t, err)
	assert.Equal(t, 0.5, f)
	f, err = GetFloat64(u, "spec.replicas")
	require.NoError(t, err, "an integer reads as a float")
	assert.Equal(t, 3.0, f)

	m, err := GetMap(u, "metadata.labels")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"app": "web"}, m)

	l, err := GetSlice(u, "spec.template.spec.containers")
	require.NoError(t, err)
	assert.Len(t, l, 2)

	args, err := GetStringSlice(u, "spec.template.spec.containers[name=sidecar].args")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, args)

	port, err := Get[int](u, "spec.template.spec.containers[0].ports[0].containerPort")
	require.NoError(t, err)
	assert.Equal(t, 8080, port)
	port32, err := Get[int32](u.Object, "spec.template.spec.containers[-2].ports[-1].containerPort")
	require.NoError(t, err)
	assert.Equal(t, int32(8080), port32)

	dotted, err := GetString(u, `metadata.annotations["example.com/x.y"]`)
	require.NoError(t, err)
	assert.Equal(t, "dotted", dotted)

	whole, err := Get[map[string]any](u, "")
	require.NoError(t, err)
	assert.Equal(t, "Deployment", whole["kind"])

	// A selector matches a number by its JSON text.
	sel, err := GetInt64(u, "spec.template.spec.containers[0].ports[containerPort=8080].containerPort")
	require.NoError(t, err)
	assert.Equal(t, int64(8080), sel)
	_, err = GetInt64(u, "spec.template.spec.containers[0].ports[containerPort=80].containerPort")
	assert.ErrorIs(t, err, ErrFieldNotFound)
}

func TestGetErrorsSayWhy(t *testing.T) {
	u := deployment()
	cases := []struct {
		path     string
		get      func(string) error
		at       string
		want     string
		found    string
		notFound bool
		msg      string
	}{
		{path: "spec.replicas", get: func(p string) error { _, err := GetString(u, p); return err },
			at: "spec.replicas", want: "string", found: "int64",
			msg: `field "spec.replicas": want string, found int64`},
		{path: "spec.missing", get: func(p string) error { _, err := GetString(u, p); return err },
			at: "spec.missing", found: "missing", notFound: true,
			msg: `field "spec.missing" not found`},
		{path: "spec.strategy.type", get: func(p string) error { _, err := GetString(u, p); return err },
			at: "spec.strategy", found: "missing", notFound: true,
			msg: `field "spec.strategy.type" not found: spec.strategy is missing`},
		{path: "spec.replicas.value", get: func(p string) error { _, err := GetInt64(u, p); return err },
			at: "spec.replicas", want: "map", found: "int64",
			msg: `field "spec.replicas.value": spec.replicas is int64, want map`},
		{path: "spec.template[0]", get: func(p string) error { _, err := GetValue(u, p); return err },
			at: "spec.template", want: "list", found: "map",
			msg: `field "spec.template[0]": spec.template is map, want list`},
		{path: "spec.template.spec.containers[5].image", get: func(p string) error { _, err := GetString(u, p); return err },
			at: "spec.template.spec.containers[5]", found: "missing", notFound: true,
			msg: `field "spec.template.spec.containers[5].image" not found: spec.template.spec.containers[5] is missing (the list has 2 items)`},
		{path: "spec.template.spec.containers[name=db].image", get: func(p string) error { _, err := GetString(u, p); return err },
			at: "spec.template.spec.containers[name=db]", found: "missing", notFound: true,
			msg: `field "spec.template.spec.containers[name=db].image" not found: spec.template.spec.containers[name=db] is missing (none of 2 items has name=db)`},
		{path: "spec.nothing", get: func(p string) error { _, err := GetMap(u, p); return err },
			at: "spec.nothing", want: "map", found: "null", notFound: true,
			msg: `field "spec.nothing": want map, found null`},
		{path: "spec.nothing.deeper", get: func(p string) error { _, err := GetMap(u, p); return err },
			at: "spec.nothing", want: "map", found: "null", notFound: true,
			msg: `field "spec.nothing.deeper": spec.nothing is null, want map`},
		{path: "spec.ratio", get: func(p string) error { _, err := GetInt64(u, p); return err },
			at: "spec.ratio", want: "int64", found: "float64",
			msg: `field "spec.ratio": want int64, found float64`},
		{path: "metadata.annotations", get: func(p string) error { _, err := GetStringMap(u, p); return err },
			at: "metadata.annotations.count", want: "string", found: "int64",
			msg: `field "metadata.annotations": metadata.annotations.count is int64, want string`},
		{path: "spec.template.spec.containers[0].ports", get: func(p string) error { _, err := GetStringSlice(u, p); return err },
			at: "spec.template.spec.containers[0].ports[0]", want: "string", found: "map",
			msg: `field "spec.template.spec.containers[0].ports": spec.template.spec.containers[0].ports[0] is map, want string`},
		{path: "spec.replicas", get: func(p string) error { _, err := Get[uint8](u, p); return err },
			at: "spec.replicas", want: "uint8", found: "int64",
			msg: `field "spec.replicas": want uint8, found int64`},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			err := tc.get(tc.path)
			fe := fieldErr(t, err)
			assert.Equal(t, tc.path, fe.Path)
			assert.Equal(t, tc.at, fe.At)
			assert.Equal(t, tc.want, fe.Want)
			assert.Equal(t, tc.found, fe.Found)
			assert.Equal(t, tc.notFound, errors.Is(err, ErrFieldNotFound))
			assert.Equal(t, !tc.notFound, errors.Is(err, ErrFieldType))
			assert.Equal(t, tc.msg, err.Error())
		})
	}
}

func TestGetNumericConversionsAreLossless(t *testing.T) {
	obj := map[string]any{
		"big":      int64(math.MaxInt64),
		"frac":     1.5,
		"huge":     float64(1 << 63),
		"beyond53": int64(1<<53 + 1),
		"negative": int64(-5),
	}
	_, err := Get[int32](obj, "big")
	assert.ErrorIs(t, err, ErrFieldType, "does not fit an int32")
	_, err = GetInt64(obj, "frac")
	assert.ErrorIs(t, err, ErrFieldType)
	_, err = GetInt64(obj, "huge")
	assert.ErrorIs(t, err, ErrFieldType, "2^63 does not fit an int64")
	_, err = GetFloat64(obj, "beyond53")
	assert.ErrorIs(t, err, ErrFieldType, "2^53+1 has no exact float64")
	n, err := Get[int32](obj, "negative")
	require.NoError(t, err)
	assert.Equal(t, int32(-5), n)
}

func TestGetOnNilAndMalformedPath(t *testing.T) {
	var u *apiu.Unstructured
	_, err := GetString(u, "a")
	assert.ErrorIs(t, err, ErrFieldNotFound)
	_, err = GetString(map[string]any(nil), "a")
	assert.ErrorIs(t, err, ErrFieldNotFound)
	_, err = GetString(deployment(), "a..b")
	var pe *PathError
	assert.ErrorAs(t, err, &pe)
}

func TestHas(t *testing.T) {
	u := deployment()
	for path, want := range map[string]bool{
		"spec.replicas": true, "spec.nope": false, "spec.nothing": false,
		"spec.template.spec.containers[1]": true, "spec.template.spec.containers[2]": false,
		"spec.strategy.type": false,
	} {
		got, err := Has(u, path)
		require.NoError(t, err, path)
		assert.Equal(t, want, got, path)
	}
	_, err := Has(u, "spec.replicas[0]")
	assert.ErrorIs(t, err, ErrFieldType)
}

func TestSet(t *testing.T) {
	u := deployment()
	require.NoError(t, Set(u, "spec.replicas", 5))
	assert.Equal(t, int64(5), u.Object["spec"].(map[string]any)["replicas"], "ints are stored as int64")

	require.NoError(t, Set(u, "spec.strategy.rollingUpdate.maxSurge", "25%"))
	v, err := GetString(u, "spec.strategy.rollingUpdate.maxSurge")
	require.NoError(t, err)
	assert.Equal(t, "25%", v)

	require.NoError(t, Set(u, "spec.template.spec.containers[name=sidecar].image", "side:3"))
	v, err = GetString(u, "spec.template.spec.containers[1].image")
	require.NoError(t, err)
	assert.Equal(t, "side:3", v)

	require.NoError(t, Set(u, "spec.template.spec.containers[-1].args[0]", "z"))
	args, err := GetStringSlice(u, "spec.template.spec.containers[1].args")
	require.NoError(t, err)
	assert.Equal(t, []string{"z", "b"}, args)

	require.NoError(t, Set(u, `metadata.annotations["example.com/new"]`, "yes"))
	v, err = GetString(u, `metadata.annotations["example.com/new"]`)
	require.NoError(t, err)
	assert.Equal(t, "yes", v)

	require.NoError(t, Set(u, "spec.nothing.now", true), "a null map on the way is replaced")
	b, err := GetBool(u, "spec.nothing.now")
	require.NoError(t, err)
	assert.True(t, b)

	require.NoError(t, Set(u, "spec.labels", map[string]string{"a": "b"}))
	require.NoError(t, Set(u, "spec.list", []string{"x"}))
	require.NoError(t, Set(u, "spec.float", float32(0.25)))
	require.NoError(t, Set(u, "spec.null", nil))
	type local struct {
		Name  string `json:"name"`
		Count uint16 `json:"count,omitempty"`
	}
	require.NoError(t, Set(u, "spec.struct", local{Name: "n", Count: 2}))
	assert.Equal(t, map[string]any{"name": "n", "count": int64(2)}, u.Object["spec"].(map[string]any)["struct"])
	require.NoError(t, Set(u, "spec.ptr", (*local)(nil)))
	assert.Nil(t, u.Object["spec"].(map[string]any)["ptr"])

	assert.NotPanics(t, func() { _ = u.DeepCopy() }, "Set keeps the object safe for apimachinery's DeepCopy")
}

func TestSetCopiesValue(t *testing.T) {
	u := deployment()
	labels := map[string]any{"a": "b"}
	require.NoError(t, Set(u, "metadata.labels", labels))
	labels["a"] = "changed"
	assert.Equal(t, "b", u.GetLabels()["a"])
}

func TestSetFailuresLeaveObjectUnchanged(t *testing.T) {
	cases := []struct {
		path   string
		value  any
		is     error
		reason string
	}{
		{"spec.replicas.value", 1, ErrFieldType, "an int64 is in the way"},
		{"spec.template.spec.containers[7].image", "x", ErrFieldNotFound, "Set does not create list items"},
		{"spec.newlist[0].name", "x", ErrFieldNotFound, "Set does not create lists"},
		{"spec.brand.new[0]", "x", ErrFieldNotFound, "not even below new maps"},
		{"metadata.labels[0]", "x", ErrFieldType, "a map is not a list"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			u := deployment()
			before := u.DeepCopy()
			err := Set(u, tc.path, tc.value)
			assert.ErrorIs(t, err, tc.is, tc.reason)
			assert.Equal(t, before.Object, u.Object)
		})
	}
	u := deployment()
	before := u.DeepCopy()
	assert.Error(t, Set(u, "spec.x", make(chan int)))
	assert.Error(t, Set(u, "spec.x", math.NaN()))
	assert.Error(t, Set(u, "spec.x", uint64(math.MaxUint64)))
	assert.Error(t, Set(u, "", map[string]any{}))
	assert.Error(t, Set(u, "a[", 1))
	assert.Equal(t, before.Object, u.Object)
	assert.Error(t, Set((*apiu.Unstructured)(nil), "a", 1))
	assert.Error(t, Set(map[string]any(nil), "a", 1))
}

func TestSetOnEmptyUnstructured(t *testing.T) {
	u := &apiu.Unstructured{}
	require.NoError(t, Set(u, "metadata.name", "fresh"))
	assert.Equal(t, "fresh", u.GetName())
}

func TestRemove(t *testing.T) {
	u := deployment()
	require.NoError(t, Remove(u, "spec.replicas"))
	_, err := GetInt64(u, "spec.replicas")
	assert.ErrorIs(t, err, ErrFieldNotFound)

	require.NoError(t, Remove(u, "spec.template.spec.containers[name=web]"))
	names, err := GetSlice(u, "spec.template.spec.containers")
	require.NoError(t, err)
	require.Len(t, names, 1)
	assert.Equal(t, "sidecar", names[0].(map[string]any)["name"])

	require.NoError(t, Remove(u, "spec.template.spec.containers[0].args[-1]"))
	args, err := GetStringSlice(u, "spec.template.spec.containers[0].args")
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, args)

	require.NoError(t, Remove(u, `metadata.annotations["example.com/x.y"]`))
	has, err := Has(u, `metadata.annotations["example.com/x.y"]`)
	require.NoError(t, err)
	assert.False(t, has)

	require.NoError(t, Remove(u, "spec.nothing"), "a null field can be removed")

	err = Remove(u, "spec.replicas")
	assert.ErrorIs(t, err, ErrFieldNotFound, "removing what is not there says so")
	err = Remove(u, "spec.template.spec.containers[3]")
	assert.ErrorIs(t, err, ErrFieldNotFound)
	err = Remove(u, "metadata.name.first")
	assert.ErrorIs(t, err, ErrFieldType)
	assert.Error(t, Remove(u, ""))
}

func TestRemoveDoesNotDisturbSharedBackingArrays(t *testing.T) {
	items := []any{"a", "b", "c"}
	obj := map[string]any{"l": items}
	require.NoError(t, Remove(obj, "l[0]"))
	assert.Equal(t, []any{"b", "c"}, obj["l"])
	assert.Equal(t, []any{"a", "b", "c"}, items, "the old slice is not shifted in place")
}

func TestFieldErrorNeverPrintsValues(t *testing.T) {
	secret := map[string]any{"data": map[string]any{"password": "hunter2"}}
	_, err := GetInt64(secret, "data.password")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestGetStringMapReportsFirstBadKeyInOrder(t *testing.T) {
	obj := map[string]any{"m": map[string]any{"d": int64(1), "a": "ok", "c": true, "b": 2.5, "": nil}}
	for range 20 {
		_, err := GetStringMap(obj, "m")
		fe := fieldErr(t, err)
		assert.Equal(t, `m[""]`, fe.At)
		assert.Equal(t, "null", fe.Found)
	}
	delete(obj["m"].(map[string]any), "")
	_, err := GetStringMap(obj, "m")
	assert.Equal(t, "m.b", fieldErr(t, err).At)
}
