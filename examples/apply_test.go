package examples_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	ns, env := namespace(t)
	objects := []string{
		"/api/v1/namespaces/" + ns + "/configmaps/anykube-apply-demo",
		"/apis/apps/v1/namespaces/" + ns + "/deployments/anykube-apply-demo",
		"/api/v1/namespaces/" + ns + "/services/anykube-apply-demo",
		"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.demo.anykube.io",
		"/apis/demo.anykube.io/v1/namespaces/" + ns + "/gadgets/anykube-apply-demo",
	}
	lines := []string{
		"configmap/anykube-apply-demo serverside-applied",
		"deployment.apps/anykube-apply-demo serverside-applied",
		"service/anykube-apply-demo serverside-applied",
		"customresourcedefinition.apiextensions.k8s.io/gadgets.demo.anykube.io serverside-applied",
		"gadget.demo.anykube.io/anykube-apply-demo serverside-applied",
	}

	// The CRD and its instance share the file: the instance maps once the
	// CRD is served.
	first := mustRun(t, []string{env}, "apply", "-f", "apply/demo.yaml")
	assertInOrder(t, first, lines...)
	for _, path := range objects {
		mustKube(t, http.MethodGet, path, "")
	}
	var cm struct {
		Metadata struct {
			ManagedFields []struct{ Manager string } `json:"managedFields"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(mustKube(t, http.MethodGet, objects[0], ""), &cm); err != nil || len(cm.Metadata.ManagedFields) == 0 || cm.Metadata.ManagedFields[0].Manager != "anykube-apply" {
		t.Errorf("the ConfigMap's field manager: %v %+v", err, cm)
	}

	// Applying the same file again changes nothing: every resourceVersion
	// stays, except where a controller writes status meanwhile (the CRD's,
	// the Deployment's); the Deployment's spec must still be at generation 1.
	second := mustRun(t, []string{env}, "apply", "-f", "apply/demo.yaml")
	rv := regexp.MustCompile(`(?m)^(\S+) serverside-applied \(resourceVersion (\d+)\)$`)
	before, after := rv.FindAllStringSubmatch(first, -1), rv.FindAllStringSubmatch(second, -1)
	if len(before) != 5 || len(after) != 5 {
		t.Fatalf("want 5 applied lines each time:\n%s\n%s", first, second)
	}
	for i := range before {
		if strings.HasPrefix(before[i][1], "customresourcedefinition") || strings.HasPrefix(before[i][1], "deployment") {
			continue
		}
		if before[i][2] != after[i][2] {
			t.Errorf("%s: resourceVersion %s then %s: a second apply changed it", before[i][1], before[i][2], after[i][2])
		}
	}

	for _, path := range objects {
		if !strings.Contains(path, "/deployments/") {
			continue
		}
		var d struct {
			Metadata struct{ Generation int } `json:"metadata"`
		}
		if err := json.Unmarshal(mustKube(t, http.MethodGet, path, ""), &d); err != nil || d.Metadata.Generation != 1 {
			t.Errorf("%s: generation %d after a second apply (%v), want 1", path, d.Metadata.Generation, err)
		}
	}

	// --then-delete removes everything, instances before their CRD.
	out := mustRun(t, []string{env}, "apply", "-f", "apply/demo.yaml", "--then-delete")
	assertInOrder(t, out,
		"gadget.demo.anykube.io/anykube-apply-demo deleted",
		"customresourcedefinition.apiextensions.k8s.io/gadgets.demo.anykube.io deleted",
		"service/anykube-apply-demo deleted",
		"deployment.apps/anykube-apply-demo deleted",
		"configmap/anykube-apply-demo deleted",
	)
	for _, path := range objects[:3] {
		if code, _ := kube(t, http.MethodGet, path, ""); code != http.StatusNotFound {
			t.Errorf("%s: HTTP %d after --then-delete", path, code)
		}
	}

	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, manifest, want string
	}{{
		// A mistake anywhere applies nothing, and is located.
		"bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n",
		"bad.yaml: document 2, line",
	}, {
		"unknown.yaml", "apiVersion: nope.example.com/v1\nkind: Nothing\nmetadata: {name: x}\n",
		`no matches for kind "Nothing" in version "nope.example.com/v1" (is its CRD installed?)`,
	}} {
		_, errOut, err := run(t, []string{env}, "apply", "-f", write(tc.name, tc.manifest))
		if err == nil || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: want an error with %q, got err=%v stderr=%q", tc.name, tc.want, err, errOut)
		}
	}
	if code, _ := kube(t, http.MethodGet, "/api/v1/namespaces/"+ns+"/configmaps/fine", ""); code != http.StatusNotFound {
		t.Errorf("a file with a broken document was partly applied: HTTP %d", code)
	}
	if _, _, err := run(t, []string{env}, "apply"); err == nil {
		t.Errorf("apply without -f succeeded")
	}
}
