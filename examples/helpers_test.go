package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anykube/anykube/internal/testcluster"
)

// kube sends one request to the shared cluster with the test's own HTTP
// client, so that tests check the examples' effects without the library.
// A PATCH body is a JSON merge patch.
func kube(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	c := testcluster.Shared(t)
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.Host+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if method == http.MethodPatch {
		req.Header.Set("Content-Type", "application/merge-patch+json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// mustKube is kube failing the test unless the answer is a 2xx.
func mustKube(t *testing.T, method, path, body string) []byte {
	t.Helper()
	code, b := kube(t, method, path, body)
	if code/100 != 2 {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, code, b)
	}
	return b
}

// namespace creates a namespace of the test's own and returns its name and
// a KUBECONFIG environment entry whose context uses it, so the examples
// run there without -n. It waits for the namespace's default service
// account, without which pods are refused, and deletes the namespace
// after the test.
func namespace(t *testing.T) (ns, env string) {
	t.Helper()
	ns = "ex-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "-" + randomSuffix()
	if len(ns) > 63 {
		ns = ns[len(ns)-63:]
	}
	mustKube(t, http.MethodPost, "/api/v1/namespaces", fmt.Sprintf(`{"metadata":{"name":%q}}`, ns))
	t.Cleanup(func() { kube(t, http.MethodDelete, "/api/v1/namespaces/"+ns, "") })
	eventually(t, "the default service account of "+ns, func() string {
		if code, _ := kube(t, http.MethodGet, "/api/v1/namespaces/"+ns+"/serviceaccounts/default", ""); code != http.StatusOK {
			return fmt.Sprintf("HTTP %d", code)
		}
		return ""
	})
	c := testcluster.Shared(t)
	return ns, "KUBECONFIG=" + writeKubeconfig(t, c.Host, ns)
}

// eventually polls cond until it returns "" or 60 seconds pass; the last
// answer it gave is the failure message.
func eventually(t *testing.T, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %s after 60s", what, msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func randomSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// writeKubeconfig writes a kubeconfig reaching the shared cluster at host
// (the cluster itself, or a proxy in front of it on 127.0.0.1, which its
// certificate also names) in namespace ns, and returns its path.
func writeKubeconfig(t *testing.T, host, ns string) string {
	t.Helper()
	c := testcluster.Shared(t)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: %q, certificate-authority-data: %s}
users:
- name: u
  user: {token: %q}
contexts:
- name: c
  context: {cluster: c, user: u, namespace: %q}
current-context: c
`, host, base64.StdEncoding.EncodeToString(c.CAData), c.Token, ns)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// running is an example started in the background, whose output lines
// arrive as it prints them.
type running struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, closed at EOF
	stderr bytes.Buffer
	done   chan error
	mu     sync.Mutex
	out    []string // every line read so far
}

// start runs an example against the shared cluster without waiting for
// it; the test kills it at the end if it is still running.
func start(t *testing.T, env []string, name string, args ...string) *running {
	t.Helper()
	c := testcluster.Shared(t)
	r := &running{cmd: exec.Command(build(t, name), args...), lines: make(chan string, 100), done: make(chan error, 1)}
	r.cmd.Env = append(os.Environ(), "KUBECONFIG="+c.KubeconfigPath, "KUBECACHEDIR="+t.TempDir())
	r.cmd.Env = append(r.cmd.Env, env...)
	r.cmd.Stderr = &r.stderr
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.mu.Lock()
			r.out = append(r.out, sc.Text())
			r.mu.Unlock()
			r.lines <- sc.Text()
		}
		close(r.lines)
		r.done <- r.cmd.Wait()
	}()
	t.Cleanup(func() { _ = r.cmd.Process.Kill() })
	return r
}

// expect waits for a line containing want and fails the test when the
// example ends or a timeout passes first.
func (r *running) expect(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				t.Fatalf("the example ended before printing %q; stdout:\n%s\nstderr:\n%s", want, r.output(), r.stderr.String())
			}
			if strings.Contains(line, want) {
				return
			}
		case <-timeout:
			t.Fatalf("no line with %q within 30s; stdout:\n%s", want, r.output())
		}
	}
}

// wait waits for the example to exit and returns its error.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	for range r.lines { // drain, so the reader can finish
	}
	select {
	case err := <-r.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("the example did not exit; stdout:\n%s", r.output())
		return nil
	}
}

func (r *running) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.out, "\n")
}

// waitFor polls cond for up to 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
