package examples_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeploy(t *testing.T) {
	ns, env := namespace(t)
	out := mustRun(t, []string{env}, "deploy", "--demo")
	assertInOrder(t, out,
		"# version 1: what would change",
		"create Deployment "+ns+"/demo-web",
		"# version 1: deploy",
		"Job "+ns+"/demo-migrate created",
		"Deployment "+ns+"/demo-web: Current: deployment available, 2 replicas",
		"Set anykube-deploy-demo: 3 objects ready, 0 pruned.",
		"# version 2: what would change",
		"change Deployment "+ns+"/demo-web",
		"  spec.replicas: 2 -> 3",
		`  spec.template.spec.containers[name=web].image: "nginx:1.26" -> "nginx:1.27"`,
		"# version 2: deploy",
		"Job "+ns+"/demo-migrate pruned",
		"Deployment "+ns+"/demo-web: Current: deployment available, 3 replicas",
		"Set anykube-deploy-demo: 2 objects ready, 1 pruned.",
		"# removing the set",
		"Set anykube-deploy-demo: 0 objects ready, 2 pruned.",
	)
	if strings.Contains(out, "applyset.kubernetes.io/part-of") {
		t.Errorf("the diff shows the set's own label:\n%s", out)
	}
	for _, path := range []string{"/apis/apps/v1/namespaces/" + ns + "/deployments/demo-web", "/api/v1/namespaces/" + ns + "/secrets/anykube-deploy-demo"} {
		if code, _ := kube(t, http.MethodGet, path, ""); code != http.StatusNotFound {
			t.Errorf("%s is still there after the demo (HTTP %d)", path, code)
		}
	}

	// A directory, then a diff of an edit, then a broken manifest that
	// applies nothing.
	dir := t.TempDir()
	write := func(text string) {
		if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\ndata: {k: v}\n")
	out = mustRun(t, []string{env}, "deploy", "-f", dir, "--name", "mine")
	assertInOrder(t, out, "ConfigMap "+ns+"/one created", "Set mine: 1 objects ready, 0 pruned.")
	write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\ndata: {k: w}\n")
	if out = mustRun(t, []string{env}, "deploy", "-f", dir, "--name", "mine", "--diff"); out != "change ConfigMap "+ns+"/one\n  data.k: \"v\" -> \"w\"\n" {
		t.Errorf("deploy --diff:\n%s", out)
	}
	write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two\n")
	if _, errOut, err := run(t, []string{env}, "deploy", "-f", dir, "--name", "mine"); err == nil || !strings.Contains(errOut, "app.yaml") {
		t.Errorf("a broken manifest: err=%v stderr=%q", err, errOut)
	}
}
