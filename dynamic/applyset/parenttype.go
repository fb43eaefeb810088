package applyset

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// LabelParentType on a CustomResourceDefinition allows the custom
// resources it defines to be applyset parents (KEP-3659). kubectl looks for
// the key only; any value, "true" by convention, counts.
const LabelParentType = "applyset.kubernetes.io/is-parent-type"

// ErrParentType is matched (errors.Is) by the error of Apply when the
// parent's kind may not record a set: it is neither a Secret nor a
// ConfigMap, nor a custom resource whose CustomResourceDefinition carries
// LabelParentType. The rule is kubectl's, so that a set this package keeps
// is one kubectl accepts.
var ErrParentType = errors.New("kind may not be an applyset parent")

var crds = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// checkParentType returns nil when the parent's kind may record a set,
// else an error matching ErrParentType, or the server's error reading the
// kind's CustomResourceDefinition.
func (s *ApplySet) checkParentType(ctx context.Context) error {
	r := s.mapping.Resource
	if r.Group == "" && (r.Resource == "secrets" || r.Resource == "configmaps") {
		return nil
	}
	// A custom resource's CRD is named <plural>.<group>; one Get needs
	// less permission than kubectl's list of every labelled CRD.
	crd, err := s.client.Resource(crds).Get(ctx, r.GroupResource().String(), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("applyset: parent %s: %s is not a custom resource, and only Secrets, ConfigMaps and custom resources whose CRD is labelled %s may be parents: %w",
			s.describeParent(), r.GroupResource(), LabelParentType, ErrParentType)
	case err != nil:
		return fmt.Errorf("applyset: parent %s: reading the CustomResourceDefinition of %s: %w", s.describeParent(), r.GroupResource(), err)
	}
	if _, ok := crd.GetLabels()[LabelParentType]; !ok {
		return fmt.Errorf("applyset: parent %s: the CustomResourceDefinition %s lacks the label %s: %w",
			s.describeParent(), crd.GetName(), LabelParentType, ErrParentType)
	}
	return nil
}
