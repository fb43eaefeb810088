package informer

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	discoveryfake "github.com/anykube/anykube/discovery/fake"
	"github.com/anykube/anykube/dynamic/fake"
	"github.com/anykube/anykube/dynamic/lister"
)

func TestInformerSeesEveryChangeInOrder(t *testing.T) {
	c := newFake(t)
	a := create(t, c, "ns", "a")
	b := create(t, c, "ns", "b")
	var st statuses
	o := fast()
	o.OnStatus = st.add
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	rec := &recorder{}
	reg, err := inf.AddEventHandler(rec)
	require.NoError(t, err)
	start(t, inf)

	ev := rec.wait(t, 2)
	slices.Sort(ev)
	assert.Equal(t, []string{"add* ns/a " + a.GetResourceVersion(), "add* ns/b " + b.GetResourceVersion()}, ev)
	require.Eventually(t, reg.HasSynced, time.Second, time.Millisecond)

	c1 := create(t, c, "other", "c")
	a1 := patch(t, c, "ns", "a", "1")
	del(t, c, "ns", "b")
	ev = rec.wait(t, 5)[2:]
	assert.Equal(t, []string{
		"add other/c " + c1.GetResourceVersion(),
		"update ns/a " + a.GetResourceVersion() + "->" + a1.GetResourceVersion(),
		"delete ns/b " + b.GetResourceVersion(),
	}[:2], ev[:2])
	assert.Regexp(t, `^delete ns/b \d+$`, ev[2])

	// The lister answers from memory.
	l := inf.Lister()
	got, err := l.Namespace("ns").Get("a")
	require.NoError(t, err)
	assert.Equal(t, a1.GetResourceVersion(), got.GetResourceVersion())
	_, err = l.Namespace("ns").Get("b")
	assert.True(t, apierrors.IsNotFound(err))
	all, err := l.List(labels.Everything())
	require.NoError(t, err)
	assert.Len(t, all, 2)
	assert.Equal(t, 2, inf.GetIndexer().Len())

	st.waitFor(t, PhaseListing, ReasonStarted)
	st.waitFor(t, PhaseWatching, ReasonSynced)
	assert.True(t, inf.Status().Synced)
	assert.Equal(t, c.ResourceVersion(), inf.LastSyncResourceVersion())
}

func TestInformerUsesStreamingList(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "a")
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	start(t, inf)
	assert.Equal(t, 1, inf.GetIndexer().Len())
	var streamed, listed bool
	for _, a := range c.Actions() {
		if a.Verb == "watch" && a.ListOptions.SendInitialEvents != nil && *a.ListOptions.SendInitialEvents {
			streamed = true
		}
		listed = listed || a.Verb == "list"
	}
	assert.True(t, streamed, "a streaming list was tried")
	assert.False(t, listed, "and no list was needed")
}

func TestInformerFallsBackWhenStreamingRefused(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "a")
	var refused atomic.Int32
	var offline atomic.Bool
	c.PrependWatchReactor("configmaps", func(a fake.Action) (bool, watch.Interface, error) {
		if a.ListOptions.SendInitialEvents != nil {
			refused.Add(1)
			return true, nil, apierrors.NewInvalid(schema.GroupKind{Group: "meta.k8s.io", Kind: "ListOptions"}, "", nil)
		}
		if offline.Load() {
			return true, nil, apierrors.NewServiceUnavailable("down")
		}
		return false, nil, nil
	})
	var st statuses
	o := fast()
	o.OnStatus = st.add
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	rec := &recorder{}
	_, err = inf.AddEventHandler(rec)
	require.NoError(t, err)
	start(t, inf)
	assert.Equal(t, 1, inf.GetIndexer().Len())
	st.waitFor(t, PhaseListing, ReasonStreamingUnsupported)

	// A relist (after 410) does not try streaming again.
	offline.Store(true)
	c.StopWatches()
	create(t, c, "ns", "b")
	c.Compact()
	offline.Store(false)
	rec.wait(t, 2)
	st.waitFor(t, PhaseListing, ReasonExpired)
	require.Eventually(t, func() bool { return countReason(st.get(), ReasonSynced) >= 2 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, int32(1), refused.Load())
}

func countReason(all []Status, r Reason) int {
	n := 0
	for _, s := range all {
		if s.Reason == r {
			n++
		}
	}
	return n
}

func countPhase(all []Status, p Phase) int {
	n := 0
	for _, s := range all {
		if s.Phase == p {
			n++
		}
	}
	return n
}

func TestInformerPagedList(t *testing.T) {
	c := newFake(t)
	for i := range 25 {
		create(t, c, "ns", fmt.Sprintf("o%02d", i))
	}
	o := fast()
	o.ListMode = ListModePaged
	o.PageSize = 10
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	start(t, inf)
	assert.Equal(t, 25, inf.GetIndexer().Len())
	pages := 0
	for _, a := range c.Actions() {
		if a.Verb == "list" {
			pages++
			assert.Equal(t, int64(10), a.ListOptions.Limit)
		}
		assert.Nil(t, a.ListOptions.SendInitialEvents)
	}
	assert.Equal(t, 3, pages)
}

// TestInformerResumesAfterDrop: changes made while the watch is down
// arrive once, in order, through the resumed watch.
func TestInformerResumesAfterDrop(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "a")
	var st statuses
	o := fast()
	o.OnStatus = st.add
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	rec := &recorder{}
	_, err = inf.AddEventHandler(rec)
	require.NoError(t, err)
	// Every watch after the first is refused twice, so the informer is
	// offline while the changes happen.
	var resumes atomic.Int32
	c.PrependWatchReactor("configmaps", func(a fake.Action) (bool, watch.Interface, error) {
		if a.ListOptions.SendInitialEvents == nil && resumes.Add(1) <= 2 {
			return true, nil, apierrors.NewServiceUnavailable("down")
		}
		return false, nil, nil
	})
	start(t, inf)
	rec.wait(t, 1)

	c.StopWatches()
	b := create(t, c, "ns", "b")
	a1 := patch(t, c, "ns", "a", "1")
	ev := rec.wait(t, 3)
	assert.Equal(t, []string{"add ns/b " + b.GetResourceVersion(), "update ns/a 1->" + a1.GetResourceVersion()}, ev[1:])
	st.waitFor(t, PhaseBackoff, ReasonWatchFailed)
	st.waitFor(t, PhaseWatching, ReasonResumed)
	time.Sleep(20 * time.Millisecond)
	assert.Len(t, rec.get(), 3, "no duplicates")
	for _, s := range st.get() {
		if s.Phase == PhaseBackoff {
			assert.Positive(t, s.RetryAfter)
			assert.Error(t, s.Err)
		}
	}
}

// TestInformerRelistsAfterExpiry: after 410 the informer lists again and
// tells handlers exactly what changed, with tombstones for deletions it
// did not see.
func TestInformerRelistsAfterExpiry(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "keep")
	create(t, c, "ns", "change")
	create(t, c, "ns", "gone")
	var st statuses
	o := fast()
	o.OnStatus = st.add
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	rec := &recorder{}
	_, err = inf.AddEventHandler(rec)
	require.NoError(t, err)
	// Hold the informer offline while the changes happen.
	var offline atomic.Bool
	c.PrependWatchReactor("configmaps", func(a fake.Action) (bool, watch.Interface, error) {
		if offline.Load() {
			return true, nil, apierrors.NewServiceUnavailable("down")
		}
		return false, nil, nil
	})
	start(t, inf)
	rec.wait(t, 3)
	goneRV := inf.GetIndexer().List()

	offline.Store(true)
	c.StopWatches()
	changed := patch(t, c, "ns", "change", "1")
	del(t, c, "ns", "gone")
	added := create(t, c, "ns", "new")
	c.Compact()
	offline.Store(false)

	ev := rec.wait(t, 6)[3:]
	var goneWas string
	for _, o := range goneRV {
		if o.GetName() == "gone" {
			goneWas = o.GetResourceVersion()
		}
	}
	assert.Equal(t, []string{
		"tombstone ns/gone " + goneWas,
		"update ns/change 2->" + changed.GetResourceVersion(),
		"add ns/new " + added.GetResourceVersion(),
	}, ev)
	st.waitFor(t, PhaseListing, ReasonExpired)
	time.Sleep(20 * time.Millisecond)
	assert.Len(t, rec.get(), 6, "the unchanged object is not told again")
}

// TestHandlerOrderingAndIsolation: a handler that is stuck holds up
// neither the cache nor another handler, and once free gets every change
// in order.
func TestHandlerOrderingAndIsolation(t *testing.T) {
	c := newFake(t)
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	gate := make(chan struct{})
	slow := &recorder{}
	_, err = inf.AddEventHandler(EventHandlerFuncs{
		AddFunc: func(obj *unstructured.Unstructured, initial bool) {
			<-gate
			slow.OnAdd(obj, initial)
		},
		UpdateFunc: slow.OnUpdate,
		DeleteFunc: slow.OnDelete,
	})
	require.NoError(t, err)
	quick := &recorder{}
	_, err = inf.AddEventHandler(quick)
	require.NoError(t, err)
	start(t, inf)

	const n = 30
	var want []string
	for i := range n {
		u := create(t, c, "ns", fmt.Sprintf("o%02d", i))
		want = append(want, "add ns/"+u.GetName()+" "+u.GetResourceVersion())
		if i%2 == 0 {
			u = patch(t, c, "ns", u.GetName(), "1")
			want = append(want, "update ns/"+u.GetName()+" "+fmt.Sprint(u.GetResourceVersion()))
		}
	}
	del(t, c, "ns", "o00")
	want = append(want, "delete ns/o00")
	got := quick.wait(t, len(want))
	assert.Equal(t, want, normalizeUpdates(normalize(got)))
	assert.Equal(t, n-1, inf.GetIndexer().Len(), "the cache is current")
	assert.Empty(t, slow.get(), "the stuck handler has seen nothing yet")
	close(gate)
	assert.Equal(t, want, normalizeUpdates(normalize(slow.wait(t, len(want)))))
}

// normalizeUpdates keeps only the new resourceVersion of update lines.
func normalizeUpdates(events []string) []string {
	out := make([]string, len(events))
	for i, e := range events {
		if f := strings.Fields(e); f[0] == "update" {
			_, after, _ := strings.Cut(f[2], "->")
			e = f[0] + " " + f[1] + " " + after
		}
		out[i] = e
	}
	return out
}

// TestHandlerAddedLater gets the cached objects as initial adds, then
// changes, and syncs once it has seen them.
func TestHandlerAddedLater(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "a")
	create(t, c, "ns", "b")
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	start(t, inf)

	gate := make(chan struct{})
	var adds atomic.Int32
	reg, err := inf.AddEventHandler(EventHandlerFuncs{AddFunc: func(_ *unstructured.Unstructured, initial bool) {
		<-gate
		if initial {
			adds.Add(1)
		}
	}})
	require.NoError(t, err)
	assert.False(t, reg.HasSynced())
	close(gate)
	require.Eventually(t, reg.HasSynced, time.Second, time.Millisecond)
	assert.Equal(t, int32(2), adds.Load())

	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	assert.True(t, WaitForCacheSync(sctx, inf.HasSynced, reg.HasSynced))

	require.NoError(t, inf.RemoveEventHandler(reg))
	require.NoError(t, inf.RemoveEventHandler(reg), "twice is fine")
}

func TestRemovedHandlerIsNotCalled(t *testing.T) {
	c := newFake(t)
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	gone, stay := &recorder{}, &recorder{}
	reg, err := inf.AddEventHandler(gone)
	require.NoError(t, err)
	_, err = inf.AddEventHandler(stay)
	require.NoError(t, err)
	start(t, inf)
	create(t, c, "ns", "a")
	gone.wait(t, 1)
	require.NoError(t, inf.RemoveEventHandler(reg))
	create(t, c, "ns", "b")
	stay.wait(t, 2)
	time.Sleep(10 * time.Millisecond)
	assert.Len(t, gone.get(), 1)
}

func TestResync(t *testing.T) {
	c := newFake(t)
	a := create(t, c, "ns", "a")
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	rec := &recorder{}
	_, err = inf.AddEventHandlerWithOptions(rec, HandlerOptions{ResyncPeriod: 10 * time.Millisecond})
	require.NoError(t, err)
	never := &recorder{}
	_, err = inf.AddEventHandler(never)
	require.NoError(t, err)
	start(t, inf)
	ev := rec.wait(t, 3)
	rv := a.GetResourceVersion()
	assert.Equal(t, []string{"add* ns/a " + rv, "update ns/a " + rv + "->" + rv, "update ns/a " + rv + "->" + rv}, ev[:3])
	assert.Len(t, never.get(), 1, "no resync without a period")
}

func TestTransform(t *testing.T) {
	c := newFake(t)
	u := configMap("ns", "a", map[string]string{"k": "v"})
	u.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "test", Operation: metav1.ManagedFieldsOperationUpdate}})
	require.NoError(t, c.Add(u))

	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	start(t, inf)
	got, _ := inf.GetIndexer().GetByKey("ns/a")
	require.NotNil(t, got)
	assert.Empty(t, got.GetManagedFields(), "stripped by default")
	assert.Equal(t, "v", got.Object["data"].(map[string]any)["k"])

	keep, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	require.NoError(t, keep.SetTransform(KeepEverything))
	start(t, keep)
	got, _ = keep.GetIndexer().GetByKey("ns/a")
	assert.Len(t, got.GetManagedFields(), 1)
	assert.ErrorIs(t, keep.SetTransform(nil), ErrStarted, "too late once running")

	var st statuses
	o := fast()
	o.OnStatus = st.add
	o.Transform = func(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
		return nil, errors.New("no")
	}
	failing, err := New(c, cmGVR, o)
	require.NoError(t, err)
	start(t, failing)
	got, _ = failing.GetIndexer().GetByKey("ns/a")
	assert.NotNil(t, got, "kept as received")
	st.waitFor(t, PhaseListing, ReasonTransformFailed)
}

func TestCustomIndexers(t *testing.T) {
	c := newFake(t)
	u := configMap("ns", "a", nil)
	u.SetLabels(map[string]string{"app": "web"})
	require.NoError(t, c.Add(u))
	o := fast()
	o.Indexers = lister.Indexers{"app": lister.LabelIndexFunc("app")}
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	start(t, inf)
	web, err := inf.GetIndexer().ByIndex("app", "web")
	require.NoError(t, err)
	assert.Len(t, web, 1)
	require.NoError(t, inf.AddIndexers(lister.Indexers{"ns": lister.MetaNamespaceIndexFunc}))

	_, err = New(c, cmGVR, &Options{Indexers: lister.Indexers{lister.NamespaceIndex: lister.MetaNamespaceIndexFunc}})
	assert.Error(t, err)
}

// TestWaitsForResourceThenStarts: a 404 before the first sync means "not
// yet": the informer waits and starts when the resource is served.
func TestWaitsForResourceThenStarts(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "a")
	notFound := apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "")
	var served atomic.Bool
	c.PrependReactor("list", "configmaps", func(fake.Action) (bool, k8sruntime.Object, error) {
		if !served.Load() {
			return true, nil, notFound
		}
		return false, nil, nil
	})
	c.PrependWatchReactor("configmaps", func(fake.Action) (bool, watch.Interface, error) {
		if !served.Load() {
			return true, nil, notFound
		}
		return false, nil, nil
	})
	var st statuses
	o := fast()
	o.OnStatus = st.add
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); <-inf.Done() }()
	go inf.Run(ctx)
	st.waitFor(t, PhaseWaitingForResource, ReasonNotServed)
	assert.False(t, inf.HasSynced())
	served.Store(true)
	sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
	defer scancel()
	require.True(t, inf.WaitForCacheSync(sctx))
	assert.Equal(t, 1, inf.GetIndexer().Len())
	// The wait is bounded: no RetryAfter beyond MaxBackoff and its jitter.
	for _, s := range st.get() {
		assert.LessOrEqual(t, s.RetryAfter, 75*time.Millisecond)
	}
}

// TestResourceGoneEndsInformer: a 404 after sync ends the informer with
// ResourceGone, after telling handlers its objects are gone.
func TestResourceGoneEndsInformer(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "a")
	var st statuses
	o := fast()
	o.OnStatus = st.add
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	rec := &recorder{}
	_, err = inf.AddEventHandler(rec)
	require.NoError(t, err)
	start(t, inf)
	rec.wait(t, 1)

	c.InjectError("watch", "configmaps", apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, ""))
	c.StopWatches()
	select {
	case <-inf.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("informer still running: %v", inf.Status())
	}
	assert.Equal(t, PhaseResourceGone, inf.Status().Phase)
	assert.ErrorIs(t, inf.Err(), ErrResourceGone)
	assert.True(t, apierrors.IsNotFound(inf.Err()), "the cause is kept")
	assert.Equal(t, []string{"add* ns/a 1", "tombstone ns/a 1"}, rec.get(), "handlers got the tombstone before the end")
	assert.Zero(t, inf.GetIndexer().Len())
	last := st.get()[len(st.get())-1]
	assert.Equal(t, PhaseResourceGone, last.Phase, "OnStatus saw the final status")
	_, err = inf.AddEventHandler(&recorder{})
	assert.ErrorIs(t, err, ErrStopped)
}

func TestFatalErrorEndsInformer(t *testing.T) {
	c := newFake(t)
	c.InjectError("watch", "configmaps", apierrors.NewBadRequest("bad selector"))
	c.InjectError("list", "configmaps", apierrors.NewBadRequest("bad selector"))
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	inf.Run(context.Background()) // returns by itself
	assert.Equal(t, PhaseFailed, inf.Status().Phase)
	assert.True(t, apierrors.IsBadRequest(inf.Err()))
	assert.False(t, inf.WaitForCacheSync(context.Background()))
}

func TestRetriesForbiddenWithBackoff(t *testing.T) {
	c := newFake(t)
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, "", errors.New("rbac"))
	c.InjectError("list", "configmaps", forbidden)
	c.InjectError("watch", "configmaps", forbidden)
	var st statuses
	o := fast()
	o.OnStatus = st.add
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go inf.Run(ctx)
	require.Eventually(t, func() bool { return countPhase(st.get(), PhaseBackoff) >= 4 }, 5*time.Second, time.Millisecond)
	var waits []time.Duration
	for _, s := range st.get() {
		if s.Phase == PhaseBackoff {
			assert.True(t, apierrors.IsForbidden(s.Err))
			waits = append(waits, s.RetryAfter)
		}
	}
	// Doubling from 5ms with up to 50% jitter, capped at 50ms(+50%).
	assert.GreaterOrEqual(t, waits[0], 5*time.Millisecond)
	assert.LessOrEqual(t, waits[0], 8*time.Millisecond)
	assert.GreaterOrEqual(t, waits[2], 20*time.Millisecond)
	cancel()
	<-inf.Done()
	assert.Equal(t, PhaseStopped, inf.Status().Phase)
	assert.NoError(t, inf.Err())
}

func TestRunTwiceAndStopLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	c := newFake(t)
	create(t, c, "ns", "a")
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	_, err = inf.AddEventHandlerWithOptions(&recorder{delay: time.Millisecond}, HandlerOptions{ResyncPeriod: time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go inf.Run(ctx)
	require.True(t, inf.WaitForCacheSync(ctx))
	inf.Run(ctx) // a second Run returns at once
	cancel()
	<-inf.Done()
	noLeaks(t, before)
}

// TestGoneNeedsDiscoveryToAgree: with Options.Discovery, a 404 for a
// resource discovery still lists is retried, not taken as the end.
func TestGoneNeedsDiscoveryToAgree(t *testing.T) {
	served := &discoveryfake.FakeDiscovery{Resources: []*metav1.APIResourceList{{
		GroupVersion: "v1",
		APIResources: []metav1.APIResource{{Name: "configmaps", Namespaced: true, Kind: "ConfigMap", Verbs: []string{"list", "watch"}}},
	}}}
	notServed := &discoveryfake.FakeDiscovery{Resources: []*metav1.APIResourceList{{GroupVersion: "v1"}}}
	for _, tc := range []struct {
		name  string
		disco *discoveryfake.FakeDiscovery
		gone  bool
	}{{"discovery lists it", served, false}, {"discovery does not", notServed, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newFake(t)
			create(t, c, "ns", "a")
			var notFound atomic.Bool
			c.PrependWatchReactor("configmaps", func(a fake.Action) (bool, watch.Interface, error) {
				if notFound.Load() {
					return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "")
				}
				return false, nil, nil
			})
			var st statuses
			o := fast()
			o.Discovery = tc.disco
			o.OnStatus = st.add
			inf, err := New(c, cmGVR, o)
			require.NoError(t, err)
			rec := &recorder{}
			_, err = inf.AddEventHandler(rec)
			require.NoError(t, err)
			start(t, inf)
			notFound.Store(true)
			c.StopWatches()
			if tc.gone {
				<-inf.Done()
				assert.ErrorIs(t, inf.Err(), ErrResourceGone)
				return
			}
			require.Eventually(t, func() bool { return countPhase(st.get(), PhaseBackoff) >= 2 }, 5*time.Second, time.Millisecond)
			notFound.Store(false)
			b := create(t, c, "ns", "b")
			assert.Equal(t, "add ns/b "+b.GetResourceVersion(), rec.wait(t, 2)[1])
			assert.Equal(t, 2, inf.GetIndexer().Len())
			assert.NoError(t, inf.Err())
			assert.Contains(t, tc.disco.Actions(), "ServerResourcesForGroupVersion")
		})
	}
}

// TestReplacedObjectIsDeletedThenAdded: an object re-created under the
// same name while the watch was away is a deletion and an addition, not
// an update.
func TestReplacedObjectIsDeletedThenAdded(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "a")
	var offline atomic.Bool
	c.PrependWatchReactor("configmaps", func(a fake.Action) (bool, watch.Interface, error) {
		if offline.Load() {
			return true, nil, apierrors.NewServiceUnavailable("down")
		}
		return false, nil, nil
	})
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	rec := &recorder{}
	_, err = inf.AddEventHandler(rec)
	require.NoError(t, err)
	start(t, inf)
	rec.wait(t, 1)
	offline.Store(true)
	c.StopWatches()
	del(t, c, "ns", "a")
	again := create(t, c, "ns", "a")
	c.Compact()
	offline.Store(false)
	assert.Equal(t, []string{"tombstone ns/a 1", "add ns/a " + again.GetResourceVersion()}, rec.wait(t, 3)[1:])
}

func TestDeletedObject(t *testing.T) {
	u := configMap("ns", "a", nil)
	for _, obj := range []any{u, DeletedFinalStateUnknown{Key: "ns/a", Obj: u}, &DeletedFinalStateUnknown{Key: "ns/a", Obj: u}} {
		got, ok := DeletedObject(obj)
		assert.True(t, ok)
		assert.Same(t, u, got)
	}
	for _, obj := range []any{nil, "x", (*unstructured.Unstructured)(nil), DeletedFinalStateUnknown{Key: "k"}} {
		_, ok := DeletedObject(obj)
		assert.False(t, ok, "%#v", obj)
	}
}

func TestStatusString(t *testing.T) {
	assert.Equal(t, "Backoff (WatchFailed) retry in 1.5s: boom",
		Status{Phase: PhaseBackoff, Reason: ReasonWatchFailed, RetryAfter: 1500 * time.Millisecond, Err: errors.New("boom")}.String())
	assert.Equal(t, "Watching", Status{Phase: PhaseWatching}.String())
	assert.True(t, PhaseResourceGone.Final())
	assert.False(t, PhaseBackoff.Final())
}

// TestReplayedDeleteLeavesTheLiveObject: a DELETED event for an older
// object of the same name (another uid), or replayed from before the
// cached version, must not remove the live object; a real one does.
func TestReplayedDeleteLeavesTheLiveObject(t *testing.T) {
	c := newFake(t)
	live := create(t, c, "ns", "a")
	require.NotEmpty(t, live.GetUID())
	w := watch.NewFake()
	c.PrependWatchReactor("configmaps", func(fake.Action) (bool, watch.Interface, error) { return true, w, nil })
	o := fast()
	o.ListMode = ListModePaged
	inf, err := New(c, cmGVR, o)
	require.NoError(t, err)
	rec := &recorder{}
	_, err = inf.AddEventHandler(rec)
	require.NoError(t, err)
	start(t, inf)
	rec.wait(t, 1)

	rv, err := strconv.ParseUint(live.GetResourceVersion(), 10, 64)
	require.NoError(t, err)
	older := live.DeepCopy()
	older.SetUID("uid-of-an-older-a")
	older.SetResourceVersion(strconv.FormatUint(rv+5, 10))
	w.Delete(older)
	replay := live.DeepCopy()
	replay.SetResourceVersion(strconv.FormatUint(rv-1, 10))
	w.Delete(replay)
	// A marker that everything before it was handled. (Objects sent are
	// the informer's from then on: it may transform them in place.)
	other := configMap("ns", "b", nil)
	other.SetUID("uid-b")
	otherRV := strconv.FormatUint(rv+6, 10)
	other.SetResourceVersion(otherRV)
	w.Add(other)
	assert.Equal(t, "add ns/b "+otherRV, rec.wait(t, 2)[1])
	got, ok := inf.GetIndexer().GetByKey("ns/a")
	require.True(t, ok, "the live object is still cached")
	assert.Equal(t, live.GetUID(), got.GetUID())

	gone := live.DeepCopy()
	goneRV := strconv.FormatUint(rv+7, 10)
	gone.SetResourceVersion(goneRV)
	w.Delete(gone)
	assert.Equal(t, "delete ns/a "+goneRV, rec.wait(t, 3)[2])
	_, ok = inf.GetIndexer().GetByKey("ns/a")
	assert.False(t, ok)
	assert.Len(t, rec.get(), 3, "the ignored events were not handed to handlers")
}

func TestDeletesComparesUIDAndResourceVersion(t *testing.T) {
	obj := func(uid, rv string) *unstructured.Unstructured {
		u := configMap("ns", "a", nil)
		u.SetUID(types.UID(uid))
		u.SetResourceVersion(rv)
		return u
	}
	for _, tc := range []struct {
		ev, cached *unstructured.Unstructured
		want       bool
	}{
		{obj("u1", "10"), obj("u1", "9"), true},
		{obj("u1", "10"), obj("u1", "10"), true},
		{obj("u1", "9"), obj("u1", "10"), false},
		{obj("u2", "11"), obj("u1", "10"), false},
		{obj("", "11"), obj("u1", "10"), true},
		{obj("u1", "opaque-b"), obj("u1", "opaque-a"), true},
		{obj("u1", ""), obj("u1", "10"), true},
	} {
		assert.Equal(t, tc.want, deletes(tc.ev, tc.cached), "event %s@%s, cached %s@%s",
			tc.ev.GetUID(), tc.ev.GetResourceVersion(), tc.cached.GetUID(), tc.cached.GetResourceVersion())
	}
}
