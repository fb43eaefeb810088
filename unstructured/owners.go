package unstructured

import (
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

const ownersPath = "metadata.ownerReferences"

// OwnerReferences returns u's metadata.ownerReferences. Unlike
// Unstructured.GetOwnerReferences, which drops entries it cannot read, it
// fails with an error naming the entry when one is malformed.
func OwnerReferences(u *apiu.Unstructured) ([]metav1.OwnerReference, error) {
	list, err := GetSlice(u, ownersPath)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	out := make([]metav1.OwnerReference, 0, len(list))
	for i, item := range list {
		at := fmt.Sprintf("%s[%d]", ownersPath, i)
		m, ok := item.(map[string]any)
		if !ok {
			return nil, &FieldError{Path: at, At: at, Want: "map", Found: typeName(item)}
		}
		var ref metav1.OwnerReference
		if err := safely(func() error {
			return runtime.DefaultUnstructuredConverter.FromUnstructured(m, &ref)
		}); err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		out = append(out, ref)
	}
	return out, nil
}

// NewOwnerReference returns a reference to owner, marked as the controller
// when controller is true (BlockOwnerDeletion is set with it, as
// controllers do). It fails when owner lacks apiVersion, kind, name or uid,
// all of which the API server requires.
func NewOwnerReference(owner *apiu.Unstructured, controller bool) (metav1.OwnerReference, error) {
	if owner == nil {
		return metav1.OwnerReference{}, errors.New("owner reference: nil owner")
	}
	ref := metav1.OwnerReference{
		APIVersion: owner.GetAPIVersion(),
		Kind:       owner.GetKind(),
		Name:       owner.GetName(),
		UID:        owner.GetUID(),
	}
	switch {
	case ref.APIVersion == "":
		return ref, fmt.Errorf("owner reference to %s: %w", describe(owner), ErrMissingAPIVersion)
	case ref.Kind == "":
		return ref, fmt.Errorf("owner reference to %s: %w", describe(owner), ErrMissingKind)
	case ref.Name == "":
		return ref, fmt.Errorf("owner reference to %s: owner has no name", describe(owner))
	case ref.UID == "":
		return ref, fmt.Errorf("owner reference to %s: owner has no uid (it must come from the server)", describe(owner))
	}
	if controller {
		t := true
		ref.Controller = &t
		ref.BlockOwnerDeletion = &t
	}
	return ref, nil
}

// sameOwner reports whether two references point at the same object: the
// same UID when both have one, otherwise the same API group, kind and name
// (the version may differ between references to one object).
func sameOwner(a, b metav1.OwnerReference) bool {
	if a.UID != "" && b.UID != "" {
		return a.UID == b.UID
	}
	return groupOf(a.APIVersion) == groupOf(b.APIVersion) && a.Kind == b.Kind && a.Name == b.Name
}

func groupOf(apiVersion string) string {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return apiVersion
	}
	return gv.Group
}

// IsOwnedBy reports whether u has an owner reference to owner, matched by
// UID, or by group, kind and name when either side has no UID. A malformed
// metadata.ownerReferences reads as no owners.
func IsOwnedBy(u, owner *apiu.Unstructured) bool {
	if u == nil || owner == nil {
		return false
	}
	want := metav1.OwnerReference{APIVersion: owner.GetAPIVersion(), Kind: owner.GetKind(), Name: owner.GetName(), UID: owner.GetUID()}
	refs, err := OwnerReferences(u)
	if err != nil {
		return false
	}
	for _, r := range refs {
		if sameOwner(r, want) {
			return true
		}
	}
	return false
}

// AddOwnerReference adds ref to u's owner references, replacing a
// reference to the same owner (see IsOwnedBy) rather than adding a
// duplicate. It fails when ref would give u a second controller, which the
// API server rejects, when ref lacks apiVersion, kind or name, or when u's
// existing references are malformed.
func AddOwnerReference(u *apiu.Unstructured, ref metav1.OwnerReference) error {
	if u == nil {
		return errors.New("add owner reference: nil object")
	}
	if ref.APIVersion == "" || ref.Kind == "" || ref.Name == "" {
		return fmt.Errorf("add owner reference to %s: the reference needs apiVersion, kind and name", describe(u))
	}
	refs, err := OwnerReferences(u)
	if err != nil {
		return fmt.Errorf("add owner reference to %s: %w", describe(u), err)
	}
	replaced := false
	for i, r := range refs {
		if sameOwner(r, ref) {
			refs[i] = ref
			replaced = true
			continue
		}
		if isController(r) && isController(ref) {
			return fmt.Errorf("add owner reference to %s: it is already controlled by %s %s", describe(u), r.Kind, r.Name)
		}
	}
	if !replaced {
		refs = append(refs, ref)
	}
	u.SetOwnerReferences(refs)
	return nil
}

// RemoveOwnerReference removes the references with the given UID from u and
// reports whether there was one. A malformed metadata.ownerReferences is
// left alone and reported as an error.
func RemoveOwnerReference(u *apiu.Unstructured, uid types.UID) (bool, error) {
	refs, err := OwnerReferences(u)
	if err != nil || len(refs) == 0 {
		return false, err
	}
	kept := refs[:0]
	for _, r := range refs {
		if r.UID != uid {
			kept = append(kept, r)
		}
	}
	if len(kept) == len(refs) {
		return false, nil
	}
	if len(kept) == 0 {
		return true, Remove(u, ownersPath)
	}
	u.SetOwnerReferences(kept)
	return true, nil
}

func isController(r metav1.OwnerReference) bool {
	return r.Controller != nil && *r.Controller
}
