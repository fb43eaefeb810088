package dynamic

import (
	"context"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/dynamic/internal/call"
	"github.com/anykube/anykube/dynamic/internal/validate"
)

// Server-side apply is a PATCH whose body is the caller's intent (JSON is
// YAML, so the object goes as JSON) with Content-Type
// application/apply-patch+yaml. The server merges it with what other field
// managers own and answers 409 Conflict, listing the contested fields, when
// the caller would take a field another manager set, unless Force is true.

func (r *resourceClient) Apply(ctx context.Context, name string, obj *unstructured.Unstructured, opts metav1.ApplyOptions, subresources ...string) (*unstructured.Unstructured, error) {
	c := call.Call{Verb: "apply", Name: name, Subresources: subresources}
	if err := validate.Apply(obj, opts); err != nil {
		return nil, r.fail(c, err)
	}
	if err := r.check(c, true); err != nil {
		return nil, err
	}
	body, err := r.encode(c, obj.Object)
	if err != nil {
		return nil, err
	}
	// Force is sent whether true or false: the caller chose it.
	popts := opts.ToPatchOptions()
	req := r.request(c, http.MethodPatch).SetHeader("Content-Type", string(types.ApplyPatchType)).Params(&popts).Body(body)
	return r.object(ctx, c, req)
}

func (r *resourceClient) ApplyStatus(ctx context.Context, name string, obj *unstructured.Unstructured, opts metav1.ApplyOptions) (*unstructured.Unstructured, error) {
	return r.Apply(ctx, name, obj, opts, "status")
}
