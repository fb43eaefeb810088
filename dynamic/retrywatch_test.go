package dynamic_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/fake"
)

var fastRetry = &dynamic.RetryWatchOptions{MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond}

func nextEvent(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		require.True(t, ok, "watch closed early")
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return watch.Event{}
}

func expect(t *testing.T, w watch.Interface, typ watch.EventType, name string) *unstructured.Unstructured {
	t.Helper()
	ev := nextEvent(t, w)
	require.Equal(t, typ, ev.Type, "event %v", ev.Object)
	u := ev.Object.(*unstructured.Unstructured)
	if name != "" {
		require.Equal(t, name, u.GetName())
	}
	return u
}

func noEvent(t *testing.T, w watch.Interface) {
	t.Helper()
	select {
	case ev := <-w.ResultChan():
		t.Fatalf("unexpected event %s %v", ev.Type, ev.Object)
	case <-time.After(100 * time.Millisecond):
	}
}

func waitWatches(t *testing.T, c *fake.FakeDynamicClient, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return c.WatchCount() == n }, 5*time.Second, time.Millisecond)
}

// dropAndHold waits for the one open watch, cuts it, and holds the next
// watch call until release is called, so that writes made in between can
// only reach the caller through a replay or a relist.
func dropAndHold(t *testing.T, c *fake.FakeDynamicClient) (release func()) {
	t.Helper()
	waitWatches(t, c, 1)
	gate := make(chan struct{})
	var once sync.Once
	c.PrependWatchReactor("configmaps", func(fake.Action) (bool, watch.Interface, error) {
		once.Do(func() { <-gate })
		return false, nil, nil
	})
	c.StopWatches()
	return func() { close(gate) }
}

func TestRetryWatcherListsThenWatches(t *testing.T) {
	ctx := context.Background()
	c := fake.NewSimpleDynamicClient(nil, configMap("ns", "a"), configMap("ns", "b"))
	cms := c.Resource(cmGVR).Namespace("ns")
	rw, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{AllowWatchBookmarks: true}, fastRetry)
	require.NoError(t, err)
	defer rw.Stop()
	expect(t, rw, watch.Added, "a")
	expect(t, rw, watch.Added, "b")
	ev := nextEvent(t, rw)
	assert.True(t, dynamic.IsInitialEventsEnd(ev), "initial state ends with a marked bookmark")
	assert.Equal(t, "ConfigMap", ev.Object.(*unstructured.Unstructured).GetKind())

	_, err = cms.Create(ctx, configMap("ns", "c"), metav1.CreateOptions{})
	require.NoError(t, err)
	expect(t, rw, watch.Added, "c")
	require.NoError(t, cms.Delete(ctx, "a", metav1.DeleteOptions{}))
	expect(t, rw, watch.Deleted, "a")

	// Server bookmarks are forwarded because the caller asked, and move
	// the resume point.
	waitWatches(t, c, 1)
	c.SendBookmarks()
	ev = nextEvent(t, rw)
	require.Equal(t, watch.Bookmark, ev.Type)
	assert.False(t, dynamic.IsRelistBookmark(ev))

	rw.Stop()
	select {
	case _, ok := <-rw.ResultChan():
		for ok {
			_, ok = <-rw.ResultChan()
		}
	case <-time.After(5 * time.Second):
		t.Fatal("not closed after Stop")
	}
	<-rw.Done()
	waitWatches(t, c, 0)
}

func TestRetryWatcherResumesAfterDrop(t *testing.T) {
	ctx := context.Background()
	c := fake.NewSimpleDynamicClient(nil, configMap("ns", "a"))
	cms := c.Resource(cmGVR).Namespace("ns")
	rw, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{}, fastRetry)
	require.NoError(t, err)
	defer rw.Stop()
	a := expect(t, rw, watch.Added, "a")

	// Hold the reconnection until the writes are done, so they can only
	// arrive through the replay.
	release := dropAndHold(t, c)
	_, err = cms.Create(ctx, configMap("ns", "b"), metav1.CreateOptions{})
	require.NoError(t, err)
	a.SetLabels(map[string]string{"x": "y"})
	_, err = cms.Update(ctx, a, metav1.UpdateOptions{})
	require.NoError(t, err)
	release()

	expect(t, rw, watch.Added, "b")
	expect(t, rw, watch.Modified, "a")
	noEvent(t, rw)

	var resumes []string
	for _, act := range c.Actions() {
		if act.Verb == "watch" {
			resumes = append(resumes, act.ListOptions.ResourceVersion)
		}
	}
	require.Len(t, resumes, 2)
	assert.Equal(t, a.GetResourceVersion(), resumes[1], "resumed from the last event's version")
}

func TestRetryWatcherRelistsOnGone(t *testing.T) {
	ctx := context.Background()
	c := fake.NewSimpleDynamicClient(nil, configMap("ns", "keep"), configMap("ns", "gone"), configMap("ns", "change"), configMap("ns", "replace"))
	cms := c.Resource(cmGVR).Namespace("ns")
	rw, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{}, fastRetry)
	require.NoError(t, err)
	defer rw.Stop()
	seen := map[string]*unstructured.Unstructured{}
	for range 4 {
		u := expect(t, rw, watch.Added, "")
		seen[u.GetName()] = u
	}

	release := dropAndHold(t, c)
	require.NoError(t, cms.Delete(ctx, "gone", metav1.DeleteOptions{}))
	ch := seen["change"].DeepCopy()
	ch.SetLabels(map[string]string{"v": "2"})
	_, err = cms.Update(ctx, ch, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.NoError(t, cms.Delete(ctx, "replace", metav1.DeleteOptions{}))
	_, err = cms.Create(ctx, configMap("ns", "replace"), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = cms.Create(ctx, configMap("ns", "new"), metav1.CreateOptions{})
	require.NoError(t, err)
	c.Compact()
	release()

	// Deletions first, in key order, then the list's changes in key order.
	d := expect(t, rw, watch.Deleted, "gone")
	assert.Equal(t, seen["gone"].GetUID(), d.GetUID())
	d = expect(t, rw, watch.Deleted, "replace")
	assert.Equal(t, seen["replace"].GetUID(), d.GetUID(), "the old object goes")
	assert.Equal(t, "change", expect(t, rw, watch.Modified, "").GetName())
	assert.Equal(t, "new", expect(t, rw, watch.Added, "").GetName())
	r := expect(t, rw, watch.Added, "replace")
	assert.NotEqual(t, seen["replace"].GetUID(), r.GetUID())
	ev := nextEvent(t, rw)
	require.True(t, dynamic.IsRelistBookmark(ev), "got %s %v", ev.Type, ev.Object)
	assert.Equal(t, c.ResourceVersion(), ev.Object.(*unstructured.Unstructured).GetResourceVersion())
	noEvent(t, rw)

	// And it watches on from the list.
	_, err = cms.Create(ctx, configMap("ns", "after"), metav1.CreateOptions{})
	require.NoError(t, err)
	expect(t, rw, watch.Added, "after")
}

func TestRetryWatcherFromResourceVersion(t *testing.T) {
	ctx := context.Background()
	c := fake.NewSimpleDynamicClient(nil, configMap("ns", "a"), configMap("ns", "b"))
	cms := c.Resource(cmGVR).Namespace("ns")
	start := c.ResourceVersion()
	require.NoError(t, cms.Delete(ctx, "a", metav1.DeleteOptions{}))

	rw, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{ResourceVersion: start}, fastRetry)
	require.NoError(t, err)
	defer rw.Stop()
	expect(t, rw, watch.Deleted, "a")
	noEvent(t, rw)

	// After a relist it knows "b" from the quiet list at start, so its
	// deletion during the gap is reported.
	release := dropAndHold(t, c)
	require.NoError(t, cms.Delete(ctx, "b", metav1.DeleteOptions{}))
	c.Compact()
	release()
	expect(t, rw, watch.Deleted, "b")
	assert.True(t, dynamic.IsRelistBookmark(nextEvent(t, rw)))

	// Too old to learn the caller's state: said at once.
	_, err = dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{ResourceVersion: start}, fastRetry)
	assert.True(t, apierrors.IsResourceExpired(err), "got %v", err)
}

func TestRetryWatcherStreamingList(t *testing.T) {
	ctx := context.Background()
	c := fake.NewSimpleDynamicClient(nil, configMap("ns", "a"), configMap("ns", "b"))
	cms := c.Resource(cmGVR).Namespace("ns")
	yes := true
	rw, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{SendInitialEvents: &yes}, fastRetry)
	require.NoError(t, err)
	defer rw.Stop()
	expect(t, rw, watch.Added, "a")
	expect(t, rw, watch.Added, "b")
	assert.True(t, dynamic.IsInitialEventsEnd(nextEvent(t, rw)))
	for _, a := range c.Actions() {
		assert.NotEqual(t, "list", a.Verb, "a streaming list needs no List")
	}

	release := dropAndHold(t, c)
	require.NoError(t, cms.Delete(ctx, "a", metav1.DeleteOptions{}))
	_, err = cms.Create(ctx, configMap("ns", "c"), metav1.CreateOptions{})
	require.NoError(t, err)
	c.Compact()
	release()
	expect(t, rw, watch.Deleted, "a")
	expect(t, rw, watch.Added, "c")
	assert.True(t, dynamic.IsRelistBookmark(nextEvent(t, rw)))
	_, err = cms.Create(ctx, configMap("ns", "d"), metav1.CreateOptions{})
	require.NoError(t, err)
	expect(t, rw, watch.Added, "d")
	for _, a := range c.Actions() {
		assert.NotEqual(t, "list", a.Verb)
	}

	_, err = dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{SendInitialEvents: &yes, ResourceVersion: "1"}, nil)
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
}

func TestRetryWatcherErrors(t *testing.T) {
	ctx := context.Background()
	c := fake.NewSimpleDynamicClient(nil, configMap("ns", "a"))
	cms := c.Resource(cmGVR).Namespace("ns")

	c.InjectError("list", "*", apierrors.NewForbidden(cmGVR.GroupResource(), "", nil))
	_, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{}, fastRetry)
	assert.True(t, apierrors.IsForbidden(err), "the first list's error is returned")
	c.ClearReactors()

	rw, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{}, fastRetry)
	require.NoError(t, err)
	defer rw.Stop()
	expect(t, rw, watch.Added, "a")

	// Retryable failures are retried.
	fails := 0
	var mu sync.Mutex
	c.PrependWatchReactor("configmaps", func(fake.Action) (bool, watch.Interface, error) {
		mu.Lock()
		defer mu.Unlock()
		if fails < 3 {
			fails++
			return true, nil, apierrors.NewServiceUnavailable("busy")
		}
		return false, nil, nil
	})
	waitWatches(t, c, 1)
	c.StopWatches()
	_, err = cms.Create(ctx, configMap("ns", "b"), metav1.CreateOptions{})
	require.NoError(t, err)
	expect(t, rw, watch.Added, "b")
	mu.Lock()
	assert.Equal(t, 3, fails)
	mu.Unlock()

	// Others end it with an ERROR event.
	c.InjectError("watch", "configmaps", apierrors.NewForbidden(cmGVR.GroupResource(), "", nil))
	waitWatches(t, c, 1)
	c.StopWatches()
	ev := nextEvent(t, rw)
	require.Equal(t, watch.Error, ev.Type)
	assert.True(t, apierrors.IsForbidden(apierrors.FromObject(ev.Object)))
	_, ok := <-rw.ResultChan()
	assert.False(t, ok)
}

func TestRetryWatcherContextEnds(t *testing.T) {
	c := fake.NewSimpleDynamicClient(nil)
	ctx, cancel := context.WithCancel(context.Background())
	rw, err := dynamic.NewRetryWatcher(ctx, c.Resource(cmGVR), metav1.ListOptions{}, fastRetry)
	require.NoError(t, err)
	waitWatches(t, c, 1)
	cancel()
	select {
	case <-rw.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not done after the context ended")
	}
	waitWatches(t, c, 0)
}

// TestRetryWatcherExactlyOnceUnderChaos writes at random while connections
// drop and history is compacted at random, and checks that the caller's
// view, built only from events, never sees an impossible event and ends
// equal to the store.
func TestRetryWatcherExactlyOnceUnderChaos(t *testing.T) {
	ctx := context.Background()
	c := fake.NewSimpleDynamicClient(nil)
	cms := c.Resource(cmGVR).Namespace("ns")
	rw, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{LabelSelector: "keep!=no"}, fastRetry)
	require.NoError(t, err)
	defer rw.Stop()

	view := map[string]string{} // name -> resourceVersion
	var mu sync.Mutex
	var problems []string
	relists := 0
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		for ev := range rw.ResultChan() {
			mu.Lock()
			if ev.Type == watch.Bookmark {
				if dynamic.IsRelistBookmark(ev) {
					relists++
				}
				mu.Unlock()
				continue
			}
			u, ok := ev.Object.(*unstructured.Unstructured)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s carries %T", ev.Type, ev.Object))
				mu.Unlock()
				continue
			}
			name, rv := u.GetName(), u.GetResourceVersion()
			old, known := view[name]
			switch ev.Type {
			case watch.Added:
				if known {
					problems = append(problems, "duplicate ADDED "+name)
				}
				view[name] = rv
			case watch.Modified:
				if !known || old == rv {
					problems = append(problems, fmt.Sprintf("bad MODIFIED %s known=%v rv %s->%s", name, known, old, rv))
				}
				view[name] = rv
			case watch.Deleted:
				if !known {
					problems = append(problems, "DELETED unknown "+name)
				}
				delete(view, name)
			}
			mu.Unlock()
		}
	}()

	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 600 {
		name := fmt.Sprintf("cm%d", rng.IntN(20))
		switch rng.IntN(10) {
		case 0, 1, 2:
			cms.Create(ctx, configMap("ns", name), metav1.CreateOptions{})
		case 3, 4:
			cms.Delete(ctx, name, metav1.DeleteOptions{})
		case 5:
			// Leaving and entering the selection.
			cms.Patch(ctx, name, "application/merge-patch+json", []byte(`{"metadata":{"labels":{"keep":"`+[]string{"no", "yes"}[rng.IntN(2)]+`"}}}`), metav1.PatchOptions{})
		default:
			cms.Patch(ctx, name, "application/merge-patch+json", []byte(fmt.Sprintf(`{"data":{"i":"%d"}}`, i)), metav1.PatchOptions{})
		}
		switch rng.IntN(40) {
		case 0:
			c.StopWatches()
		case 1:
			c.StopWatches()
			c.Compact()
		}
		if rng.IntN(50) == 0 {
			time.Sleep(time.Millisecond)
		}
	}

	want := map[string]string{}
	list, err := cms.List(ctx, metav1.ListOptions{LabelSelector: "keep!=no"})
	require.NoError(t, err)
	for _, it := range list.Items {
		want[it.GetName()] = it.GetResourceVersion()
	}
	assert.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprint(view) == fmt.Sprint(want)
	}, 10*time.Second, 5*time.Millisecond)
	rw.Stop()
	<-consumed
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, problems)
	assert.Equal(t, want, view)
	t.Logf("relists: %d", relists)
	assert.Positive(t, relists, "the test must exercise relists")
}
