// Package fake is an in-memory scale.ScalesGetter for tests of code that
// scales things. It records every call (Actions) and answers it, in order
// of precedence, from:
//
//   - reactors (PrependReactor, AddReactor, InjectError), which see each
//     call and may answer it with any Scale or error;
//   - canned scales set with SetScale, which the fake keeps the way the API
//     server keeps an object's scale: Get returns them, Update and Patch
//     change spec.replicas (status is left alone, as the server ignores it
//     on writes), every write gets a new resourceVersion, a stale
//     resourceVersion gives a Conflict, dry run changes nothing, and
//     negative replicas are Invalid;
//   - otherwise a NotFound status error, as from a server without the
//     object.
//
// Patch supports JSON merge patches, JSON patches (RFC 6902), strategic
// merge patches (applied as merge patches: a Scale has no lists to merge by
// key) and apply patches (applied as merge patches, without field
// ownership; FieldManager is required as on the server).
//
// Requests the real client refuses before sending (a nil Scale, invalid
// names or namespaces, an empty patch type) are refused here with the same
// *scale.Error wrapping scale.ErrInvalidRequest, and are not recorded;
// so are calls whose context has ended, with an *scale.Error wrapping the
// context's error.
//
// Unlike client-go's fake, the zero FakeScaleClient is ready to use, is
// safe for concurrent use, and never panics on a reactor's answer.
package fake
