package unstructured

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// widget stands in for a typed API object a user program would import.
type widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              widgetSpec   `json:"spec"`
	Status            widgetStatus `json:"status,omitempty"`
}

type widgetSpec struct {
	Size     int32             `json:"size"`
	Ratio    float64           `json:"ratio,omitempty"`
	Color    string            `json:"color,omitempty"`
	Tags     []string          `json:"tags,omitempty"`
	Extra    map[string]string `json:"extra,omitempty"`
	Replicas *int32            `json:"replicas,omitempty"`
}

type widgetStatus struct {
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// DeepCopyObject makes widget a runtime.Object, like generated types.
func (w *widget) DeepCopyObject() runtime.Object {
	c := *w
	return &c
}

func TestTypedRoundTrip(t *testing.T) {
	objs, err := ReadManifests(fileReader(t, "crd.yaml"), DecoderOptions{})
	require.NoError(t, err)
	u := objs[1]

	w, err := ToTyped[*widget](u)
	require.NoError(t, err)
	assert.Equal(t, "Widget", w.Kind)
	assert.Equal(t, "example.com/v1", w.APIVersion)
	assert.Equal(t, "big-red", w.Name)
	assert.Equal(t, int32(42), w.Spec.Size)
	assert.Equal(t, 0.75, w.Spec.Ratio)
	require.NotNil(t, w.Spec.Replicas)
	assert.Equal(t, int32(2), *w.Spec.Replicas)
	require.Len(t, w.Status.Conditions, 2)
	assert.Equal(t, metav1.ConditionTrue, w.Status.Conditions[0].Status)
	assert.Equal(t, 2024, w.Status.Conditions[0].LastTransitionTime.Year())

	byValue, err := ToTyped[widget](u)
	require.NoError(t, err)
	assert.Equal(t, *w, byValue)

	w.Spec.Size = 43
	w.Spec.Tags = []string{"a"}
	back, err := FromTyped(w)
	require.NoError(t, err)
	assert.Equal(t, "Widget", back.GetKind())
	size, err := GetInt64(back, "spec.size")
	require.NoError(t, err)
	assert.Equal(t, int64(43), size)
	tags, err := GetStringSlice(back, "spec.tags")
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, tags)
	_, err = GetValue(back, "spec.huge")
	assert.ErrorIs(t, err, ErrFieldNotFound, "fields the struct lacks are dropped")
	assert.NotPanics(t, func() { _ = back.DeepCopy() })

	fromValue, err := FromTyped(*w)
	require.NoError(t, err)
	assert.Equal(t, back.Object, fromValue.Object)

	assert.Equal(t, int64(42), u.Object["spec"].(map[string]any)["size"], "the source is not modified")
}

func TestToTypedErrors(t *testing.T) {
	_, err := ToTyped[*widget](nil)
	assert.Error(t, err)
	_, err = ToTyped[int](&apiu.Unstructured{Object: map[string]any{}})
	assert.ErrorContains(t, err, "want a struct")
	_, err = ToTyped[map[string]any](&apiu.Unstructured{Object: map[string]any{}})
	assert.ErrorContains(t, err, "want a struct")

	bad := &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w"},
		"spec":     map[string]any{"size": "big"},
	}}
	_, err = ToTyped[*widget](bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Widget w")

	empty, err := ToTyped[widget](&apiu.Unstructured{})
	require.NoError(t, err, "an object with no content converts to the zero value")
	assert.Equal(t, widget{}, empty)
}

func TestFromTypedKind(t *testing.T) {
	// A typed client's result has an empty TypeMeta.
	w := &widget{ObjectMeta: metav1.ObjectMeta{Name: "w"}, Spec: widgetSpec{Size: 1}}
	_, err := FromTyped(w)
	assert.ErrorIs(t, err, ErrMissingAPIVersion)
	assert.ErrorContains(t, err, "FromTypedAs")

	gvk := schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}
	u, err := FromTypedAs(w, gvk)
	require.NoError(t, err)
	assert.Equal(t, gvk, u.GroupVersionKind())
	assert.Equal(t, "w", u.GetName())
	assert.Empty(t, w.APIVersion, "the typed object is not modified")

	_, err = FromTypedAs(w, schema.GroupVersionKind{Kind: "Widget"})
	assert.Error(t, err)

	// Set through the runtime.Object interface.
	w.SetGroupVersionKind(gvk)
	u, err = FromTyped(w)
	require.NoError(t, err)
	assert.Equal(t, "example.com/v1", u.GetAPIVersion())
}

func TestFromTypedInputs(t *testing.T) {
	_, err := FromTyped(nil)
	assert.Error(t, err)
	_, err = FromTyped((*widget)(nil))
	assert.Error(t, err)
	_, err = FromTyped(42)
	assert.ErrorContains(t, err, "want a struct")

	type withFunc struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		F          func() `json:"f"`
	}
	_, err = FromTyped(withFunc{APIVersion: "v1", Kind: "X", F: func() {}})
	assert.Error(t, err, "a value with no JSON form is an error, not a panic")

	orig := &apiu.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "A", "m": map[string]any{"k": "v"}}}
	cp, err := FromTyped(orig)
	require.NoError(t, err)
	cp.Object["m"].(map[string]any)["k"] = "changed"
	assert.Equal(t, "v", orig.Object["m"].(map[string]any)["k"], "an Unstructured input is copied")
}
