// Package fake is an in-memory dynamic.Interface for tests: a small API
// server without the HTTP. It keeps objects per GroupVersionResource, hands
// out copies, and behaves like the real server where tests tend to notice:
//
//   - resourceVersion is one counter for the whole fake, like etcd's
//     revision: every write gets the next value, a List carries the current
//     one, and an Update or Patch carrying a stale resourceVersion fails
//     with a Conflict. Unconditional updates (no resourceVersion) are
//     allowed for every resource.
//   - metadata.generation starts at 1 and grows with every write that
//     changes something outside metadata and status (or sets the
//     deletionTimestamp). As on the server, objects of the core group that
//     have no spec (ConfigMaps, Secrets) carry no generation.
//   - uid, creationTimestamp and generateName are filled in on Create; a
//     Create of an existing name is AlreadyExists, a missing object is
//     NotFound, with the server's status errors.
//   - Delete of an object with finalizers sets its deletionTimestamp; the
//     object goes away when an update removes the last finalizer.
//     Preconditions (uid, resourceVersion) and dry run are honoured on
//     every write.
//   - List never panics on an unknown list kind: the list kind is the one
//     given to NewSimpleDynamicClientWithCustomListKinds or Register, else
//     the one of the scheme given to the constructor (its "<Kind>List" kind,
//     as in client-go's fake), else "<Kind>List" with the Kind registered
//     by the scheme or learnt from objects seen for the resource, else
//     "List". Label selectors work, and field selectors on
//     metadata.name and metadata.namespace; any other field label is read
//     from the object by its dotted path, which the real server allows only
//     for the fields a resource declares. limit and continue page through
//     a snapshot taken at the first page's resourceVersion, like etcd.
//   - Watch sends ADDED, MODIFIED and DELETED in commit order, starts from
//     any resourceVersion still in the fake's history (replaying what
//     happened since), sends ADDED for the current state when started
//     without one, honours selectors the way the watch cache does (an
//     object leaving the selection is DELETED), supports bookmarks and
//     streaming lists (sendInitialEvents=true, ending with the
//     "k8s.io/initial-events-end" bookmark), and ends on Stop, on context
//     cancellation or after TimeoutSeconds. Writers never block on a slow
//     watcher.
//   - Patch supports JSON patch (RFC 6902) and JSON merge patch (RFC 7386).
//     A strategic merge patch is applied as a merge patch: lists are
//     replaced, never merged by key, and "$patch" directives are refused.
//   - Apply (and an apply patch) creates the object when it is missing and
//     otherwise merges the applied configuration into it as a merge patch.
//     There is no field ownership: fields dropped from a later apply stay,
//     conflicts are never reported and Force changes nothing. FieldManager
//     is required and managedFields refused, as by the real client.
//   - The "status" subresource is emulated: UpdateStatus, and Patch or
//     Apply with "status", write only .status. Update of the object itself
//     keeps the stored status only for resources registered with
//     StatusSubresource, since the fake cannot know which resources have
//     one. Other subresources (scale, eviction, ...) are answered with
//     MethodNotSupported unless a reactor handles them.
//
// Tests can look at what was called (Actions), make any verb on any
// resource fail or answer differently (InjectError, PrependReactor), end
// every open watch as if the connection dropped (StopWatches), send
// bookmarks (SendBookmarks), and forget history so that old
// resourceVersions answer 410 Gone (Compact).
//
// Requests the real client refuses before sending (invalid names, objects
// without apiVersion or kind, Apply without a field manager) are refused
// here with the same *dynamic.Error wrapping dynamic.ErrInvalidRequest,
// and are not recorded as actions.
package fake
