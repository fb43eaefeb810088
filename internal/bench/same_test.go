package bench

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
)

// sameObjects fails b unless both libraries decoded the same object. The
// comparison is of values, not of Go types that mean the same JSON: both
// must keep integers as int64 and other numbers as float64.
func sameObjects(b testing.TB, ak, cg map[string]any) {
	b.Helper()
	if !reflect.DeepEqual(ak, cg) {
		b.Fatalf("decoded objects differ:\nanykube:  %v\nclient-go: %v", ak, cg)
	}
}

// unstructuredContent returns the map behind a decoded watch object.
func unstructuredContent(b testing.TB, obj runtime.Object) map[string]any {
	b.Helper()
	u, ok := obj.(runtime.Unstructured)
	if !ok {
		b.Fatalf("watch object is %T, not unstructured", obj)
	}
	return u.UnstructuredContent()
}
