package examples_test

import (
	"github.com/anykube/anykube/internal/e2e"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anykube/anykube/internal/testcluster"
)

func TestWatchDemo(t *testing.T) {
	_, env := namespace(t)
	out := mustRun(t, []string{env}, "watch", "configmaps", "--demo")
	assertInOrder(t, out,
		"Watching configmaps (namespace ex-",
		"--- that is the current state; changes follow ---",
		"ADDED     configmap/anykube-watch-demo-",
		"MODIFIED  configmap/anykube-watch-demo-",
		"DELETED   configmap/anykube-watch-demo-",
	)

	// --for ends a watch that sees no change; cluster-scoped resources
	// list their current state.
	out = mustRun(t, []string{env}, "watch", "ns", "--for", "500ms")
	assertInOrder(t, out, "Watching namespaces (cluster-scoped)", "ADDED     namespace/default", "--- that is the current state")

	_, errOut, err := run(t, []string{env}, "watch", "secrets", "--demo")
	if err == nil || !strings.Contains(errOut, "--demo changes a ConfigMap") {
		t.Errorf("watch secrets --demo: err=%v stderr=%q", err, errOut)
	}
}

// TestWatchSurvivesDroppedConnection runs the watch example through a TCP
// proxy, drops its connections and keeps it from reconnecting while
// changes happen: it must print every change, each once, in order.
func TestWatchSurvivesDroppedConnection(t *testing.T) {
	ns, _ := namespace(t)
	c := testcluster.Shared(t)
	u, err := url.Parse(c.Host)
	if err != nil {
		t.Fatal(err)
	}
	proxy := e2e.NewTCPProxy(t, u.Host)
	env := []string{"KUBECONFIG=" + writeKubeconfig(t, proxy.URL(), ns)}
	cms := "/api/v1/namespaces/" + ns + "/configmaps"
	create := func(name string) {
		mustKube(t, http.MethodPost, cms, `{"metadata":{"name":"`+name+`"}}`)
	}

	create("before") // part of the current state
	w := start(t, env, "watch", "cm", "--count", "4")
	w.expect(t, "ADDED     configmap/before")
	w.expect(t, "--- that is the current state")
	create("a")
	w.expect(t, "ADDED     configmap/a")

	// Drop the watch and refuse new connections while three changes
	// happen; the watcher must catch up from where it was.
	proxy.Refusing.Store(true)
	if n := proxy.Cut(); n == 0 {
		t.Fatal("no connection to cut")
	}
	accepted := proxy.Accepted.Load()
	create("b")
	mustKube(t, http.MethodPatch, cms+"/a", `{"data":{"k":"v"}}`)
	kube(t, http.MethodDelete, cms+"/before", "")
	time.Sleep(500 * time.Millisecond) // the watcher retries against a closed door
	proxy.Refusing.Store(false)

	w.expect(t, "ADDED     configmap/b")
	w.expect(t, "MODIFIED  configmap/a")
	w.expect(t, "DELETED   configmap/before")
	if err := w.wait(t); err != nil {
		t.Fatalf("watch exited with %v; stderr:\n%s", err, w.stderr.String())
	}
	if proxy.Accepted.Load() == accepted {
		t.Errorf("the watcher never reconnected")
	}
	// Every change once: the output holds four changes after the state.
	out := w.output()
	_, changes, _ := strings.Cut(out, "--- that is the current state; changes follow ---")
	if got := strings.Count(changes, "configmap/"); got != 4 {
		t.Errorf("want 4 changes printed once each, got %d:\n%s", got, out)
	}
}
