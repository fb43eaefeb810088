package fake

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustValue(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeValue([]byte(s))
	require.NoError(t, err)
	return v
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// Cases from RFC 7386's appendix A.
func TestMergeInto(t *testing.T) {
	for _, tc := range []struct{ doc, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"e":null}`, `{"a":1}`, `{"a":1,"e":null}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
	} {
		got := mergeInto(mustValue(t, tc.doc), mustValue(t, tc.patch))
		assert.JSONEq(t, tc.want, asJSON(t, got), "%s + %s", tc.doc, tc.patch)
	}
}

func TestMergeIntoCopiesPatchValues(t *testing.T) {
	patch := mustValue(t, `{"a":{"b":[1]}}`)
	got := mergeInto(mustValue(t, `{}`), patch).(map[string]any)
	got["a"].(map[string]any)["b"].([]any)[0] = int64(9)
	assert.JSONEq(t, `{"a":{"b":[1]}}`, asJSON(t, patch))
}

// Cases after RFC 6902's appendix A.
func TestApplyJSONPatch(t *testing.T) {
	for _, tc := range []struct{ doc, patch, want string }{
		{`{"foo":"bar"}`, `[{"op":"add","path":"/baz","value":"qux"}]`, `{"baz":"qux","foo":"bar"}`},
		{`{"foo":["bar","baz"]}`, `[{"op":"add","path":"/foo/1","value":"qux"}]`, `{"foo":["bar","qux","baz"]}`},
		{`{"foo":["bar"]}`, `[{"op":"add","path":"/foo/-","value":"x"}]`, `{"foo":["bar","x"]}`},
		{`{"baz":"qux","foo":"bar"}`, `[{"op":"remove","path":"/baz"}]`, `{"foo":"bar"}`},
		{`{"foo":["bar","qux","baz"]}`, `[{"op":"remove","path":"/foo/1"}]`, `{"foo":["bar","baz"]}`},
		{`{"baz":"qux","foo":"bar"}`, `[{"op":"replace","path":"/baz","value":"boo"}]`, `{"baz":"boo","foo":"bar"}`},
		{`{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}`, `[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]`,
			`{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}`},
		{`{"foo":["all","grass","cows","eat"]}`, `[{"op":"move","from":"/foo/1","path":"/foo/3"}]`, `{"foo":["all","cows","eat","grass"]}`},
		{`{"a":{"b":1}}`, `[{"op":"copy","from":"/a","path":"/c"}]`, `{"a":{"b":1},"c":{"b":1}}`},
		{`{"baz":"qux","foo":["a",2,"c"]}`, `[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]`, `{"baz":"qux","foo":["a",2,"c"]}`},
		{`{"foo":"bar"}`, `[{"op":"add","path":"/child","value":{"grandchild":{}}}]`, `{"foo":"bar","child":{"grandchild":{}}}`},
		{`{"/":9,"~1":10}`, `[{"op":"test","path":"/~01","value":10},{"op":"replace","path":"/~1","value":1}]`, `{"/":1,"~1":10}`},
		{`{"foo":"bar"}`, `[{"op":"add","path":"","value":[1]}]`, `[1]`},
		{`{"a":null}`, `[{"op":"test","path":"/a","value":null},{"op":"replace","path":"/a","value":0}]`, `{"a":0}`},
		{`{"spec":{"replicas":2}}`, `[]`, `{"spec":{"replicas":2}}`},
	} {
		got, err := applyJSONPatch(mustValue(t, tc.doc), []byte(tc.patch))
		require.NoError(t, err, tc.patch)
		assert.JSONEq(t, tc.want, asJSON(t, got), tc.patch)
	}
}

func TestApplyJSONPatchErrors(t *testing.T) {
	for _, tc := range []struct {
		doc, patch string
		opErr      bool // a *patchOpError (422) rather than a malformed patch (400)
	}{
		{`{}`, `{"op":"add"}`, false},
		{`{}`, `[1]`, false},
		{`{}`, `not json`, false},
		{`{"foo":"bar"}`, `[{"op":"add","path":"/baz/bat","value":"qux"}]`, true},
		{`{"foo":"bar"}`, `[{"op":"remove","path":"/nope"}]`, true},
		{`{"foo":"bar"}`, `[{"op":"replace","path":"/nope","value":1}]`, true},
		{`{"foo":"bar"}`, `[{"op":"test","path":"/foo","value":"baz"}]`, true},
		{`{"foo":"bar"}`, `[{"op":"add","path":"foo","value":1}]`, true},
		{`{"foo":"bar"}`, `[{"op":"add","path":"/foo"}]`, true},
		{`{"foo":"bar"}`, `[{"op":"frobnicate","path":"/foo"}]`, true},
		{`{"foo":["a"]}`, `[{"op":"add","path":"/foo/2","value":1}]`, true},
		{`{"foo":["a"]}`, `[{"op":"replace","path":"/foo/01","value":1}]`, true},
		{`{"foo":["a"]}`, `[{"op":"remove","path":"/foo/-"}]`, true},
		{`{"a":{"b":1}}`, `[{"op":"move","from":"/a","path":"/a/c"}]`, true},
		{`{"a":1}`, `[{"op":"copy","from":"/nope","path":"/b"}]`, true},
		{`{"a":1}`, `[{"op":"remove","path":""}]`, true},
		{`{"a":1}`, `[{"op":"test","path":"/a","value":1.5}]`, true},
	} {
		_, err := applyJSONPatch(mustValue(t, tc.doc), []byte(tc.patch))
		require.Error(t, err, tc.patch)
		var opErr *patchOpError
		assert.Equal(t, tc.opErr, errors.As(err, &opErr), "%s: %v", tc.patch, err)
	}
}
