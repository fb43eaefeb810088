package scale_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/scale"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// env is what an end-to-end test works with: a namespace of its own, a
// dynamic client to set objects up and look at them, and the scale client
// under test, which shares nothing with the dynamic client.
type env struct {
	cluster *testcluster.Cluster
	dyn     *dynamic.DynamicClient
	scales  scale.ScalesGetter
	ns      string
	// requests counts the scale client's requests, discovery included.
	requests *atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test against a real API server")
	}
	c := testcluster.Shared(t)
	base := anykube.Config{
		Host:            c.Host,
		BearerToken:     c.Token,
		TLSClientConfig: anykube.TLSClientConfig{CAData: c.CAData},
		QPS:             -1,
	}
	dynCfg := base
	dyn, err := dynamic.NewForConfig(&dynCfg)
	require.NoError(t, err)

	var n atomic.Int64
	cfg := base
	cfg.WrapTransport = func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			n.Add(1)
			return next.RoundTrip(r)
		})
	}
	dc, err := discovery.NewDiscoveryClientForConfig(&cfg)
	require.NoError(t, err)
	// The mapper and the kind resolver get caches of their own, so that
	// the mapper refreshing its cache for a new CRD does not do the
	// resolver's work: the resolver must notice its own stale cache.
	mapper := restmapper.NewLazyRESTMapper(memory.NewMemCacheClient(dc), restmapper.LazyOptions{})
	scales, err := scale.NewForConfig(&cfg, mapper, scale.LegacyAPIPathResolverFunc, scale.NewDiscoveryScaleKindResolver(memory.NewMemCacheClient(dc)))
	require.NoError(t, err)

	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ns := "scale-" + hex.EncodeToString(b)
	_, err = dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Create(context.Background(),
		object("v1", "Namespace", ns, nil), metav1.CreateOptions{})
	require.NoError(t, err)
	return &env{cluster: c, dyn: dyn, scales: scales, ns: ns, requests: &n}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func object(apiVersion, kind, name string, fields map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	for k, v := range fields {
		u.Object[k] = v
	}
	u.SetName(name)
	return u
}

func podTemplate(labels map[string]any) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"labels": labels},
		"spec": map[string]any{"containers": []any{
			map[string]any{"name": "c", "image": "registry.invalid/never-pulled:1"},
		}},
	}
}

// target is one scalable object.
type target struct {
	gvr       schema.GroupVersionResource
	namespace string
	name      string
	// selector is the status.selector the server derives for it.
	selector string
}

func (tg target) gr() schema.GroupResource { return tg.gvr.GroupResource() }

// objectReplicas reads spec.replicas from the object itself, to show that
// the scale subresource wrote through to it.
func (e *env) objectReplicas(t *testing.T, tg target) int64 {
	t.Helper()
	u, err := e.dyn.Resource(tg.gvr).Namespace(tg.namespace).Get(context.Background(), tg.name, metav1.GetOptions{})
	require.NoError(t, err)
	n, _, err := unstructured.NestedInt64(u.Object, "spec", "replicas")
	require.NoError(t, err)
	return n
}

// exercise scales tg up and down through every path the package has,
// starting from 2 replicas.
func (e *env) exercise(t *testing.T, tg target) {
	ctx := context.Background()
	scales := e.scales.Scales(tg.namespace)
	check := func(want int32, got *scale.Scale) {
		t.Helper()
		require.NotNil(t, got)
		assert.Equal(t, want, got.Spec.Replicas)
		assert.Equal(t, tg.name, got.Name)
		assert.Equal(t, tg.namespace, got.Namespace)
		assert.Equal(t, "autoscaling/v1", got.APIVersion)
		assert.Equal(t, "Scale", got.Kind)
		assert.Equal(t, tg.selector, got.Status.Selector)
		fresh, err := scales.Get(ctx, tg.gr(), tg.name, metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, want, fresh.Spec.Replicas)
		assert.Equal(t, int64(want), e.objectReplicas(t, tg))
	}

	first, err := scales.Get(ctx, tg.gr(), tg.name, metav1.GetOptions{})
	require.NoError(t, err)
	check(2, first)
	assert.NotEmpty(t, first.ResourceVersion)
	assert.NotEmpty(t, first.UID)

	// Up through Get + Update.
	up := first.DeepCopy()
	up.Spec.Replicas = 5
	got, err := scales.Update(ctx, tg.gr(), up, metav1.UpdateOptions{})
	require.NoError(t, err)
	check(5, got)

	// The first read is stale now: a conditional Update conflicts.
	stale := first.DeepCopy()
	stale.Spec.Replicas = 9
	_, err = scales.Update(ctx, tg.gr(), stale, metav1.UpdateOptions{})
	require.Error(t, err)
	assert.True(t, apierrors.IsConflict(err), "got %v", err)
	assert.Equal(t, int64(5), e.objectReplicas(t, tg), "the conflicting update changed nothing")

	// Down through Update without a resourceVersion (unconditional).
	down := got.DeepCopy()
	down.ResourceVersion = ""
	down.Spec.Replicas = 1
	got, err = scales.Update(ctx, tg.gr(), down, metav1.UpdateOptions{})
	require.NoError(t, err)
	check(1, got)

	// Dry run changes nothing.
	got, err = scales.Update(ctx, tg.gr(), &scale.Scale{ObjectMeta: metav1.ObjectMeta{Name: tg.name, Namespace: tg.namespace}, Spec: scale.ScaleSpec{Replicas: 8}},
		metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err)
	assert.Equal(t, int32(8), got.Spec.Replicas)
	assert.Equal(t, int64(1), e.objectReplicas(t, tg))

	// Patches of each type, with and without a version.
	got, err = scales.Patch(ctx, tg.gvr, tg.name, types.MergePatchType, []byte(`{"spec":{"replicas":6}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	check(6, got)
	got, err = scales.Patch(ctx, tg.gvr, tg.name, types.JSONPatchType, []byte(`[{"op":"replace","path":"/spec/replicas","value":3}]`), metav1.PatchOptions{})
	require.NoError(t, err)
	check(3, got)
	got, err = scales.Patch(ctx, tg.gr().WithVersion(""), tg.name, types.MergePatchType, []byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	check(2, got)

	// The one-request convenience, to zero and back up.
	before := e.requests.Load()
	got, err = scale.SetReplicas(ctx, scales, tg.gvr, tg.name, 0, metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), e.requests.Load()-before, "SetReplicas is one request")
	check(0, got)
	got, err = scale.SetReplicas(ctx, scales, tg.gvr, tg.name, 4, metav1.PatchOptions{FieldManager: "e2e"})
	require.NoError(t, err)
	check(4, got)

	// The server refuses negative replicas; the error says so.
	_, err = scale.SetReplicas(ctx, scales, tg.gvr, tg.name, -1, metav1.PatchOptions{})
	assert.True(t, apierrors.IsInvalid(err), "got %v", err)
	assert.Equal(t, int64(4), e.objectReplicas(t, tg))
}

func TestE2EScale(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ns := e.ns
	deploys := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	statefulsets := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	replicasets := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
	rcs := schema.GroupVersionResource{Version: "v1", Resource: "replicationcontrollers"}

	builtins := []struct {
		name string
		tg   target
		obj  *unstructured.Unstructured
	}{
		{
			name: "Deployment",
			tg:   target{gvr: deploys, namespace: ns, name: "web", selector: "app=demo,tier in (web)"},
			obj: object("apps/v1", "Deployment", "web", map[string]any{"spec": map[string]any{
				"replicas": int64(2),
				"selector": map[string]any{
					"matchLabels":      map[string]any{"app": "demo"},
					"matchExpressions": []any{map[string]any{"key": "tier", "operator": "In", "values": []any{"web"}}},
				},
				"template": podTemplate(map[string]any{"app": "demo", "tier": "web"}),
			}}),
		},
		{
			name: "StatefulSet",
			tg:   target{gvr: statefulsets, namespace: ns, name: "db", selector: "app=db"},
			obj: object("apps/v1", "StatefulSet", "db", map[string]any{"spec": map[string]any{
				"replicas":    int64(2),
				"serviceName": "db",
				"selector":    map[string]any{"matchLabels": map[string]any{"app": "db"}},
				"template":    podTemplate(map[string]any{"app": "db"}),
			}}),
		},
		{
			name: "ReplicaSet",
			tg:   target{gvr: replicasets, namespace: ns, name: "rs", selector: "app=rs,track=stable"},
			obj: object("apps/v1", "ReplicaSet", "rs", map[string]any{"spec": map[string]any{
				"replicas": int64(2),
				"selector": map[string]any{"matchLabels": map[string]any{"track": "stable", "app": "rs"}},
				"template": podTemplate(map[string]any{"app": "rs", "track": "stable"}),
			}}),
		},
		{
			name: "ReplicationController",
			tg:   target{gvr: rcs, namespace: ns, name: "rc", selector: "app=rc"},
			obj: object("v1", "ReplicationController", "rc", map[string]any{"spec": map[string]any{
				"replicas": int64(2),
				"selector": map[string]any{"app": "rc"},
				"template": podTemplate(map[string]any{"app": "rc"}),
			}}),
		},
	}
	for _, b := range builtins {
		t.Run(b.name, func(t *testing.T) {
			_, err := e.dyn.Resource(b.tg.gvr).Namespace(ns).Create(ctx, b.obj, metav1.CreateOptions{})
			require.NoError(t, err)
			e.exercise(t, b.tg)
		})
	}

	// The CRDs are installed only now, after the scale client has filled
	// its discovery cache: it must find them anyway.
	group := fmt.Sprintf("scale%s.anykube.test", e.ns[len("scale-"):])
	crds := []scaleCRD{
		{group: group, kind: "Widget", namespaced: true},
		{group: group, kind: "Gizmo", namespaced: false},
	}
	e.installCRDs(t, crds)

	for _, crd := range crds {
		t.Run(crd.kind, func(t *testing.T) {
			gvr := schema.GroupVersionResource{Group: crd.group, Version: "v1", Resource: crd.plural()}
			tg := target{gvr: gvr, name: "thing", selector: "app=" + crd.plural()}
			if crd.namespaced {
				tg.namespace = ns
			}
			client := e.dyn.Resource(gvr).Namespace(tg.namespace)
			_, err := client.Create(ctx, object(crd.group+"/v1", crd.kind, tg.name, map[string]any{
				"spec": map[string]any{"replicas": int64(2)},
			}), metav1.CreateOptions{})
			require.NoError(t, err)
			// labelSelectorPath points at .status.selector, written
			// through the status subresource as a controller would.
			_, err = client.Patch(ctx, tg.name, types.MergePatchType,
				fmt.Appendf(nil, `{"status":{"replicas":0,"selector":%q}}`, tg.selector), metav1.PatchOptions{}, "status")
			require.NoError(t, err)
			e.exercise(t, tg)
		})
	}
}

func TestE2ENoScaleSubresource(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cms := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	_, err := e.dyn.Resource(cms).Namespace(e.ns).Create(ctx, object("v1", "ConfigMap", "cm", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	scales := e.scales.Scales(e.ns)

	_, err = scales.Get(ctx, cms.GroupResource(), "cm", metav1.GetOptions{})
	var nse *scale.NoScaleSubresourceError
	require.ErrorAs(t, err, &nse, "got %v", err)
	assert.Equal(t, cms, nse.Resource)
	assert.True(t, apierrors.IsNotFound(err))
	assert.Contains(t, err.Error(), "configmaps.v1 has no scale subresource")
	t.Log(err)

	before := e.requests.Load()
	_, err = scales.Update(ctx, cms.GroupResource(), &scale.Scale{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, metav1.UpdateOptions{})
	require.ErrorAs(t, err, &nse, "got %v", err)
	assert.Equal(t, before, e.requests.Load(), "the miss is remembered; nothing is sent")

	_, err = scale.SetReplicas(ctx, scales, cms, "cm", 1, metav1.PatchOptions{})
	require.ErrorAs(t, err, &nse, "got %v", err)

	// A missing object of a scalable resource is a plain NotFound.
	_, err = scales.Get(ctx, schema.GroupResource{Group: "apps", Resource: "deployments"}, "missing", metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err), "got %v", err)
	assert.False(t, errors.As(err, &nse), "got %v", err)
}

// scaleCRD is a CRD whose scale subresource has all three paths, which
// internal/e2e's CRDs do not (they lack labelSelectorPath).
type scaleCRD struct {
	group, kind string
	namespaced  bool
}

func (c scaleCRD) plural() string { return lower(c.kind) + "s" }

func lower(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return string(b)
}

func (c scaleCRD) manifest() *unstructured.Unstructured {
	scope := "Cluster"
	if c.namespaced {
		scope = "Namespaced"
	}
	return object("apiextensions.k8s.io/v1", "CustomResourceDefinition", c.plural()+"."+c.group, map[string]any{"spec": map[string]any{
		"group": c.group,
		"scope": scope,
		"names": map[string]any{"kind": c.kind, "listKind": c.kind + "List", "plural": c.plural(), "singular": lower(c.kind)},
		"versions": []any{map[string]any{
			"name": "v1", "served": true, "storage": true,
			"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
			"subresources": map[string]any{
				"status": map[string]any{},
				"scale": map[string]any{
					"specReplicasPath":   ".spec.replicas",
					"statusReplicasPath": ".status.replicas",
					"labelSelectorPath":  ".status.selector",
				},
			},
		}},
	}})
}

// installCRDs creates crds with the dynamic client and waits until they are
// Established and listed by aggregated discovery.
func (e *env) installCRDs(t *testing.T, crds []scaleCRD) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	crdGVR := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	var wait []e2e.CRD
	for _, c := range crds {
		_, err := e.dyn.Resource(crdGVR).Create(ctx, c.manifest(), metav1.CreateOptions{})
		require.NoError(t, err)
		wait = append(wait, e2e.CRD{Group: c.group, Kind: c.kind, Versions: []string{"v1"}})
	}
	hc, err := e.cluster.HTTPClient()
	require.NoError(t, err)
	require.NoError(t, e2e.WaitDiscovered(ctx, hc, e.cluster.Host, wait))
}
