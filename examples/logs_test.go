package examples_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/anykube/anykube/internal/testcluster"
)

// TestLogs runs the logs example against the local control plane, whose
// fake kubelets serve known logs (see internal/testcluster): a pod's log,
// a Deployment's pods with prefixes, and how each error is explained.
func TestLogs(t *testing.T) {
	ns, env := namespace(t)
	mustKube(t, http.MethodPost, "/api/v1/namespaces/"+ns+"/pods",
		`{"metadata":{"name":"two","labels":{"app":"two"}},"spec":{"containers":[{"name":"app","image":"busybox"},{"name":"`+testcluster.TickerContainer+`","image":"busybox"}]}}`)
	// No node has this label, so the pod is never scheduled.
	mustKube(t, http.MethodPost, "/api/v1/namespaces/"+ns+"/pods",
		`{"metadata":{"name":"stuck"},"spec":{"nodeSelector":{"anykube.io/nowhere":"true"},"containers":[{"name":"app","image":"busybox"}]}}`)
	createDeployment(t, ns, "web")
	eventually(t, "pod two running", func() string {
		if body := string(mustKube(t, http.MethodGet, "/api/v1/namespaces/"+ns+"/pods/two", "")); !strings.Contains(body, `"phase":"Running"`) {
			return "not Running"
		}
		return ""
	})

	last := testcluster.StaticLogLine(testcluster.StaticLogLines)
	if out := mustRun(t, []string{env}, "logs", "two", "-c", "app", "--tail=2"); out != testcluster.StaticLogLine(testcluster.StaticLogLines-1)+"\n"+last+"\n" {
		t.Errorf("logs two -c app --tail=2:\n%s", out)
	}
	if out := mustRun(t, []string{env}, "logs", "-l", "app=two", "--prefix", "--all-containers", "--tail=1"); !strings.Contains(out, "[pod/two/app] "+last+"\n") {
		t.Errorf("logs -l app=two --prefix --all-containers --tail=1:\n%s", out)
	}
	eventually(t, "deployment web's pods logging", func() string {
		out, _, err := run(t, []string{env}, "logs", "deploy/web", "--tail=1", "--prefix")
		if err != nil || strings.Count(out, "] "+last) != 1 || !strings.HasPrefix(out, "[pod/web-") {
			return "output " + out
		}
		return ""
	})

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"two"}, "a container name must be specified for pod two, choose one of: [app ticker] (name one with -c, or use --all-containers)"},
		{[]string{"two", "-c", "nope"}, "container nope is not valid for pod two"},
		{[]string{"stuck", "-c", "app"}, `container "app" in pod "stuck" is waiting to start: the pod is not scheduled to a node yet (no log yet`},
		{[]string{"pod/stuck", "-f", "--tail=20"}, `container "app" in pod "stuck" is waiting to start`},
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
	if out, errOut, err := run(t, []string{env}, "logs", "-l", "app=none"); err != nil || out != "" || !strings.Contains(errOut, "No pods matching app=none in namespace "+ns+".") {
		t.Errorf("logs -l app=none: err=%v stdout=%q stderr=%q", err, out, errOut)
	}

	out := mustRun(t, []string{env}, "logs", "--demo")
	assertInOrder(t, out,
		"Created deployment anykube-logs-demo: 2 pods printing a line a second.",
		"Following the logs of its pods for 4s:",
		"tick ",
		"Deleted deployment anykube-logs-demo.",
	)

	if _, _, err := run(t, []string{env}, "logs"); err == nil {
		t.Error("logs without arguments must fail with usage")
	}
}
