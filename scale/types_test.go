package scale

import (
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestDeepCopySharesNothing(t *testing.T) {
	s := &Scale{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"a": "b"}, Finalizers: []string{"f"}},
		Spec:       ScaleSpec{Replicas: 2},
		Status:     ScaleStatus{Replicas: 1, Selector: "a=b"},
	}
	var obj runtime.Object = s
	c := obj.DeepCopyObject().(*Scale)
	assert.Equal(t, s, c)
	c.Labels["a"] = "changed"
	c.Finalizers[0] = "changed"
	c.Spec.Replicas = 9
	assert.Equal(t, "b", s.Labels["a"])
	assert.Equal(t, "f", s.Finalizers[0])
	assert.Equal(t, int32(2), s.Spec.Replicas)
	assert.Equal(t, SchemeGroupVersion.WithKind("Scale"), obj.GetObjectKind().GroupVersionKind())
}

func TestDeepCopyNil(t *testing.T) {
	var s *Scale
	assert.Nil(t, s.DeepCopy())
	assert.Nil(t, s.DeepCopyObject(), "an untyped nil, so == nil holds")
}
