package examples_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestCRUDDeployment(t *testing.T) {
	ns, env := namespace(t)
	// Twice: the first run must leave nothing behind that stops the second.
	for range 2 {
		out := mustRun(t, []string{env}, "crud-deployment")
		assertInOrder(t, out,
			"Creating deployment "+ns+"/anykube-demo",
			"Got deployment: 2 replicas of nginx:1.26.",
			"ready pods: 2 of 2",
			"  pod anykube-demo-",
			": Running on kwok-node-",
			"Updated deployment (generation 2,",
			"ready pods: 1 of 1",
			"(nginx:1.27)",
			"Updating from the stale copy fails, as it should: Operation cannot be fulfilled",
			" * anykube-demo (replicas: 1)",
			"Deleted deployment.",
		)
		if code, body := kube(t, http.MethodGet, "/apis/apps/v1/namespaces/"+ns+"/deployments/anykube-demo", ""); code != http.StatusNotFound {
			t.Fatalf("the deployment is still there: HTTP %d: %s", code, body)
		}
		// The garbage collector removes its pods.
		eventually(t, "the deleted deployment's pods collected", func() string {
			var pods struct{ Items []any }
			if err := json.Unmarshal(mustKube(t, http.MethodGet, "/api/v1/namespaces/"+ns+"/pods?labelSelector=app%3Danykube-demo", ""), &pods); err != nil {
				return err.Error()
			}
			if len(pods.Items) > 0 {
				return fmt.Sprintf("%d pods left", len(pods.Items))
			}
			return ""
		})
	}

	// A failure exits non-zero with the server's reason.
	_, errOut, err := run(t, []string{env}, "crud-deployment", "--name", "Not_Valid")
	if err == nil || !strings.Contains(errOut, "Not_Valid") {
		t.Errorf("an invalid name: err=%v stderr=%q", err, errOut)
	}
}

// assertInOrder checks that out holds each of wants, in this order.
func assertInOrder(t *testing.T, out string, wants ...string) {
	t.Helper()
	rest := out
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("output lacks %q after the previous match:\n%s", w, out)
			return
		}
		rest = rest[i+len(w):]
	}
}
