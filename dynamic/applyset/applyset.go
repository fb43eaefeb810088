package applyset

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/wait"
)

// DefaultTooling is the tooling annotation written when Options.Tooling is
// empty.
const DefaultTooling = "anykube/v1"

// Parent names the object that records the set.
type Parent struct {
	// GroupKind is the parent's kind; zero means Secret, as kubectl's
	// default. As kubectl, Apply accepts Secret, ConfigMap and custom
	// resources whose CRD is labelled LabelParentType (ErrParentType
	// otherwise).
	GroupKind schema.GroupKind
	// Namespace is required for a namespaced parent; it is also where
	// members without a namespace go.
	Namespace string
	Name      string
}

// Options tunes an ApplySet. The zero value applies for real, as field
// manager "anykube", without forcing conflicts and without pruning.
type Options struct {
	// FieldManager owns the fields applied to members. Empty means
	// "anykube".
	FieldManager string
	// Tooling is written to, and required on, the parent's tooling
	// annotation, as "name/version"; only the name must match an existing
	// parent's. Empty means DefaultTooling. Use kubectl's
	// ("kubectl/v1.37.2") to share the set with kubectl.
	Tooling string
	// Force takes fields other managers own instead of failing with a
	// Conflict.
	Force bool
	// DryRun sends every write as a server-side dry run: the ChangeSet
	// says what would happen, nothing is changed.
	DryRun bool
	// Prune deletes the members no longer in the set after applying.
	Prune bool
	// PropagationPolicy is the pruning deletes' policy. Empty means
	// Background, as kubectl's default.
	PropagationPolicy string
}

// ApplySet applies sets of objects under one parent. It is safe for
// sequential use; concurrent Apply calls on one set race as two kubectl
// runs would.
type ApplySet struct {
	client  dynamic.Interface
	mapper  meta.RESTMapper
	parent  Parent
	mapping *meta.RESTMapping
	id      string
	opts    Options
	// typeChecked is set once the parent's kind passed checkParentType.
	typeChecked bool
}

// New returns the ApplySet recorded by parent. It maps the parent's kind
// through mapper and fails when it cannot (wrapping the mapper's error), or
// when parent has no name, or no namespace while its kind is namespaced.
// Nothing is sent to the server.
func New(client dynamic.Interface, mapper meta.RESTMapper, parent Parent, opts Options) (*ApplySet, error) {
	if parent.GroupKind.Empty() {
		parent.GroupKind = schema.GroupKind{Kind: "Secret"}
	}
	if parent.Name == "" {
		return nil, fmt.Errorf("applyset: parent %s has no name", parent.GroupKind)
	}
	m, err := mapper.RESTMapping(parent.GroupKind)
	if err != nil {
		return nil, fmt.Errorf("applyset: mapping parent kind %s: %w", parent.GroupKind, err)
	}
	if namespaced(m) {
		if parent.Namespace == "" {
			return nil, fmt.Errorf("applyset: parent %s %s is namespaced and has no namespace", parent.GroupKind, parent.Name)
		}
	} else {
		parent.Namespace = ""
	}
	if opts.FieldManager == "" {
		opts.FieldManager = "anykube"
	}
	if opts.Tooling == "" {
		opts.Tooling = DefaultTooling
	}
	if opts.PropagationPolicy == "" {
		opts.PropagationPolicy = "Background"
	}
	return &ApplySet{
		client: client, mapper: mapper, parent: parent, mapping: m, opts: opts,
		id: ID(parent.Name, parent.Namespace, parent.GroupKind),
	}, nil
}

// ID returns the set's id, the value of its parent's id label and of its
// members' part-of label.
func (s *ApplySet) ID() string { return s.id }

// Parent returns the parent's name, namespace and kind.
func (s *ApplySet) Parent() Parent { return s.parent }

func namespaced(m *meta.RESTMapping) bool {
	return m.Scope != nil && m.Scope.Name() == meta.RESTScopeNameNamespace
}

// toolName is the part of a tooling annotation that must match.
func toolName(tooling string) string {
	name, _, _ := strings.Cut(tooling, "/")
	return name
}

// Apply makes the set hold exactly objs: it records them on the parent,
// applies them with server-side apply in dependency order
// (CustomResourceDefinitions and Namespaces first; then, once the new CRDs
// are Established and mapped, the rest in the order given), labelling each
// as a member, and with Options.Prune deletes the members applied before
// that objs no longer holds. objs are not modified. Members without a
// namespace go to the parent's.
//
// It returns the changes made so far and the first error: an error
// matching ErrParentConflict when the parent belongs to another tool or
// set, an error matching ErrParentType when the parent's kind may not be
// one, an *ObjectError naming the object a step failed on, or the context's
// error while waiting for CRDs.
func (s *ApplySet) Apply(ctx context.Context, objs []*unstructured.Unstructured) (ChangeSet, error) {
	cs := ChangeSet{DryRun: s.opts.DryRun}
	if !s.typeChecked {
		if err := s.checkParentType(ctx); err != nil {
			return cs, err
		}
		s.typeChecked = true
	}
	old, err := s.readParent(ctx)
	if err != nil {
		return cs, err
	}
	first, rest := stages(objs)

	// Widen the parent before any member is written, so that every object
	// carrying the label is covered by its annotations even if this run
	// stops half-way.
	kinds, namespaces := old.union(s.record(objs))
	if err := s.writeParent(ctx, kinds, namespaces); err != nil {
		return cs, err
	}

	applied := map[string]bool{} // UIDs
	var crds []wait.Object
	for _, u := range first {
		c, uid, err := s.applyOne(ctx, u, false)
		if err != nil {
			return cs, err
		}
		cs.Changes = append(cs.Changes, c)
		applied[uid] = true
		if c.Object.Kind == "CustomResourceDefinition" && !s.opts.DryRun {
			crds = append(crds, c.Object)
		}
	}
	if len(crds) > 0 {
		if _, err := wait.Wait(ctx, s.client, crds, wait.Options{}); err != nil {
			return cs, fmt.Errorf("applyset: waiting for CustomResourceDefinitions to be established: %w", err)
		}
	}
	for _, u := range rest {
		c, uid, err := s.applyOne(ctx, u, len(crds) > 0)
		if err != nil {
			return cs, err
		}
		cs.Changes = append(cs.Changes, c)
		applied[uid] = true
	}
	if !s.opts.Prune {
		return cs, nil
	}
	pruned, err := s.prune(ctx, kinds, namespaces, applied)
	cs.Changes = append(cs.Changes, pruned...)
	if err != nil {
		return cs, err
	}
	// Narrow the parent to what the set now holds.
	latestKinds, latestNamespaces := s.record(objs).sets()
	if err := s.writeParent(ctx, latestKinds, latestNamespaces); err != nil {
		return cs, fmt.Errorf("applyset: applied and pruned, but narrowing the parent failed: %w", err)
	}
	return cs, nil
}

// stages splits objs into what must exist before the rest can be applied
// (CRDs, so that their instances map; Namespaces, so that objects in them
// can be created) and the rest, each in the order given.
func stages(objs []*unstructured.Unstructured) (first, rest []*unstructured.Unstructured) {
	for _, u := range objs {
		gvk := u.GroupVersionKind()
		if (gvk.Group == "apiextensions.k8s.io" && gvk.Kind == "CustomResourceDefinition") || (gvk.Group == "" && gvk.Kind == "Namespace") {
			first = append(first, u)
		} else {
			rest = append(rest, u)
		}
	}
	return first, rest
}
