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
var demoOrder = []string{"api-resources", "quickstart", "get", "crud-deployment", "crd", "apply", "scale", "watch"}

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

// TestDemo runs the Makefile's demo-examples target, which is what `make
// demo` runs once the cluster is up, twice: every example must finish on
// its own, exit 0, print under its header and leave the cluster so that the
// next run works too.
func TestDemo(t *testing.T) {
	c := testcluster.Shared(t)
	for round := range 2 {
		cmd := exec.Command("make", "--no-print-directory", "demo-examples")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "KUBECONFIG="+c.KubeconfigPath, "KUBECACHEDIR="+t.TempDir())
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("round %d: make demo-examples: %v\nstdout:\n%s\nstderr:\n%s", round+1, err, out.String(), errOut.String())
		}
		// Each header must come in demo order and be followed by output.
		text := out.String()
		pos := 0
		for _, name := range examples(t) {
			header := "==> go run ./examples/" + name + " " + strings.Join(demoArgs(t, name), " ")
			i := strings.Index(text[pos:], header)
			if i < 0 {
				t.Fatalf("round %d: no header %q (in order) in:\n%s", round+1, header, text)
			}
			pos += i + len(header)
			next := strings.Index(text[pos:], "\n==> ")
			if next < 0 {
				next = len(text) - pos
			}
			if strings.TrimSpace(text[pos:pos+next]) == "" {
				t.Errorf("round %d: %s printed nothing", round+1, name)
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
