package fake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/anykube/anykube/internal/jsonpatch"
	"github.com/anykube/anykube/scale"
	"github.com/anykube/anykube/scale/internal/validate"
)

// FakeScaleClient is an in-memory scale.ScalesGetter; see the package
// documentation. The zero value is ready to use, and it is safe for
// concurrent use.
type FakeScaleClient struct {
	mu       sync.Mutex // guards every field below
	actions  []Action
	reactors []reactor
	scales   map[key]*scale.Scale
	// rv is the last resourceVersion given out, one counter for the whole
	// fake like etcd's revision.
	rv int64
}

var _ scale.ScalesGetter = (*FakeScaleClient)(nil)

// reactor is a registered ReactionFunc and what it applies to.
type reactor struct {
	verb, resource string
	fn             ReactionFunc
}

// key names one canned scale; versions of a resource share their objects.
type key struct {
	resource  schema.GroupResource
	namespace string
	name      string
}

// Scales returns a client for namespace ("" for cluster-scoped resources).
// It never fails.
func (f *FakeScaleClient) Scales(namespace string) scale.ScaleInterface {
	return &namespaced{f: f, namespace: namespace}
}

// Actions returns the calls made so far, oldest first. The result is a
// copy the caller may change.
func (f *FakeScaleClient) Actions() []Action {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Action, len(f.actions))
	for i, a := range f.actions {
		out[i] = a.deepCopy()
	}
	return out
}

// ClearActions forgets the recorded calls.
func (f *FakeScaleClient) ClearActions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = nil
}

// PrependReactor makes fn answer the calls matching verb and resource (see
// Action.Matches) before every reactor registered earlier.
func (f *FakeScaleClient) PrependReactor(verb, resource string, fn ReactionFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reactors = append([]reactor{{verb, resource, fn}}, f.reactors...)
}

// AddReactor makes fn answer the calls matching verb and resource (see
// Action.Matches) after every reactor registered earlier.
func (f *FakeScaleClient) AddReactor(verb, resource string, fn ReactionFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reactors = append(f.reactors, reactor{verb, resource, fn})
}

// InjectError makes every call matching verb and resource (see
// Action.Matches) fail with err, until ClearReactors. For a failure that
// stops after some calls, use PrependReactor with a counter.
func (f *FakeScaleClient) InjectError(verb, resource string, err error) {
	f.PrependReactor(verb, resource, func(Action) (bool, *scale.Scale, error) { return true, nil, err })
}

// ClearReactors removes every reactor, and so every injected error.
func (f *FakeScaleClient) ClearReactors() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reactors = nil
}

// SetScale stores a copy of s as the scale of the object s.Namespace/s.Name
// of resource, replacing any earlier one, with a new resourceVersion; its
// TypeMeta is set to autoscaling/v1 Scale. It returns an error, and stores
// nothing, when s is nil or has no name.
func (f *FakeScaleClient) SetScale(resource schema.GroupResource, s *scale.Scale) error {
	if s == nil || s.Name == "" {
		return errors.New("fake: SetScale needs a Scale with a name")
	}
	c := s.DeepCopy()
	c.APIVersion, c.Kind = scale.SchemeGroupVersion.String(), "Scale"
	f.mu.Lock()
	defer f.mu.Unlock()
	f.storeLocked(key{resource, c.Namespace, c.Name}, c)
	return nil
}

// GetScale returns a copy of the canned scale of namespace/name of
// resource, and whether there is one.
func (f *FakeScaleClient) GetScale(resource schema.GroupResource, namespace, name string) (*scale.Scale, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.scales[key{resource, namespace, name}]
	return s.DeepCopy(), ok
}

// storeLocked stores s under k with the next resourceVersion.
func (f *FakeScaleClient) storeLocked(k key, s *scale.Scale) {
	if f.scales == nil {
		f.scales = make(map[key]*scale.Scale)
	}
	f.rv++
	s.ResourceVersion = strconv.FormatInt(f.rv, 10)
	f.scales[k] = s
}

// invoke records a and answers it from the reactors or, when none handles
// it, from fallback, which runs under the fake's lock.
func (f *FakeScaleClient) invoke(a Action, fallback func() (*scale.Scale, error)) (*scale.Scale, error) {
	f.mu.Lock()
	f.actions = append(f.actions, a.deepCopy())
	reactors := append([]reactor(nil), f.reactors...)
	f.mu.Unlock()

	// Reactors run without the lock, so they may call the fake.
	for _, r := range reactors {
		if !a.Matches(r.verb, r.resource) {
			continue
		}
		handled, ret, err := r.fn(a.deepCopy())
		if !handled {
			continue
		}
		if err != nil {
			return nil, err
		}
		if ret == nil {
			return nil, fmt.Errorf("fake: a reactor for %s %s handled the call but returned neither a Scale nor an error", r.verb, r.resource)
		}
		return ret.DeepCopy(), nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return fallback()
}

// namespaced is FakeScaleClient's ScaleInterface for one namespace.
type namespaced struct {
	f         *FakeScaleClient
	namespace string
}

func (n *namespaced) fail(verb string, r schema.GroupVersionResource, name string, err error) error {
	return &scale.Error{Verb: verb, Resource: r, Namespace: n.namespace, Name: name, Err: err}
}

func (n *namespaced) action(verb string, r schema.GroupVersionResource, name string, opts any) Action {
	return Action{Verb: verb, Resource: r, Namespace: n.namespace, Name: name, Subresource: "scale", Options: opts}
}

// Get returns the canned scale; see the package documentation.
func (n *namespaced) Get(ctx context.Context, resource schema.GroupResource, name string, opts metav1.GetOptions) (*scale.Scale, error) {
	gvr := resource.WithVersion("")
	if err := validate.Target(n.namespace, resource.Resource, name); err != nil {
		return nil, n.fail("get", gvr, name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, n.fail("get", gvr, name, err)
	}
	k := key{resource, n.namespace, name}
	return n.f.invoke(n.action("get", gvr, name, opts), func() (*scale.Scale, error) {
		s, ok := n.f.scales[k]
		if !ok {
			return nil, apierrors.NewNotFound(resource, name)
		}
		return s.DeepCopy(), nil
	})
}

// Update sets the canned scale's replicas; see the package documentation.
func (n *namespaced) Update(ctx context.Context, resource schema.GroupResource, s *scale.Scale, opts metav1.UpdateOptions) (*scale.Scale, error) {
	gvr := resource.WithVersion("")
	if s == nil {
		return nil, n.fail("update", gvr, "", validate.Invalid("nil *Scale"))
	}
	if err := validate.Target(n.namespace, resource.Resource, s.Name); err != nil {
		return nil, n.fail("update", gvr, s.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, n.fail("update", gvr, s.Name, err)
	}
	a := n.action("update", gvr, s.Name, opts)
	a.Object = s.DeepCopy()
	k := key{resource, n.namespace, s.Name}
	return n.f.invoke(a, func() (*scale.Scale, error) {
		return n.f.writeLocked(k, s.ResourceVersion, s.Spec.Replicas, opts.DryRun)
	})
}

// Patch patches the canned scale; see the package documentation.
func (n *namespaced) Patch(ctx context.Context, resource schema.GroupVersionResource, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions) (*scale.Scale, error) {
	if err := validate.Target(n.namespace, resource.Resource, name); err != nil {
		return nil, n.fail("patch", resource, name, err)
	}
	if err := validate.PatchType(pt); err != nil {
		return nil, n.fail("patch", resource, name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, n.fail("patch", resource, name, err)
	}
	a := n.action("patch", resource, name, opts)
	a.PatchType, a.Patch = pt, append([]byte(nil), data...)
	k := key{resource.GroupResource(), n.namespace, name}
	return n.f.invoke(a, func() (*scale.Scale, error) {
		cur, ok := n.f.scales[k]
		if !ok {
			return nil, apierrors.NewNotFound(k.resource, name)
		}
		patched, err := patchScale(cur, pt, data, opts)
		if err != nil {
			return nil, err
		}
		return n.f.writeLocked(k, patched.ResourceVersion, patched.Spec.Replicas, opts.DryRun)
	})
}

// writeLocked sets the replicas of the canned scale k, as the server
// does for a write to the scale subresource: a resourceVersion, when given,
// must be the current one, and replicas must not be negative.
func (f *FakeScaleClient) writeLocked(k key, resourceVersion string, replicas int32, dryRun []string) (*scale.Scale, error) {
	cur, ok := f.scales[k]
	if !ok {
		return nil, apierrors.NewNotFound(k.resource, k.name)
	}
	if resourceVersion != "" && resourceVersion != cur.ResourceVersion {
		return nil, apierrors.NewConflict(k.resource, k.name,
			errors.New("the object has been modified; please apply your changes to the latest version and try again"))
	}
	if replicas < 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: "autoscaling", Kind: "Scale"}, k.name, field.ErrorList{
			field.Invalid(field.NewPath("spec", "replicas"), replicas, "must be greater than or equal to 0"),
		})
	}
	next := cur.DeepCopy()
	next.Spec.Replicas = replicas
	if len(dryRun) > 0 {
		return next, nil
	}
	f.storeLocked(k, next)
	return next.DeepCopy(), nil
}

// patchScale applies a patch to cur's autoscaling/v1 document and returns
// the patched Scale. Errors are the status errors the server gives.
func patchScale(cur *scale.Scale, pt types.PatchType, data []byte, opts metav1.PatchOptions) (*scale.Scale, error) {
	doc, err := toJSONValue(cur)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	switch pt {
	case types.JSONPatchType:
		doc, err = jsonpatch.Apply(doc, data)
		var opErr *jsonpatch.OpError
		if errors.As(err, &opErr) {
			return nil, unprocessable(err.Error())
		}
	case types.MergePatchType, types.StrategicMergePatchType, types.ApplyYAMLPatchType, types.ApplyCBORPatchType:
		if pt == types.ApplyYAMLPatchType || pt == types.ApplyCBORPatchType {
			if opts.FieldManager == "" {
				return nil, unprocessable("PatchOptions.meta.k8s.io is invalid: fieldManager: Required value: is required for apply patch")
			}
			if pt == types.ApplyCBORPatchType {
				return nil, unsupported(pt)
			}
			if data, err = yaml.YAMLToJSON(data); err != nil {
				return nil, apierrors.NewBadRequest(fmt.Sprintf("error decoding YAML: %v", err))
			}
		}
		var p any
		if p, err = jsonpatch.Decode(data); err == nil {
			doc = jsonpatch.Merge(doc, p)
		}
	default:
		return nil, unsupported(pt)
	}
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	var s scale.Scale
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, unprocessable(fmt.Sprintf("the patched Scale is invalid: %v", err))
	}
	return &s, nil
}

// unprocessable is the server's 422 for a patch that does not apply.
func unprocessable(msg string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusUnprocessableEntity, Reason: metav1.StatusReasonInvalid, Message: msg,
	}}
}

// unsupported is the server's 415 for a patch type it does not take.
func unsupported(pt types.PatchType) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusUnsupportedMediaType, Reason: metav1.StatusReasonUnsupportedMediaType,
		Message: fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got %s)", pt),
	}}
}
