package metadatainformer_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/informer"
	"github.com/anykube/anykube/dynamic/metadata"
	"github.com/anykube/anykube/dynamic/metadata/metadatainformer"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

const crdGroup = "metainformer.anykube.test"

// team is the label the test sets and selects on, made unique to each run
// by TestE2EMetadataInformer: its informers select objects that have it,
// so that other tests' and runs' objects on the shared cluster (and the
// kube-root-ca.crt ConfigMap of every namespace) stay out.
var team string

var (
	cmGVR     = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	widgetGVR = schema.GroupVersionResource{Group: crdGroup, Version: "v1", Resource: "widgets"}
	testCRDs  = []e2e.CRD{{Group: crdGroup, Kind: "Widget", Versions: []string{"v1"}, Namespaced: true}}
)

// events records what a handler is told, as "op name resourceVersion".
type events struct {
	mu  sync.Mutex
	got []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, s)
}

func (e *events) handler() metadatainformer.EventHandler {
	return metadatainformer.EventHandlerFuncs{
		AddFunc: func(obj *metav1.PartialObjectMetadata, _ bool) {
			e.add(fmt.Sprintf("add %s %s", obj.Name, obj.ResourceVersion))
		},
		UpdateFunc: func(old, obj *metav1.PartialObjectMetadata) {
			e.add(fmt.Sprintf("update %s %s team=%s", obj.Name, obj.ResourceVersion, obj.Labels[team]))
		},
		DeleteFunc: func(obj any) {
			m, ok := metadatainformer.DeletedObject(obj)
			if !ok {
				e.add(fmt.Sprintf("delete of a %T", obj))
				return
			}
			_, tomb := obj.(metadatainformer.DeletedFinalStateUnknown)
			e.add(fmt.Sprintf("delete %s tombstone=%v", m.Name, tomb))
		},
	}
}

// waitFor waits until the handler has been told want, in order.
func (e *events) waitFor(t *testing.T, want []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		e.mu.Lock()
		got := slices.Clone(e.got)
		e.mu.Unlock()
		if len(got) >= len(want) || time.Now().After(deadline) {
			require.Equal(t, want, got)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newObj(apiVersion, kind, ns, name, value string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	u.SetNamespace(ns)
	u.SetName(name)
	u.SetLabels(map[string]string{team: value})
	return u
}

func names(objs []*metav1.PartialObjectMetadata) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Namespace+"/"+o.Name)
	}
	slices.Sort(out)
	return out
}

// TestE2EMetadataInformer runs a factory's metadata informers for
// ConfigMaps and a CRD across two namespaces: they follow create, a label
// change and delete, keep no managedFields, and their listers answer Get
// and List by namespace and selector from the cache.
func TestE2EMetadataInformer(t *testing.T) {
	c := e2e.SharedWithCRDs(t, testCRDs)
	cfg := e2e.Config(c, nil)
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	mc, err := metadata.NewForConfig(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns1 := e2e.CreateNamespace(t, c, "metainf")
	ns2 := e2e.CreateNamespace(t, c, "metainf")
	team = crdGroup + "/" + ns1

	f := metadatainformer.NewFilteredSharedInformerFactory(mc, 0, "", func(o *metav1.ListOptions) { o.LabelSelector = team })
	defer f.Shutdown()
	for _, tc := range []struct {
		gvr              schema.GroupVersionResource
		apiVersion, kind string
	}{
		{cmGVR, "v1", "ConfigMap"},
		{widgetGVR, crdGroup + "/v1", "Widget"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			full := dc.Resource(tc.gvr)
			before, err := full.Namespace(ns1).Create(ctx, newObj(tc.apiVersion, tc.kind, ns1, "before", "a"), metav1.CreateOptions{})
			require.NoError(t, err)

			gi := f.ForResource(tc.gvr)
			require.Same(t, gi.Informer(), f.ForResource(tc.gvr).Informer(), "one informer per resource")
			var ev events
			_, err = gi.Informer().AddEventHandler(ev.handler())
			require.NoError(t, err)
			f.Start(ctx)
			for key, ok := range f.WaitForCacheSync(ctx) {
				require.True(t, ok, "%v not synced", key)
			}
			want := []string{"add before " + before.GetResourceVersion()}
			ev.waitFor(t, want)

			a, err := full.Namespace(ns1).Create(ctx, newObj(tc.apiVersion, tc.kind, ns1, "a", "a"), metav1.CreateOptions{})
			require.NoError(t, err)
			b, err := full.Namespace(ns2).Create(ctx, newObj(tc.apiVersion, tc.kind, ns2, "b", "b"), metav1.CreateOptions{})
			require.NoError(t, err)
			a2, err := full.Namespace(ns1).Patch(ctx, "a", types.MergePatchType, []byte(`{"metadata":{"labels":{"`+team+`":"b"}}}`), metav1.PatchOptions{})
			require.NoError(t, err)
			require.NoError(t, full.Namespace(ns1).Delete(ctx, "before", metav1.DeleteOptions{}))
			want = append(want,
				"add a "+a.GetResourceVersion(),
				"add b "+b.GetResourceVersion(),
				"update a "+a2.GetResourceVersion()+" team=b",
				"delete before tombstone=false")
			ev.waitFor(t, want)

			both := []string{ns1 + "/a", ns2 + "/b"}
			slices.Sort(both) // the namespaces' names are random

			// The lister answers from the cache: the metadata as the
			// server has it, without managedFields.
			l := gi.Lister()
			got, err := l.Namespace(ns1).Get("a")
			require.NoError(t, err)
			assert.Equal(t, a2.GetUID(), got.UID)
			assert.Equal(t, a2.GetResourceVersion(), got.ResourceVersion)
			assert.Equal(t, map[string]string{team: "b"}, got.Labels)
			assert.Empty(t, got.ManagedFields)
			assert.NotEmpty(t, a2.GetManagedFields(), "the server keeps them")
			assert.Equal(t, metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "PartialObjectMetadata"}, got.TypeMeta)
			_, err = l.Namespace(ns1).Get("before")
			assert.True(t, apierrors.IsNotFound(err), "%v", err)
			_, err = l.Namespace(ns2).Get("a")
			assert.True(t, apierrors.IsNotFound(err), "%v", err)

			all, err := l.List(labels.Everything())
			require.NoError(t, err)
			assert.Equal(t, both, names(all))
			inNS2, err := l.Namespace(ns2).List(labels.Everything())
			require.NoError(t, err)
			assert.Equal(t, []string{ns2 + "/b"}, names(inNS2))
			teamB, err := l.List(labels.SelectorFromSet(labels.Set{team: "b"}))
			require.NoError(t, err)
			assert.Equal(t, both, names(teamB))
			teamA, err := l.Namespace(ns1).List(labels.SelectorFromSet(labels.Set{team: "a"}))
			require.NoError(t, err)
			assert.Empty(t, teamA)

			// An index over the metadata.
			inf := gi.Informer()
			require.NoError(t, inf.AddIndexers(metadatainformer.Indexers{"team": metadatainformer.LabelIndexFunc(team)}))
			byTeam, err := inf.GetIndexer().ByIndex("team", "b")
			require.NoError(t, err)
			assert.Equal(t, both, names(byTeam))
			assert.Equal(t, informer.PhaseWatching, inf.Status().Phase, "%v", inf.Status())
		})
	}
}

// TestE2EMetadataInformerDroppedWatch cuts the informer's connections and
// refuses new ones while objects change: once the network is back, the
// resumed watch brings every change, once, and the cache is the server's
// state.
func TestE2EMetadataInformerDroppedWatch(t *testing.T) {
	c := e2e.SharedWithCRDs(t, testCRDs)
	dc, err := dynamic.NewForConfig(e2e.Config(c, nil))
	require.NoError(t, err)
	u, err := url.Parse(c.Host)
	require.NoError(t, err)
	proxy := e2e.NewTCPProxy(t, u.Host)
	cfg := e2e.Config(c, nil)
	cfg.Host = proxy.URL()
	mc, err := metadata.NewForConfig(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := e2e.CreateNamespace(t, c, "metainf")
	team = crdGroup + "/" + ns
	cms := dc.Resource(cmGVR).Namespace(ns)
	create := func(name string) *unstructured.Unstructured {
		obj, err := cms.Create(ctx, newObj("v1", "ConfigMap", ns, name, "a"), metav1.CreateOptions{})
		require.NoError(t, err)
		return obj
	}

	phases := make(chan informer.Status, 100)
	inf, err := metadatainformer.New(mc, cmGVR, &metadatainformer.Options{
		Namespace: ns, LabelSelector: team, MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		OnStatus: func(st informer.Status) {
			select {
			case phases <- st:
			default:
			}
		},
	})
	require.NoError(t, err)
	waitPhase := func(p informer.Phase) {
		t.Helper()
		for {
			select {
			case st := <-phases:
				if st.Phase == p {
					return
				}
			case <-ctx.Done():
				t.Fatalf("no %s: %v", p, inf.Status())
			}
		}
	}
	var ev events
	_, err = inf.AddEventHandler(ev.handler())
	require.NoError(t, err)
	a := create("a")
	b := create("b")
	go inf.Run(ctx)
	defer func() { cancel(); <-inf.Done() }()
	waitPhase(informer.PhaseWatching)
	want := []string{"add a " + a.GetResourceVersion(), "add b " + b.GetResourceVersion()}
	ev.waitFor(t, want)

	proxy.Refusing.Store(true)
	require.Positive(t, proxy.Cut())
	waitPhase(informer.PhaseBackoff)
	cc := create("c")
	a2, err := cms.Patch(ctx, "a", types.MergePatchType, []byte(`{"metadata":{"labels":{"`+team+`":"b"}}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	require.NoError(t, cms.Delete(ctx, "b", metav1.DeleteOptions{}))
	proxy.Refusing.Store(false)
	want = append(want,
		"add c "+cc.GetResourceVersion(),
		"update a "+a2.GetResourceVersion()+" team=b",
		"delete b tombstone=false")
	ev.waitFor(t, want)
	waitPhase(informer.PhaseWatching)

	cached, err := inf.Lister().List(labels.Everything())
	require.NoError(t, err)
	assert.Equal(t, []string{ns + "/a", ns + "/c"}, names(cached))
	got, err := inf.Lister().Namespace(ns).Get("a")
	require.NoError(t, err)
	assert.Equal(t, a2.GetResourceVersion(), got.ResourceVersion)
}

// TestE2EMetadataInformerCRDLifecycle starts a metadata informer before
// its CRD exists: it waits, syncs once the CRD is created, and when the CRD
// is deleted tells its handler the object went, reports ResourceGone and
// ends.
func TestE2EMetadataInformerCRDLifecycle(t *testing.T) {
	c := e2e.SharedWithCRDs(t, testCRDs)
	hc, err := c.HTTPClient()
	require.NoError(t, err)
	cfg := e2e.Config(c, nil)
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	mc, err := metadata.NewForConfig(cfg)
	require.NoError(t, err)
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	require.NoError(t, err)
	crd := e2e.CRD{Group: "metalifecycle.anykube.test", Kind: "Gizmo", Versions: []string{"v1"}}
	gvr := schema.GroupVersionResource{Group: crd.Group, Version: "v1", Resource: "gizmos"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Cleanup(func() { _ = e2e.DeleteCRDs(context.Background(), hc, c.Host, []e2e.CRD{crd}) })

	f := metadatainformer.NewSharedInformerFactoryWithOptions(mc, metadatainformer.FactoryOptions{
		Informer: metadatainformer.Options{Discovery: disco, MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond},
	})
	defer f.Shutdown()
	inf := f.ForResource(gvr).Informer()
	var ev events
	_, err = inf.AddEventHandler(ev.handler())
	require.NoError(t, err)
	f.Start(ctx)
	require.Eventually(t, func() bool { return inf.Status().Phase == informer.PhaseWaitingForResource }, 30*time.Second, 10*time.Millisecond)

	require.NoError(t, e2e.InstallCRDs(ctx, hc, c.Host, []e2e.CRD{crd}))
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	require.True(t, inf.WaitForCacheSync(sctx), "%v", inf.Status())
	g := &unstructured.Unstructured{Object: map[string]any{"apiVersion": crd.Group + "/v1", "kind": "Gizmo"}}
	g.SetName("g1")
	created, err := dc.Resource(gvr).Create(ctx, g, metav1.CreateOptions{})
	require.NoError(t, err)
	ev.waitFor(t, []string{"add g1 " + created.GetResourceVersion()})

	require.NoError(t, e2e.DeleteCRDs(ctx, hc, c.Host, []e2e.CRD{crd}))
	select {
	case <-inf.Done():
	case <-ctx.Done():
		t.Fatalf("the informer did not end: %v", inf.Status())
	}
	assert.Equal(t, informer.PhaseResourceGone, inf.Status().Phase, "%v", inf.Status())
	assert.ErrorIs(t, inf.Err(), informer.ErrResourceGone)
	ev.mu.Lock()
	got := slices.Clone(ev.got)
	ev.mu.Unlock()
	require.Len(t, got, 2, "%q", got)
	assert.Regexp(t, `^delete g1 tombstone=`, got[1])
	assert.Zero(t, inf.GetIndexer().Len())
}
