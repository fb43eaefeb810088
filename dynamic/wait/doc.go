// Package wait waits for a set of objects of any kinds to reach a state:
// all Current (the default), all deleted, or any condition the caller
// writes, stopping early when one of them Fails. It reports each object's
// progress as it changes and, when the wait does not succeed, returns one
// error naming every object that did not make it with its last status.
//
// It lives under dynamic because it is built on the dynamic client's
// watches; the status it judges by is unstructured/status's Compute, a pure
// function of the object.
//
// # One watch per resource and namespace
//
// Objects are grouped by resource and namespace, and each group is followed
// by one list and one watch (a dynamic.RetryWatcher, so a dropped
// connection or a 410 Gone costs no event): 500 Deployments in one
// namespace cost two requests, not 500 polls. A group of a single object
// narrows its watch with a field selector on its name. Nothing polls: a
// change is seen when the server sends it.
//
//	objs, err := wait.ObjectsFor(mapper, manifests...)
//	...
//	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
//	defer cancel()
//	states, err := wait.Wait(ctx, client, objs, wait.Options{
//		Progress: func(s wait.State) { fmt.Println(s) },
//	})
//
// This is the job of Flux's ssa ResourceManager.Wait and of kubectl wait and
// rollout status, without their polling.
package wait
