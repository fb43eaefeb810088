package validate

import (
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestSegment(t *testing.T) {
	for _, ok := range []string{"a", "my-name.x", "a:b", "UPPER", "with space"} {
		if err := Segment("name", ok); err != nil {
			t.Errorf("Segment(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "a%2F", "%"} {
		err := Segment("name", bad)
		if !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("Segment(%q) = %v, want ErrInvalidRequest", bad, err)
		}
	}
	if err := Namespace(""); err != nil {
		t.Errorf("empty namespace: %v", err)
	}
	if err := Namespace("a/b"); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("Namespace(a/b) = %v", err)
	}
	if err := Target("ns", "n", []string{"status", ".."}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("bad subresource passed: %v", err)
	}
}

func TestResource(t *testing.T) {
	tests := []struct {
		gvr schema.GroupVersionResource
		ok  bool
	}{
		{schema.GroupVersionResource{Version: "v1", Resource: "pods"}, true},
		{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, true},
		{schema.GroupVersionResource{Group: "apps", Resource: "deployments"}, false},
		{schema.GroupVersionResource{Version: "v1"}, false},
		{schema.GroupVersionResource{Group: "a/b", Version: "v1", Resource: "x"}, false},
	}
	for _, tt := range tests {
		if err := Resource(tt.gvr); (err == nil) != tt.ok {
			t.Errorf("Resource(%v) = %v, want ok=%v", tt.gvr, err, tt.ok)
		}
	}
}

func TestObjectAndApply(t *testing.T) {
	good := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x"}}}
	if err := Object(good); err != nil {
		t.Fatal(err)
	}
	if name, err := ObjectName(good); err != nil || name != "x" {
		t.Fatalf("ObjectName = %q, %v", name, err)
	}
	for name, u := range map[string]*unstructured.Unstructured{
		"nil":        nil,
		"nil map":    {},
		"no kind":    {Object: map[string]any{"apiVersion": "v1"}},
		"no version": {Object: map[string]any{"kind": "ConfigMap"}},
	} {
		if err := Object(u); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: Object = %v", name, err)
		}
	}
	if _, err := ObjectName(&unstructured.Unstructured{Object: map[string]any{}}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("no name: %v", err)
	}
	if err := Apply(good, metav1.ApplyOptions{}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("no field manager: %v", err)
	}
	if err := Apply(good, metav1.ApplyOptions{FieldManager: "m"}); err != nil {
		t.Errorf("good apply: %v", err)
	}
	withMF := good.DeepCopy()
	withMF.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "m"}})
	if err := Apply(withMF, metav1.ApplyOptions{FieldManager: "m"}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("managedFields: %v", err)
	}
	// An empty managedFields list is still a claim the server would act on.
	empty := good.DeepCopy()
	unstructured.SetNestedSlice(empty.Object, []any{}, "metadata", "managedFields")
	if err := Apply(empty, metav1.ApplyOptions{FieldManager: "m"}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("empty managedFields: %v", err)
	}
}
