package examples_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestLogs runs the logs example against the local control plane, which
// has no nodes: pods are never scheduled, so what it can show is how each
// case is told apart and explained. With nodes, the lead's end-to-end
// tests add the logs themselves (see dynamic/podlogs/e2e_test.go).
func TestLogs(t *testing.T) {
	ns, env := namespace(t)
	// Without a controller-manager nobody makes the service account that
	// pod admission looks up.
	mustKube(t, http.MethodPost, "/api/v1/namespaces/"+ns+"/serviceaccounts", `{"metadata":{"name":"default"}}`)
	mustKube(t, http.MethodPost, "/api/v1/namespaces/"+ns+"/pods",
		`{"metadata":{"name":"two","labels":{"app":"two"}},"spec":{"containers":[{"name":"app","image":"busybox"},{"name":"side","image":"busybox"}]}}`)
	createDeployment(t, ns, "web")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"two"}, "a container name must be specified for pod two, choose one of: [app side] (name one with -c, or use --all-containers)"},
		{[]string{"two", "-c", "nope"}, "container nope is not valid for pod two"},
		{[]string{"two", "-c", "app"}, `container "app" in pod "two" is waiting to start: the pod is not scheduled to a node yet (no log yet`},
		{[]string{"pod/two", "-c", "side", "-f", "--tail=20"}, `container "side" in pod "two" is waiting to start`},
		{[]string{"deploy/missing"}, `deployments.apps "missing" not found`},
		{[]string{"ns/" + ns}, "Namespace " + ns + " has no spec.selector"},
		{[]string{"nosuchtype/x"}, `the server has no resource type "nosuchtype"`},
	} {
		_, errOut, err := run(t, []string{env}, "logs", tc.args...)
		if err == nil || !strings.Contains(errOut, tc.want) {
			t.Errorf("logs %s: want an error with %q, got err=%v stderr=%q", strings.Join(tc.args, " "), tc.want, err, errOut)
		}
	}

	// Nothing to show is not an error, but it is said.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"deploy/web", "--tail=20"}, "No pods of deployments.apps/web (app=web) in namespace " + ns + "."},
		{[]string{"deploy/web", "-f", "--tail=20", "--for=1s"}, "yet; waiting for some to start."},
		{[]string{"-l", "app=two", "--prefix"}, "Reading the logs of 1 pods matching app=two; 1 of them not running yet."},
		{[]string{"pod/two", "--all-containers"}, ""},
	} {
		out, errOut, err := run(t, []string{env}, "logs", tc.args...)
		if err != nil || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("logs %s: err=%v stdout=%q stderr=%q, want stderr with %q", strings.Join(tc.args, " "), err, out, errOut, tc.want)
		}
	}

	out := mustRun(t, []string{env}, "logs", "--demo")
	assertInOrder(t, out,
		"Created deployment anykube-logs-demo: 2 pods printing a line a second.",
		"Following the logs of its pods for 4s:",
		"Deleted deployment anykube-logs-demo.",
	)

	if _, _, err := run(t, []string{env}, "logs"); err == nil {
		t.Error("logs without arguments must fail with usage")
	}
}
