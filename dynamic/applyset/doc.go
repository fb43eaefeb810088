// Package applyset applies a set of objects with server-side apply and
// deletes ("prunes") the members it applied before that are no longer in
// the set, recording membership the way KEP-3659 ApplySets do, so that
// kubectl apply --prune --applyset=NAME and this package see the same set.
//
// It lives under dynamic because every step is a dynamic-client call (apply
// patches, labelled lists, deletes), mapped by a meta.RESTMapper; waiting
// for what was applied is dynamic/wait's job.
//
// # Membership (KEP-3659)
//
// A parent object (a Secret by default, as kubectl's; a ConfigMap, or a
// custom resource whose CRD is labelled applyset.kubernetes.io/is-parent-type,
// as kubectl requires) carries the label applyset.kubernetes.io/id, whose
// value is derived from the parent's name, namespace, kind and group, and
// the annotations applyset.kubernetes.io/tooling (who manages the set),
// applyset.kubernetes.io/contains-group-kinds (every kind members may have)
// and applyset.kubernetes.io/additional-namespaces (namespaces other than
// the parent's where members may be). Every member carries the label
// applyset.kubernetes.io/part-of with the parent's id.
//
// Apply first widens the parent's annotations to the union of the old and
// the new kinds and namespaces, then applies the members, and after a
// successful prune narrows them to the new set: a crash in between leaves
// annotations that still cover every member, so the next run prunes them.
//
// # What prune may delete
//
// Only objects that are all of: of a kind listed on the parent or applied
// now; in a namespace listed on the parent, applied to now, or the parent's
// own (or cluster-scoped); labelled part-of with this set's id; and not
// among the objects just applied (by UID). Each delete carries the UID as a
// precondition, so an object replaced since the list is left alone.
// Another set's members carry another id, so they are never listed.
//
// # Sharing a set with kubectl
//
// kubectl refuses a parent whose tooling annotation names another tool, and
// so does this package. To let kubectl and a program take turns on one set,
// set Options.Tooling to kubectl's ("kubectl/v1.37.2"); kubectl needs
// KUBECTL_APPLYSET=true in its environment.
//
// Apply returns a ChangeSet, one entry per object with the action taken,
// after the model of Flux's ssa ResourceManager.
package applyset
