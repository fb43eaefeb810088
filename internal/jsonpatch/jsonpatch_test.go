package jsonpatch

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustValue(t *testing.T, s string) any {
	t.Helper()
	v, err := Decode([]byte(s))
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
func TestMerge(t *testing.T) {
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
		got := Merge(mustValue(t, tc.doc), mustValue(t, tc.patch))
		assert.JSONEq(t, tc.want, asJSON(t, got), "%s + %s", tc.doc, tc.patch)
	}
}

func TestMergeCopiesPatchValues(t *testing.T) {
	patch := mustValue(t, `{"a":{"b":[1]}}`)
	got := Merge(mustValue(t, `{}`), patch).(map[string]any)
	got["a"].(map[string]any)["b"].([]any)[0] = int64(9)
	assert.JSONEq(t, `{"a":{"b":[1]}}`, asJSON(t, patch))
}

// Cases after RFC 6902's appendix A.
func TestApply(t *testing.T) {
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
		got, err := Apply(mustValue(t, tc.doc), []byte(tc.patch))
		require.NoError(t, err, tc.patch)
		assert.JSONEq(t, tc.want, asJSON(t, got), tc.patch)
	}
}

func TestApplyErrors(t *testing.T) {
	for _, tc := range []struct {
		doc, patch string
		opErr      bool // a *OpError (422) rather than a malformed patch (400)
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
		_, err := Apply(mustValue(t, tc.doc), []byte(tc.patch))
		require.Error(t, err, tc.patch)
		var opErr *OpError
		assert.Equal(t, tc.opErr, errors.As(err, &opErr), "%s: %v", tc.patch, err)
	}
}

func TestJSONPatchRFCExamples(t *testing.T) {
	tests := []struct {
		doc, patch, want string
		fails            bool
	}{
		{`{"foo":"bar"}`, `[{"op":"add","path":"/baz","value":"qux"}]`, `{"foo":"bar","baz":"qux"}`, false},
		{`{"foo":["bar","baz"]}`, `[{"op":"add","path":"/foo/1","value":"qux"}]`, `{"foo":["bar","qux","baz"]}`, false},
		{`{"foo":["bar","baz"]}`, `[{"op":"add","path":"/foo/-","value":"qux"}]`, `{"foo":["bar","baz","qux"]}`, false},
		{`{"baz":"qux","foo":"bar"}`, `[{"op":"remove","path":"/baz"}]`, `{"foo":"bar"}`, false},
		{`{"foo":["bar","qux","baz"]}`, `[{"op":"remove","path":"/foo/1"}]`, `{"foo":["bar","baz"]}`, false},
		{`{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}`, `[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]`, `{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}`, false},
		{`{"foo":["all","grass","cows","eat"]}`, `[{"op":"move","from":"/foo/1","path":"/foo/3"}]`, `{"foo":["all","cows","eat","grass"]}`, false},
		{`{"baz":"qux","foo":["a",2,"c"]}`, `[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]`, `{"baz":"qux","foo":["a",2,"c"]}`, false},
		{`{"baz":"qux"}`, `[{"op":"test","path":"/baz","value":"bar"}]`, ``, true},
		{`{"foo":"bar"}`, `[{"op":"add","path":"/child","value":{"grandchild":{}}}]`, `{"foo":"bar","child":{"grandchild":{}}}`, false},
		{`{"foo":"bar"}`, `[{"op":"add","path":"/baz/bat","value":"qux"}]`, ``, true},
		{`{"/":9,"~1":10}`, `[{"op":"test","path":"/~01","value":10}]`, `{"/":9,"~1":10}`, false},
		{`{"foo":["bar"]}`, `[{"op":"add","path":"/foo/-","value":["abc","def"]}]`, `{"foo":["bar",["abc","def"]]}`, false},
		{`{"foo":1}`, `[{"op":"test","path":"/foo","value":1.0}]`, `{"foo":1}`, false},
		{`{"foo":[1]}`, `[{"op":"add","path":"/foo/01","value":2}]`, ``, true},
		{`{"foo":[1]}`, `[{"op":"remove","path":"/foo/-"}]`, ``, true},
		{`{"a":{"b":1}}`, `[{"op":"move","from":"/a","path":"/a/b/c"}]`, ``, true},
		{`{"a":1}`, `[{"op":"copy","from":"/a","path":"/b"}]`, `{"a":1,"b":1}`, false},
	}
	for _, tt := range tests {
		doc, err := Decode([]byte(tt.doc))
		require.NoError(t, err)
		got, err := Apply(doc, []byte(tt.patch))
		if tt.fails {
			assert.Error(t, err, "%s on %s", tt.patch, tt.doc)
			continue
		}
		require.NoError(t, err, "%s on %s", tt.patch, tt.doc)
		want, _ := Decode([]byte(tt.want))
		assert.True(t, Equal(want, got), "%s on %s: got %v", tt.patch, tt.doc, got)
	}
}

// FuzzPatches checks that no document and patch make the patch code panic.
func FuzzPatches(f *testing.F) {
	f.Add(`{"a":[1,{"b":2}]}`, `[{"op":"add","path":"/a/1/c","value":3},{"op":"move","from":"/a/0","path":"/a/-"}]`)
	f.Add(`[1,2]`, `[{"op":"remove","path":"/1"},{"op":"copy","from":"","path":"/0"}]`)
	f.Add(`{"a":1}`, `{"a":{"b":null}}`)
	f.Add(`"x"`, `[{"op":"replace","path":"","value":{}}]`)
	f.Fuzz(func(t *testing.T, docJSON, patchJSON string) {
		doc, err := Decode([]byte(docJSON))
		if err != nil {
			return
		}
		Apply(doc, []byte(patchJSON))
		doc, _ = Decode([]byte(docJSON))
		if p, err := Decode([]byte(patchJSON)); err == nil {
			Merge(doc, p)
		}
	})
}
