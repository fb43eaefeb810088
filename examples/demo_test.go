package examples_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anykube/anykube/internal/testcluster"
)

// demoOrder is the order of `make demo` (the Makefile's EXAMPLES): each
// example reads the cluster, then changes it, then cleans up.
var demoOrder = []string{"api-resources", "get", "crud-deployment", "crd", "apply", "scale", "watch"}

// examples lists the example folders, in demo order, then the others.
func examples(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var others []string
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(demoOrder, e.Name()) {
			others = append(others, e.Name())
		}
	}
	return append(slices.Clone(demoOrder), others...)
}

// demoArgs returns the words of an example's demo-args file, as the
// Makefile passes them.
func demoArgs(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(name, "demo-args"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// TestDemo runs what `make demo` runs, from the repository's root as make
// does, in the same order, twice: every example must finish on its own,
// exit 0 and leave the cluster so that the next run works too.
func TestDemo(t *testing.T) {
	c := testcluster.Shared(t)
	for round := range 2 {
		for _, name := range examples(t) {
			cmd := exec.Command(build(t, name), demoArgs(t, name)...)
			cmd.Dir = ".."
			cmd.Env = append(os.Environ(), "KUBECONFIG="+c.KubeconfigPath, "KUBECACHEDIR="+t.TempDir())
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Run(); err != nil {
				t.Fatalf("round %d: %s %v: %v\nstdout:\n%s\nstderr:\n%s", round+1, name, demoArgs(t, name), err, out.String(), errOut.String())
			}
			if out.Len() == 0 {
				t.Errorf("%s printed nothing", name)
			}
		}
	}
}

// TestExamplesFailClearly runs every example against a kubeconfig that
// does not exist: each must exit non-zero and name the file.
func TestExamplesFailClearly(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-kubeconfig")
	for _, name := range examples(t) {
		cmd := exec.Command(build(t, name), demoArgs(t, name)...)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "KUBECONFIG="+missing)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if err == nil || !strings.Contains(errOut.String(), missing) {
			t.Errorf("%s without a cluster: err=%v stderr=%q", name, err, errOut.String())
		}
	}
}
