package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/anykube/anykube/internal/testcluster"
)

// RunPod creates a bare pod ns/name with the containers "app" and
// testcluster.TickerContainer, waits until it is Running, and returns its
// uid. The fake kubelet serves exec, attach and port-forward for it (see
// testcluster's fakekubelet.go).
func RunPod(t testing.TB, c *testcluster.Cluster, ns, name string) string {
	t.Helper()
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q},
	  "spec":{"containers":[{"name":"app","image":"app:1"},{"name":%q,"image":"ticker:1"}]}}`, name, testcluster.TickerContainer)
	code, resp, err := do(context.Background(), hc, http.MethodPost, c.Host+"/api/v1/namespaces/"+ns+"/pods", []byte(body), "")
	if err != nil || code != http.StatusCreated {
		t.Fatalf("creating pod %s/%s: HTTP %d %v: %s", ns, name, code, err, resp)
	}
	var uid string
	pollT(t, "pod "+ns+"/"+name+" running", func(ctx context.Context) (string, error) {
		code, resp, err := do(ctx, hc, http.MethodGet, c.Host+"/api/v1/namespaces/"+ns+"/pods/"+name, nil, "")
		if err != nil {
			return "", err
		}
		var p struct {
			Metadata struct{ UID string }
			Status   struct{ Phase string }
		}
		if code != http.StatusOK || json.Unmarshal(resp, &p) != nil {
			return fmt.Sprintf("HTTP %d", code), nil
		}
		uid = p.Metadata.UID
		if p.Status.Phase != "Running" {
			return "phase " + p.Status.Phase, nil
		}
		return "", nil
	})
	return uid
}

// DeletePod deletes ns/name at once (grace period 0).
func DeletePod(t testing.TB, c *testcluster.Cluster, ns, name string) {
	t.Helper()
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	code, resp, err := do(context.Background(), hc, http.MethodDelete, c.Host+"/api/v1/namespaces/"+ns+"/pods/"+name, []byte(`{"gracePeriodSeconds":0}`), "")
	if err != nil || code != http.StatusOK {
		t.Fatalf("deleting pod %s/%s: HTTP %d %v: %s", ns, name, code, err, resp)
	}
}

// pollT polls cond every 200ms until it returns "" or 60 seconds pass; the
// last answer is the failure message.
func pollT(t testing.TB, what string, cond func(context.Context) (string, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		msg, err := cond(ctx)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if msg == "" {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: still %s after 60s", what, msg)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
