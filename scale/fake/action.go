package fake

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/scale"
)

// Action is one call that reached the fake: its input after the client-side
// checks passed.
type Action struct {
	// Verb is "get", "update" or "patch".
	Verb string
	// Resource is the resource called: Get's and Update's GroupResource
	// (Version empty), or Patch's GroupVersionResource as given.
	Resource schema.GroupVersionResource
	// Namespace is the namespace given to Scales; Name is the object's.
	Namespace string
	Name      string
	// Subresource is always "scale".
	Subresource string
	// Object is a copy of the Scale given to Update.
	Object *scale.Scale
	// PatchType and Patch are Patch's, the patch copied.
	PatchType types.PatchType
	Patch     []byte
	// Options is the call's metav1.GetOptions, UpdateOptions or
	// PatchOptions.
	Options any
}

// Matches reports whether a reactor registered for verb and resource
// applies to a. verb is a verb as in Action, or "*". resource is "*", a
// plural resource name ("deployments", any group), or one qualified by its
// group ("deployments.apps", "replicationcontrollers" for the core group
// matching either way).
func (a Action) Matches(verb, resource string) bool {
	if verb != "*" && verb != a.Verb {
		return false
	}
	return resource == "*" || resource == a.Resource.Resource || resource == a.Resource.GroupResource().String()
}

// ReactionFunc answers a call in place of the fake. When handled is false
// the next reactor, and finally the fake's canned scales, are asked. When
// it is true, the caller gets a copy of ret, or err; a reactor that
// handles a call with neither gets the caller an error saying so, not a
// nil Scale.
type ReactionFunc func(action Action) (handled bool, ret *scale.Scale, err error)

// deepCopy copies an Action so that callers of Actions cannot change what
// the fake recorded, nor each other's copies.
func (a Action) deepCopy() Action {
	a.Object = a.Object.DeepCopy()
	if a.Patch != nil {
		a.Patch = append([]byte(nil), a.Patch...)
	}
	switch o := a.Options.(type) {
	case metav1.UpdateOptions:
		a.Options = *o.DeepCopy()
	case metav1.PatchOptions:
		a.Options = *o.DeepCopy()
	}
	return a
}
