package fake

import (
	"context"
	"errors"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/yaml"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/internal/validate"
)

// resourceClient is the fake's client for one resource, in one namespace or
// cluster-wide. It is a value copied by Namespace, so it needs no lock.
type resourceClient struct {
	c         *FakeDynamicClient
	gvr       schema.GroupVersionResource
	namespace string
}

var _ dynamic.NamespaceableResourceInterface = (*resourceClient)(nil)

func (r *resourceClient) Namespace(ns string) dynamic.ResourceInterface {
	cp := *r
	cp.namespace = ns
	return &cp
}

// fail wraps a client-side failure as the real client does.
func (r *resourceClient) fail(verb, name string, subresources []string, err error) error {
	return &dynamic.Error{Verb: verb, Resource: r.gvr, Namespace: r.namespace, Name: name, Subresource: strings.Join(subresources, "/"), Err: err}
}

// check runs the real client's checks for a call on one object.
func (r *resourceClient) check(verb, name string, subresources []string) error {
	err := validate.Resource(r.gvr)
	if err == nil {
		err = validate.Target(r.namespace, name, subresources)
	}
	if err != nil {
		return r.fail(verb, name, subresources, err)
	}
	return nil
}

// checkScope runs the real client's checks for a call on a collection, or
// one whose name comes later.
func (r *resourceClient) checkScope(verb, name string, subresources []string) error {
	err := validate.Resource(r.gvr)
	if err == nil {
		err = validate.Namespace(r.namespace)
	}
	if err == nil {
		err = validate.Subresources(subresources)
	}
	if err != nil {
		return r.fail(verb, name, subresources, err)
	}
	return nil
}

// run records a, asks the reactors, and else calls fn. A context or seed
// failure is returned wrapped like the real client's; reactor errors as
// they are.
func (r *resourceClient) run(ctx context.Context, a Action, fn func() (runtime.Object, error)) (runtime.Object, error) {
	handled, ret, err := r.c.record(ctx, a)
	if handled {
		if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || err == r.c.seedErr) {
			return nil, r.fail(a.Verb, a.Name, splitSub(a.Subresource), err)
		}
		return ret, err
	}
	return fn()
}

func splitSub(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "/")
}

// object turns a reactor's or the store's answer into an Unstructured.
func (r *resourceClient) object(ret runtime.Object, err error) (*unstructured.Unstructured, error) {
	if err != nil || ret == nil {
		return nil, err
	}
	if u, ok := ret.(*unstructured.Unstructured); ok {
		return u, nil
	}
	m, cerr := runtime.DefaultUnstructuredConverter.ToUnstructured(ret)
	if cerr != nil {
		return nil, fmt.Errorf("fake: reactor returned %T: %w", ret, cerr)
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// encode copies an object the caller sends into the value types a decoded
// request body has; an object that cannot be encoded fails as it would in
// the real client, before anything is sent.
func (r *resourceClient) encode(verb, name string, subresources []string, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	u, err := normalize(obj.Object)
	if err != nil {
		return nil, r.fail(verb, name, subresources, err)
	}
	return u, nil
}

// incoming checks an encoded object against the resource, as the server's
// decoding does, and returns a copy the store may own.
func (r *resourceClient) incoming(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	u := obj.DeepCopy()
	if want := r.gvr.GroupVersion().String(); u.GetAPIVersion() != want {
		return nil, badRequest(fmt.Sprintf("the API version in the data (%s) does not match the expected API version (%s)", u.GetAPIVersion(), want))
	}
	r.c.mu.Lock()
	kind := r.c.resources[r.gvr].Kind
	r.c.mu.Unlock()
	if kind != "" && u.GetKind() != kind {
		return nil, badRequest(fmt.Sprintf("the kind in the data (%s) does not match the expected kind (%s)", u.GetKind(), kind))
	}
	if ns := u.GetNamespace(); r.namespace != "" {
		if ns != "" && ns != r.namespace {
			return nil, badRequest("the namespace of the provided object does not match the namespace sent on the request")
		}
		u.SetNamespace(r.namespace)
	}
	return u, nil
}

func (r *resourceClient) Create(ctx context.Context, obj *unstructured.Unstructured, opts metav1.CreateOptions, subresources ...string) (*unstructured.Unstructured, error) {
	const verb = "create"
	if err := validate.Object(obj); err != nil {
		return nil, r.fail(verb, "", subresources, err)
	}
	name := obj.GetName()
	if len(subresources) > 0 {
		var err error
		if name, err = validate.ObjectName(obj); err != nil {
			return nil, r.fail(verb, name, subresources, err)
		}
	}
	if err := r.checkScope(verb, name, subresources); err != nil {
		return nil, err
	}
	obj, err := r.encode(verb, name, subresources, obj)
	if err != nil {
		return nil, err
	}
	a := Action{Verb: verb, Resource: r.gvr, Namespace: r.namespace, Name: name, Subresource: strings.Join(subresources, "/"), Object: obj.DeepCopy(), Options: opts}
	return r.object(r.run(ctx, a, func() (runtime.Object, error) {
		if len(subresources) > 0 {
			return nil, notSupported(r.gvr, verb, subresources)
		}
		dry, err := dryRun(opts.DryRun)
		if err != nil {
			return nil, err
		}
		u, err := r.incoming(obj)
		if err != nil {
			return nil, err
		}
		return r.c.create(r.gvr, u, dry)
	}))
}

func (r *resourceClient) Update(ctx context.Context, obj *unstructured.Unstructured, opts metav1.UpdateOptions, subresources ...string) (*unstructured.Unstructured, error) {
	const verb = "update"
	if err := validate.Object(obj); err != nil {
		return nil, r.fail(verb, "", subresources, err)
	}
	name, err := validate.ObjectName(obj)
	if err != nil {
		return nil, r.fail(verb, name, subresources, err)
	}
	if err := r.check(verb, name, subresources); err != nil {
		return nil, err
	}
	obj, err = r.encode(verb, name, subresources, obj)
	if err != nil {
		return nil, err
	}
	a := Action{Verb: verb, Resource: r.gvr, Namespace: r.namespace, Name: name, Subresource: strings.Join(subresources, "/"), Object: obj.DeepCopy(), Options: opts}
	return r.object(r.run(ctx, a, func() (runtime.Object, error) {
		status, dry, err := writeMode(r.gvr, verb, subresources, opts.DryRun)
		if err != nil {
			return nil, err
		}
		u, err := r.incoming(obj)
		if err != nil {
			return nil, err
		}
		return r.c.update(r.gvr, u, status, dry)
	}))
}

func (r *resourceClient) UpdateStatus(ctx context.Context, obj *unstructured.Unstructured, opts metav1.UpdateOptions) (*unstructured.Unstructured, error) {
	return r.Update(ctx, obj, opts, "status")
}

func (r *resourceClient) Delete(ctx context.Context, name string, opts metav1.DeleteOptions, subresources ...string) error {
	const verb = "delete"
	if err := r.check(verb, name, subresources); err != nil {
		return err
	}
	a := Action{Verb: verb, Resource: r.gvr, Namespace: r.namespace, Name: name, Subresource: strings.Join(subresources, "/"), Options: opts}
	_, err := r.run(ctx, a, func() (runtime.Object, error) {
		if len(subresources) > 0 {
			return nil, notSupported(r.gvr, verb, subresources)
		}
		dry, err := dryRun(opts.DryRun)
		if err != nil {
			return nil, err
		}
		return nil, r.c.delete(r.gvr, objectKey{r.namespace, name}, opts.Preconditions, dry)
	})
	return err
}

func (r *resourceClient) DeleteCollection(ctx context.Context, opts metav1.DeleteOptions, listOptions metav1.ListOptions) error {
	const verb = "deletecollection"
	if err := r.checkScope(verb, "", nil); err != nil {
		return err
	}
	a := Action{Verb: verb, Resource: r.gvr, Namespace: r.namespace, ListOptions: listOptions, Options: opts}
	_, err := r.run(ctx, a, func() (runtime.Object, error) {
		dry, err := dryRun(opts.DryRun)
		if err != nil {
			return nil, err
		}
		sel, err := parseListOptions(listOptions)
		if err != nil {
			return nil, err
		}
		return nil, r.c.deleteCollection(r.gvr, r.namespace, sel, opts.Preconditions, dry)
	})
	return err
}

func (r *resourceClient) Get(ctx context.Context, name string, opts metav1.GetOptions, subresources ...string) (*unstructured.Unstructured, error) {
	const verb = "get"
	if err := r.check(verb, name, subresources); err != nil {
		return nil, err
	}
	a := Action{Verb: verb, Resource: r.gvr, Namespace: r.namespace, Name: name, Subresource: strings.Join(subresources, "/"), Options: opts}
	return r.object(r.run(ctx, a, func() (runtime.Object, error) {
		if _, err := statusOnly(r.gvr, verb, subresources); err != nil {
			return nil, err
		}
		return r.c.get(r.gvr, objectKey{r.namespace, name})
	}))
}

func (r *resourceClient) List(ctx context.Context, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	const verb = "list"
	if err := r.checkScope(verb, "", nil); err != nil {
		return nil, err
	}
	a := Action{Verb: verb, Resource: r.gvr, Namespace: r.namespace, ListOptions: opts}
	ret, err := r.run(ctx, a, func() (runtime.Object, error) {
		opts.Watch = false
		sel, err := parseListOptions(opts)
		if err != nil {
			return nil, err
		}
		return r.c.list(r.gvr, r.namespace, sel, opts)
	})
	if err != nil || ret == nil {
		return nil, err
	}
	if l, ok := ret.(*unstructured.UnstructuredList); ok {
		return l, nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ret)
	if err != nil {
		return nil, fmt.Errorf("fake: reactor returned %T: %w", ret, err)
	}
	l := &unstructured.UnstructuredList{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, l); err != nil {
		return nil, fmt.Errorf("fake: reactor returned %T: %w", ret, err)
	}
	return l, nil
}

func (r *resourceClient) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	const verb = "watch"
	if err := r.checkScope(verb, "", nil); err != nil {
		return nil, err
	}
	opts.Watch = true
	a := Action{Verb: verb, Resource: r.gvr, Namespace: r.namespace, ListOptions: opts}
	if handled, _, err := r.c.record(ctx, a); handled {
		if err == nil {
			err = errors.New("fake: a reactor handled a watch without an error; use PrependWatchReactor")
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || err == r.c.seedErr {
			err = r.fail(verb, "", nil, err)
		}
		return nil, err
	}
	r.c.mu.Lock()
	wreactors := r.c.wreactors
	r.c.mu.Unlock()
	for _, wr := range wreactors {
		if !a.Matches(verb, wr.resource) {
			continue
		}
		if handled, w, err := wr.fn(a); handled {
			return w, err
		}
	}
	sel, err := parseListOptions(opts)
	if err != nil {
		return nil, err
	}
	return r.c.watch(ctx, r.gvr, r.namespace, sel, opts)
}

func (r *resourceClient) Patch(ctx context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, subresources ...string) (*unstructured.Unstructured, error) {
	const verb = "patch"
	if err := r.check(verb, name, subresources); err != nil {
		return nil, err
	}
	if pt == "" {
		return nil, r.fail(verb, name, subresources, fmt.Errorf("%w: patch type is empty", validate.ErrInvalidRequest))
	}
	a := Action{Verb: verb, Resource: r.gvr, Namespace: r.namespace, Name: name, Subresource: strings.Join(subresources, "/"), PatchType: pt, Patch: append([]byte(nil), data...), Options: opts}
	return r.object(r.run(ctx, a, func() (runtime.Object, error) {
		status, dry, err := writeMode(r.gvr, verb, subresources, opts.DryRun)
		if err != nil {
			return nil, err
		}
		if pt == types.ApplyPatchType || pt == types.ApplyYAMLPatchType || pt == types.ApplyCBORPatchType {
			if opts.FieldManager == "" {
				return nil, invalidOptions("fieldManager", "is required for apply patch")
			}
			if pt == types.ApplyCBORPatchType {
				return nil, unsupportedMediaType(pt)
			}
			m := map[string]any{}
			if err := yaml.Unmarshal(data, &m); err != nil {
				return nil, badRequest(fmt.Sprintf("error decoding YAML: %v", err))
			}
			n, err := normalize(m)
			if err != nil {
				return nil, badRequest(err.Error())
			}
			u, err := r.incoming(n)
			if err != nil {
				return nil, err
			}
			return r.c.apply(r.gvr, objectKey{r.namespace, name}, u, status, dry)
		}
		return r.c.patch(r.gvr, objectKey{r.namespace, name}, pt, data, status, dry)
	}))
}

func (r *resourceClient) Apply(ctx context.Context, name string, obj *unstructured.Unstructured, opts metav1.ApplyOptions, subresources ...string) (*unstructured.Unstructured, error) {
	const verb = "apply"
	if err := validate.Apply(obj, opts); err != nil {
		return nil, r.fail(verb, name, subresources, err)
	}
	if err := r.check(verb, name, subresources); err != nil {
		return nil, err
	}
	obj, err := r.encode(verb, name, subresources, obj)
	if err != nil {
		return nil, err
	}
	data, err := obj.MarshalJSON()
	if err != nil {
		return nil, r.fail(verb, name, subresources, fmt.Errorf("encoding object: %w", err))
	}
	a := Action{Verb: "patch", Resource: r.gvr, Namespace: r.namespace, Name: name, Subresource: strings.Join(subresources, "/"), Object: obj.DeepCopy(), PatchType: types.ApplyPatchType, Patch: data, Options: opts}
	return r.object(r.run(ctx, a, func() (runtime.Object, error) {
		status, dry, err := writeMode(r.gvr, verb, subresources, opts.DryRun)
		if err != nil {
			return nil, err
		}
		u, err := r.incoming(obj)
		if err != nil {
			return nil, err
		}
		return r.c.apply(r.gvr, objectKey{r.namespace, name}, u, status, dry)
	}))
}

func (r *resourceClient) ApplyStatus(ctx context.Context, name string, obj *unstructured.Unstructured, opts metav1.ApplyOptions) (*unstructured.Unstructured, error) {
	return r.Apply(ctx, name, obj, opts, "status")
}

// writeMode checks a write's subresource and dryRun option together, as
// every write does before touching the store: whether it writes the status
// only, and whether it is a dry run.
func writeMode(gvr schema.GroupVersionResource, verb string, subresources, dryRunValues []string) (status, dry bool, err error) {
	if status, err = statusOnly(gvr, verb, subresources); err != nil {
		return false, false, err
	}
	if dry, err = dryRun(dryRunValues); err != nil {
		return false, false, err
	}
	return status, dry, nil
}

// statusOnly reports whether subresources address the status subresource,
// the only one the fake emulates; others are refused.
func statusOnly(gvr schema.GroupVersionResource, verb string, subresources []string) (bool, error) {
	switch {
	case len(subresources) == 0:
		return false, nil
	case len(subresources) == 1 && subresources[0] == "status":
		return true, nil
	}
	return false, notSupported(gvr, verb, subresources)
}

// dryRun checks the dryRun option as the server does: empty, or exactly
// "All".
func dryRun(values []string) (bool, error) {
	switch {
	case len(values) == 0:
		return false, nil
	case len(values) == 1 && values[0] == metav1.DryRunAll:
		return true, nil
	}
	return false, invalidOptions("dryRun", fmt.Sprintf("unsupported value %q: supported values: %q", values, metav1.DryRunAll))
}
