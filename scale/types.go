package scale

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SchemeGroupVersion is the group-version of the Scale this package returns:
// autoscaling/v1, whatever flavour the server answered with.
var SchemeGroupVersion = schema.GroupVersion{Group: "autoscaling", Version: "v1"}

// Scale is the scale subresource of an object: how many replicas it asks for
// and how many it has. It has autoscaling/v1 Scale's JSON shape, defined
// here so that anykube needs nothing of k8s.io/api.
type Scale struct {
	metav1.TypeMeta `json:",inline"`
	// ObjectMeta is the scaled object's: its name, namespace, uid and
	// resourceVersion. An Update carrying a resourceVersion fails with a
	// Conflict when the object changed since.
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired state.
	Spec ScaleSpec `json:"spec,omitempty"`
	// Status is the observed state; the server ignores it on writes.
	Status ScaleStatus `json:"status,omitempty"`
}

// ScaleSpec is the desired state of a Scale.
type ScaleSpec struct {
	// Replicas is the desired number of replicas.
	Replicas int32 `json:"replicas,omitempty"`
}

// ScaleStatus is the observed state of a Scale.
type ScaleStatus struct {
	// Replicas is the number of replicas last observed by the object's
	// controller.
	Replicas int32 `json:"replicas"`
	// Selector is the label selector of the replicas, in the string form
	// labels.Parse reads ("app=demo,tier in (web)"). Empty when the
	// resource does not say, for a custom resource without
	// labelSelectorPath for instance.
	Selector string `json:"selector,omitempty"`
}

var _ runtime.Object = (*Scale)(nil)

// DeepCopyInto copies s into out, sharing nothing with s.
func (s *Scale) DeepCopyInto(out *Scale) {
	*out = *s
	s.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
}

// DeepCopy returns a copy of s sharing nothing with it, or nil when s is
// nil.
func (s *Scale) DeepCopy() *Scale {
	if s == nil {
		return nil
	}
	out := new(Scale)
	s.DeepCopyInto(out)
	return out
}

// DeepCopyObject returns DeepCopy as a runtime.Object, so Scale can be used
// wherever apimachinery wants one. A nil s gives a nil interface, not a
// typed nil.
func (s *Scale) DeepCopyObject() runtime.Object {
	if c := s.DeepCopy(); c != nil {
		return c
	}
	return nil
}
