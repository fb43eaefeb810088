package informer

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic/fake"
)

var secretGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

func testFactory(c *fake.FakeDynamicClient, o FactoryOptions) *SharedInformerFactory {
	o.Informer.MinBackoff, o.Informer.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	return NewSharedInformerFactoryWithOptions(c, o)
}

func TestFactorySharesByKey(t *testing.T) {
	c := newFake(t)
	f := testFactory(c, FactoryOptions{})
	a := f.ForResource(cmGVR)
	assert.Same(t, a, f.ForResource(cmGVR))
	assert.NotSame(t, a, f.ForResource(secretGVR))
	scoped := f.InformerFor(InformerKey{Resource: cmGVR, Namespace: "ns", LabelSelector: "app=web"})
	assert.NotSame(t, a, scoped)
	assert.Same(t, scoped, f.InformerFor(InformerKey{Resource: cmGVR, Namespace: "ns", LabelSelector: "app=web"}))
	assert.Equal(t, "ns", scoped.Informer().opts.Namespace)
	assert.Equal(t, "app=web", scoped.Informer().opts.LabelSelector)

	filtered := NewFilteredSharedInformerFactory(c, time.Minute, "ns", func(o *metav1.ListOptions) {
		o.LabelSelector = "a=b"
		o.FieldSelector = "metadata.name=x"
	})
	assert.Equal(t, InformerKey{Resource: cmGVR, Namespace: "ns", LabelSelector: "a=b", FieldSelector: "metadata.name=x"}, filtered.Key(cmGVR))
	inf := filtered.ForResource(cmGVR).Informer()
	assert.Equal(t, time.Minute, inf.opts.ResyncPeriod)
	assert.Equal(t, "metadata.name=x", inf.opts.FieldSelector)
}

func TestFactoryStartSyncRemoveShutdown(t *testing.T) {
	before := runtime.NumGoroutine()
	c := newFake(t)
	create(t, c, "ns", "a")
	var mu sync.Mutex
	seen := map[InformerKey][]Phase{}
	f := testFactory(c, FactoryOptions{OnStatus: func(k InformerKey, st Status) {
		mu.Lock()
		seen[k] = append(seen[k], st.Phase)
		mu.Unlock()
	}})
	cms := f.ForResource(cmGVR)
	secrets := f.ForResource(secretGVR)
	cmEvents := &recorder{}
	_, err := cms.Informer().AddEventHandler(cmEvents)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f.Start(ctx)
	f.Start(ctx) // starting twice starts nothing twice
	synced := f.WaitForCacheSync(ctx)
	assert.Equal(t, map[InformerKey]bool{f.Key(cmGVR): true, f.Key(secretGVR): true}, synced)
	got, err := cms.Lister().Namespace("ns").Get("a")
	require.NoError(t, err)
	assert.Equal(t, "a", got.GetName())

	// Removing one leaves the other running.
	assert.True(t, f.Remove(secretGVR))
	assert.False(t, f.Remove(secretGVR))
	assert.Equal(t, PhaseStopped, secrets.Informer().Status().Phase)
	create(t, c, "ns", "b")
	cmEvents.wait(t, 2)
	assert.NotSame(t, secrets, f.ForResource(secretGVR), "a removed informer is made anew")

	f.Shutdown()
	f.Shutdown()
	assert.Equal(t, PhaseStopped, cms.Informer().Status().Phase)
	mu.Lock()
	assert.Contains(t, seen[f.Key(cmGVR)], PhaseWatching)
	assert.Equal(t, PhaseStopped, seen[f.Key(cmGVR)][len(seen[f.Key(cmGVR)])-1])
	mu.Unlock()

	// After Shutdown nothing starts.
	late := f.ForResource(schema.GroupVersionResource{Version: "v1", Resource: "pods"})
	f.Start(ctx)
	time.Sleep(10 * time.Millisecond)
	assert.Equal(t, PhasePending, late.Informer().Status().Phase)
	noLeaks(t, before)
}

// TestFactoryForgetsGoneInformer: an informer whose resource went away
// ends and leaves the factory; a new one can start when it is back.
func TestFactoryForgetsGoneInformer(t *testing.T) {
	c := newFake(t)
	create(t, c, "ns", "a")
	var gone atomic.Bool
	notFound := func() error { return apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "") }
	c.PrependReactor("list", "configmaps", func(fake.Action) (bool, k8sruntime.Object, error) {
		if gone.Load() {
			return true, nil, notFound()
		}
		return false, nil, nil
	})
	c.PrependWatchReactor("configmaps", func(fake.Action) (bool, watch.Interface, error) {
		if gone.Load() {
			return true, nil, notFound()
		}
		return false, nil, nil
	})
	f := testFactory(c, FactoryOptions{})
	defer f.Shutdown()
	ctx := context.Background()
	first := f.ForResource(cmGVR).Informer()
	f.Start(ctx)
	require.True(t, f.WaitForCacheSync(ctx)[f.Key(cmGVR)])

	gone.Store(true)
	c.StopWatches()
	<-first.Done()
	assert.Equal(t, PhaseResourceGone, first.Status().Phase)
	require.Eventually(t, func() bool { return f.ForResource(cmGVR).Informer() != first }, time.Second, time.Millisecond)
	assert.Empty(t, f.WaitForCacheSync(ctx), "the new informer is not started yet")

	gone.Store(false)
	f.Start(ctx)
	second := f.ForResource(cmGVR).Informer()
	require.True(t, f.WaitForCacheSync(ctx)[f.Key(cmGVR)])
	assert.Equal(t, 1, second.GetIndexer().Len())
}

func TestWaitForCacheSyncGivesUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	assert.False(t, WaitForCacheSync(ctx, func() bool { return false }))
	assert.True(t, WaitForCacheSync(context.Background()))

	c := newFake(t)
	f := testFactory(c, FactoryOptions{})
	c.InjectError("list", "configmaps", apierrors.NewServiceUnavailable("down"))
	c.InjectError("watch", "configmaps", apierrors.NewServiceUnavailable("down"))
	f.ForResource(cmGVR)
	f.Start(context.Background())
	defer f.Shutdown()
	assert.Equal(t, map[InformerKey]bool{f.Key(cmGVR): false}, f.WaitForCacheSync(ctx))
}
