package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
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
// test and returns its name. Without a controller-manager a namespace is
// never emptied, so it is left with the cluster rather than deleted.
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
	return name
}
