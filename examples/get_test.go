package examples_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

const deploymentJSON = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":%q,"labels":{"app":%q}},
"spec":{"replicas":1,"selector":{"matchLabels":{"app":%q}},"template":{"metadata":{"labels":{"app":%q}},
"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}`

func createDeployment(t *testing.T, ns, name string) {
	t.Helper()
	mustKube(t, http.MethodPost, "/apis/apps/v1/namespaces/"+ns+"/deployments",
		strings.NewReplacer("%q", `"`+name+`"`).Replace(deploymentJSON))
}

func TestGet(t *testing.T) {
	ns, env := namespace(t)
	c := testcluster.Shared(t)
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	// A custom resource with a short name and a category of its own.
	gizmos := []e2e.CRD{{Group: "examples.anykube.test", Kind: "Gizmo", Versions: []string{"v1"},
		Namespaced: true, ShortNames: []string{"gz"}, Categories: []string{"anykube-examples"}}}
	if err := e2e.InstallCRDs(context.Background(), hc, c.Host, gizmos); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e2e.DeleteCRDs(context.Background(), hc, c.Host, gizmos) })
	mustKube(t, http.MethodPost, "/apis/examples.anykube.test/v1/namespaces/"+ns+"/gizmos",
		`{"apiVersion":"examples.anykube.test/v1","kind":"Gizmo","metadata":{"name":"one"},"spec":{"size":3}}`)
	createDeployment(t, ns, "web")
	mustKube(t, http.MethodPost, "/api/v1/namespaces/"+ns+"/configmaps",
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"mode":"fast"}}`)

	// The namespace comes from the kubeconfig's context.
	out := mustRun(t, []string{env}, "get", "deploy")
	if !containsRow(out, "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE") || !containsRow(out, "web") {
		t.Errorf("get deploy:\n%s", out)
	}
	// "all" is a category: Deployments are in it, ConfigMaps are not, and
	// a table of several types names each object's type.
	out = mustRun(t, []string{env}, "get", "all")
	if !containsRow(out, "deployment.apps/web") || strings.Contains(out, "settings") || strings.Contains(out, "kubernetes") {
		t.Errorf("get all:\n%s", out)
	}
	out = mustRun(t, []string{env}, "get", "all", "-A")
	if !containsRow(out, "NAMESPACE", "NAME", "READY", "UP-TO-DATE") || !containsRow(out, ns, "deployment.apps/web") || !containsRow(out, "default", "service/kubernetes") {
		t.Errorf("get all -A:\n%s", out)
	}
	// A CRD's short name, its category, its full name, and flags after
	// the arguments.
	if out = mustRun(t, []string{env}, "get", "gz"); !containsRow(out, "one") {
		t.Errorf("get gz:\n%s", out)
	}
	if out = mustRun(t, []string{env}, "get", "anykube-examples,cm"); !containsRow(out, "gizmo.examples.anykube.test/one") || !containsRow(out, "configmap/settings") {
		t.Errorf("get anykube-examples:\n%s", out)
	}
	out = mustRun(t, nil, "get", "gizmos.v1.examples.anykube.test", "one", "-n", ns, "-o", "yaml")
	for _, want := range []string{"apiVersion: examples.anykube.test/v1", "kind: Gizmo", "name: one", "size: 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("get gizmos.v1.examples.anykube.test one -o yaml lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "managedFields") {
		t.Errorf("-o yaml shows managedFields:\n%s", out)
	}
	out = mustRun(t, []string{env}, "get", "cm", "settings", "-o", "json")
	var cm struct {
		Kind string            `json:"kind"`
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal([]byte(out), &cm); err != nil || cm.Kind != "ConfigMap" || cm.Data["mode"] != "fast" {
		t.Errorf("get cm settings -o json: %v\n%s", err, out)
	}
	if out = mustRun(t, []string{env}, "get", "deploy,cm", "-o", "name"); out != "deployment.apps/web\nconfigmap/kube-root-ca.crt\nconfigmap/settings\n" {
		t.Errorf("get deploy,cm -o name:\n%s", out)
	}
	// Cluster-scoped resources ignore the namespace.
	if out = mustRun(t, []string{env}, "get", "ns"); !containsRow(out, ns) || !containsRow(out, "kube-system") {
		t.Errorf("get ns:\n%s", out)
	}
	// Label selectors, and an empty answer.
	if out = mustRun(t, []string{env}, "get", "deploy", "-l", "app=web"); !containsRow(out, "web") {
		t.Errorf("get deploy -l app=web:\n%s", out)
	}
	out, errOut, err := run(t, []string{env}, "get", "deploy", "-l", "app=other")
	if err != nil || out != "" || !strings.Contains(errOut, "No resources found in "+ns+" namespace") {
		t.Errorf("get deploy -l app=other: err=%v stdout=%q stderr=%q", err, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuchtype"}, `the server has no resource type "nosuchtype"`},
		{[]string{"deploy", "missing"}, `"missing" not found`},
		{[]string{"deploy", "-o", "xml"}, `-o "xml"`},
		{[]string{"deploy/web"}, "not a resource argument"},
	} {
		_, errOut, err := run(t, []string{env}, "get", tc.args...)
		if err == nil || !strings.Contains(errOut, tc.want) {
			t.Errorf("get %v: want an error with %q, got err=%v stderr=%q", tc.args, tc.want, err, errOut)
		}
	}
}
