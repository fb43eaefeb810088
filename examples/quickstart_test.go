package examples_test

import (
	"net/http"
	"testing"
)

// TestQuickstart runs the README's quick start.
func TestQuickstart(t *testing.T) {
	ns, env := namespace(t)
	out := mustRun(t, []string{env}, "quickstart")
	assertInOrder(t, out, "Deployment "+ns+"/web has 1 replica(s)", "scaled to 3")
	if code, _ := kube(t, http.MethodGet, "/apis/apps/v1/namespaces/"+ns+"/deployments/web", ""); code != http.StatusNotFound {
		t.Errorf("the quick start left its Deployment behind: HTTP %d", code)
	}
}
