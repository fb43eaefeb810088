package scale

import (
	"context"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/scale/internal/validate"
)

// SetReplicas sets the desired replicas of the object name of resource in
// one request, a JSON merge patch of spec.replicas on its scale subresource,
// and returns the resulting scale. Unlike Get followed by Update it cannot
// conflict with another writer: the last one wins, which is what "scale to
// n" means. resource may leave its version empty for the client's mapper
// to choose (with the real client; see ScaleInterface.Patch). The server
// refuses negative replicas with an Invalid status error
// (apierrors.IsInvalid); other errors are Patch's, and a nil scales gives an
// *Error wrapping ErrInvalidRequest.
func SetReplicas(ctx context.Context, scales ScaleInterface, resource schema.GroupVersionResource, name string, replicas int32, opts metav1.PatchOptions) (*Scale, error) {
	if scales == nil {
		return nil, &Error{Verb: "patch", Resource: resource, Name: name, Err: validate.Invalid("nil ScaleInterface")}
	}
	return scales.Patch(ctx, resource, name, types.MergePatchType, ReplicasPatch(replicas), opts)
}

// ReplicasPatch returns the JSON merge patch that sets spec.replicas to
// replicas: {"spec":{"replicas":N}}. It suits every Scale flavour.
func ReplicasPatch(replicas int32) []byte {
	b := make([]byte, 0, 32)
	b = append(b, `{"spec":{"replicas":`...)
	b = strconv.AppendInt(b, int64(replicas), 10)
	return append(b, "}}"...)
}
