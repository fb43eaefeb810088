package applyset

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/dynamic"
)

// membership is what a parent's annotations record: kinds ("Kind.group")
// and namespaces.
type membership struct {
	kinds, namespaces map[string]bool
}

func (m membership) sets() (kinds, namespaces map[string]bool) { return m.kinds, m.namespaces }

// union returns the kinds and namespaces of m and o together.
func (m membership) union(o membership) (kinds, namespaces map[string]bool) {
	kinds, namespaces = map[string]bool{}, map[string]bool{}
	for _, src := range []membership{m, o} {
		for k := range src.kinds {
			kinds[k] = true
		}
		for n := range src.namespaces {
			namespaces[n] = true
		}
	}
	return kinds, namespaces
}

// record returns the kinds and namespaces objs occupy. Objects without a
// namespace count in the parent's, where they go if namespaced.
func (s *ApplySet) record(objs []*unstructured.Unstructured) membership {
	m := membership{kinds: map[string]bool{}, namespaces: map[string]bool{}}
	for _, u := range objs {
		m.kinds[u.GroupVersionKind().GroupKind().String()] = true
		ns := u.GetNamespace()
		if ns == "" {
			ns = s.parent.Namespace
		}
		m.namespaces[ns] = true
	}
	return m
}

// parentClient returns the client for the parent's resource.
func (s *ApplySet) parentClient() dynamic.ResourceInterface {
	if s.parent.Namespace == "" {
		return s.client.Resource(s.mapping.Resource)
	}
	return s.client.Resource(s.mapping.Resource).Namespace(s.parent.Namespace)
}

// readParent returns what the parent records, empty when it does not exist
// yet. It fails with ErrParentConflict when the parent is another tool's
// or another set's.
func (s *ApplySet) readParent(ctx context.Context) (membership, error) {
	m := membership{kinds: map[string]bool{}, namespaces: map[string]bool{}}
	p, err := s.parentClient().Get(ctx, s.parent.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("applyset: reading parent %s: %w", s.describeParent(), err)
	}
	ann := p.GetAnnotations()
	tooling, ok := ann[AnnotationTooling]
	if !ok {
		return m, fmt.Errorf("applyset: parent %s exists without the %s annotation: %w", s.describeParent(), AnnotationTooling, ErrParentConflict)
	}
	if toolName(tooling) != toolName(s.opts.Tooling) {
		return m, fmt.Errorf("applyset: parent %s is managed by %q, not %q: %w", s.describeParent(), toolName(tooling), toolName(s.opts.Tooling), ErrParentConflict)
	}
	if id := p.GetLabels()[LabelID]; id != s.id {
		return m, fmt.Errorf("applyset: parent %s has id label %q, want %q: %w", s.describeParent(), id, s.id, ErrParentConflict)
	}
	m.kinds = splitList(ann[AnnotationGroupKinds])
	m.namespaces = splitList(ann[AnnotationNamespaces])
	if s.parent.Namespace != "" {
		m.namespaces[s.parent.Namespace] = true
	}
	return m, nil
}

// writeParent applies the parent's label and annotations, as their own
// field manager so that the members' manager never owns them. A conflict
// (another manager wrote these annotations) is retried with force, as the
// set's bookkeeping must win.
func (s *ApplySet) writeParent(ctx context.Context, kinds, namespaces map[string]bool) error {
	gvk := s.mapping.GroupVersionKind
	meta := map[string]any{
		"name":   s.parent.Name,
		"labels": map[string]any{LabelID: s.id},
		"annotations": map[string]any{
			AnnotationTooling:    s.opts.Tooling,
			AnnotationGroupKinds: joinSorted(kinds, ""),
			AnnotationNamespaces: joinSorted(namespaces, s.parent.Namespace),
		},
	}
	if s.parent.Namespace != "" {
		meta["namespace"] = s.parent.Namespace
	}
	body, err := json.Marshal(map[string]any{"apiVersion": gvk.GroupVersion().String(), "kind": gvk.Kind, "metadata": meta})
	if err != nil {
		return fmt.Errorf("applyset: encoding parent %s: %w", s.describeParent(), err)
	}
	manager := toolName(s.opts.Tooling) + "-applyset"
	for _, force := range []bool{false, true} {
		opts := metav1.PatchOptions{FieldManager: manager, Force: &force}
		if s.opts.DryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		_, err = s.parentClient().Patch(ctx, s.parent.Name, types.ApplyPatchType, body, opts)
		if !apierrors.IsConflict(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("applyset: writing parent %s: %w", s.describeParent(), err)
	}
	return nil
}

func (s *ApplySet) describeParent() string {
	if s.parent.Namespace == "" {
		return s.parent.GroupKind.String() + " " + s.parent.Name
	}
	return s.parent.GroupKind.String() + " " + s.parent.Namespace + "/" + s.parent.Name
}
