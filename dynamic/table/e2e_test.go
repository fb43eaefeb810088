package table_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/table"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

// Pods must run and Deployments report status for their columns to mean
// anything.
func TestMain(m *testing.M) { testcluster.MainWith(m, testcluster.Options{Workloads: true}) }

var (
	podsGVR   = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	deployGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	crdGVR    = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	gizmoGVR  = schema.GroupVersionResource{Group: "table.anykube.test", Version: "v1", Resource: "gizmos"}
)

// gizmoCRD declares printer columns of each kind of interest: an integer,
// a string, a date and one of priority 1 (wide only).
const gizmoCRD = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
"metadata":{"name":"gizmos.table.anykube.test"},
"spec":{"group":"table.anykube.test","scope":"Namespaced","names":{"plural":"gizmos","singular":"gizmo","kind":"Gizmo"},
"versions":[{"name":"v1","served":true,"storage":true,
 "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},
 "additionalPrinterColumns":[
  {"name":"Size","type":"integer","jsonPath":".spec.size"},
  {"name":"Color","type":"string","jsonPath":".spec.color"},
  {"name":"Made","type":"date","jsonPath":".metadata.creationTimestamp"},
  {"name":"Note","type":"string","jsonPath":".spec.note","priority":1}]}]}}`

const deployment = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}`

func decode(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	require.NoError(t, u.UnmarshalJSON([]byte(s)))
	return u
}

// kubectl runs the harness's kubectl against c. A failure is tried again
// for a few seconds: kubectl's discovery may not see a CRD established a
// moment ago.
func kubectl(t *testing.T, c *testcluster.Cluster, args ...string) string {
	t.Helper()
	bin, err := testcluster.EnsureBinaries(context.Background(), os.Stderr)
	require.NoError(t, err)
	var out []byte
	for try := 0; try < 20; try++ {
		cmd := exec.Command(filepath.Join(bin, "kubectl"), append([]string{"--kubeconfig", c.KubeconfigPath}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		if out, err = cmd.CombinedOutput(); err == nil {
			return string(out)
		}
		time.Sleep(250 * time.Millisecond)
	}
	require.NoError(t, err, "%s", out)
	return ""
}

// fields splits printed lines into cells (cells hold no spaces here),
// dropping the columns named in skip, whose values move with the clock.
func fields(out string, skip ...string) [][]string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	// Columns are cut where the header's are, since a cell may be empty
	// and a header may hold a space ("NOMINATED NODE"): a column starts
	// after a run of at least two spaces.
	header := lines[0]
	starts := []int{0}
	for i := 2; i < len(header); i++ {
		if header[i] != ' ' && header[i-1] == ' ' && header[i-2] == ' ' {
			starts = append(starts, i)
		}
	}
	cell := func(l string, c int) string {
		from, to := starts[c], len(l)
		if c+1 < len(starts) {
			to = starts[c+1]
		}
		if from >= len(l) {
			return ""
		}
		return strings.TrimSpace(l[from:min(to, len(l))])
	}
	var rows [][]string
	for _, l := range lines {
		var row []string
		for c := range starts {
			if contains(skip, cell(header, c)) {
				continue
			}
			row = append(row, cell(l, c))
		}
		rows = append(rows, row)
	}
	return rows
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestE2ETablesMatchKubectl checks that tables of pods, deployments and a
// CRD with printer columns, printed by Printer, show what kubectl get shows:
// the same headers in the same order and the same cells, ages aside (they
// move while the two run), by default and with -o wide.
func TestE2ETablesMatchKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	if testing.Short() {
		t.Skip("end-to-end test against a real API server")
	}
	cfg := e2e.Config(c, &e2e.Counter{})
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	tc, err := table.NewForConfig(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := e2e.CreateNamespace(t, c, "table")

	_, err = dc.Resource(crdGVR).Create(ctx, decode(t, gizmoCRD), metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = dc.Resource(crdGVR).Delete(context.Background(), "gizmos.table.anykube.test", metav1.DeleteOptions{})
	})
	_, err = dc.Resource(deployGVR).Namespace(ns).Create(ctx, decode(t, deployment), metav1.CreateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		d, err := dc.Resource(deployGVR).Namespace(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return false
		}
		ready, _, _ := unstructured.NestedInt64(d.Object, "status", "readyReplicas")
		return ready == 2
	}, time.Minute, 200*time.Millisecond)
	require.Eventually(t, func() bool {
		_, err := dc.Resource(gizmoGVR).Namespace(ns).Create(ctx, decode(t, `{"apiVersion":"table.anykube.test/v1","kind":"Gizmo","metadata":{"name":"g1"},"spec":{"size":3,"color":"red","note":"wide-only"}}`), metav1.CreateOptions{})
		return err == nil
	}, 30*time.Second, 200*time.Millisecond)
	_, err = dc.Resource(gizmoGVR).Namespace(ns).Create(ctx, decode(t, `{"apiVersion":"table.anykube.test/v1","kind":"Gizmo","metadata":{"name":"g2"},"spec":{"size":10}}`), metav1.CreateOptions{})
	require.NoError(t, err)

	for _, tcase := range []struct {
		gvr  schema.GroupVersionResource
		arg  string
		wide bool
	}{
		{podsGVR, "pods", false}, {podsGVR, "pods", true},
		{deployGVR, "deployments", false}, {deployGVR, "deployments", true},
		{gizmoGVR, "gizmos", false}, {gizmoGVR, "gizmos", true},
	} {
		name := tcase.arg
		args := []string{"get", tcase.arg, "-n", ns}
		if tcase.wide {
			name += "-wide"
			args = append(args, "-o", "wide")
		}
		t.Run(name, func(t *testing.T) {
			tb, err := tc.Resource(tcase.gvr).Namespace(ns).List(ctx, metav1.ListOptions{}, metav1.IncludeMetadata)
			require.NoError(t, err)
			var b strings.Builder
			require.NoError(t, table.Printer{Wide: tcase.wide}.Print(&b, tb))
			want := kubectl(t, c, args...)
			t.Logf("anykube:\n%skubectl:\n%s", b.String(), want)
			assert.Equal(t, strings.SplitN(want, "\n", 2)[0], strings.SplitN(b.String(), "\n", 2)[0], "the header lines, spacing included")
			assert.Equal(t, fields(want, "AGE", "MADE"), fields(b.String(), "AGE", "MADE"))
		})
	}

	// One object, with the whole object in the row.
	tb, err := tc.Resource(gizmoGVR).Namespace(ns).Get(ctx, "g1", metav1.GetOptions{}, metav1.IncludeObject)
	require.NoError(t, err)
	require.Len(t, tb.Rows, 1)
	assert.Contains(t, string(tb.Rows[0].Object.Raw), `"color":"red"`)
	tb, err = tc.Resource(gizmoGVR).Namespace(ns).Get(ctx, "g1", metav1.GetOptions{}, metav1.IncludeNone)
	require.NoError(t, err)
	assert.Empty(t, tb.Rows[0].Object.Raw)
}
