package examples_test

import (
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
			"no pods yet",
			"Updated deployment (generation 2,",
			"Updating from the stale copy fails, as it should: Operation cannot be fulfilled",
			" * anykube-demo (replicas: 1)",
			"Deleted deployment.",
		)
		if code, body := kube(t, http.MethodGet, "/apis/apps/v1/namespaces/"+ns+"/deployments/anykube-demo", ""); code != http.StatusNotFound {
			t.Fatalf("the deployment is still there: HTTP %d: %s", code, body)
		}
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
