// Package diff tells what applying objects would change, by asking the
// API server rather than guessing: each object is sent as a server-side
// apply with dryRun=All, and the answer (the object as it would be stored,
// defaults, admission and other managers' fields included) is compared
// with the live object, both without the fields the server writes
// (managedFields, resourceVersion, uid, generation, creationTimestamp,
// status). What remains are the fields the apply would change, each named
// by a field path in the syntax of package unstructured
// ("spec.template.spec.containers[name=web].image").
//
// It is kubectl diff --server-side, as a library: it needs the same rights
// as the apply itself (patch, and get on the object), and has the same
// limits: an object in a namespace that does not exist yet, or of a kind
// whose CRD is not installed yet, cannot be dry-run and is reported as an
// error for that object.
//
// It lives under dynamic because every step is a dynamic-client call,
// mapped by a meta.RESTMapper.
package diff
