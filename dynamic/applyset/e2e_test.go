package applyset

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/wait"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
	"github.com/anykube/anykube/restmapper"
	au "github.com/anykube/anykube/unstructured"
)

func TestMain(m *testing.M) { testcluster.MainWith(m, testcluster.Options{Workloads: true}) }

type env struct {
	c      *testcluster.Cluster
	dc     dynamic.Interface
	mapper *restmapper.LazyRESTMapper
	ns     string
}

func setup(t *testing.T) env {
	t.Helper()
	c := testcluster.Shared(t)
	cfg := e2e.Config(c, nil)
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	require.NoError(t, err)
	return env{c: c, dc: dc, mapper: restmapper.NewLazyRESTMapper(disc, restmapper.LazyOptions{}), ns: e2e.CreateNamespace(t, c, "applyset")}
}

func manifests(t *testing.T, text string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := au.ReadManifests(strings.NewReader(text), au.DecoderOptions{})
	require.NoError(t, err)
	return objs
}

// set returns the manifests of a set in ns: a CRD (of group g), one of its
// instances, a namespace of its own, a Deployment, a Job and two
// ConfigMaps, one in the extra namespace.
func set(ns, g string) string {
	return fmt.Sprintf(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.%[2]s}
spec:
  group: %[2]s
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: %[2]s/v1
kind: Gadget
metadata: {name: g1}
spec: {size: 1}
---
apiVersion: v1
kind: Namespace
metadata: {name: %[1]s-extra}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: busybox}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: app, image: busybox}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: remote, namespace: %[1]s-extra}
data: {a: "1"}
`, ns, g)
}

func actions(cs ChangeSet) map[string]Action {
	out := map[string]Action{}
	for _, c := range cs.Changes {
		out[c.Object.Kind+"/"+c.Object.Name] = c.Action
	}
	return out
}

func without(objs []*unstructured.Unstructured, names ...string) []*unstructured.Unstructured {
	return slices.DeleteFunc(slices.Clone(objs), func(u *unstructured.Unstructured) bool { return slices.Contains(names, u.GetName()) })
}

var configmaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

func (e env) configMap(t *testing.T, ns, name string, labels map[string]string) {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name}}}
	u.SetLabels(labels)
	_, err := e.dc.Resource(configmaps).Namespace(ns).Create(t.Context(), u, metav1.CreateOptions{})
	require.NoError(t, err)
}

func (e env) exists(t *testing.T, gvr schema.GroupVersionResource, ns, name string) bool {
	t.Helper()
	_, err := e.dc.Resource(gvr).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false
	}
	require.NoError(t, err)
	return true
}

func TestApplySetE2EApplyWaitPrune(t *testing.T) {
	e := setup(t)
	group := e.ns + ".anykube.test"
	objs := manifests(t, set(e.ns, group))
	t.Cleanup(func() {
		crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
		_ = e.dc.Resource(crds).Delete(context.Background(), "gadgets."+group, metav1.DeleteOptions{})
		nss := schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
		_ = e.dc.Resource(nss).Delete(context.Background(), e.ns+"-extra", metav1.DeleteOptions{})
	})
	s, err := New(e.dc, e.mapper, Parent{Namespace: e.ns, Name: "app"}, Options{Prune: true})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	cs, err := s.Apply(ctx, objs)
	require.NoError(t, err)
	assert.Len(t, cs.Changes, len(objs))
	for _, c := range cs.Changes {
		assert.Equal(t, Created, c.Action, "%s", c)
	}
	// CRD and namespace first.
	assert.Equal(t, "CustomResourceDefinition", cs.Changes[0].Object.Kind)
	assert.Equal(t, "Namespace", cs.Changes[1].Object.Kind)
	_, err = wait.Wait(ctx, e.dc, cs.Applied(), wait.Options{})
	require.NoError(t, err)

	// The parent records the set as kubectl would.
	parent, err := e.dc.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace(e.ns).Get(ctx, "app", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, s.ID(), parent.GetLabels()[LabelID])
	assert.Equal(t, "ConfigMap,CustomResourceDefinition.apiextensions.k8s.io,Deployment.apps,Gadget."+group+",Job.batch,Namespace", parent.GetAnnotations()[AnnotationGroupKinds])
	assert.Equal(t, e.ns+"-extra", parent.GetAnnotations()[AnnotationNamespaces])

	// Again: nothing changes.
	cs, err = s.Apply(ctx, objs)
	require.NoError(t, err)
	for _, c := range cs.Changes {
		assert.Equal(t, Unchanged, c.Action, "%s", c)
	}

	// Decoys prune must leave alone: a same-named ConfigMap elsewhere, even
	// carrying the set's label; a Secret (a kind the set never had)
	// carrying the set's label; a ConfigMap of another set.
	other := e2e.CreateNamespace(t, e.c, "applyset-other")
	e.configMap(t, other, "remote", map[string]string{LabelPartOf: s.ID()})
	e.configMap(t, other, "settings", nil)
	e.configMap(t, e.ns, "theirs", map[string]string{LabelPartOf: ID("other", e.ns, schema.GroupKind{Kind: "Secret"})})
	secrets := schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	_, err = e.dc.Resource(secrets).Namespace(e.ns).Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "stray", "labels": map[string]any{LabelPartOf: s.ID()}},
	}}, metav1.CreateOptions{})
	require.NoError(t, err)

	// A dry run says what would go and deletes nothing.
	smaller := without(objs, "remote", "g1")
	dry, err := New(e.dc, e.mapper, Parent{Namespace: e.ns, Name: "app"}, Options{Prune: true, DryRun: true})
	require.NoError(t, err)
	cs, err = dry.Apply(ctx, smaller)
	require.NoError(t, err)
	assert.Equal(t, Pruned, actions(cs)["ConfigMap/remote"])
	assert.Equal(t, Pruned, actions(cs)["Gadget/g1"])
	assert.True(t, e.exists(t, configmaps, e.ns+"-extra", "remote"))

	cs, err = s.Apply(ctx, smaller)
	require.NoError(t, err)
	assert.Len(t, cs.Pruned(), 2, "%v", cs.Changes)
	assert.Equal(t, Pruned, actions(cs)["ConfigMap/remote"])
	assert.Equal(t, Pruned, actions(cs)["Gadget/g1"])
	assert.False(t, e.exists(t, configmaps, e.ns+"-extra", "remote"))
	assert.True(t, e.exists(t, configmaps, other, "remote"))
	assert.True(t, e.exists(t, configmaps, other, "settings"))
	assert.True(t, e.exists(t, configmaps, e.ns, "theirs"))
	assert.True(t, e.exists(t, secrets, e.ns, "stray"))
	assert.True(t, e.exists(t, configmaps, e.ns, "settings"))

	// The parent narrows to what the set holds now.
	parent, err = e.dc.Resource(secrets).Namespace(e.ns).Get(ctx, "app", metav1.GetOptions{})
	require.NoError(t, err)
	assert.NotContains(t, parent.GetAnnotations()[AnnotationGroupKinds], "Gadget")
}

func TestApplySetE2EParentOfAnotherTool(t *testing.T) {
	e := setup(t)
	objs := manifests(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	s, err := New(e.dc, e.mapper, Parent{Namespace: e.ns, Name: "app"}, Options{Tooling: "othertool/v1"})
	require.NoError(t, err)
	_, err = s.Apply(t.Context(), objs)
	require.NoError(t, err)
	s2, err := New(e.dc, e.mapper, Parent{Namespace: e.ns, Name: "app"}, Options{})
	require.NoError(t, err)
	_, err = s2.Apply(t.Context(), objs)
	require.ErrorIs(t, err, ErrParentConflict)
	assert.Contains(t, err.Error(), `managed by "othertool"`)
}

// kubectl runs the harness's kubectl against e's cluster with ApplySets on.
func (e env) kubectl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	bin, err := testcluster.EnsureBinaries(context.Background(), os.Stderr)
	require.NoError(t, err)
	cmd := exec.Command(filepath.Join(bin, "kubectl"), append([]string{"--kubeconfig", e.c.KubeconfigPath}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "KUBECTL_APPLYSET=true")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestApplySetE2EKubectlInterop has kubectl and this package take turns on
// one set: each prunes what the other applied and the set no longer has.
func TestApplySetE2EKubectlInterop(t *testing.T) {
	e := setup(t)
	cm := func(name string) string {
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: %s}\ndata: {k: v}\n", name, e.ns)
	}
	dir := t.TempDir()
	write := func(names ...string) {
		for _, f := range must(os.ReadDir(dir)) {
			require.NoError(t, os.Remove(filepath.Join(dir, f.Name())))
		}
		for _, n := range names {
			require.NoError(t, os.WriteFile(filepath.Join(dir, n+".yaml"), []byte(cm(n)), 0o644))
		}
	}
	kubectlApply := func() string {
		out, err := e.kubectl(t, "apply", "-n", e.ns, "--server-side", "--force-conflicts", "--prune", "--applyset=shared", "-f", dir)
		require.NoError(t, err, out)
		return out
	}
	s, err := New(e.dc, e.mapper, Parent{Namespace: e.ns, Name: "shared"}, Options{Prune: true, Force: true, FieldManager: "kubectl", Tooling: "kubectl/v1.37.2"})
	require.NoError(t, err)

	// kubectl creates the set; anykube prunes one of kubectl's members.
	write("a", "b")
	kubectlApply()
	cs, err := s.Apply(t.Context(), manifests(t, cm("a")+"---\n"+cm("c")))
	require.NoError(t, err)
	assert.Equal(t, map[string]Action{"ConfigMap/a": Unchanged, "ConfigMap/c": Created, "ConfigMap/b": Pruned}, actions(cs))

	// kubectl prunes anykube's member c.
	write("a", "d")
	out := kubectlApply()
	assert.Contains(t, out, "configmap/c pruned")
	assert.False(t, e.exists(t, configmaps, e.ns, "c"))
	assert.True(t, e.exists(t, configmaps, e.ns, "d"))

	// And anykube prunes kubectl's d.
	cs, err = s.Apply(t.Context(), manifests(t, cm("a")))
	require.NoError(t, err)
	assert.Equal(t, Pruned, actions(cs)["ConfigMap/d"])

	// Under its own tooling name anykube refuses kubectl's set, and
	// kubectl refuses a set anykube manages.
	mine, err := New(e.dc, e.mapper, Parent{Namespace: e.ns, Name: "shared"}, Options{Prune: true})
	require.NoError(t, err)
	_, err = mine.Apply(t.Context(), manifests(t, cm("a")))
	require.ErrorIs(t, err, ErrParentConflict)
	own, err := New(e.dc, e.mapper, Parent{Namespace: e.ns, Name: "own"}, Options{Prune: true})
	require.NoError(t, err)
	_, err = own.Apply(t.Context(), manifests(t, cm("x")))
	require.NoError(t, err)
	out, err = e.kubectl(t, "apply", "-n", e.ns, "--server-side", "--prune", "--applyset=own", "-f", dir)
	require.Error(t, err)
	assert.Contains(t, out, "managed by tooling \"anykube\"")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// As kubectl, Apply takes a custom resource for parent only when its CRD
// is labelled LabelParentType, and no kind but Secret and ConfigMap among
// the built-ins; a refused parent writes nothing.
func TestApplySetE2EParentType(t *testing.T) {
	e := setup(t)
	group := e.ns + ".anykube.test"
	crdCRDs := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	t.Cleanup(func() {
		_ = e.dc.Resource(crdCRDs).Delete(context.Background(), "setparents."+group, metav1.DeleteOptions{})
	})
	crd := func(labels string) []*unstructured.Unstructured {
		return manifests(t, fmt.Sprintf(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: setparents.%[1]s, labels: {%[2]s}}
spec:
  group: %[1]s
  scope: Cluster
  names: {kind: SetParent, plural: setparents, singular: setparent, listKind: SetParentList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`, group, labels))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	installer, err := New(e.dc, e.mapper, Parent{Namespace: e.ns, Name: "crds"}, Options{})
	require.NoError(t, err)
	cs, err := installer.Apply(ctx, crd(""))
	require.NoError(t, err)
	_, err = wait.Wait(ctx, e.dc, cs.Applied(), wait.Options{})
	require.NoError(t, err)

	members := manifests(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: member}\ndata: {a: \"1\"}\n")
	custom := Parent{GroupKind: schema.GroupKind{Group: group, Kind: "SetParent"}, Name: "p"}
	s, err := New(e.dc, e.mapper, custom, Options{})
	require.NoError(t, err)
	_, err = s.Apply(ctx, members)
	require.ErrorIs(t, err, ErrParentType)
	assert.Contains(t, err.Error(), "setparents."+group)
	assert.False(t, e.exists(t, configmaps, e.ns, "member"), "a refused parent writes nothing")
	assert.False(t, e.exists(t, schema.GroupVersionResource{Group: group, Version: "v1", Resource: "setparents"}, "", "p"))

	deployment, err := New(e.dc, e.mapper, Parent{GroupKind: schema.GroupKind{Group: "apps", Kind: "Deployment"}, Namespace: e.ns, Name: "d"}, Options{})
	require.NoError(t, err)
	_, err = deployment.Apply(ctx, members)
	require.ErrorIs(t, err, ErrParentType)
	assert.Contains(t, err.Error(), "not a custom resource")

	// Labelled, the CRD's resources may be parents; the same set now applies.
	_, err = installer.Apply(ctx, crd(LabelParentType+`: "true"`))
	require.NoError(t, err)
	_, err = s.Apply(ctx, manifests(t, fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: member, namespace: %s}\ndata: {a: \"1\"}\n", e.ns)))
	require.NoError(t, err)
	assert.True(t, e.exists(t, configmaps, e.ns, "member"))
	p, err := e.dc.Resource(schema.GroupVersionResource{Group: group, Version: "v1", Resource: "setparents"}).Get(ctx, "p", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, s.ID(), p.GetLabels()[LabelID])

	// A ConfigMap parent needs no CRD.
	cm, err := New(e.dc, e.mapper, Parent{GroupKind: schema.GroupKind{Kind: "ConfigMap"}, Namespace: e.ns, Name: "cm-parent"}, Options{})
	require.NoError(t, err)
	_, err = cm.Apply(ctx, manifests(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other-member}\ndata: {a: \"1\"}\n"))
	require.NoError(t, err)
}
