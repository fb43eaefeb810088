// Package examples_test runs every example program against the local
// control plane and checks what it prints, so the examples never rot.
package examples_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/anykube/anykube/internal/testcluster"
)

// The examples show pods running and replicas following, so their cluster
// runs workloads.
func TestMain(m *testing.M) { testcluster.MainWith(m, testcluster.Options{Workloads: true}) }

// built maps a test and an example's name to the binary built for that
// test, so that a test running an example several times links it once.
var built sync.Map

// build compiles one example into a directory of the test's and returns
// the binary's path.
func build(t *testing.T, name string) string {
	t.Helper()
	key := struct {
		t    *testing.T
		name string
	}{t, name}
	if bin, ok := built.Load(key); ok {
		return bin.(string)
	}
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("go", "build", "-o", bin, "./"+name).CombinedOutput()
	if err != nil {
		t.Fatalf("building example %s: %v\n%s", name, err, out)
	}
	built.Store(key, bin)
	t.Cleanup(func() { built.Delete(key) })
	return bin
}

// run starts an example against the shared cluster and returns its stdout
// and stderr; it fails the test when the example exits non-zero and
// wantErr is false.
func run(t *testing.T, env []string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	c := testcluster.Shared(t)
	cmd := exec.Command(build(t, name), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.KubeconfigPath, "KUBECACHEDIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func mustRun(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	out, errOut, err := run(t, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func TestAPIResources(t *testing.T) {
	cache := "KUBECACHEDIR=" + t.TempDir()
	out := mustRun(t, []string{cache}, "api-resources")
	for _, want := range []string{
		"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS",
		"configmaps", "deployments", "apps/v1", "customresourcedefinitions",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A row is the resource, its short names, apiVersion, scope, kind, verbs.
	if !containsRow(out, "deployments", "deploy", "apps/v1", "true", "Deployment") {
		t.Errorf("no deployments row with the right columns:\n%s", out)
	}
	if !containsRow(out, "namespaces", "ns", "v1", "false", "Namespace") {
		t.Errorf("no namespaces row with the right columns:\n%s", out)
	}

	// --cached twice: the second run is answered from the files the first
	// one wrote, and prints the same table.
	first := mustRun(t, []string{cache}, "api-resources", "--cached")
	second := mustRun(t, []string{cache}, "api-resources", "--cached")
	if first != second || first != out {
		t.Errorf("cached runs differ from the uncached one")
	}

	filtered := mustRun(t, []string{cache}, "api-resources", "--api-group=core", "--namespaced=false")
	if strings.Contains(filtered, "apps/v1") || !strings.Contains(filtered, "namespaces") || strings.Contains(filtered, "configmaps") {
		t.Errorf("--api-group=core --namespaced=false printed:\n%s", filtered)
	}

	_, errOut, err := run(t, []string{cache}, "api-resources", "--namespaced=maybe")
	if err == nil || !strings.Contains(errOut, "--namespaced") {
		t.Errorf("a bad flag value should fail with a clear message, got err=%v stderr=%q", err, errOut)
	}
}

// containsRow reports whether a line of out holds exactly these fields, in
// order, as its first columns.
func containsRow(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < len(fields) {
			continue
		}
		match := true
		for i := range fields {
			if f[i] != fields[i] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
