package diff

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/wait"
	au "github.com/anykube/anykube/unstructured"
)

// Action is what applying one object would do.
type Action string

const (
	// Create: the object does not exist; the apply would create it.
	Create Action = "create"
	// Change: the object exists and the apply would change the fields
	// listed in Result.Fields.
	Change Action = "change"
	// NoChange: the object exists and the apply would change nothing.
	NoChange Action = "unchanged"
)

// Options tunes a diff. The zero value asks as field manager "anykube",
// without forcing conflicts, in the "default" namespace.
type Options struct {
	// FieldManager is the manager the dry-run apply is sent as: the one
	// the real apply will use, so that the fields it owns compare right.
	// Empty means "anykube".
	FieldManager string
	// Force takes fields other managers own, as the real apply would with
	// force; without it such a conflict is the object's error.
	Force bool
	// Namespace is where namespaced objects without one go. Empty means
	// "default".
	Namespace string
}

// Result is what applying one object would do.
type Result struct {
	// Object names the object (wait.Object, so a Result list can be
	// waited for once applied).
	Object wait.Object
	Action Action
	// Fields lists, for Change, every field that would change, sorted by
	// path; nil for Create (Merged is all new) and NoChange.
	Fields []FieldChange
	// Live is the object as it is, nil for Create; Merged is the object
	// as the dry run says it would be. Neither is stripped.
	Live, Merged *unstructured.Unstructured
}

// Objects diffs each object in order, stopping at the first that fails.
// It returns the results so far and an *ObjectError naming the object and
// the step (mapping, get, dry-run apply), which wraps the cause so that
// apierrors and meta.IsNoMatchError see through.
func Objects(ctx context.Context, client dynamic.Interface, mapper meta.RESTMapper, objs []*unstructured.Unstructured, opts Options) ([]Result, error) {
	results := make([]Result, 0, len(objs))
	for _, obj := range objs {
		r, err := Object(ctx, client, mapper, obj, opts)
		if err != nil {
			return results, err
		}
		results = append(results, r)
	}
	return results, nil
}

// Object diffs one object; see Objects for its errors. obj is not
// modified.
func Object(ctx context.Context, client dynamic.Interface, mapper meta.RESTMapper, obj *unstructured.Unstructured, opts Options) (Result, error) {
	if opts.FieldManager == "" {
		opts.FieldManager = "anykube"
	}
	if opts.Namespace == "" {
		opts.Namespace = metav1.NamespaceDefault
	}
	obj = obj.DeepCopy()
	fail := func(step string, err error) (Result, error) {
		return Result{}, &ObjectError{Step: step, Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName(), Err: err}
	}
	if obj.GetName() == "" {
		return fail("mapping", errors.New("the object has no name"))
	}
	m, err := au.DefaultNamespace(obj, mapper, opts.Namespace)
	if err != nil {
		return fail("mapping", err)
	}
	r := dynamic.ResourceInterface(client.Resource(m.Resource))
	if obj.GetNamespace() != "" {
		r = client.Resource(m.Resource).Namespace(obj.GetNamespace())
	}
	res := Result{Object: wait.Object{Resource: m.Resource, Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}}

	res.Live, err = r.Get(ctx, obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		res.Live = nil
	} else if err != nil {
		return fail("get", err)
	}
	// What is sent must not carry fields the server owns: a copy read
	// from the cluster would otherwise claim them (or fail on
	// resourceVersion).
	sent := au.StripServerFields(obj)
	res.Merged, err = r.Apply(ctx, obj.GetName(), sent, metav1.ApplyOptions{FieldManager: opts.FieldManager, Force: opts.Force, DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		return fail("dry-run apply", err)
	}
	switch {
	case res.Live == nil:
		res.Action = Create
	default:
		res.Fields = Fields(au.StripServerFields(res.Live).Object, au.StripServerFields(res.Merged).Object)
		res.Action = NoChange
		if len(res.Fields) > 0 {
			res.Action = Change
		}
	}
	return res, nil
}

// ObjectError reports an object that could not be diffed.
type ObjectError struct {
	// Step is "mapping", "get" or "dry-run apply".
	Step                  string
	Kind, Namespace, Name string
	Err                   error
}

// Error names the object, the step and the cause.
func (e *ObjectError) Error() string {
	where := e.Name
	if e.Namespace != "" {
		where = e.Namespace + "/" + e.Name
	}
	return fmt.Sprintf("diff: %s %s: %s: %v", e.Kind, where, e.Step, e.Err)
}

// Unwrap returns the cause.
func (e *ObjectError) Unwrap() error { return e.Err }
