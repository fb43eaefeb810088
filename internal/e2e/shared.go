package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anykube/anykube/internal/testcluster"
)

// installed remembers, per test binary, whether the package's CRDs are in
// its shared cluster: installed once, by the first test that asks.
var installed struct {
	once sync.Once
	err  error
}

// SharedWithCRDs returns the package's shared cluster (testcluster.Shared)
// with crds installed and served, installing them on the first call. The
// first call's crds are the ones installed: a package passes the same set
// every time. It skips the test in -short mode and fails it when the
// cluster cannot start or the CRDs cannot be installed.
func SharedWithCRDs(t testing.TB, crds []CRD) *testcluster.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test against a real API server")
	}
	c := testcluster.Shared(t)
	installed.once.Do(func() {
		hc, err := c.HTTPClient()
		if err != nil {
			installed.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		installed.err = InstallCRDs(ctx, hc, c.Host, crds)
	})
	if installed.err != nil {
		t.Fatalf("installing CRDs: %v", installed.err)
	}
	return c
}

// CreateNamespace creates a namespace named prefix-<random hex> for a
// test and returns its name. On a cluster that runs workloads it waits for
// the namespace's default service account, without which pods are
// refused, and deletes the namespace after the test; on a bare cluster
// (no controller-manager) a namespace would never be emptied, so it is
// left with the cluster.
func CreateNamespace(t testing.TB, c *testcluster.Cluster, prefix string) string {
	t.Helper()
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := prefix + "-" + hex.EncodeToString(b)
	body := fmt.Sprintf(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":%q}}`, name)
	code, resp, err := do(context.Background(), hc, http.MethodPost, c.Host+"/api/v1/namespaces", []byte(body), "")
	if err != nil {
		t.Fatalf("creating namespace %s: %v", name, err)
	}
	if code != http.StatusCreated {
		t.Fatalf("creating namespace %s: HTTP %d: %s", name, code, resp)
	}
	if len(c.Nodes) == 0 {
		return name
	}
	t.Cleanup(func() {
		do(context.Background(), hc, http.MethodDelete, c.Host+"/api/v1/namespaces/"+name, nil, "")
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = poll(ctx, func() (bool, error) {
		code, _, err := do(ctx, hc, http.MethodGet, c.Host+"/api/v1/namespaces/"+name+"/serviceaccounts/default", nil, "")
		return err == nil && code == http.StatusOK, nil
	})
	if err != nil {
		t.Fatalf("waiting for the default service account of %s: %v", name, err)
	}
	return name
}

// AggregatedDocument fetches path ("/api" or "/apis") as an aggregated
// discovery document with a plain HTTP client, so a test can compare what
// the code under test reports with what the server says. It fails the test
// unless the server answers 200 with the aggregated content type.
func AggregatedDocument(t testing.TB, c *testcluster.Cluster, path string) []byte {
	t.Helper()
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	code, body, ct, err := get(context.Background(), hc, c.Host+path, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if code != http.StatusOK || !strings.Contains(ct, "as=APIGroupDiscoveryList") {
		t.Fatalf("GET %s: HTTP %d, content type %q: %.200s", path, code, ct, body)
	}
	return body
}

// get is a GET that also returns the answer's content type.
func get(ctx context.Context, hc *http.Client, url, accept string) (int, []byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Accept", accept)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header.Get("Content-Type"), err
}
