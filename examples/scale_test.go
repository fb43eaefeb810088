package examples_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestScale(t *testing.T) {
	ns, env := namespace(t)
	out := mustRun(t, []string{env}, "scale", "--demo")
	assertInOrder(t, out,
		"Created customresourcedefinition crontabs.demo.anykube.io.",
		"Created deployment anykube-scale-demo.",
		"Created crontab anykube-scale-demo.",
		`deployments.apps/anykube-scale-demo: spec.replicas=1 status.replicas=`,
		`deployments.apps/anykube-scale-demo: spec.replicas=5 status.replicas=`,
		`the controllers followed: deployments.apps/anykube-scale-demo: spec.replicas=5 status.replicas=5 selector="app=anykube-scale-demo"`,
		`crontabs.demo.anykube.io/anykube-scale-demo: spec.replicas=3 status.replicas=0 selector=""`,
		"configmaps.v1 has no scale subresource",
	)
	for _, path := range []string{
		"/apis/apps/v1/namespaces/" + ns + "/deployments/anykube-scale-demo",
		"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.demo.anykube.io",
	} {
		// The CRD may still be finalizing; it must at least be going.
		code, body := kube(t, http.MethodGet, path, "")
		if code == http.StatusOK && !strings.Contains(string(body), `"deletionTimestamp"`) {
			t.Errorf("%s is still there after the demo", path)
		}
	}

	// One object, by short name, flags after the arguments.
	createDeployment(t, ns, "web")
	out = mustRun(t, []string{env}, "scale", "deploy", "web", "--replicas", "3")
	if !strings.Contains(out, `deployments.apps/web: spec.replicas=3 status.replicas=`) {
		t.Errorf("scale deploy web --replicas 3:\n%s", out)
	}
	var d struct {
		Spec struct{ Replicas int } `json:"spec"`
	}
	if err := json.Unmarshal(mustKube(t, http.MethodGet, "/apis/apps/v1/namespaces/"+ns+"/deployments/web", ""), &d); err != nil || d.Spec.Replicas != 3 {
		t.Errorf("the Deployment has %d replicas (%v), want 3", d.Spec.Replicas, err)
	}
	if out = mustRun(t, []string{env}, "scale", "deployments.v1.apps", "web"); !strings.Contains(out, "spec.replicas=3") {
		t.Errorf("scale deployments.v1.apps web:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"svc", "kubernetes", "-n", "default"}, "services.v1 has no scale subresource"},
		{[]string{"deploy", "missing", "--replicas", "2"}, `"missing" not found`},
		{[]string{"deploy", "web", "--replicas", "-2"}, "Invalid value: -2"},
		{[]string{"deploy", "web", "--replicas", "many"}, `invalid value "many"`},
	} {
		_, errOut, err := run(t, []string{env}, "scale", tc.args...)
		if err == nil || !strings.Contains(errOut, tc.want) {
			t.Errorf("scale %v: want an error with %q, got err=%v stderr=%q", tc.args, tc.want, err, errOut)
		}
	}
}
