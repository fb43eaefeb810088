package informer

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/fake"
	"github.com/anykube/anykube/dynamic/lister"
)

var cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// fast are informer options for tests: short backoffs.
func fast() *Options {
	return &Options{MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
}

func newFake(t *testing.T) *fake.FakeDynamicClient {
	t.Helper()
	c := fake.NewSimpleDynamicClient(nil)
	c.Register(cmGVR, fake.ResourceInfo{Kind: "ConfigMap"})
	return c
}

func configMap(ns, name string, data map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}
	u.SetNamespace(ns)
	u.SetName(name)
	if data != nil {
		m := map[string]any{}
		for k, v := range data {
			m[k] = v
		}
		u.Object["data"] = m
	}
	return u
}

func create(t *testing.T, c dynamic.Interface, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := c.Resource(cmGVR).Namespace(ns).Create(context.Background(), configMap(ns, name, nil), metav1.CreateOptions{})
	require.NoError(t, err)
	return u
}

func patch(t *testing.T, c dynamic.Interface, ns, name, v string) *unstructured.Unstructured {
	t.Helper()
	u, err := c.Resource(cmGVR).Namespace(ns).Patch(context.Background(), name, types.MergePatchType, []byte(`{"data":{"v":"`+v+`"}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	return u
}

func del(t *testing.T, c dynamic.Interface, ns, name string) {
	t.Helper()
	require.NoError(t, c.Resource(cmGVR).Namespace(ns).Delete(context.Background(), name, metav1.DeleteOptions{}))
}

// recorder is an EventHandler that writes each call as a line:
// "add ns/name rv", "add* ..." (initial list), "update ns/name oldrv->rv",
// "delete ns/name rv", "tombstone ns/name rv".
type recorder struct {
	mu     sync.Mutex
	events []string
	// delay, if set, slows every call down.
	delay time.Duration
}

func (r *recorder) record(s string) {
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

func (r *recorder) OnAdd(obj *unstructured.Unstructured, initial bool) {
	op := "add"
	if initial {
		op = "add*"
	}
	r.record(fmt.Sprintf("%s %s %s", op, lister.MetaNamespaceKey(obj), obj.GetResourceVersion()))
}

func (r *recorder) OnUpdate(old, obj *unstructured.Unstructured) {
	r.record(fmt.Sprintf("update %s %s->%s", lister.MetaNamespaceKey(obj), old.GetResourceVersion(), obj.GetResourceVersion()))
}

func (r *recorder) OnDelete(obj any) {
	switch o := obj.(type) {
	case *unstructured.Unstructured:
		r.record(fmt.Sprintf("delete %s %s", lister.MetaNamespaceKey(o), o.GetResourceVersion()))
	case DeletedFinalStateUnknown:
		r.record(fmt.Sprintf("tombstone %s %s", o.Key, o.Obj.GetResourceVersion()))
	default:
		r.record(fmt.Sprintf("delete of %T", obj))
	}
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// wait waits until the recorder has n events and returns them.
func (r *recorder) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ev := r.get(); len(ev) >= n {
			return ev
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("waited for %d events, have %d: %q", n, len(r.get()), r.get())
	return nil
}

// statuses collects an informer's statuses.
type statuses struct {
	mu  sync.Mutex
	all []Status
}

func (s *statuses) add(st Status) {
	s.mu.Lock()
	s.all = append(s.all, st)
	s.mu.Unlock()
}

func (s *statuses) get() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Status(nil), s.all...)
}

// has reports whether a status with phase and reason was reported.
func (s *statuses) has(phase Phase, reason Reason) bool {
	for _, st := range s.get() {
		if st.Phase == phase && st.Reason == reason {
			return true
		}
	}
	return false
}

func (s *statuses) waitFor(t *testing.T, phase Phase, reason Reason) {
	t.Helper()
	require.Eventually(t, func() bool { return s.has(phase, reason) }, 10*time.Second, time.Millisecond,
		"no %s (%s) status in %v", phase, reason, s.get())
}

// start runs inf until the test ends and waits for it to sync.
func start(t *testing.T, inf *Informer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	go inf.Run(ctx)
	t.Cleanup(func() {
		cancel()
		<-inf.Done()
	})
	sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
	defer scancel()
	require.True(t, inf.WaitForCacheSync(sctx), "not synced: %v", inf.Status())
}

// ourGoroutines returns the stacks of goroutines running code of anykube's
// dynamic packages (the informer, its handlers, stream watchers) or started
// by it, leaving out the test harness's own.
func ourGoroutines() []string {
	// A dump that fills the buffer was cut short: grow until it fits, or
	// goroutines past the cut would be missed.
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	for n == len(buf) {
		buf = make([]byte, 2*len(buf))
		n = runtime.Stack(buf, true)
	}
	var out []string
	for g := range strings.SplitSeq(string(buf[:n]), "\n\n") {
		// The main goroutine and running tests are the harness's.
		if strings.Contains(g, "testing.tRunner(") || strings.Contains(g, "testing.(*M).Run(") {
			continue
		}
		if strings.Contains(g, "github.com/anykube/anykube/dynamic") {
			out = append(out, g)
		}
	}
	return out
}

// noLeaks fails the test if goroutines of ours, or more goroutines than
// before, are still around after a settling time.
func noLeaks(t *testing.T, before int) {
	t.Helper()
	var ours []string
	var now int
	for range 200 {
		ours, now = ourGoroutines(), runtime.NumGoroutine()
		if len(ours) == 0 && now <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("goroutines left: %d (before %d); ours:\n%s", now, before, strings.Join(ours, "\n\n"))
}

// TestLeakCheckSeesOurGoroutines makes sure the leak check can fail.
func TestLeakCheckSeesOurGoroutines(t *testing.T) {
	c := newFake(t)
	inf, err := New(c, cmGVR, fast())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go inf.Run(ctx)
	require.True(t, inf.WaitForCacheSync(ctx))
	ours := ourGoroutines()
	assert.NotEmpty(t, ours)
	found := false
	for _, g := range ours {
		// Which of the informer's goroutines is caught mid-flight varies
		// (CI once saw neither the status nor a listener goroutine); any
		// frame of the package shows the check sees them.
		found = found || strings.Contains(g, "github.com/anykube/anykube/dynamic/informer.")
	}
	assert.True(t, found, "the informer's goroutines are seen")
	cancel()
	<-inf.Done()
	// The fake client's watch goroutines end just after the informer
	// stops its watch, not before Done: give them a settling time, as
	// noLeaks does (polling here, since assert.Eventually's own goroutine
	// would count as one of ours).
	left := ourGoroutines()
	for i := 0; i < 200 && len(left) > 0; i++ {
		time.Sleep(10 * time.Millisecond)
		left = ourGoroutines()
	}
	assert.Empty(t, left)
}
