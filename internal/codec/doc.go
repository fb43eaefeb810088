// Package codec turns JSON response bodies into apimachinery's
// unstructured.Unstructured and unstructured.UnstructuredList values in a
// single pass over the bytes.
//
// The results are the ones unstructured.UnstructuredJSONScheme produces for
// the same input (same maps, same int64/float64 choice for numbers, same
// errors-or-not), but the scheme walks a list body about four times and
// allocates every item twice; this package scans once, sizes each map
// exactly, and reuses the strings that repeat across objects (keys such as
// "metadata" and values such as "v1"). Interned strings are shared between
// results: that is safe because Go strings are immutable.
//
// Encoding is not done here; encoding/json on the Object map is what callers
// use for request bodies.
package codec
