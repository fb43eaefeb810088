package unstructured

import (
	"errors"
	"fmt"
	"reflect"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ToTyped converts u into a T, a struct type or a pointer to one, using
// apimachinery's DefaultUnstructuredConverter: fields match by their json
// tags, exactly as when decoding the object's JSON, and fields of u that T
// lacks are dropped. For a pointer T it returns a new value. It fails for a
// nil u, for a T that is neither, and when a value does not fit its field
// (a string where T has an int32, say); u is never modified.
//
// This is how a program that imports typed API packages (k8s.io/api or its
// own CRD types) moves an object from anykube's dynamic client into them.
func ToTyped[T any](u *apiu.Unstructured) (T, error) {
	var zero T
	if u == nil {
		return zero, errors.New("to typed: nil *Unstructured")
	}
	rt := reflect.TypeFor[T]()
	isPtr := rt.Kind() == reflect.Pointer
	target := rt
	if isPtr {
		target = rt.Elem()
	}
	if target.Kind() != reflect.Struct {
		return zero, fmt.Errorf("to typed %s: want a struct or a pointer to a struct", rt)
	}
	dst := reflect.New(target)
	obj := u.Object
	if obj == nil {
		obj = map[string]any{}
	}
	if err := safely(func() error {
		return runtime.DefaultUnstructuredConverter.FromUnstructured(obj, dst.Interface())
	}); err != nil {
		return zero, fmt.Errorf("to typed %s from %s: %w", rt, describe(u), err)
	}
	if isPtr {
		return dst.Interface().(T), nil
	}
	return dst.Elem().Interface().(T), nil
}

// FromTyped converts a typed object (a struct, or a non-nil pointer to one,
// such as a k8s.io/api Deployment) into a new *Unstructured using
// apimachinery's DefaultUnstructuredConverter; obj is not modified.
//
// apiVersion and kind come from the object's own fields (its inline
// TypeMeta), or, when those are empty and obj is a runtime.Object, from
// GetObjectKind. It fails, wrapping ErrMissingAPIVersion or ErrMissingKind,
// when neither gives them, as happens with objects a typed client returned:
// use FromTypedAs for those.
func FromTyped(obj any) (*apiu.Unstructured, error) {
	u, err := fromTyped(obj)
	if err != nil {
		return nil, err
	}
	if u.GetAPIVersion() == "" || u.GetKind() == "" {
		if ro, ok := obj.(runtime.Object); ok && !isNil(obj) {
			gvk := ro.GetObjectKind().GroupVersionKind()
			if u.GetAPIVersion() == "" && !gvk.GroupVersion().Empty() {
				u.SetAPIVersion(gvk.GroupVersion().String())
			}
			if u.GetKind() == "" && gvk.Kind != "" {
				u.SetKind(gvk.Kind)
			}
		}
	}
	if _, err := metaString(u.Object, "apiVersion", ErrMissingAPIVersion); err != nil {
		return nil, fmt.Errorf("from typed %T: %w (use FromTypedAs)", obj, err)
	}
	if _, err := metaString(u.Object, "kind", ErrMissingKind); err != nil {
		return nil, fmt.Errorf("from typed %T: %w (use FromTypedAs)", obj, err)
	}
	return u, nil
}

// FromTypedAs is FromTyped with apiVersion and kind set from gvk, whatever
// obj holds. It fails when gvk has no version or no kind, or the
// conversion fails.
func FromTypedAs(obj any, gvk schema.GroupVersionKind) (*apiu.Unstructured, error) {
	if gvk.Version == "" || gvk.Kind == "" {
		return nil, fmt.Errorf("from typed %T: incomplete GroupVersionKind %q", obj, gvk.String())
	}
	u, err := fromTyped(obj)
	if err != nil {
		return nil, err
	}
	u.SetGroupVersionKind(gvk)
	return u, nil
}

func fromTyped(obj any) (*apiu.Unstructured, error) {
	if isNil(obj) {
		return nil, errors.New("from typed: nil object")
	}
	if u, ok := obj.(*apiu.Unstructured); ok {
		return &apiu.Unstructured{Object: copyJSON(u.Object).(map[string]any)}, nil
	}
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer {
		// The converter wants a pointer; give it one to a copy.
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p
	}
	if v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("from typed %T: want a struct or a pointer to a struct", obj)
	}
	var m map[string]any
	if err := safely(func() (err error) {
		m, err = runtime.DefaultUnstructuredConverter.ToUnstructured(v.Interface())
		return err
	}); err != nil {
		return nil, fmt.Errorf("from typed %T: %w", obj, err)
	}
	return &apiu.Unstructured{Object: m}, nil
}

func isNil(obj any) bool {
	if obj == nil {
		return true
	}
	v := reflect.ValueOf(obj)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// safely runs a reflection-driven conversion, turning a panic on an odd
// type (a func or chan field, say) into an error.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("conversion failed: %v", r)
		}
	}()
	return f()
}
