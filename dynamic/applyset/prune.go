package applyset

import (
	"context"
	"maps"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/wait"
)

// candidate is a member found by prune's lists.
type candidate struct {
	obj wait.Object
	uid types.UID
}

// prune deletes the set's members that are not in applied (UIDs), looking
// only at the kinds and namespaces given, with the set's label. Instances
// go before Namespaces and CRDs, the reverse of the apply order, so that a
// namespace's or CRD's removal does not race the deletes of what it holds.
func (s *ApplySet) prune(ctx context.Context, kinds, namespaces map[string]bool, applied map[string]bool) ([]Change, error) {
	var found []candidate
	sel := metav1.ListOptions{LabelSelector: LabelPartOf + "=" + s.id}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		gk := schema.ParseGroupKind(k)
		m, err := s.mapper.RESTMapping(gk)
		if meta.IsNoMatchError(err) {
			// The kind is no longer served, so nothing of it is left
			// to delete.
			continue
		}
		if err != nil {
			return nil, &ObjectError{Step: "prune", Object: wait.Object{Kind: gk.Kind}, Err: err}
		}
		var clients []dynamic.ResourceInterface
		if namespaced(m) {
			for _, ns := range slices.Sorted(maps.Keys(namespaces)) {
				if ns != "" {
					clients = append(clients, s.client.Resource(m.Resource).Namespace(ns))
				}
			}
		} else {
			clients = append(clients, s.client.Resource(m.Resource))
		}
		for _, rc := range clients {
			for item, err := range dynamic.Items(ctx, rc, sel) {
				if err != nil {
					return nil, &ObjectError{Step: "prune", Object: wait.Object{Resource: m.Resource, Kind: gk.Kind}, Err: err}
				}
				if !s.isMember(item) || applied[string(item.GetUID())] {
					continue
				}
				found = append(found, candidate{
					obj: wait.Object{Resource: m.Resource, Kind: gk.Kind, Namespace: item.GetNamespace(), Name: item.GetName()},
					uid: item.GetUID(),
				})
			}
		}
	}
	slices.SortStableFunc(found, func(a, b candidate) int { return rank(a.obj) - rank(b.obj) })

	var changes []Change
	policy := metav1.DeletionPropagation(s.opts.PropagationPolicy)
	for _, c := range found {
		uid := c.uid
		opts := metav1.DeleteOptions{PropagationPolicy: &policy, Preconditions: &metav1.Preconditions{UID: &uid}}
		if s.opts.DryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		var rc dynamic.ResourceInterface = s.client.Resource(c.obj.Resource)
		if c.obj.Namespace != "" {
			rc = s.client.Resource(c.obj.Resource).Namespace(c.obj.Namespace)
		}
		err := rc.Delete(ctx, c.obj.Name, opts)
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			// Gone already, or replaced by another object since the
			// list (the UID precondition failed): not ours to delete.
			continue
		}
		if err != nil {
			return changes, &ObjectError{Step: "prune", Object: c.obj, Err: err}
		}
		changes = append(changes, Change{Object: c.obj, Action: Pruned})
	}
	return changes, nil
}

// isMember checks the label again, so that what the server's selector let
// through is never trusted blindly with a delete.
func (s *ApplySet) isMember(u *unstructured.Unstructured) bool {
	return u.GetLabels()[LabelPartOf] == s.id
}

// rank orders deletes: ordinary objects, then Namespaces, then CRDs.
func rank(o wait.Object) int {
	switch {
	case o.Kind == "CustomResourceDefinition" && o.Resource.Group == "apiextensions.k8s.io":
		return 2
	case o.Kind == "Namespace" && o.Resource.Group == "":
		return 1
	}
	return 0
}
