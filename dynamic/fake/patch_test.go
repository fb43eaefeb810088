package fake

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
		doc, err := decodeJSON([]byte(tt.doc))
		require.NoError(t, err)
		got, err := applyJSONPatch(doc, []byte(tt.patch))
		if tt.fails {
			assert.Error(t, err, "%s on %s", tt.patch, tt.doc)
			continue
		}
		require.NoError(t, err, "%s on %s", tt.patch, tt.doc)
		want, _ := decodeJSON([]byte(tt.want))
		assert.True(t, jsonEqual(want, got), "%s on %s: got %v", tt.patch, tt.doc, got)
	}
}

func TestMergePatchRFCExamples(t *testing.T) {
	tests := []struct{ doc, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`{"e":null}`, `{"a":1}`, `{"e":null,"a":1}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
	}
	for _, tt := range tests {
		doc, _ := decodeJSON([]byte(tt.doc))
		patch, _ := decodeJSON([]byte(tt.patch))
		want, _ := decodeJSON([]byte(tt.want))
		got := mergePatch(doc, patch)
		assert.True(t, jsonEqual(want, got), "%s + %s: got %v", tt.doc, tt.patch, got)
	}
}

// FuzzPatches checks that no document and patch make the patch code panic.
func FuzzPatches(f *testing.F) {
	f.Add(`{"a":[1,{"b":2}]}`, `[{"op":"add","path":"/a/1/c","value":3},{"op":"move","from":"/a/0","path":"/a/-"}]`)
	f.Add(`[1,2]`, `[{"op":"remove","path":"/1"},{"op":"copy","from":"","path":"/0"}]`)
	f.Add(`{"a":1}`, `{"a":{"b":null}}`)
	f.Add(`"x"`, `[{"op":"replace","path":"","value":{}}]`)
	f.Fuzz(func(t *testing.T, docJSON, patchJSON string) {
		doc, err := decodeJSON([]byte(docJSON))
		if err != nil {
			return
		}
		applyJSONPatch(doc, []byte(patchJSON))
		doc, _ = decodeJSON([]byte(docJSON))
		if p, err := decodeJSON([]byte(patchJSON)); err == nil {
			mergePatch(doc, p)
			findDirective(p)
		}
	})
}
