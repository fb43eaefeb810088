package rest

import (
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/conversion/queryparams"
)

// Params adds the fields of an option struct (metav1.ListOptions,
// GetOptions, CreateOptions, UpdateOptions, PatchOptions, DeleteOptions, or
// any struct with JSON tags) as query parameters named by their JSON tags,
// the way the API server reads them: omitempty fields are left out when
// zero, set pointers are always sent (so SendInitialEvents=false is sent),
// slices repeat the key (dryRun=All), and nested structs such as
// DeleteOptions.Preconditions are flattened. opts may be a struct or a
// pointer to one; a nil pointer adds nothing. Anything else is recorded as an
// error.
//
// This is the same encoding metav1.ParameterCodec applies to these types
// (it ends in apimachinery's queryparams.Convert), without the scheme lookup.
func (r *Request) Params(opts any) *Request {
	if opts == nil {
		return r
	}
	v := reflect.ValueOf(opts)
	switch {
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct:
		if v.IsNil() {
			return r
		}
	case v.Kind() == reflect.Struct:
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		opts = p.Interface()
	default:
		return r.fail(fmt.Errorf("query parameters from %T: want a struct or a pointer to one", opts))
	}
	q, err := queryparams.Convert(opts)
	if err != nil {
		return r.fail(fmt.Errorf("query parameters from %T: %w", opts, err))
	}
	for k, vs := range q {
		for _, s := range vs {
			r.Param(k, s)
		}
	}
	return r
}
