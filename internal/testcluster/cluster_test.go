package testcluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		MainWith(m, Options{Workloads: true})
	}
	Main(m)
}

// TestHarness proves the harness: a real kube-apiserver of the expected
// release answers with the generated credentials and serves a CRD created
// through it.
func TestHarness(t *testing.T) {
	c := Shared(t)
	client, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}

	var version struct {
		GitVersion string `json:"gitVersion"`
		Major      string `json:"major"`
		Minor      string `json:"minor"`
	}
	getJSON(t, client, c.Host+"/version", &version)
	if version.GitVersion != KubernetesVersion || version.Major != "1" || version.Minor != "37" {
		t.Fatalf("server reports %+v, want %s", version, KubernetesVersion)
	}

	var groups struct {
		Kind   string `json:"kind"`
		Groups []struct {
			Name string `json:"name"`
		} `json:"groups"`
	}
	getJSON(t, client, c.Host+"/apis", &groups)
	names := map[string]bool{}
	for _, g := range groups.Groups {
		names[g.Name] = true
	}
	for _, want := range []string{"apps", "apiextensions.k8s.io", "rbac.authorization.k8s.io"} {
		if !names[want] {
			t.Errorf("/apis lacks group %q (has %v)", want, names)
		}
	}

	// Without the token the server must refuse: the credentials matter.
	resp, err := (&http.Client{Transport: client.Transport.(bearer).next}).Get(c.Host + "/api/v1/namespaces")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous list of namespaces: HTTP %d, want 401 or 403", resp.StatusCode)
	}

	crd := `{
	  "apiVersion": "apiextensions.k8s.io/v1",
	  "kind": "CustomResourceDefinition",
	  "metadata": {"name": "widgets.harness.anykube.io"},
	  "spec": {
	    "group": "harness.anykube.io",
	    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
	    "scope": "Namespaced",
	    "versions": [{"name": "v1", "served": true, "storage": true,
	      "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
	  }
	}`
	resp, err = client.Post(c.Host+"/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/json", strings.NewReader(crd))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating CRD: HTTP %d: %s", resp.StatusCode, body)
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		var obj struct {
			Status struct {
				Conditions []struct {
					Type   string `json:"type"`
					Status string `json:"status"`
				} `json:"conditions"`
			} `json:"status"`
		}
		getJSON(t, client, c.Host+"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.harness.anykube.io", &obj)
		established := false
		for _, cond := range obj.Status.Conditions {
			if cond.Type == "Established" && cond.Status == "True" {
				established = true
			}
		}
		if established {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CRD not Established after 30s: %+v", obj.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The new resource is served: creating an instance works.
	deadline = time.Now().Add(30 * time.Second)
	for {
		resp, err = client.Post(c.Host+"/apis/harness.anykube.io/v1/namespaces/default/widgets", "application/json",
			strings.NewReader(`{"apiVersion":"harness.anykube.io/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":3}}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("creating a Widget: HTTP %d: %s", resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	kc, err := os.ReadFile(c.KubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(kc, []byte(c.Host)) {
		t.Errorf("kubeconfig does not name the server %s", c.Host)
	}
}

// TestSweepStale starts a stand-in process recorded as owned by a harness
// that no longer exists, and checks that the next start's sweep kills it and
// removes its directory and pid file.
func TestSweepStale(t *testing.T) {
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	p, err := startProcess("sleeper", "/bin/sleep", []string{"300"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop(time.Second)

	// Rewrite the record as if a harness with a dead pid had written it.
	rec := pidRecord{HarnessPID: deadPID(t), HarnessStart: 1, PID: p.cmd.Process.Pid, Start: procStart(p.cmd.Process.Pid), Name: "sleeper", Dir: dir}
	data, _ := json.Marshal(rec)
	if err := os.WriteFile(p.pidFile, data, 0o644); err != nil {
		t.Fatal(err)
	}

	swept := sweepStale()
	if !strings.Contains(strings.Join(swept, ","), fmt.Sprintf("pid %d", rec.PID)) {
		t.Fatalf("sweep reported %v, want the sleeper (pid %d)", swept, rec.PID)
	}
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Fatal("stale process still running after sweep")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("stale directory %s not removed: %v", dir, err)
	}
	if _, err := os.Stat(p.pidFile); !os.IsNotExist(err) {
		t.Errorf("stale pid file %s not removed: %v", p.pidFile, err)
	}
}

// TestSweepSparesLiveHarness checks that processes of a harness that is
// still running (this test process) are left alone.
func TestSweepSparesLiveHarness(t *testing.T) {
	dir := t.TempDir()
	p, err := startProcess("sleeper", "/bin/sleep", []string{"300"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop(time.Second)
	sweepStale()
	if p.exited() {
		t.Fatal("sweep killed a process of a live harness")
	}
}

func TestStartFailureNamesProcess(t *testing.T) {
	dir := t.TempDir()
	p, err := startProcess("kube-apiserver", "/bin/sh", []string{"-c", "echo boom: bad flag >&2; exit 3"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	err = waitHTTP(context.Background(), nil, "http://127.0.0.1:1/readyz", 10*time.Second, p)
	if err == nil || !strings.Contains(err.Error(), "kube-apiserver exited") || !strings.Contains(err.Error(), "boom: bad flag") {
		t.Fatalf("error %v should name the process and show its log", err)
	}
}

func TestTail(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 5, "a\nb\nc"},
		{"", 3, ""},
		{"only", 1, "only"},
	} {
		if got := tail([]byte(tc.in), tc.n); got != tc.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// deadPID returns a pid that belongs to no running process.
func deadPID(t *testing.T) int {
	for pid := 4000000; pid > 3000000; pid-- {
		if procStart(pid) == 0 {
			return pid
		}
	}
	t.Fatal("no free pid found")
	return 0
}

func getJSON(t *testing.T, client *http.Client, url string, into any) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d: %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
