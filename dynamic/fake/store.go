package fake

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	sigsjson "sigs.k8s.io/json"
)

// objectKey names an object within its resource; namespace is empty for
// cluster-scoped objects.
type objectKey struct {
	namespace, name string
}

func (k objectKey) String() string {
	if k.namespace == "" {
		return k.name
	}
	return k.namespace + "/" + k.name
}

// less orders keys as etcd orders /registry/<resource>/<ns>/<name>.
func (k objectKey) less(o objectKey) bool {
	if k.namespace != o.namespace {
		return k.namespace < o.namespace
	}
	return k.name < o.name
}

// change is one committed write. Stored objects are never modified after
// they are committed, so history can share them with the object map.
type change struct {
	rv   int64
	gvr  schema.GroupVersionResource
	key  objectKey
	prev *unstructured.Unstructured // nil: the write created the object
	cur  *unstructured.Unstructured // nil: the write deleted it
}

// deletedObject is what a DELETED event carries: the last state, with the
// resourceVersion of the deletion.
func (ch *change) deletedObject() *unstructured.Unstructured {
	d := ch.prev.DeepCopy()
	d.SetResourceVersion(formatRV(ch.rv))
	return d
}

// commitLocked stores cur (nil deletes) under a new resourceVersion,
// records the change and queues its events. cur is owned by the store from
// here on. It returns a copy of what was stored (nil for a deletion).
func (c *FakeDynamicClient) commitLocked(gvr schema.GroupVersionResource, key objectKey, prev, cur *unstructured.Unstructured) *unstructured.Unstructured {
	c.rv++
	ch := change{rv: c.rv, gvr: gvr, key: key, prev: prev, cur: cur}
	objs := c.objects[gvr]
	if objs == nil {
		objs = make(map[objectKey]*unstructured.Unstructured)
		c.objects[gvr] = objs
	}
	if cur == nil {
		delete(objs, key)
	} else {
		cur.SetResourceVersion(formatRV(c.rv))
		objs[key] = cur
	}
	c.history = append(c.history, ch)
	for w := range c.watchers {
		if ev, ok := w.eventFor(&ch); ok {
			w.push(ev)
		}
	}
	if cur == nil {
		return nil
	}
	return cur.DeepCopy()
}

// snapshotLocked returns the objects of gvr in namespace ns (all when
// empty) as they were at resourceVersion rv, which must not be older than
// c.compacted. The objects are shared with the store: copy before handing
// out.
func (c *FakeDynamicClient) snapshotLocked(gvr schema.GroupVersionResource, ns string, rv int64) map[objectKey]*unstructured.Unstructured {
	out := make(map[objectKey]*unstructured.Unstructured, len(c.objects[gvr]))
	for k, o := range c.objects[gvr] {
		if ns == "" || k.namespace == ns {
			out[k] = o
		}
	}
	for i := len(c.history) - 1; i >= 0 && c.history[i].rv > rv; i-- {
		ch := &c.history[i]
		if ch.gvr != gvr || (ns != "" && ch.key.namespace != ns) {
			continue
		}
		if ch.prev == nil {
			delete(out, ch.key)
		} else {
			out[ch.key] = ch.prev
		}
	}
	return out
}

// learnKindLocked remembers the kind of gvr's objects when nothing
// registered it.
func (c *FakeDynamicClient) learnKindLocked(gvr schema.GroupVersionResource, kind string) {
	info := c.resources[gvr]
	if info.Kind == "" && kind != "" {
		info.Kind = kind
		c.resources[gvr] = info
	}
}

// listKindLocked returns the kind of gvr's lists.
func (c *FakeDynamicClient) listKindLocked(gvr schema.GroupVersionResource) string {
	info := c.resources[gvr]
	switch {
	case info.ListKind != "":
		return info.ListKind
	case info.Kind != "":
		return info.Kind + "List"
	default:
		return "List"
	}
}

// resourceForKindLocked picks the resource for objects of gvk: a
// registered resource of that group, version and kind, else a guess from
// the kind.
func (c *FakeDynamicClient) resourceForKindLocked(gvk schema.GroupVersionKind) schema.GroupVersionResource {
	var best schema.GroupVersionResource
	for gvr, info := range c.resources {
		if info.Kind == gvk.Kind && gvr.GroupVersion() == gvk.GroupVersion() {
			// Map order is random; pick the smallest name so the
			// choice is stable.
			if best.Resource == "" || gvr.Resource < best.Resource {
				best = gvr
			}
		}
	}
	if best.Resource != "" {
		return best
	}
	gvr, _ := meta.UnsafeGuessKindToResource(gvk)
	return gvr
}

// hasStatusSubresourceLocked reports whether gvr was registered with a
// status subresource.
func (c *FakeDynamicClient) hasStatusSubresourceLocked(gvr schema.GroupVersionResource) bool {
	return c.resources[gvr].StatusSubresource
}

// tracksGeneration reports whether the server would keep
// metadata.generation for obj: custom resources and built-ins of named
// groups always have one; core objects only when they have a spec.
func (c *FakeDynamicClient) tracksGeneration(gvr schema.GroupVersionResource, obj *unstructured.Unstructured) bool {
	if gvr.Group != "" || obj.GetGeneration() > 0 {
		return true
	}
	_, hasSpec := obj.Object["spec"]
	return hasSpec
}

// bookmarkLocked returns a BOOKMARK object for gvr at the current
// resourceVersion, with annotations when given.
func (c *FakeDynamicClient) bookmarkLocked(gvr schema.GroupVersionResource, annotations map[string]string) *unstructured.Unstructured {
	b := &unstructured.Unstructured{Object: map[string]any{}}
	b.SetAPIVersion(gvr.GroupVersion().String())
	b.SetKind(c.resources[gvr].Kind)
	b.SetResourceVersion(formatRV(c.rv))
	if annotations != nil {
		b.SetAnnotations(annotations)
	}
	return b
}

// fillCreateMetadata sets what the server sets on a new object. Fields the
// caller already set (uid, creationTimestamp, when seeding) are kept.
func fillCreateMetadata(u *unstructured.Unstructured, generation bool) {
	if u.GetUID() == "" {
		u.SetUID(newUID())
	}
	if ts := u.GetCreationTimestamp(); ts.IsZero() {
		u.SetCreationTimestamp(metav1.Now().Rfc3339Copy())
	}
	if generation && u.GetGeneration() == 0 {
		u.SetGeneration(1)
	}
}

// newUID returns a random version 4 UUID.
func newUID() (uid types.UID) {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return types.UID(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]))
}

// normalize turns any JSON-encodable map into the value types Unstructured
// holds (int64, float64, string, bool, []any, map[string]any), so that
// DeepCopy never meets an int or a struct. It returns an error for maps that
// cannot be encoded.
func normalize(m map[string]any) (*unstructured.Unstructured, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("object cannot be encoded as JSON: %w", err)
	}
	out := map[string]any{}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &out); err != nil {
		return nil, fmt.Errorf("object cannot be decoded from JSON: %w", err)
	}
	return &unstructured.Unstructured{Object: out}, nil
}

// specChanged reports whether anything outside metadata and status differs,
// which is what makes the server bump metadata.generation.
func specChanged(a, b *unstructured.Unstructured) bool {
	strip := func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, v := range m {
			if k != "metadata" && k != "status" {
				out[k] = v
			}
		}
		return out
	}
	return !reflect.DeepEqual(strip(a.Object), strip(b.Object))
}

func formatRV(rv int64) string { return strconv.FormatInt(rv, 10) }

// parseRV parses a resourceVersion the fake handed out.
func parseRV(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

// eventType names the watch event a change means for a watcher that saw
// prevIn and sees curIn.
func eventType(prevIn, curIn bool) (watch.EventType, bool) {
	switch {
	case !prevIn && curIn:
		return watch.Added, true
	case prevIn && curIn:
		return watch.Modified, true
	case prevIn && !curIn:
		return watch.Deleted, true
	}
	return "", false
}
