// Package unstructured holds what programs write by hand around
// apimachinery's Unstructured type, done once: reading and writing manifest
// streams, field access whose errors say what went wrong and where, round
// trips to and from typed structs, and the small helpers generic tooling
// needs (conditions, owner references, labels, server-populated fields,
// namespace defaulting).
//
// It builds on k8s.io/apimachinery/pkg/apis/meta/v1/unstructured rather than
// replacing it: every function takes and returns apimachinery's
// *unstructured.Unstructured, so objects move freely between this package,
// anykube's dynamic client and any other code that speaks apimachinery.
//
// # Importing next to apimachinery
//
// Both packages are named unstructured. The convention used in anykube, its
// examples and its documentation is to keep this package's name and import
// apimachinery's under the alias apiu:
//
//	import (
//		apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
//
//		"github.com/anykube/anykube/unstructured"
//	)
//
//	dec := unstructured.NewDecoder(f, unstructured.DecoderOptions{SourceName: "app.yaml"})
//	for obj, err := range dec.All() {
//		if err != nil {
//			return err
//		}
//		var _ *apiu.Unstructured = obj
//	}
//
// # Field paths
//
// Get, Set, Remove and the typed getters address a field with a path string.
// The syntax:
//
//	spec.replicas                              map keys separated by dots
//	spec.template.spec.containers[0].image     [N] indexes a list, from 0
//	spec.containers[-1]                        a negative index counts from the end
//	spec.containers[name=web].image            [key=value] picks the first list item
//	                                           whose key has that value
//	metadata.annotations["example.com/x.y"]    ["..."] or ['...'] quotes a key that
//	                                           holds dots, brackets or other specials
//	metadata.labels.app\.kubernetes\.io/name   a backslash escapes the next character
//	                                           in a bare key
//
// A leading dot (".spec.replicas") is accepted and ignored; the empty path
// names the whole object. Inside quotes a backslash escapes the next
// character, so ["a\"b"] is the key a"b. A selector value may be quoted too:
// [name="a.b"]. A selector matches a string field equal to the value, or a
// number or boolean field whose JSON text equals it. ParsePath reports a
// malformed path as a *PathError giving the offset of the problem.
//
// Values follow apimachinery's conventions for decoded JSON: maps are
// map[string]any, lists are []any, integers are int64, other numbers are
// float64. Set accepts any Go value that has a JSON form and stores its
// JSON-normalized deep copy, so objects stay safe to DeepCopy.
//
// # Errors
//
// Field access fails with a *FieldError naming the path, the point where the
// walk stopped, what was wanted there and what was found; errors.Is matches
// ErrFieldNotFound for missing (or null) fields and ErrFieldType for a value
// of the wrong type. The manifest decoder fails with a *ManifestError naming
// the source, the document and the line.
package unstructured
