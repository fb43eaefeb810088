package fake

import (
	"testing"

	"github.com/anykube/anykube/internal/jsonpatch"
)

func TestFindDirective(t *testing.T) {
	for _, tc := range []struct{ patch, want string }{
		{`{"spec":{"replicas":2}}`, ""},
		{`{"$patch":"replace"}`, "$patch"},
		{`{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}`, "$patch"},
		{`{"metadata":{"$retainKeys":["labels"]}}`, "$retainKeys"},
		{`[1,{"a":{"$setElementOrder/x":[]}}]`, "$setElementOrder/x"},
		{`"scalar"`, ""},
	} {
		p, err := jsonpatch.Decode([]byte(tc.patch))
		if err != nil {
			t.Fatal(err)
		}
		if got := findDirective(p); got != tc.want {
			t.Errorf("findDirective(%s) = %q, want %q", tc.patch, got, tc.want)
		}
	}
}
