package applyset

import (
	"context"
	"errors"
	"reflect"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/wait"
	au "github.com/anykube/anykube/unstructured"
)

// mapRetry is how often a kind that does not map yet is looked up again
// while a CRD just applied makes its way into discovery.
const mapRetry = 200 * time.Millisecond

// crdMapTimeout bounds how long a kind is looked up again after CRDs were
// created, so that a misspelt kind fails instead of hanging.
const crdMapTimeout = 30 * time.Second

// Members returns copies of objs labelled as members of the set, as Apply
// sends them: what diff.Objects must be given to compare like with like.
func (s *ApplySet) Members(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, u := range objs {
		out[i] = u.DeepCopy()
		s.label(out[i])
	}
	return out
}

// label marks u as a member of the set.
func (s *ApplySet) label(u *unstructured.Unstructured) {
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelPartOf] = s.id
	u.SetLabels(labels)
}

// applyOne labels a copy of u as a member and applies it. It reads the
// object first, so it can say whether the apply created, changed or left
// it as it was.
func (s *ApplySet) applyOne(ctx context.Context, u *unstructured.Unstructured, newCRDs bool) (Change, string, error) {
	u = u.DeepCopy()
	obj := wait.Object{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
	m, err := s.mapWhenServed(ctx, u, newCRDs)
	if err != nil {
		return Change{Object: obj}, "", &ObjectError{Step: "map", Object: obj, Err: err}
	}
	obj.Resource, obj.Namespace = m.Resource, u.GetNamespace()
	s.label(u)

	var rc dynamic.ResourceInterface = s.client.Resource(m.Resource)
	if obj.Namespace != "" {
		rc = s.client.Resource(m.Resource).Namespace(obj.Namespace)
	}
	fail := func(err error) (Change, string, error) {
		return Change{Object: obj}, "", &ObjectError{Step: "apply", Object: obj, Err: err}
	}
	before, err := rc.Get(ctx, obj.Name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fail(err)
	}
	if err != nil {
		before = nil
	}
	opts := metav1.ApplyOptions{FieldManager: s.opts.FieldManager, Force: s.opts.Force}
	if s.opts.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	after, err := rc.Apply(ctx, obj.Name, u, opts)
	if err != nil {
		return fail(err)
	}
	action := Configured
	switch {
	case before == nil:
		action = Created
	case before.GetResourceVersion() == after.GetResourceVersion() && !s.opts.DryRun:
		action = Unchanged
	case s.opts.DryRun && sameIntent(before, after):
		action = Unchanged
	}
	return Change{Object: obj, Action: action}, string(after.GetUID()), nil
}

// sameIntent compares two versions of an object without the fields the
// server writes, since a dry run's answer has a fresh managedFields
// timestamp but keeps the resourceVersion whether it changed or not.
func sameIntent(a, b *unstructured.Unstructured) bool {
	return reflect.DeepEqual(au.StripServerFields(a).Object, au.StripServerFields(b).Object)
}

// mapWhenServed maps u and defaults its namespace to the parent's. When
// this Apply has just created CRDs, a kind the mapper does not know yet is
// looked up again (resetting a mapper that can be reset) for up to
// crdMapTimeout, because it may be one of theirs, which discovery serves a
// moment after they are Established.
func (s *ApplySet) mapWhenServed(ctx context.Context, u *unstructured.Unstructured, newCRDs bool) (*meta.RESTMapping, error) {
	deadline := time.Now().Add(crdMapTimeout)
	for {
		m, err := au.DefaultNamespace(u, s.mapper, s.parent.Namespace)
		if err == nil {
			return m, nil
		}
		if !meta.IsNoMatchError(err) || !newCRDs || time.Now().After(deadline) {
			return nil, err
		}
		if r, ok := s.mapper.(meta.ResettableRESTMapper); ok {
			r.Reset()
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(err, context.Cause(ctx))
		case <-time.After(mapRetry):
		}
	}
}
