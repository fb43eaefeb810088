package unstructured

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePath(t *testing.T) {
	f := func(k string) segment { return segment{kind: segField, key: k} }
	ix := func(n int) segment { return segment{kind: segIndex, index: n} }
	sel := func(k, v string) segment { return segment{kind: segSelector, key: k, value: v} }
	cases := []struct {
		in        string
		want      []segment
		canonical string
	}{
		{"", nil, ""},
		{".", nil, ""},
		{"spec", []segment{f("spec")}, "spec"},
		{".spec.replicas", []segment{f("spec"), f("replicas")}, "spec.replicas"},
		{"spec.template.spec.containers[0].image",
			[]segment{f("spec"), f("template"), f("spec"), f("containers"), ix(0), f("image")},
			"spec.template.spec.containers[0].image"},
		{"a[1][2]", []segment{f("a"), ix(1), ix(2)}, "a[1][2]"},
		{"a[-1]", []segment{f("a"), ix(-1)}, "a[-1]"},
		{"a[007]", []segment{f("a"), ix(7)}, "a[7]"},
		{`metadata.annotations["example.com/x.y"]`,
			[]segment{f("metadata"), f("annotations"), f("example.com/x.y")},
			`metadata.annotations["example.com/x.y"]`},
		{`metadata.labels.app\.kubernetes\.io/name`,
			[]segment{f("metadata"), f("labels"), f("app.kubernetes.io/name")},
			`metadata.labels["app.kubernetes.io/name"]`},
		{`a["q\"uote"]["back\\slash"]`, []segment{f("a"), f(`q"uote`), f(`back\slash`)}, `a["q\"uote"]["back\\slash"]`},
		{`a['single']`, []segment{f("a"), f("single")}, "a.single"},
		{`[""]`, []segment{f("")}, `[""]`},
		{`["a.b"].c`, []segment{f("a.b"), f("c")}, `["a.b"].c`},
		{"[0]", []segment{ix(0)}, "[0]"},
		{"spec.containers[name=web].image", []segment{f("spec"), f("containers"), sel("name", "web"), f("image")}, "spec.containers[name=web].image"},
		{`ports[containerPort=8080]`, []segment{f("ports"), sel("containerPort", "8080")}, "ports[containerPort=8080]"},
		{`c[name="a.b]"]`, []segment{f("c"), sel("name", "a.b]")}, `c[name="a.b]"]`},
		{`c[name=""]`, []segment{f("c"), sel("name", "")}, `c[name=""]`},
		{`c["we=ird"="x"]`, []segment{f("c"), sel("we=ird", "x")}, `c["we=ird"=x]`},
		{`c[a.b=x=y]`, []segment{f("c"), sel("a.b", "x=y")}, `c["a.b"=x=y]`},
		{"with space.and-dash_under", []segment{f("with space"), f("and-dash_under")}, "with space.and-dash_under"},
		{"ünï.cødé", []segment{f("ünï"), f("cødé")}, "ünï.cødé"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParsePath(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.segs)
			assert.Equal(t, tc.canonical, p.String())
			again, err := ParsePath(p.String())
			require.NoError(t, err)
			assert.Equal(t, p.segs, again.segs, "the canonical form parses back")
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	cases := []struct {
		in     string
		offset int
		reason string
	}{
		{"a..b", 2, "empty key after a dot"},
		{"a.", 2, "path ends with a dot"},
		{"..", 1, "empty key"},
		{"a.[0]", 2, "empty key after a dot"},
		{"a[", 2, "unclosed '['"},
		{"a[0", 1, "unclosed '['"},
		{"a[]", 2, "empty brackets"},
		{"a[x]", 2, "want a list index, a quoted key or key=value in brackets"},
		{`a["x`, 2, "unterminated quoted key"},
		{`a["x"`, 5, `missing ']'`},
		{`a["x"y]`, 5, `unexpected 'y', want ']'`},
		{"a]", 1, "unexpected ']' outside brackets"},
		{"a[0]b", 4, `unexpected 'b', want '.' or '['`},
		{`a\`, 2, "path ends with a lone backslash"},
		{"a[=x]", 2, "empty selector key"},
		{"a[k=]", 4, `empty selector value (write "" to match an empty string)`},
		{"a[k=v", 5, "missing ']'"},
		{`a[k"=v]`, 3, `unexpected '"' in a selector key (quote the key)`},
		{`a[k=v"]`, 5, `unexpected '"' in a selector value (quote the value)`},
		{"a[99999999999999999999]", 2, "list index is not a number that fits an int"},
		{"a[-]", 2, "list index is not a number that fits an int"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParsePath(tc.in)
			var pe *PathError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.in, pe.Path)
			assert.Equal(t, tc.reason, pe.Reason)
			assert.Equal(t, tc.offset, pe.Offset)
			assert.Contains(t, err.Error(), "invalid field path")
		})
	}
}

func TestPathFields(t *testing.T) {
	p, err := ParsePath(`metadata.annotations["a.b/c"]`)
	require.NoError(t, err)
	fields, ok := p.Fields()
	assert.True(t, ok)
	assert.Equal(t, []string{"metadata", "annotations", "a.b/c"}, fields)
	assert.Equal(t, 3, p.Len())

	p, err = ParsePath("spec.containers[0]")
	require.NoError(t, err)
	_, ok = p.Fields()
	assert.False(t, ok)
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"", ".", "a.b.c", "a[0].b", "a[-1]", `a["x.y"]`, `a['x']`, `a\.b`, "a[k=v]", `a["k"="v"]`,
		`a[k="v]"]`, "a..b", "a[", `a["`, "[0][1]", "a[99999999999999999999999]", "\xff", `["\"\\"]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			pe, ok := err.(*PathError)
			if !ok {
				t.Fatalf("error is not a *PathError: %v", err)
			}
			if pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("offset %d outside %q", pe.Offset, s)
			}
			return
		}
		again, err := ParsePath(p.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", p.String(), s, err)
		}
		if !reflect.DeepEqual(p.segs, again.segs) {
			t.Fatalf("canonical form %q of %q parses to %v, want %v", p.String(), s, again.segs, p.segs)
		}
		// Walking any parsed path over an object must not panic.
		obj := map[string]any{"a": []any{map[string]any{"k": "v", "b": int64(1)}}, "": map[string]any{}}
		_, _ = GetValue(obj, s)
		_ = Set(obj, s, "x")
		_ = Remove(obj, s)
	})
}

// Paths built segment by segment print in the canonical syntax and parse
// back to equal paths, whatever the keys hold.
func TestPathBuilders(t *testing.T) {
	base := Path{}.Key("spec")
	for _, tc := range []struct {
		p    Path
		want string
	}{
		{base.Key("replicas"), "spec.replicas"},
		{base.Key("template").Key("spec").Key("containers").Select("name", "web").Key("image"), "spec.template.spec.containers[name=web].image"},
		{Path{}.Key("metadata").Key("labels").Key("app.kubernetes.io/name"), `metadata.labels["app.kubernetes.io/name"]`},
		{base.Key("ports").Index(2), "spec.ports[2]"},
		{base.Key("list").Select("name", `a"b]`), `spec.list[name="a\"b]"]`},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("built %q, want %q", got, tc.want)
		}
		back, err := ParsePath(tc.p.String())
		if err != nil || back.String() != tc.want {
			t.Errorf("ParsePath(%q) = %q, %v", tc.p.String(), back.String(), err)
		}
	}
	// Building from a shared prefix never changes it.
	a, b := base.Key("a"), base.Key("b")
	if base.String() != "spec" || a.String() != "spec.a" || b.String() != "spec.b" {
		t.Errorf("shared prefix changed: %q %q %q", base, a, b)
	}
}
