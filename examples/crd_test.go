package examples_test

import (
	"net/http"
	"testing"
)

func TestCRD(t *testing.T) {
	ns, env := namespace(t)
	for range 2 { // the second run finds the CRD gone and starts over
		out := mustRun(t, []string{env}, "crd")
		assertInOrder(t, out,
			"Installing CRD widgets.demo.anykube.io...",
			"CRD is Established after",
			`Kind Widget maps to resource "widgets" of demo.anykube.io/v1 after`,
			"Created widget small.",
			"Created widget large.",
			"Patched widget small: size 2.",
			"Applied widget large: color green, status Ready.",
			`Widgets in namespace "`+ns+`":`,
			" * large  color=green size=10 phase=Ready",
			" * small  color=red   size=2  phase=",
			"Deleted the widgets.",
			"Replaying history with a watch from resourceVersion",
			" ADDED    small  color=red   size=1",
			" ADDED    large  color=blue  size=10",
			" MODIFIED small  color=red   size=2",
			" MODIFIED large  color=green size=10 phase=",
			" MODIFIED large  color=green size=10 phase=Ready",
			" DELETED  large",
			" DELETED  small",
			"Deleting CRD widgets.demo.anykube.io...",
			"CRD deleted.",
		)
		if code, body := kube(t, http.MethodGet, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.demo.anykube.io", ""); code != http.StatusNotFound {
			t.Fatalf("the CRD is still there: HTTP %d: %s", code, body)
		}
	}
}
