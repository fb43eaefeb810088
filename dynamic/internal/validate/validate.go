// Package validate holds the checks the dynamic client makes before it sends
// anything, shared with dynamic/fake so that the fake refuses exactly what the
// real client refuses, with the same errors.
package validate

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ErrInvalidRequest is wrapped by every error these checks return: the
// request was refused before being sent.
var ErrInvalidRequest = errors.New("invalid request")

// invalid returns an error wrapping ErrInvalidRequest.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}

// Segment checks that value can be one path segment of a request: the API
// server refuses ".", "..", and names containing "/" or "%", and letting them
// through would address a different path than the caller meant. what names
// the segment in the error ("name", "namespace", "subresource").
func Segment(what, value string) error {
	if value == "" {
		return invalid("%s must not be empty", what)
	}
	if msgs := content.IsPathSegmentName(value); len(msgs) > 0 {
		return invalid("%s %q: %s", what, value, strings.Join(msgs, "; "))
	}
	return nil
}

// Namespace checks a client's namespace; empty means cluster-scoped or all
// namespaces and is valid.
func Namespace(ns string) error {
	if ns == "" {
		return nil
	}
	return Segment("namespace", ns)
}

// Name checks an object name that a request addresses.
func Name(name string) error { return Segment("name", name) }

// Subresources checks each subresource path segment.
func Subresources(subresources []string) error {
	for _, s := range subresources {
		if err := Segment("subresource", s); err != nil {
			return err
		}
	}
	return nil
}

// Target checks the namespace, name and subresources of a request for one
// object.
func Target(ns, name string, subresources []string) error {
	if err := Namespace(ns); err != nil {
		return err
	}
	if err := Name(name); err != nil {
		return err
	}
	return Subresources(subresources)
}

// Object checks that obj can be sent as a request body: it is not nil and
// names its apiVersion and kind, which the server needs to decode it.
func Object(obj *unstructured.Unstructured) error {
	if obj == nil || obj.Object == nil {
		return invalid("object is nil")
	}
	if obj.GetAPIVersion() == "" {
		return invalid("object has no apiVersion")
	}
	if obj.GetKind() == "" {
		return invalid("object has no kind")
	}
	return nil
}

// ObjectName returns obj's metadata.name, checked as a path segment, for the
// verbs that address an existing object through its body (Update, and Create
// with a subresource).
func ObjectName(obj *unstructured.Unstructured) (string, error) {
	if obj == nil || obj.Object == nil {
		return "", invalid("object is nil")
	}
	name := obj.GetName()
	if name == "" {
		return "", invalid("object has no metadata.name")
	}
	return name, Name(name)
}

// Apply checks a server-side apply request: the field manager is required
// (the server would refuse the patch), and managedFields must be absent
// because they would be taken as the caller's claim on every field listed.
func Apply(obj *unstructured.Unstructured, opts metav1.ApplyOptions) error {
	if err := Object(obj); err != nil {
		return err
	}
	if opts.FieldManager == "" {
		return invalid("server-side apply needs ApplyOptions.FieldManager")
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(obj.Object, "metadata", "managedFields"); found {
		return invalid("object to apply must not carry metadata.managedFields; the server keeps them")
	}
	return nil
}

// Resource checks the resource and version a client was made for: both are
// path segments of every request. The group may be empty (the core group).
func Resource(gvr schema.GroupVersionResource) error {
	if gvr.Group != "" {
		if err := Segment("group", gvr.Group); err != nil {
			return err
		}
	}
	if err := Segment("version", gvr.Version); err != nil {
		return err
	}
	return Segment("resource", gvr.Resource)
}
