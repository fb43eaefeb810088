package fake

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/jsonpatch"
)

// InitialEventsEndAnnotation marks the BOOKMARK that ends the initial events
// of a streaming list (sendInitialEvents=true), as the API server does. It
// is dynamic.InitialEventsEndAnnotation.
const InitialEventsEndAnnotation = dynamic.InitialEventsEndAnnotation

// The store operations below run after the client-side checks and the
// reactors. u arguments are normalized copies owned by the callee.

func (c *FakeDynamicClient) get(gvr schema.GroupVersionResource, key objectKey) (runtime.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.objects[gvr][key]
	if o == nil {
		return nil, notFound(gvr, key.name)
	}
	return o.DeepCopy(), nil
}

func (c *FakeDynamicClient) create(gvr schema.GroupVersionResource, u *unstructured.Unstructured, dry bool) (runtime.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.createLocked(gvr, u, dry)
}

func (c *FakeDynamicClient) createLocked(gvr schema.GroupVersionResource, u *unstructured.Unstructured, dry bool) (runtime.Object, error) {
	if u.GetResourceVersion() != "" {
		return nil, badRequest("resourceVersion should not be set on objects to be created")
	}
	name := u.GetName()
	if name == "" {
		prefix := u.GetGenerateName()
		if prefix == "" {
			return nil, invalidObject(gvr, u.GetKind(), "", "metadata.name", "name or generateName is required")
		}
		for {
			name = prefix + randomSuffix()
			if c.objects[gvr][objectKey{u.GetNamespace(), name}] == nil {
				break
			}
		}
		u.SetName(name)
	}
	key := objectKey{u.GetNamespace(), name}
	if c.objects[gvr][key] != nil {
		return nil, apierrors.NewAlreadyExists(gvr.GroupResource(), name)
	}
	if c.hasStatusSubresourceLocked(gvr) {
		delete(u.Object, "status")
	}
	// The server owns these; whatever the caller sent is replaced.
	unstructured.RemoveNestedField(u.Object, "metadata", "uid")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "metadata", "deletionTimestamp")
	unstructured.RemoveNestedField(u.Object, "metadata", "deletionGracePeriodSeconds")
	unstructured.RemoveNestedField(u.Object, "metadata", "generation")
	fillCreateMetadata(u, c.tracksGeneration(gvr, u))
	c.learnKindLocked(gvr, u.GetKind())
	if dry {
		return u, nil
	}
	return c.commitLocked(gvr, key, nil, u), nil
}

func (c *FakeDynamicClient) update(gvr schema.GroupVersionResource, u *unstructured.Unstructured, status, dry bool) (runtime.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := objectKey{u.GetNamespace(), u.GetName()}
	cur := c.objects[gvr][key]
	if cur == nil {
		return nil, notFound(gvr, key.name)
	}
	return c.writeLocked(gvr, key, cur, c.mergeStatusLocked(gvr, cur, u, status), u.GetResourceVersion(), u.GetUID(), dry)
}

// mergeStatusLocked returns the object a write of u leads to, given the
// status rules: a status write changes only .status; a write of the object
// itself keeps the stored status when the resource has a status
// subresource.
func (c *FakeDynamicClient) mergeStatusLocked(gvr schema.GroupVersionResource, cur, u *unstructured.Unstructured, status bool) *unstructured.Unstructured {
	switch {
	case status:
		next := cur.DeepCopy()
		if s, ok := u.Object["status"]; ok {
			next.Object["status"] = s
		} else {
			delete(next.Object, "status")
		}
		return next
	case c.hasStatusSubresourceLocked(gvr):
		if s, ok := cur.Object["status"]; ok {
			u.Object["status"] = runtime.DeepCopyJSONValue(s)
		} else {
			delete(u.Object, "status")
		}
	}
	return u
}

// writeLocked replaces cur with next, after the checks every write makes:
// the resourceVersion and uid the caller sent must match, and fields only
// the server sets are kept. A write that changes nothing is not committed,
// as on the server.
func (c *FakeDynamicClient) writeLocked(gvr schema.GroupVersionResource, key objectKey, cur, next *unstructured.Unstructured, wantRV string, wantUID types.UID, dry bool) (runtime.Object, error) {
	if wantRV != "" && wantRV != cur.GetResourceVersion() {
		return nil, conflict(gvr, key.name, errModified)
	}
	if wantUID != "" && wantUID != cur.GetUID() {
		return nil, conflict(gvr, key.name, fmt.Sprintf("Precondition failed: UID in precondition: %v, UID in object meta: %v", wantUID, cur.GetUID()))
	}
	if next.GetAPIVersion() != cur.GetAPIVersion() || next.GetKind() != cur.GetKind() {
		return nil, badRequest(fmt.Sprintf("apiVersion and kind cannot be changed (from %s %s to %s %s)", cur.GetAPIVersion(), cur.GetKind(), next.GetAPIVersion(), next.GetKind()))
	}
	next.SetName(key.name)
	next.SetNamespace(key.namespace)
	next.SetUID(cur.GetUID())
	next.SetResourceVersion(cur.GetResourceVersion())
	for _, f := range []string{"creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"} {
		if v, ok, _ := unstructured.NestedFieldNoCopy(cur.Object, "metadata", f); ok {
			unstructured.SetNestedField(next.Object, runtime.DeepCopyJSONValue(v), "metadata", f)
		} else {
			unstructured.RemoveNestedField(next.Object, "metadata", f)
		}
	}
	if _, ok := next.Object["metadata"].(map[string]any)["managedFields"]; !ok {
		if mf, ok, _ := unstructured.NestedFieldNoCopy(cur.Object, "metadata", "managedFields"); ok {
			unstructured.SetNestedField(next.Object, runtime.DeepCopyJSONValue(mf), "metadata", "managedFields")
		}
	}
	if cur.GetGeneration() > 0 && specChanged(cur, next) {
		next.SetGeneration(cur.GetGeneration() + 1)
	}
	if reflect.DeepEqual(cur.Object, next.Object) {
		return cur.DeepCopy(), nil
	}
	if dry {
		return next, nil
	}
	out := c.commitLocked(gvr, key, cur, next)
	if next.GetDeletionTimestamp() != nil && len(next.GetFinalizers()) == 0 {
		// The last finalizer is gone: the deletion that waited for it
		// happens now.
		c.commitLocked(gvr, key, c.objects[gvr][key], nil)
	}
	return out, nil
}

func (c *FakeDynamicClient) patch(gvr schema.GroupVersionResource, key objectKey, pt types.PatchType, data []byte, status, dry bool) (runtime.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.objects[gvr][key]
	if cur == nil {
		return nil, notFound(gvr, key.name)
	}
	var doc any = runtime.DeepCopyJSON(cur.Object)
	switch pt {
	case types.JSONPatchType:
		res, err := jsonpatch.Apply(doc, data)
		if err != nil {
			var pe *jsonpatch.OpError
			if errors.As(err, &pe) {
				return nil, unprocessable(fmt.Sprintf("the server rejected our request due to an error in our request: %v", err))
			}
			return nil, badRequest(err.Error())
		}
		doc = res
	case types.MergePatchType, types.StrategicMergePatchType:
		p, err := jsonpatch.Decode(data)
		if err != nil {
			return nil, badRequest(fmt.Sprintf("error decoding patch: %v", err))
		}
		if _, ok := p.(map[string]any); !ok {
			return nil, badRequest("a merge patch must be a JSON object")
		}
		if d := findDirective(p); pt == types.StrategicMergePatchType && d != "" {
			return nil, badRequest(fmt.Sprintf("the fake applies strategic merge patches as merge patches and cannot honour %q", d))
		}
		doc = jsonpatch.Merge(doc, p)
	default:
		return nil, unsupportedMediaType(pt)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, unprocessable("the patched document is not an object")
	}
	patched := &unstructured.Unstructured{Object: m}
	if patched.GetName() != key.name {
		return nil, badRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", patched.GetName(), key.name))
	}
	next := c.mergeStatusLocked(gvr, cur, patched, status)
	return c.writeLocked(gvr, key, cur, next, patched.GetResourceVersion(), patched.GetUID(), dry)
}

func (c *FakeDynamicClient) apply(gvr schema.GroupVersionResource, key objectKey, u *unstructured.Unstructured, status, dry bool) (runtime.Object, error) {
	if u.GetName() == "" {
		u.SetName(key.name)
	} else if u.GetName() != key.name {
		return nil, badRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", u.GetName(), key.name))
	}
	if key.namespace != "" {
		u.SetNamespace(key.namespace)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.objects[gvr][key]
	if cur == nil {
		if status {
			return nil, notFound(gvr, key.name)
		}
		return c.createLocked(gvr, u, dry)
	}
	merged := &unstructured.Unstructured{Object: jsonpatch.Merge(runtime.DeepCopyJSON(cur.Object), u.Object).(map[string]any)}
	next := c.mergeStatusLocked(gvr, cur, merged, status)
	return c.writeLocked(gvr, key, cur, next, u.GetResourceVersion(), u.GetUID(), dry)
}

func (c *FakeDynamicClient) delete(gvr schema.GroupVersionResource, key objectKey, pre *metav1.Preconditions, dry bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deleteLocked(gvr, key, pre, dry)
}

func (c *FakeDynamicClient) deleteLocked(gvr schema.GroupVersionResource, key objectKey, pre *metav1.Preconditions, dry bool) error {
	cur := c.objects[gvr][key]
	if cur == nil {
		return notFound(gvr, key.name)
	}
	if pre != nil && pre.UID != nil && *pre.UID != cur.GetUID() {
		return conflict(gvr, key.name, fmt.Sprintf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *pre.UID, cur.GetUID()))
	}
	if pre != nil && pre.ResourceVersion != nil && *pre.ResourceVersion != cur.GetResourceVersion() {
		return conflict(gvr, key.name, fmt.Sprintf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *pre.ResourceVersion, cur.GetResourceVersion()))
	}
	if dry {
		return nil
	}
	if len(cur.GetFinalizers()) > 0 {
		if cur.GetDeletionTimestamp() != nil {
			return nil
		}
		next := cur.DeepCopy()
		now := metav1.Now().Rfc3339Copy()
		next.SetDeletionTimestamp(&now)
		zero := int64(0)
		next.SetDeletionGracePeriodSeconds(&zero)
		if g := next.GetGeneration(); g > 0 {
			next.SetGeneration(g + 1)
		}
		c.commitLocked(gvr, key, cur, next)
		return nil
	}
	c.commitLocked(gvr, key, cur, nil)
	return nil
}

func (c *FakeDynamicClient) deleteCollection(gvr schema.GroupVersionResource, ns string, sel selector, pre *metav1.Preconditions, dry bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var keys []objectKey
	for k, o := range c.objects[gvr] {
		if (ns == "" || k.namespace == ns) && sel.matches(o) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareKeys)
	for _, k := range keys {
		if err := c.deleteLocked(gvr, k, pre, dry); err != nil {
			return err
		}
	}
	return nil
}

func compareKeys(a, b objectKey) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

// continueToken is what the fake's continue strings encode: the snapshot's
// resourceVersion and the last key returned.
type continueToken struct {
	RV        int64  `json:"rv"`
	Namespace string `json:"ns,omitempty"`
	Name      string `json:"name"`
}

func encodeContinue(t continueToken) string {
	data, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(data)
}

func decodeContinue(s string) (continueToken, error) {
	var t continueToken
	data, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(data, &t)
	}
	if err == nil && (t.Name == "" || t.RV <= 0) {
		err = errors.New("incomplete token")
	}
	return t, err
}

// errContinueTooOld is the server's message for an expired continue token.
const errContinueTooOld = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."

func (c *FakeDynamicClient) list(gvr schema.GroupVersionResource, ns string, sel selector, opts metav1.ListOptions) (runtime.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	readRV := c.rv
	var after *objectKey
	switch {
	case opts.Continue != "":
		if opts.ResourceVersion != "" {
			return nil, badRequest("specifying resource version is not allowed when using continue")
		}
		t, err := decodeContinue(opts.Continue)
		if err != nil || t.RV > c.rv {
			return nil, badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
		}
		if t.RV < c.compacted {
			return nil, apierrors.NewResourceExpired(errContinueTooOld)
		}
		readRV = t.RV
		after = &objectKey{t.Namespace, t.Name}
	case opts.ResourceVersion != "" && opts.ResourceVersion != "0":
		rv, ok := parseRV(opts.ResourceVersion)
		if !ok {
			return nil, badRequest(fmt.Sprintf("invalid resource version: %q", opts.ResourceVersion))
		}
		if rv > c.rv {
			return nil, tooLargeRV(opts.ResourceVersion)
		}
		// A limited list at a given version without a match is exact,
		// as the server reads it.
		exact := opts.ResourceVersionMatch == metav1.ResourceVersionMatchExact ||
			(opts.ResourceVersionMatch == "" && opts.Limit > 0)
		if exact {
			if rv < c.compacted {
				return nil, apierrors.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", rv, c.compacted))
			}
			readRV = rv
		}
	}
	snap := c.snapshotLocked(gvr, ns, readRV)
	keys := make([]objectKey, 0, len(snap))
	for k, o := range snap {
		if (after == nil || after.less(k)) && sel.matches(o) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareKeys)

	list := &unstructured.UnstructuredList{Object: map[string]any{
		"apiVersion": gvr.GroupVersion().String(),
		"kind":       c.listKindLocked(gvr),
	}}
	list.SetResourceVersion(formatRV(readRV))
	if opts.Limit > 0 && int64(len(keys)) > opts.Limit {
		rest := int64(len(keys)) - opts.Limit
		keys = keys[:opts.Limit]
		last := keys[len(keys)-1]
		list.SetContinue(encodeContinue(continueToken{RV: readRV, Namespace: last.namespace, Name: last.name}))
		if sel.empty() {
			list.SetRemainingItemCount(&rest)
		}
	}
	list.Items = make([]unstructured.Unstructured, len(keys))
	for i, k := range keys {
		snap[k].DeepCopyInto(&list.Items[i])
	}
	return list, nil
}

func (c *FakeDynamicClient) watch(ctx context.Context, gvr schema.GroupVersionResource, ns string, sel selector, opts metav1.ListOptions) (watch.Interface, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sendInitial := opts.SendInitialEvents != nil && *opts.SendInitialEvents
	rvGiven := opts.ResourceVersion != "" && opts.ResourceVersion != "0"
	var rv int64
	if rvGiven {
		var ok bool
		if rv, ok = parseRV(opts.ResourceVersion); !ok {
			return nil, badRequest(fmt.Sprintf("invalid resource version: %q", opts.ResourceVersion))
		}
	}
	if sendInitial && rv > c.rv {
		return nil, tooLargeRV(opts.ResourceVersion)
	}
	// Without a resourceVersion, or with sendInitialEvents, the watch
	// starts with the current state; an explicit sendInitialEvents=false
	// turns that off.
	initial := sendInitial || (!rvGiven && opts.SendInitialEvents == nil)
	from := c.rv
	if rvGiven && !sendInitial {
		from = rv
	}
	w := newWatcher(c, gvr, ns, sel, opts.AllowWatchBookmarks, from)
	if rvGiven && !sendInitial {
		if rv < c.compacted {
			// The server reports this inside the stream, not as the
			// response's status.
			st := apierrors.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", rv, c.compacted)).ErrStatus
			w.push(watch.Event{Type: watch.Error, Object: &st})
			w.endLocked()
			return w, nil
		}
		for i := range c.history {
			if ev, ok := w.eventFor(&c.history[i]); ok {
				w.push(ev)
			}
		}
	}
	if initial {
		snap := c.snapshotLocked(gvr, ns, c.rv)
		keys := make([]objectKey, 0, len(snap))
		for k, o := range snap {
			if sel.matches(o) {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, compareKeys)
		for _, k := range keys {
			w.push(watch.Event{Type: watch.Added, Object: snap[k].DeepCopy()})
		}
		if sendInitial && opts.AllowWatchBookmarks {
			w.push(watch.Event{Type: watch.Bookmark, Object: c.bookmarkLocked(gvr, map[string]string{InitialEventsEndAnnotation: "true"})})
		}
	}
	c.watchers[w] = struct{}{}
	var timer *time.Timer
	if opts.TimeoutSeconds != nil && *opts.TimeoutSeconds > 0 {
		timer = time.AfterFunc(time.Duration(*opts.TimeoutSeconds)*time.Second, w.end)
	}
	go func() {
		select {
		case <-ctx.Done():
			w.Stop()
		case <-w.done:
		}
		if timer != nil {
			timer.Stop()
		}
	}()
	return w, nil
}

// randomSuffix returns the five characters the server appends to a
// generateName, from the same alphabet (no vowels, no confusable digits).
func randomSuffix() string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	var b [5]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}
