package diff

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
	"github.com/anykube/anykube/restmapper"
	au "github.com/anykube/anykube/unstructured"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

const manifests = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast, level: "3"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.26"}
      - {name: log, image: "fluent:1"}
`

func read(t *testing.T, text string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := au.ReadManifests(strings.NewReader(text), au.DecoderOptions{SourceName: t.Name()})
	require.NoError(t, err)
	return objs
}

// TestE2EDiff asks a real kube-apiserver: new objects are Create, applied
// ones NoChange (server defaults and managed fields do not show), and an
// edit shows exactly the edited fields; nothing is written by a diff.
func TestE2EDiff(t *testing.T) {
	c := testcluster.Shared(t)
	cfg := e2e.Config(c, nil)
	client, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	require.NoError(t, err)
	mapper := restmapper.NewLazyRESTMapper(disc, restmapper.LazyOptions{})
	ns := e2e.CreateNamespace(t, c, "diff")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := Options{FieldManager: "diff-test", Namespace: ns}

	results, err := Objects(ctx, client, mapper, read(t, manifests), opts)
	require.NoError(t, err)
	require.Len(t, results, 2)
	for _, r := range results {
		assert.Equal(t, Create, r.Action, r.Object.String())
		assert.Nil(t, r.Live)
		assert.Equal(t, ns, r.Object.Namespace)
	}
	_, err = client.Resource(results[0].Object.Resource).Namespace(ns).Get(ctx, "settings", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "a diff writes nothing: %v", err)

	// Apply for real, then diff the same manifests: nothing changes.
	for _, obj := range read(t, manifests) {
		m, err := au.DefaultNamespace(obj, mapper, ns)
		require.NoError(t, err)
		_, err = client.Resource(m.Resource).Namespace(ns).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: "diff-test"})
		require.NoError(t, err)
	}
	results, err = Objects(ctx, client, mapper, read(t, manifests), opts)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, NoChange, r.Action, "%s: %v", r.Object, r.Fields)
	}

	edited := strings.NewReplacer("replicas: 2", "replicas: 3", `"nginx:1.26"`, `"nginx:1.27"`, `level: "3"`, `extra: "yes"`).Replace(manifests)
	results, err = Objects(ctx, client, mapper, read(t, edited), opts)
	require.NoError(t, err)
	require.Len(t, results, 2)
	assert.Equal(t, Change, results[0].Action)
	assert.Equal(t, []FieldChange{{Path: "data.extra", New: "yes"}, {Path: "data.level", Old: "3"}}, results[0].Fields)
	assert.Equal(t, Change, results[1].Action)
	assert.Equal(t, []FieldChange{
		{Path: "spec.replicas", Old: int64(2), New: int64(3)},
		{Path: "spec.template.spec.containers[name=web].image", Old: "nginx:1.26", New: "nginx:1.27"},
	}, results[1].Fields)

	var out bytes.Buffer
	require.NoError(t, Fprint(&out, results))
	assert.Equal(t, "change ConfigMap "+ns+"/settings\n"+
		"  data.extra: (none) -> \"yes\"\n"+
		"  data.level: \"3\" -> (none)\n"+
		"change Deployment "+ns+"/web\n"+
		"  spec.replicas: 2 -> 3\n"+
		"  spec.template.spec.containers[name=web].image: \"nginx:1.26\" -> \"nginx:1.27\"\n", out.String())

	// Errors name the object and the step, and keep the cause.
	_, err = Objects(ctx, client, mapper, read(t, "apiVersion: nope.example.com/v1\nkind: Widget\nmetadata: {name: w}\n"), opts)
	var oe *ObjectError
	require.True(t, errors.As(err, &oe), "%v", err)
	assert.Equal(t, "mapping", oe.Step)
	assert.True(t, meta.IsNoMatchError(err))
	_, err = Objects(ctx, client, mapper, read(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: no-such-namespace}\n"), opts)
	require.True(t, errors.As(err, &oe), "%v", err)
	assert.Equal(t, "dry-run apply", oe.Step)
	assert.True(t, apierrors.IsNotFound(err), "%v", err)
}
