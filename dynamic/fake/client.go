package fake

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
)

// FakeDynamicClient is an in-memory dynamic.Interface. The zero value is not
// usable; build one with NewSimpleDynamicClient. It is safe for concurrent
// use.
type FakeDynamicClient struct {
	scheme *runtime.Scheme

	// mu guards every field below, and is held while a write is committed
	// and its events are queued to watchers, so that watchers see writes
	// in commit order.
	mu sync.Mutex
	// rv is the last resourceVersion handed out.
	rv int64
	// compacted is the oldest resourceVersion whose state can still be
	// read: history holds every change after it.
	compacted int64
	objects   map[schema.GroupVersionResource]map[objectKey]*unstructured.Unstructured
	history   []change
	watchers  map[*watcher]struct{}
	resources map[schema.GroupVersionResource]ResourceInfo
	actions   []Action
	reactors  []reactor
	wreactors []watchReactor
	// seedErr is the failure to add the constructor's objects; every call
	// returns it, since the constructor's signature has no error.
	seedErr error
}

var _ dynamic.Interface = (*FakeDynamicClient)(nil)

// ResourceInfo tells the fake what it cannot guess about a resource.
type ResourceInfo struct {
	// Kind is the kind of the resource's objects ("Deployment"). Empty
	// means learnt from the first object stored.
	Kind string
	// ListKind is the kind of its lists. Empty means Kind + "List".
	ListKind string
	// StatusSubresource makes the fake treat .status as the server does for
	// resources with a status subresource: dropped on Create, kept from the
	// stored object on Update, Patch and Apply of the object itself.
	StatusSubresource bool
}

// NewSimpleDynamicClient returns a fake holding objects. Each object is an
// *unstructured.Unstructured, an *unstructured.UnstructuredList (its items
// are added), or a typed object whose kind comes from its TypeMeta or, when
// that is empty, from scheme (which may be nil). The resource of each object
// is the registered one for its kind, else guessed from the kind
// (meta.UnsafeGuessKindToResource: "Ingress" becomes "ingresses").
//
// Every kind scheme knows is registered for its guessed resource, as
// client-go's fake does, so that listing a resource of the scheme answers
// "<Kind>List" (or the scheme's list kind) before any object of it exists.
// A kind whose list kind the scheme has ("DeploymentList") wins over
// another kind guessed to the same resource.
//
// A constructor cannot return an error in this shape; if an object cannot be
// added, every call on the fake returns that error. Use Add to see it at
// once.
func NewSimpleDynamicClient(scheme *runtime.Scheme, objects ...runtime.Object) *FakeDynamicClient {
	return NewSimpleDynamicClientWithCustomListKinds(scheme, nil, objects...)
}

// NewSimpleDynamicClientWithCustomListKinds is NewSimpleDynamicClient with
// list kinds given for some resources, such as {apps/v1 deployments:
// "DeploymentList"}. The kind of each resource is taken to be its list kind
// without the "List" suffix. Unlike client-go's fake, listing a resource
// missing from the map works too (see the package documentation).
func NewSimpleDynamicClientWithCustomListKinds(scheme *runtime.Scheme, gvrToListKind map[schema.GroupVersionResource]string, objects ...runtime.Object) *FakeDynamicClient {
	c := &FakeDynamicClient{
		scheme:    scheme,
		objects:   make(map[schema.GroupVersionResource]map[objectKey]*unstructured.Unstructured),
		watchers:  make(map[*watcher]struct{}),
		resources: make(map[schema.GroupVersionResource]ResourceInfo),
	}
	c.registerScheme(scheme)
	for gvr, listKind := range gvrToListKind {
		c.resources[gvr] = ResourceInfo{Kind: strings.TrimSuffix(listKind, "List"), ListKind: listKind}
	}
	if err := c.Add(objects...); err != nil {
		c.seedErr = err
	}
	return c
}

// registerScheme registers the kinds of scheme's external versions for their
// guessed resources: first those whose list kind scheme has, then the others
// for resources still free, each in sorted order so that the choice does not
// depend on map order. It runs before the fake is shared.
func (c *FakeDynamicClient) registerScheme(scheme *runtime.Scheme) {
	if scheme == nil {
		return
	}
	known := scheme.AllKnownTypes()
	gvks := make([]schema.GroupVersionKind, 0, len(known))
	for gvk := range known {
		if gvk.Version != runtime.APIVersionInternal {
			gvks = append(gvks, gvk)
		}
	}
	slices.SortFunc(gvks, func(a, b schema.GroupVersionKind) int {
		return strings.Compare(a.String(), b.String())
	})
	register := func(gvk schema.GroupVersionKind, listKind string) {
		gvr, _ := meta.UnsafeGuessKindToResource(gvk)
		if _, taken := c.resources[gvr]; !taken {
			c.resources[gvr] = ResourceInfo{Kind: gvk.Kind, ListKind: listKind}
		}
	}
	for _, gvk := range gvks {
		if kind, ok := strings.CutSuffix(gvk.Kind, "List"); ok && kind != "" {
			register(gvk.GroupVersion().WithKind(kind), gvk.Kind)
		}
	}
	for _, gvk := range gvks {
		if !strings.HasSuffix(gvk.Kind, "List") {
			register(gvk, "")
		}
	}
}

// Register records what the fake should know about a resource: its kind,
// list kind and whether it has a status subresource. Call it before adding
// objects of the resource. Fields left empty keep what was known.
func (c *FakeDynamicClient) Register(gvr schema.GroupVersionResource, info ResourceInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.resources[gvr]
	if info.Kind == "" {
		info.Kind = old.Kind
	}
	if info.ListKind == "" {
		info.ListKind = old.ListKind
	}
	c.resources[gvr] = info
}

// Add stores objects as they are (see NewSimpleDynamicClient for what they
// may be), filling in uid, creationTimestamp and a resourceVersion, and
// sends ADDED to matching watches. It returns an error, and stops, at the
// first object that has no kind, cannot be converted, or already exists.
func (c *FakeDynamicClient) Add(objects ...runtime.Object) error {
	for _, o := range objects {
		if isNil(o) {
			return fmt.Errorf("fake: adding %T: nil object", o)
		}
		if list, ok := o.(*unstructured.UnstructuredList); ok {
			for i := range list.Items {
				if err := c.addOne(&list.Items[i]); err != nil {
					return err
				}
			}
			continue
		}
		if err := c.addOne(o); err != nil {
			return err
		}
	}
	return nil
}

// isNil reports whether o is nil or a nil pointer, whose methods would
// panic on the way to its kind.
func isNil(o runtime.Object) bool {
	if o == nil {
		return true
	}
	v := reflect.ValueOf(o)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func (c *FakeDynamicClient) addOne(o runtime.Object) error {
	u, err := c.toUnstructured(o)
	if err != nil {
		return fmt.Errorf("fake: adding %T: %w", o, err)
	}
	gvk := u.GroupVersionKind()
	c.mu.Lock()
	defer c.mu.Unlock()
	gvr := c.resourceForKindLocked(gvk)
	key := objectKey{namespace: u.GetNamespace(), name: u.GetName()}
	if key.name == "" {
		return fmt.Errorf("fake: adding %s: object has no name", gvk.Kind)
	}
	if c.objects[gvr][key] != nil {
		return fmt.Errorf("fake: adding %s %s: already exists", gvk.Kind, key)
	}
	c.learnKindLocked(gvr, gvk.Kind)
	fillCreateMetadata(u, c.tracksGeneration(gvr, u))
	c.commitLocked(gvr, key, nil, u)
	return nil
}

// toUnstructured turns a seed object into a normalized Unstructured that
// names its apiVersion and kind.
func (c *FakeDynamicClient) toUnstructured(o runtime.Object) (*unstructured.Unstructured, error) {
	if o == nil {
		return nil, fmt.Errorf("nil object")
	}
	gvk := o.GetObjectKind().GroupVersionKind()
	var m map[string]any
	if u, ok := o.(*unstructured.Unstructured); ok {
		m = u.Object
	} else {
		if gvk.Empty() && c.scheme != nil {
			if kinds, _, err := c.scheme.ObjectKinds(o); err == nil && len(kinds) > 0 {
				gvk = kinds[0]
			}
		}
		var err error
		if m, err = runtime.DefaultUnstructuredConverter.ToUnstructured(o); err != nil {
			return nil, err
		}
	}
	u, err := normalize(m)
	if err != nil {
		return nil, err
	}
	if !gvk.Empty() {
		u.SetGroupVersionKind(gvk)
	}
	if u.GetKind() == "" || u.GetAPIVersion() == "" {
		return nil, fmt.Errorf("object has no apiVersion or kind (set its TypeMeta or pass a scheme)")
	}
	return u, nil
}

// Resource returns a client for gvr. It never fails.
func (c *FakeDynamicClient) Resource(gvr schema.GroupVersionResource) dynamic.NamespaceableResourceInterface {
	return &resourceClient{c: c, gvr: gvr}
}

// Action is one call that reached the fake: its input after the client-side
// checks passed.
type Action struct {
	// Verb is "get", "list", "watch", "create", "update", "patch",
	// "delete" or "deletecollection". Apply and ApplyStatus are "patch"
	// with PatchType types.ApplyPatchType, as RBAC sees them.
	Verb        string
	Resource    schema.GroupVersionResource
	Namespace   string
	Name        string
	Subresource string
	// Object is a copy of the object sent by create, update and apply.
	Object *unstructured.Unstructured
	// PatchType and Patch are set for patch and apply.
	PatchType types.PatchType
	Patch     []byte
	// ListOptions is set for list, watch and deletecollection.
	ListOptions metav1.ListOptions
	// Options is the call's options value: metav1.CreateOptions,
	// UpdateOptions, GetOptions, PatchOptions, ApplyOptions or
	// DeleteOptions.
	Options any
}

// Matches reports whether a reactor registered for verb and resource
// applies to a. See PrependReactor for the patterns.
func (a Action) Matches(verb, resource string) bool {
	if verb != "*" && verb != a.Verb {
		return false
	}
	if resource == "*" {
		return true
	}
	res, sub, hasSub := strings.Cut(resource, "/")
	if res != a.Resource.Resource {
		return false
	}
	return !hasSub || sub == a.Subresource
}

// Actions returns the calls made so far, oldest first.
func (c *FakeDynamicClient) Actions() []Action {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Action(nil), c.actions...)
}

// ClearActions forgets the recorded calls.
func (c *FakeDynamicClient) ClearActions() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.actions = nil
}

// ReactionFunc answers a call in place of the fake. When handled is false
// the next reactor, and finally the fake itself, is asked. ret is what Get,
// Create, Update, Patch and Apply return (an *unstructured.Unstructured, or
// a typed object, which is converted), or what List returns (an
// *unstructured.UnstructuredList); it is ignored for the other verbs. A
// non-nil err is returned to the caller as is.
type ReactionFunc func(action Action) (handled bool, ret runtime.Object, err error)

// WatchReactionFunc answers a watch in place of the fake.
type WatchReactionFunc func(action Action) (handled bool, w watch.Interface, err error)

type reactor struct {
	verb, resource string
	fn             ReactionFunc
}

type watchReactor struct {
	resource string
	fn       WatchReactionFunc
}

// PrependReactor makes fn answer the calls matching verb and resource before
// any reactor added earlier. verb is a verb as in Action or "*"; resource is
// a plural resource name ("deployments", any group and version), a resource
// and subresource ("deployments/status"), or "*". Reactors are called
// without the fake's lock held, so they may call the fake.
func (c *FakeDynamicClient) PrependReactor(verb, resource string, fn ReactionFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reactors = append([]reactor{{verb, resource, fn}}, c.reactors...)
}

// PrependWatchReactor makes fn answer watches of resource (see
// PrependReactor) before any watch reactor added earlier.
func (c *FakeDynamicClient) PrependWatchReactor(resource string, fn WatchReactionFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wreactors = append([]watchReactor{{resource, fn}}, c.wreactors...)
}

// InjectError makes every call matching verb and resource (patterns as in
// PrependReactor, "watch" included) fail with err, until ClearReactors.
// For a failure that stops after some calls, use PrependReactor with a
// counter.
func (c *FakeDynamicClient) InjectError(verb, resource string, err error) {
	c.PrependReactor(verb, resource, func(Action) (bool, runtime.Object, error) {
		return true, nil, err
	})
}

// ClearReactors removes every reactor and watch reactor, and so every
// injected error.
func (c *FakeDynamicClient) ClearReactors() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reactors, c.wreactors = nil, nil
}

// record notes a and asks the reactors about it. It returns handled=true
// with the reactor's answer when one took the call.
func (c *FakeDynamicClient) record(ctx context.Context, a Action) (handled bool, ret runtime.Object, err error) {
	if err := ctx.Err(); err != nil {
		return true, nil, err
	}
	c.mu.Lock()
	if c.seedErr != nil {
		c.mu.Unlock()
		return true, nil, c.seedErr
	}
	c.actions = append(c.actions, a)
	reactors := c.reactors
	c.mu.Unlock()
	for _, r := range reactors {
		if !a.Matches(r.verb, r.resource) {
			continue
		}
		if handled, ret, err := r.fn(a); handled {
			return true, ret, err
		}
	}
	return false, nil, nil
}

// ResourceVersion returns the fake's current resourceVersion: the one the
// last write got.
func (c *FakeDynamicClient) ResourceVersion() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return formatRV(c.rv)
}

// Compact forgets the fake's history, as etcd compaction does: lists and
// watches from any earlier resourceVersion, and continue tokens issued
// before, then fail with 410 Gone (reason Expired). Open watches go on.
func (c *FakeDynamicClient) Compact() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.compacted = c.rv
	c.history = nil
}

// StopWatches ends every open watch as a dropped connection would: events
// queued but not yet received are lost, and each result channel is closed.
func (c *FakeDynamicClient) StopWatches() {
	c.mu.Lock()
	ws := make([]*watcher, 0, len(c.watchers))
	for w := range c.watchers {
		ws = append(ws, w)
	}
	c.mu.Unlock()
	for _, w := range ws {
		w.Stop()
	}
}

// SendBookmarks sends a BOOKMARK event carrying the current
// resourceVersion to every open watch that asked for bookmarks.
func (c *FakeDynamicClient) SendBookmarks() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for w := range c.watchers {
		if w.bookmarks {
			w.push(watch.Event{Type: watch.Bookmark, Object: c.bookmarkLocked(w.gvr, nil)})
		}
	}
}

// WatchCount returns how many watches are open, for tests that check a
// watch was ended.
func (c *FakeDynamicClient) WatchCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.watchers)
}
