package examples_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anykube/anykube/internal/testcluster"
)

// TestGetPrintsLikeKubectl checks that `get deploy,po` prints what kubectl
// get deploy,po prints: the same tables in the same order, with the same
// header lines (spacing included) and the same cells, ages aside (they
// move while the two run).
func TestGetPrintsLikeKubectl(t *testing.T) {
	ns, env := namespace(t)
	createDeployment(t, ns, "web")
	eventually(t, "deployment web ready", func() string {
		var d struct {
			Status struct {
				ReadyReplicas int `json:"readyReplicas"`
			} `json:"status"`
		}
		_ = json.Unmarshal(mustKube(t, http.MethodGet, "/apis/apps/v1/namespaces/"+ns+"/deployments/web", ""), &d)
		if d.Status.ReadyReplicas != 1 {
			return "not ready"
		}
		return ""
	})

	got := mustRun(t, []string{env}, "get", "deploy,po")
	bin, err := testcluster.EnsureBinaries(context.Background(), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "kubectl"), "get", "deploy,po")
	cmd.Env = append(os.Environ(), env, "HOME="+t.TempDir())
	want, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl: %v\n%s", err, want)
	}
	t.Logf("get:\n%skubectl:\n%s", got, want)

	gotTables, wantTables := strings.Split(got, "\n\n"), strings.Split(string(want), "\n\n")
	if len(gotTables) != 2 || len(gotTables) != len(wantTables) {
		t.Fatalf("want 2 tables as kubectl prints, got %d", len(gotTables))
	}
	for i := range wantTables {
		g, w := strings.Split(strings.TrimSpace(gotTables[i]), "\n"), strings.Split(strings.TrimSpace(wantTables[i]), "\n")
		if g[0] != w[0] {
			t.Errorf("table %d header:\n got %q\nwant %q", i, g[0], w[0])
		}
		if len(g) != len(w) {
			t.Errorf("table %d: %d lines, kubectl %d", i, len(g), len(w))
			continue
		}
		for j := 1; j < len(w); j++ {
			if gf, wf := withoutAge(w[0], g[j]), withoutAge(w[0], w[j]); gf != wf {
				t.Errorf("table %d row %d:\n got %q\nwant %q", i, j, gf, wf)
			}
		}
	}
	if !strings.HasPrefix(got, "NAME ") || !containsRow(got, "deployment.apps/web", "1/1", "1", "1") || !strings.Contains(got, "pod/web-") {
		t.Errorf("unexpected output:\n%s", got)
	}
}

// withoutAge returns a row's cells, but the AGE column's, joined by single
// spaces.
func withoutAge(header, row string) string {
	age := strings.Index(header, "AGE")
	if age < 0 || age >= len(row) {
		return strings.Join(strings.Fields(row), " ")
	}
	end := strings.IndexByte(row[age:], ' ')
	if end < 0 {
		end = len(row) - age
	}
	return strings.Join(strings.Fields(row[:age]+row[age+end:]), " ")
}
