package codec

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/anykube/anykube/internal/codec/codectest"
)

const kindV1 = `"kind":"K","apiVersion":"v1"`

func TestDecodeObjectValues(t *testing.T) {
	cases := []struct {
		name string
		json string // the value of field "v"
		want any
	}{
		{"zero", `0`, int64(0)},
		{"minus zero", `-0`, int64(0)},
		{"minus zero float", `-0.0`, float64(0)},
		{"exponent is float", `1e3`, float64(1000)},
		{"capital exponent", `1E+3`, float64(1000)},
		{"negative exponent", `25e-1`, 2.5},
		{"fraction", `1.0`, float64(1)},
		{"max int64", `9223372036854775807`, int64(9223372036854775807)},
		{"min int64", `-9223372036854775808`, int64(-9223372036854775808)},
		{"past int64 is float", `9223372036854775808`, float64(9223372036854775808)},
		{"past uint64 is float", `18446744073709551616`, float64(18446744073709551616)},
		{"eighteen digits", `999999999999999999`, int64(999999999999999999)},
		{"nineteen digits", `1999999999999999999`, int64(1999999999999999999)},
		{"underflow is zero", `1e-400`, float64(0)},
		{"long fraction", `0.30000000000000004441`, 0.30000000000000004},
		{"true", `true`, true},
		{"false", `false`, false},
		{"null", `null`, nil},
		{"empty string", `""`, ""},
		{"escapes", `"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{"unicode escape", `"\u00e9\u4e16"`, "é世"},
		{"nul escape", `"a\u0000b"`, "a\x00b"},
		{"surrogate pair", `"\ud83d\ude00"`, "😀"},
		{"lone high surrogate", `"\ud83dx"`, "\ufffdx"},
		{"lone low surrogate", `"\ude00"`, "\ufffd"},
		{"high then non-surrogate escape", `"\ud83d\u0041"`, "\ufffdA"},
		{"two high surrogates", `"\ud83d\ud83d\ude00"`, "\ufffd😀"},
		{"raw utf8", `"Zürich ☁️ 😀"`, "Zürich ☁️ 😀"},
		{"invalid utf8 byte", "\"a\xffb\"", "a\ufffdb"},
		{"truncated utf8", "\"a\xe2\x82\"", "a\ufffd\ufffd"},
		{"utf8 surrogate encoding", "\"\xed\xa0\x80\"", "\ufffd\ufffd\ufffd"},
		{"invalid utf8 after escape", "\"\\n\xff\"", "\n\ufffd"},
		{"long plain string", `"` + strings.Repeat("abcdefgh", 20) + `"`, strings.Repeat("abcdefgh", 20)},
		{"empty object", `{}`, map[string]any{}},
		{"empty array", `[]`, []any{}},
		{"nested", `{"a":[1,{"b":[]},"c",null,2.5]}`, map[string]any{"a": []any{int64(1), map[string]any{"b": []any{}}, "c", nil, 2.5}}},
		{"duplicate keys last wins", `{"a":1,"a":2}`, map[string]any{"a": int64(2)}},
		{"whitespace", " {\t\"a\" \n:\r [ 1 , 2 ] } ", map[string]any{"a": []any{int64(1), int64(2)}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(`{` + kindV1 + `,"v":` + tc.json + `}`)
			requireSame(t, "DecodeObject", sameObject(data))
			u, err := DecodeObject(data)
			require.NoError(t, err)
			assert.Equal(t, tc.want, u.Object["v"])
		})
	}
}

func TestDecodeObjectErrors(t *testing.T) {
	cases := []struct {
		name   string
		json   string
		syntax bool
	}{
		{"empty input", ``, true},
		{"only whitespace", "  \n", true},
		{"number beyond float64", `{` + kindV1 + `,"v":1e400}`, false},
		{"negative beyond float64", `{` + kindV1 + `,"v":-1e400}`, false},
		{"leading zero", `{` + kindV1 + `,"v":01}`, true},
		{"plus sign", `{` + kindV1 + `,"v":+1}`, true},
		{"bare dot", `{` + kindV1 + `,"v":1.}`, true},
		{"bare exponent", `{` + kindV1 + `,"v":1e}`, true},
		{"minus alone", `{` + kindV1 + `,"v":-}`, true},
		{"NaN", `{` + kindV1 + `,"v":NaN}`, true},
		{"bad escape", `{` + kindV1 + `,"v":"\x"}`, true},
		{"bad unicode escape", `{` + kindV1 + `,"v":"\u12g4"}`, true},
		{"control character", "{" + kindV1 + ",\"v\":\"a\nb\"}", true},
		{"unterminated string", `{` + kindV1 + `,"v":"abc`, true},
		{"truncated", `{` + kindV1 + `,"v":[1,2`, true},
		{"trailing comma", `{` + kindV1 + `,"v":[1,2,]}`, true},
		{"trailing comma in object", `{` + kindV1 + `,}`, true},
		{"trailing garbage", `{` + kindV1 + `} x`, true},
		{"two values", `{` + kindV1 + `}{}`, true},
		{"bad literal", `{` + kindV1 + `,"v":nul}`, true},
		{"single quotes", `{'kind':'K'}`, true},
		{"missing colon", `{"kind" "K"}`, true},
		{"byte order mark", "\xef\xbb\xbf{" + kindV1 + "}", true},
		{"top-level array", `[{` + kindV1 + `}]`, false},
		{"top-level string", `"K"`, false},
		{"top-level null", `null`, false},
		{"no kind", `{"apiVersion":"v1"}`, false},
		{"kind not a string", `{"kind":1,"apiVersion":"v1"}`, false},
		{"empty kind", `{"kind":""}`, false},
		{"bad apiVersion", `{"kind":"K","apiVersion":"a/b/c"}`, false},
		{"syntax error wins over type error", `{"v":1e400,}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.json)
			requireSame(t, "DecodeObject", sameObject(data))
			requireSame(t, "DecodeList", sameList(data))
			requireSame(t, "Decode", sameDecode(data))
			_, err := DecodeObject(data)
			require.Error(t, err)
			var se *SyntaxError
			assert.Equal(t, tc.syntax, errors.As(err, &se), "syntax error? got %v", err)
		})
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	_, err := DecodeObject([]byte(`{"kind":"K", "v":[1,2,x]}`))
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, int64(22), se.Offset)
	assert.Contains(t, se.Error(), "'x'")

	_, err = DecodeObject([]byte(`{"kind":"K"`))
	require.ErrorAs(t, err, &se)
	assert.Equal(t, int64(11), se.Offset)
}

func TestDepthLimit(t *testing.T) {
	nest := func(n int) []byte {
		// The top-level object is level 1, so n-1 arrays inside it reach n.
		return []byte(`{"kind":"K","v":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`)
	}
	requireSame(t, "depth 10000", sameObject(nest(10000)))
	_, err := DecodeObject(nest(10000))
	require.NoError(t, err)

	requireSame(t, "depth 10001", sameObject(nest(10001)))
	_, err = DecodeObject(nest(10001))
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Msg, "max depth")

	// Far deeper input must neither overflow the stack nor be slow.
	deep := []byte(strings.Repeat(`{"a":`, 1_000_000))
	_, err = DecodeObject(deep)
	require.ErrorAs(t, err, &se)
	_, err = DecodeList(deep)
	require.ErrorAs(t, err, &se)
}

func TestDecodeList(t *testing.T) {
	cases := []struct {
		name string
		json string
	}{
		{"typed list fills kind", `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}`},
		{"items keep their own kind", `{"kind":"List","apiVersion":"v1","items":[{"kind":"Pod","apiVersion":"v1"},{"kind":"Service"},{"apiVersion":"apps/v1"}]}`},
		{"kind not a string is replaced", `{"kind":"PodList","apiVersion":"v1","items":[{"kind":5,"apiVersion":null}]}`},
		{"empty kind is replaced", `{"kind":"PodList","apiVersion":"v1","items":[{"kind":""}]}`},
		{"kind without List suffix", `{"kind":"Things","apiVersion":"x/v1","items":[{}]}`},
		{"null item", `{"kind":"PodList","apiVersion":"v1","items":[null,{}]}`},
		{"null items", `{"kind":"PodList","apiVersion":"v1","items":null}`},
		{"empty items", `{"kind":"PodList","apiVersion":"v1","items":[]}`},
		{"no items", `{"kind":"PodList","apiVersion":"v1"}`},
		{"items first", `{"items":[{}],"kind":"PodList","apiVersion":"v1"}`},
		{"duplicate items last wins", `{"kind":"PodList","apiVersion":"v1","items":[{"a":1}],"items":[{"b":2}]}`},
		{"duplicate items then null", `{"kind":"PodList","apiVersion":"v1","items":[{"a":1}],"items":null}`},
		{"bad item then replaced", `{"kind":"PodList","apiVersion":"v1","items":[1],"items":[]}`},
		{"bad item", `{"kind":"PodList","apiVersion":"v1","items":[{},"x"]}`},
		{"array item", `{"kind":"PodList","apiVersion":"v1","items":[[]]}`},
		{"items a string", `{"kind":"PodList","apiVersion":"v1","items":"x"}`},
		{"items an object", `{"kind":"PodList","apiVersion":"v1","items":{}}`},
		{"items a string then replaced", `{"kind":"PodList","apiVersion":"v1","items":"x","items":[]}`},
		{"huge number in replaced items", `{"kind":"PodList","apiVersion":"v1","items":[{"a":1e999}],"items":[]}`},
		{"list without kind", `{"apiVersion":"v1","items":[]}`},
		{"empty object", `{}`},
		{"empty list kind", `{"kind":"List","apiVersion":"","items":[{}]}`},
		{"nested items are plain", `{"kind":"List","apiVersion":"v1","items":[{"items":[1]}]}`},
		{"Items is not items", `{"kind":"List","apiVersion":"v1","Items":[1]}`},
		{"escaped items key", `{"kind":"PodList","apiVersion":"v1","it\u0065ms":[{}]}`},
		{"escaped kind key", `{"\u006bind":"PodList","apiVersion":"v1","items":[{}]}`},
		{"later kind not a string", `{"kind":"PodList","kind":7,"apiVersion":"v1","items":[{}]}`},
		{"invalid utf8 key", "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[{\"k\xff\":1}]}"},
		{"item kind in a later duplicate", `{"kind":"PodList","apiVersion":"v1","items":[{"kind":"","kind":"Pod"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.json)
			requireSame(t, "DecodeList", sameList(data))
			requireSame(t, "DecodeObject", sameObject(data))
			requireSame(t, "Decode", sameDecode(data))
		})
	}
}

func TestDecodeListFillsItemKinds(t *testing.T) {
	l, err := DecodeList([]byte(`{"kind":"ConfigMapList","apiVersion":"v1","items":[{"metadata":{"name":"a"}},null]}`))
	require.NoError(t, err)
	require.Len(t, l.Items, 2)
	for _, it := range l.Items {
		assert.Equal(t, "ConfigMap", it.GetKind())
		assert.Equal(t, "v1", it.GetAPIVersion())
	}
	assert.Equal(t, "a", l.Items[0].GetName())
	_, hasItems := l.Object["items"]
	assert.False(t, hasItems)
}

func TestItemTypeError(t *testing.T) {
	_, err := DecodeList([]byte(`{"kind":"PodList","items":[{},{},"x"]}`))
	var te *TypeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "items[2]", te.Path)
	assert.Equal(t, "string", te.Value)
	assert.Equal(t, int64(33), te.Offset)
}

// A Secret served without its kind must not put its data in the error,
// which callers log: the error names the offset and what is missing.
func TestMissingKindQuotesNothing(t *testing.T) {
	const data = `"data":{"password":"UzNDUkVU-SECRET"}`
	for _, tc := range []struct {
		body string
		want string
	}{
		{`{"apiVersion":"v1",` + data + `}`, `the JSON object at offset 0 has no "kind" field`},
		{`  {"apiVersion":"v1","kind":"",` + data + `}`, `the JSON object at offset 2 has an empty "kind"`},
		{`{"apiVersion":"v1","kind":null,` + data + `}`, `has a null "kind"`},
		{`{"apiVersion":"v1","kind":{"x":"SECRET"},` + data + `}`, `has a "kind" of JSON type object, not a string`},
		{`{"apiVersion":"a/b/SECRET","kind":"Secret",` + data + `}`, `has an "apiVersion" that is not a valid group/version`},
		{`null`, `the JSON object at offset 0 is null, not an object`},
	} {
		for name, decode := range map[string]func([]byte) error{
			"object": func(b []byte) error { _, err := DecodeObject(b); return err },
			"list":   func(b []byte) error { _, err := DecodeList(b); return err },
			"any":    func(b []byte) error { _, err := Decode(b); return err },
		} {
			err := decode([]byte(tc.body))
			require.Error(t, err, "%s %s", name, tc.body)
			assert.True(t, runtime.IsMissingKind(err), "%s: %v", name, err)
			assert.Contains(t, err.Error(), tc.want, name)
			assert.NotContains(t, err.Error(), "SECRET", name)
		}
	}
}

func TestDecodeInto(t *testing.T) {
	u := &unstructured.Unstructured{}
	require.NoError(t, DecodeInto([]byte(`{"kind":"K","apiVersion":"v1","a":1}`), u))
	assert.Equal(t, int64(1), u.Object["a"])

	l := &unstructured.UnstructuredList{}
	require.NoError(t, DecodeInto([]byte(`{"kind":"KList","apiVersion":"v1","items":[{}]}`), l))
	require.Len(t, l.Items, 1)
	assert.Equal(t, "K", l.Items[0].GetKind())

	before := &unstructured.Unstructured{Object: map[string]any{"keep": true}}
	require.Error(t, DecodeInto([]byte(`{`), before))
	assert.Equal(t, map[string]any{"keep": true}, before.Object)

	require.Error(t, DecodeInto([]byte(`{"kind":"K"}`), &runtime.Unknown{}))
}

func TestDecodeDetectsLists(t *testing.T) {
	obj, err := Decode([]byte(`{"kind":"PodList","apiVersion":"v1","items":null}`))
	require.NoError(t, err)
	assert.IsType(t, &unstructured.UnstructuredList{}, obj)

	obj, err = Decode([]byte(`{"kind":"Pod","apiVersion":"v1"}`))
	require.NoError(t, err)
	assert.IsType(t, &unstructured.Unstructured{}, obj)
}

func TestGeneratedInputsMatchScheme(t *testing.T) {
	requireSame(t, "configmaps", sameList(codectest.ConfigMapList(300)))
	requireSame(t, "deployments", sameList(codectest.DeploymentList(100)))
	requireSame(t, "deployment object", sameObject(codectest.Object()))
	requireSame(t, "configmaps as object", sameObject(codectest.ConfigMapList(20)))
	requireSame(t, "configmaps auto", sameDecode(codectest.ConfigMapList(20)))
}

// Results share interned strings; decoding again must not change what an
// earlier result holds, and results must be independent maps.
func TestResultsAreIndependent(t *testing.T) {
	data := codectest.ConfigMapList(50)
	a, err := DecodeList(data)
	require.NoError(t, err)
	want := a.DeepCopy()
	b, err := DecodeList(data)
	require.NoError(t, err)
	b.Items[0].SetName("changed")
	b.Items[1].Object["data"].(map[string]any)["LOG_LEVEL"] = "changed"
	assert.Equal(t, want, a)
}
