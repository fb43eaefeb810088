package unstructured

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func readFile(t *testing.T, name string, opts DecoderOptions) ([]*apiu.Unstructured, []error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	if opts.SourceName == "" {
		opts.SourceName = name
	}
	return decodeAll(NewDecoder(f, opts))
}

func decodeAll(d *Decoder) ([]*apiu.Unstructured, []error) {
	var objs []*apiu.Unstructured
	var errs []error
	for obj, err := range d.All() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objs = append(objs, obj)
	}
	return objs, errs
}

func names(objs []*apiu.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetKind()+"/"+o.GetName())
	}
	return out
}

func manifestErr(t *testing.T, err error) *ManifestError {
	t.Helper()
	var me *ManifestError
	require.ErrorAs(t, err, &me)
	return me
}

func TestDecoderMultiDocumentWithCommentsAndAnchors(t *testing.T) {
	objs, errs := readFile(t, "app.yaml", DecoderOptions{})
	require.Empty(t, errs)
	assert.Equal(t, []string{"Namespace/shop", "ConfigMap/shop-config", "Deployment/shop", "Service/shop"}, names(objs))

	cm := objs[1]
	conf, err := GetString(cm, `data["nginx.conf"]`)
	require.NoError(t, err)
	assert.Contains(t, conf, "  ---\n", "a marker-like line inside a block scalar is content")
	assert.Equal(t, "--- also content", cm.Object["data"].(map[string]any)["quoted"])
	assert.Equal(t, "yes", cm.Object["data"].(map[string]any)["yes-as-string"])
	owner, err := GetString(cm, `metadata.annotations["example.com/owner"]`)
	require.NoError(t, err)
	assert.Equal(t, "payments@example.com", owner)

	dep := objs[2]
	replicas, err := GetInt64(dep, "spec.replicas")
	require.NoError(t, err)
	assert.Equal(t, int64(3), replicas)
	// The alias and the merge key expand within the document.
	sel, err := GetStringMap(dep, "spec.selector.matchLabels")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"app.kubernetes.io/name": "shop", "app.kubernetes.io/part-of": "store"}, sel)
	tmpl, err := GetStringMap(dep, "spec.template.metadata.labels")
	require.NoError(t, err)
	assert.Equal(t, "web", tmpl["tier"])
	assert.Equal(t, "store", tmpl["app.kubernetes.io/part-of"])
	mem, err := GetString(dep, "spec.template.spec.containers[name=sidecar].resources.limits.memory")
	require.NoError(t, err)
	assert.Equal(t, "256Mi", mem)
	port, err := Get[int64](dep, "spec.template.spec.containers[0].ports[0].containerPort")
	require.NoError(t, err)
	assert.Equal(t, int64(8080), port)
	_, isInt64 := dep.Object["spec"].(map[string]any)["replicas"].(int64)
	assert.True(t, isInt64, "integers decode as int64, as in apimachinery")
}

func TestDecoderLists(t *testing.T) {
	objs, errs := readFile(t, "list.yaml", DecoderOptions{})
	require.Empty(t, errs)
	assert.Equal(t, []string{
		"ServiceAccount/builder", "Role/builder", "Secret/builder-token",
		"ConfigMap/one", "ConfigMap/two",
		"AllowList/registries",
	}, names(objs))
	assert.Equal(t, "v1", objs[3].GetAPIVersion(), "typed list items get the list's apiVersion")
	assert.Equal(t, "ci", objs[4].GetNamespace())

	kept, errs := readFile(t, "list.yaml", DecoderOptions{KeepLists: true})
	require.Empty(t, errs)
	assert.Equal(t, []string{"List/", "ConfigMapList/", "AllowList/registries"}, names(kept))
}

func TestDecoderListItemErrors(t *testing.T) {
	in := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ok}
- just a string
- kind: ConfigMap
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: last}
`
	objs, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{}))
	assert.Equal(t, []string{"ConfigMap/ok", "ConfigMap/last"}, names(objs))
	require.Len(t, errs, 2)
	assert.ErrorIs(t, errs[0], ErrNotObject)
	assert.Contains(t, errs[0].Error(), "items[1]")
	assert.ErrorIs(t, errs[1], ErrMissingAPIVersion)
	assert.Contains(t, errs[1].Error(), "items[2]")

	_, errs = decodeAll(NewDecoder(strings.NewReader("apiVersion: v1\nkind: List\nitems: {a: 1}\n"), DecoderOptions{}))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrNotObject)

	objs, errs = decodeAll(NewDecoder(strings.NewReader("apiVersion: v1\nkind: List\n"), DecoderOptions{}))
	assert.Empty(t, errs)
	assert.Empty(t, objs, "a List with no items yields nothing")
}

func TestDecoderNestedListDepth(t *testing.T) {
	doc := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"}}`
	for range maxListDepth + 1 {
		doc = `{"apiVersion":"v1","kind":"List","items":[` + doc + `]}`
	}
	_, errs := decodeAll(NewDecoder(strings.NewReader(doc), DecoderOptions{}))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "nested")
}

func TestDecoderCRDs(t *testing.T) {
	objs, errs := readFile(t, "crd.yaml", DecoderOptions{})
	require.Empty(t, errs)
	require.Equal(t, []string{"CustomResourceDefinition/widgets.example.com", "Widget/big-red"}, names(objs))
	crd, w := objs[0], objs[1]
	enum, err := GetStringSlice(crd, "spec.versions[name=v1].schema.openAPIV3Schema.properties.spec.properties.color.enum")
	require.NoError(t, err)
	assert.Equal(t, []string{"red", "green", "blue"}, enum)
	preserve, err := GetBool(crd, `spec.versions[0].schema.openAPIV3Schema.properties.spec["x-kubernetes-preserve-unknown-fields"]`)
	require.NoError(t, err)
	assert.True(t, preserve)
	ratio, err := GetFloat64(w, "spec.ratio")
	require.NoError(t, err)
	assert.Equal(t, 0.75, ratio)
	huge, err := GetInt64(w, "spec.huge")
	require.NoError(t, err)
	assert.Equal(t, int64(9007199254740993), huge, "integers above 2^53 survive exactly")
	assert.True(t, IsConditionTrue(w, "Ready"))
}

func TestDecoderJSONStream(t *testing.T) {
	objs, errs := readFile(t, "stream.json", DecoderOptions{})
	require.Empty(t, errs)
	assert.Equal(t, []string{"ConfigMap/brace-test", "Pod/p", "Namespace/a", "Namespace/b"}, names(objs))
	tricky, err := GetString(objs[0], "data.tricky")
	require.NoError(t, err)
	assert.Equal(t, `a } and a { and " and ] [`, tricky)
	prio, err := Get[int64](objs[1], "spec.priority")
	require.NoError(t, err)
	assert.Equal(t, int64(5), prio)
	ratio, err := Get[float64](objs[1], "spec.ratio")
	require.NoError(t, err)
	assert.Equal(t, 1.5, ratio)
}

func TestDecoderJSONErrors(t *testing.T) {
	in := "{\"apiVersion\": \"v1\", \"kind\": \"A\"}\n{\"apiVersion\": \"v1\",\n \"kind\": tru}\n[1, 2]\n\"str\"\n42\n{\"apiVersion\": \"v1\", \"kind\": \"B\"}\n"
	objs, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{SourceName: "s.json"}))
	assert.Equal(t, []string{"A/", "B/"}, names(objs))
	require.Len(t, errs, 4)
	me := manifestErr(t, errs[0])
	assert.ErrorIs(t, me, ErrSyntax)
	assert.Equal(t, 3, me.Line, "the line of the bad token: %v", me)
	assert.Equal(t, 2, me.Document)
	for _, e := range errs[1:] {
		assert.ErrorIs(t, e, ErrNotObject)
	}
	assert.Contains(t, errs[1].Error(), "list")
	assert.Contains(t, errs[2].Error(), "string")
	assert.Contains(t, errs[3].Error(), "int64")
	assert.Equal(t, 6, manifestErr(t, errs[3]).Line)
}

func TestDecoderJSONTruncated(t *testing.T) {
	objs, errs := decodeAll(NewDecoder(strings.NewReader(`{"apiVersion": "v1", "kind": "A"} {"apiVersion": "v1", "kin`), DecoderOptions{}))
	assert.Equal(t, []string{"A/"}, names(objs))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrSyntax)
}

func TestDecoderYAMLFlowMappingStartingWithBrace(t *testing.T) {
	// The first byte says JSON, but it is YAML flow syntax.
	objs, errs := decodeAll(NewDecoder(strings.NewReader("{apiVersion: v1, kind: ConfigMap, metadata: {name: flow}}\n"), DecoderOptions{}))
	require.Empty(t, errs)
	assert.Equal(t, []string{"ConfigMap/flow"}, names(objs))
}

func TestDecoderMalformedYAMLReportsLine(t *testing.T) {
	objs, errs := readFile(t, "malformed.yaml", DecoderOptions{})
	assert.Equal(t, []string{"ConfigMap/fine", "ConfigMap/after-the-broken-one"}, names(objs), "decoding goes on after a bad document")
	require.Len(t, errs, 1)
	me := manifestErr(t, errs[0])
	assert.Equal(t, "malformed.yaml", me.Source)
	assert.Equal(t, 2, me.Document)
	assert.Equal(t, 12, me.Line, "line of the bad indentation in the file: %v", me)
	assert.ErrorIs(t, me, ErrSyntax)
	assert.Equal(t, "malformed.yaml: document 2, line 12: syntax error: yaml: mapping values are not allowed in this context", me.Error())
}

func TestDecoderYAMLErrorLines(t *testing.T) {
	cases := []struct {
		name string
		in   string
		line int
	}{
		{"error on the first line of the stream", "\tapiVersion: v1\n", 1},
		{"error on a document's first line", "apiVersion: v1\nkind: A\n---\n\tbad: tab\n", 4},
		{"error after comments", "# one\n# two\napiVersion: v1\nkind: A\nmetadata: {name: [}\n", 5},
		{"unclosed flow sequence at the end", "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\nitems: [a, b\n", 6},
		{"unclosed flow sequence before more", "apiVersion: v1\nkind: B\nitems: [a, b\nother: 1\n", 4},
		{"bad escape", "apiVersion: v1\nkind: A\n---\n\n\nkind: \"\\q\"\n", 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := decodeAll(NewDecoder(strings.NewReader(tc.in), DecoderOptions{}))
			require.NotEmpty(t, errs)
			me := manifestErr(t, errs[0])
			assert.ErrorIs(t, me, ErrSyntax)
			// go-yaml blames the line where it noticed the problem:
			// for an unclosed bracket, the next token, or the last line.
			assert.Equal(t, tc.line, me.Line, "%v", me)
		})
	}
}

func TestDecoderScalarAndArrayDocuments(t *testing.T) {
	in := "apiVersion: v1\nkind: A\n---\njust a string\n---\n- a\n- b\n---\n42\n---\ntrue\n---\n~\n---\nnull\n---\napiVersion: v1\nkind: B\n"
	objs, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{SourceName: "mixed.yaml"}))
	assert.Equal(t, []string{"A/", "B/"}, names(objs), "null documents are skipped")
	require.Len(t, errs, 4)
	wantLines := []int{4, 6, 9, 11}
	wantTypes := []string{"string", "list", "int64", "bool"}
	for i, e := range errs {
		me := manifestErr(t, e)
		assert.ErrorIs(t, e, ErrNotObject)
		assert.Equal(t, wantLines[i], me.Line)
		assert.Contains(t, e.Error(), "the document is a "+wantTypes[i]+", want a mapping")
	}
}

func TestDecoderDuplicateKeys(t *testing.T) {
	_, errs := readFile(t, "duplicate.yaml", DecoderOptions{})
	require.Len(t, errs, 1)
	me := manifestErr(t, errs[0])
	assert.ErrorIs(t, me, ErrDuplicateKey)
	assert.Equal(t, 12, me.Line)
	assert.Contains(t, me.Error(), `key "image" already set in map`)

	objs, errs := readFile(t, "duplicate.yaml", DecoderOptions{AllowDuplicateKeys: true})
	require.Empty(t, errs)
	img, err := GetString(objs[0], "spec.template.spec.containers[0].image")
	require.NoError(t, err)
	assert.Equal(t, "app:2", img, "the last value wins")

	_, errs = decodeAll(NewDecoder(strings.NewReader("apiVersion: v1\nkind: A\nkind: B\nx: 1\nx: 2\n"), DecoderOptions{}))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "(and 1 more)")
}

func TestDecoderMissingAPIVersionAndKind(t *testing.T) {
	in := "kind: A\n---\napiVersion: v1\n---\napiVersion: 1\nkind: A\n---\napiVersion: v1\nkind: \"\"\n"
	_, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{}))
	require.Len(t, errs, 4)
	assert.ErrorIs(t, errs[0], ErrMissingAPIVersion)
	assert.ErrorIs(t, errs[1], ErrMissingKind)
	assert.ErrorIs(t, errs[2], ErrMissingAPIVersion)
	assert.Contains(t, errs[2].Error(), "int64")
	assert.ErrorIs(t, errs[3], ErrMissingKind)
	assert.Equal(t, 3, manifestErr(t, errs[1]).Line)
}

func TestDecoderSkipsEmptyAndCommentOnlyDocuments(t *testing.T) {
	in := "\n\n---\n---\n# only a comment\n   # indented comment\n---\n%YAML 1.1\n---\napiVersion: v1\nkind: A\n...\n# after the end marker\n---\n"
	objs, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{}))
	require.Empty(t, errs)
	assert.Equal(t, []string{"A/"}, names(objs))

	objs, errs = decodeAll(NewDecoder(strings.NewReader(""), DecoderOptions{}))
	assert.Empty(t, objs)
	assert.Empty(t, errs)
	objs, errs = decodeAll(NewDecoder(strings.NewReader("   \n\t\n"), DecoderOptions{}))
	assert.Empty(t, objs)
	assert.Empty(t, errs)
}

func TestDecoderMarkerVariants(t *testing.T) {
	in := "\xEF\xBB\xBFapiVersion: v1\r\nkind: A\r\n---\r\napiVersion: v1\r\nkind: B\r\n--- # comment after the marker\napiVersion: v1\nkind: C\n--- {apiVersion: v1, kind: D}\n---\tapiVersion: v1\n----\n"
	objs, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{}))
	assert.Equal(t, []string{"A/", "B/", "C/", "D/"}, names(objs))
	// A tab after the marker still makes it a marker, but YAML allows no
	// block mapping on the marker's line; "----" is not a marker.
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrSyntax)
	assert.Equal(t, 10, manifestErr(t, errs[0]).Line)
}

func TestDecoderDocumentNumbering(t *testing.T) {
	in := "# preamble\n---\napiVersion: v1\nkind: A\n---\n# comment only\n---\nkind: NoVersion\n"
	_, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{}))
	require.Len(t, errs, 1)
	me := manifestErr(t, errs[0])
	assert.Equal(t, 2, me.Document, "empty and comment-only documents are not counted")
	assert.Equal(t, 8, me.Line)
}

func TestDecoderSizeCapBoundsMemory(t *testing.T) {
	// One 64 MiB document between two small ones: with a 1 MiB cap the
	// decoder reports it, never holds it, and goes on.
	const huge = 64 << 20
	head := "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  blob: "
	tail := "\n---\napiVersion: v1\nkind: B\n"
	r := io.MultiReader(strings.NewReader(head), &repeatReader{b: 'x', n: huge}, strings.NewReader(tail))

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := NewDecoder(r, DecoderOptions{MaxDocumentBytes: 1 << 20})
	objs, errs := decodeAll(d)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	assert.Equal(t, []string{"A/", "B/"}, names(objs))
	require.Len(t, errs, 1)
	me := manifestErr(t, errs[0])
	assert.ErrorIs(t, me, ErrDocumentTooLarge)
	assert.Equal(t, 2, me.Document)
	assert.Equal(t, 4, me.Line)
	// Allocation over the whole run stays far below the document's size.
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(huge/4), "allocated %d bytes for a %d byte document", allocated, huge)
	t.Logf("allocated %d bytes while reading past a %d byte document", allocated, huge)
}

func TestDecoderSizeCapJSON(t *testing.T) {
	big := `{"apiVersion":"v1","kind":"ConfigMap","data":{"blob":"` + strings.Repeat("x", 4096) + `"}}`
	in := `{"apiVersion":"v1","kind":"A"}` + "\n" + big + "\n" + `{"apiVersion":"v1","kind":"B"}`
	objs, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{MaxDocumentBytes: 1024}))
	assert.Equal(t, []string{"A/", "B/"}, names(objs))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrDocumentTooLarge)
	assert.Equal(t, 2, manifestErr(t, errs[0]).Line)

	// A negative cap means none.
	objs, errs = decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{MaxDocumentBytes: -1}))
	assert.Empty(t, errs)
	assert.Len(t, objs, 3)
}

func TestDecoderLongLines(t *testing.T) {
	// Lines longer than the read buffer, including a marker line and a
	// comment line, must not confuse the splitter.
	long := strings.Repeat("y", 200<<10)
	in := "# " + long + "\n" +
		"apiVersion: v1\nkind: ConfigMap\ndata:\n  long: " + long + "\n" +
		"--- # " + long + "\n" +
		strings.Repeat(" ", 100<<10) + "\n" +
		"apiVersion: v1\nkind: B\n" +
		"--- # " + long + "\n# " + long + "\n"
	objs, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{}))
	require.Empty(t, errs)
	require.Equal(t, []string{"ConfigMap/", "B/"}, names(objs))
	v, err := GetString(objs[0], "data.long")
	require.NoError(t, err)
	assert.Len(t, v, len(long))
}

func TestDecoderFiveMegabyteFile(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("# generated\n")
	n := 0
	for buf.Len() < 5<<20 {
		fmt.Fprintf(&buf, `---
# object %d
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%d
  namespace: ns-%d
  labels: &l {app: app-%d, tier: backend}
  annotations:
    example.com/description: "a fairly long annotation value to pad the document out a little"
spec:
  replicas: %d
  selector: {matchLabels: *l}
  template:
    metadata: {labels: *l}
    spec:
      containers:
      - name: main
        image: registry.example.com/app:%d
        args: ["--port=8080", "--verbose", "--id=%d"]
        env:
        - {name: A, value: "1"}
        - {name: B, value: "two"}
`, n, n, n%10, n, n%5, n, n)
		n++
	}
	size := buf.Len()
	objs, errs := decodeAll(NewDecoder(&buf, DecoderOptions{SourceName: "big.yaml"}))
	require.Empty(t, errs)
	require.Len(t, objs, n)
	last := objs[n-1]
	assert.Equal(t, fmt.Sprintf("app-%d", n-1), last.GetName())
	id, err := GetString(last, "spec.template.spec.containers[0].args[-1]")
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("--id=%d", n-1), id)
	t.Logf("decoded %d objects from %d bytes", n, size)
}

func TestDecoderReadErrorIsSticky(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("apiVersion: v1\nkind: A\n---\napiVersion: v1\n"), iotest.ErrReader(boom))
	d := NewDecoder(r, DecoderOptions{SourceName: "f.yaml"})
	objs, errs := decodeAll(d)
	// The document cut short by the failure is still parsed; its error
	// is missing kind. Then the read error ends the iteration.
	assert.Equal(t, []string{"A/"}, names(objs))
	require.NotEmpty(t, errs)
	last := errs[len(errs)-1]
	assert.ErrorIs(t, last, boom)
	assert.Contains(t, last.Error(), "f.yaml: line ")
	_, err := d.Next()
	assert.ErrorIs(t, err, boom, "Next keeps returning the read error")
}

func TestDecoderNextReturnsEOF(t *testing.T) {
	d := NewDecoder(strings.NewReader("apiVersion: v1\nkind: A\n"), DecoderOptions{})
	obj, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, "A", obj.GetKind())
	_, err = d.Next()
	assert.Equal(t, io.EOF, err)
	_, err = d.Next()
	assert.Equal(t, io.EOF, err)
}

func TestDecoderAllStopsWhenLoopBreaks(t *testing.T) {
	d := NewDecoder(strings.NewReader("apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n"), DecoderOptions{})
	for obj, err := range d.All() {
		require.NoError(t, err)
		assert.Equal(t, "A", obj.GetKind())
		break
	}
	obj, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, "B", obj.GetKind(), "breaking out of All leaves the rest to read")
}

func TestDecoderOneByteReads(t *testing.T) {
	f, err := os.ReadFile(filepath.Join("testdata", "app.yaml"))
	require.NoError(t, err)
	objs, errs := decodeAll(NewDecoder(iotest.OneByteReader(bytes.NewReader(f)), DecoderOptions{}))
	require.Empty(t, errs)
	assert.Len(t, objs, 4)
}

func TestReadManifests(t *testing.T) {
	objs, err := ReadManifests(strings.NewReader("apiVersion: v1\nkind: A\n---\nkind: B\n---\napiVersion: v1\nkind: C\n"), DecoderOptions{SourceName: "m"})
	assert.Equal(t, []string{"A/"}, names(objs))
	assert.ErrorIs(t, err, ErrMissingAPIVersion)
	assert.EqualError(t, err, "m: document 2, line 4: missing apiVersion")
}

func TestManifestErrorFormat(t *testing.T) {
	e := &ManifestError{Line: 3, Err: io.ErrUnexpectedEOF}
	assert.Equal(t, "line 3: unexpected EOF", e.Error())
	assert.ErrorIs(t, e, io.ErrUnexpectedEOF)
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

func FuzzDecoder(f *testing.F) {
	for _, name := range []string{"app.yaml", "list.yaml", "crd.yaml", "stream.json", "malformed.yaml", "duplicate.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "---", "...", "- a", "a: &x [*x]", "a: {", `{"a": [}`, "\xEF\xBB\xBF{}",
		"a: &a [*a, *a]\nb: &b [*a, *a]\n", "--- |\n  x\n---\n", "? [1]\n: 2\n",
		"apiVersion: v1\nkind: List\nitems: [1, {kind: A}]\n", `{"kind": "X"}{"apiVersion": "v1"}]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(bytes.NewReader(data), DecoderOptions{MaxDocumentBytes: 1 << 16})
		for i := 0; ; i++ {
			obj, err := d.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if i > len(data)+1 {
				t.Fatalf("more results (%d) than input bytes", i)
			}
			if err != nil {
				var me *ManifestError
				if !errors.As(err, &me) {
					t.Fatalf("error is not a *ManifestError: %v", err)
				}
				if me.Line < 0 || (me.Document > 0 && me.Line == 0) {
					t.Fatalf("bad position in %v", me)
				}
				continue
			}
			if obj.GetKind() == "" || obj.GetAPIVersion() == "" {
				t.Fatalf("object without kind or apiVersion: %v", obj.Object)
			}
			// Whatever decodes must be safe for apimachinery to copy and
			// for the encoder to write.
			_ = obj.DeepCopy()
			if err := WriteYAML(io.Discard, obj); err != nil {
				t.Fatalf("encode: %v", err)
			}
		}
	})
}

func TestDecoderFiveMegabyteSingleDocument(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n")
	n := 0
	for ; buf.Len() < 5<<20; n++ {
		fmt.Fprintf(&buf, "  key-%06d: %q\n", n, strings.Repeat("v", 100))
	}
	objs, errs := decodeAll(NewDecoder(&buf, DecoderOptions{}))
	require.Empty(t, errs)
	require.Len(t, objs, 1)
	data, err := GetStringMap(objs[0], "data")
	require.NoError(t, err)
	assert.Len(t, data, n)
}

func TestDecoderYAMLFlowErrorLine(t *testing.T) {
	in := "{apiVersion: v1,\n kind: A,\n x: [}\n"
	_, errs := decodeAll(NewDecoder(strings.NewReader(in), DecoderOptions{}))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrSyntax)
	assert.Equal(t, 3, manifestErr(t, errs[0]).Line)
}

func fileReader(t *testing.T, name string) io.Reader {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return bytes.NewReader(data)
}

func TestDecoderYAML11Booleans(t *testing.T) {
	// Documented: kubectl's YAML 1.1 reading, quirks included.
	in := "apiVersion: v1\nkind: A\nvalues: {a: yes, b: off, c: \"yes\"}\non: 1\nn: 2\n"
	objs, err := ReadManifests(strings.NewReader(in), DecoderOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": true, "b": false, "c": "yes"}, objs[0].Object["values"])
	assert.Equal(t, int64(1), objs[0].Object["true"])
	assert.Equal(t, int64(2), objs[0].Object["false"])
}
