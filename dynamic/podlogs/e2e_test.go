package podlogs

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// clusterClient returns a Client for the shared local control plane, with
// the same short waits as the fake server's, a namespace of the test's own
// and a REST client to set it up with. Any Config works: pointing these
// tests at another cluster is a matter of building the Client from it.
func clusterClient(t *testing.T) (*Client, *anykube.RESTClient, string) {
	t.Helper()
	c := e2e.SharedWithCRDs(t, nil)
	cfg := e2e.Config(c, nil)
	logs, err := NewForConfig(cfg)
	require.NoError(t, err)
	logs.settle, logs.settleEvery, logs.backoff = 2*time.Second, 100*time.Millisecond, 10*time.Millisecond
	rc, err := anykube.RESTClientFor(cfg)
	require.NoError(t, err)
	ns := e2e.CreateNamespace(t, c, "logs")
	// Without a controller-manager, nobody makes the service account pod
	// admission looks up.
	require.NoError(t, rc.Post().Version("v1").Namespace(ns).Resource("serviceaccounts").
		Body([]byte(`{"metadata":{"name":"default"}}`)).Do(ctx(t)).Error())
	return logs, rc, ns
}

// createPod creates a pod with the given containers in ns.
func createPod(t *testing.T, rc *anykube.RESTClient, ns, name string, labels string, containers ...string) {
	t.Helper()
	var cs string
	for i, c := range containers {
		if i > 0 {
			cs += ","
		}
		cs += fmt.Sprintf(`{"name":%q,"image":"busybox","command":["sh","-c","echo %s; sleep 3600"]}`, c, c)
	}
	body := fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q,"labels":{%s}},"spec":{"containers":[%s]}}`, name, labels, cs)
	res := rc.Post().Version("v1").Namespace(ns).Resource("pods").Body([]byte(body)).Do(ctx(t))
	require.NoError(t, res.Error())
	require.Equal(t, http.StatusCreated, res.StatusCode())
}

// TestE2EErrors runs checkErrors against kube-apiserver v1.37.2: its
// NotFound, its 400s for a wrong or missing container name, and its 204 for
// a pod no scheduler has placed (this control plane has no nodes), which
// must read as "waiting to start", never as an empty log.
func TestE2EErrors(t *testing.T) {
	logs, rc, ns := clusterClient(t)
	createPod(t, rc, ns, "two", `"app":"two"`, "app", "side")
	checkErrors(t, logs, ns)
}

// TestE2ESelectorWithoutStartedContainers reads the logs of pods that have
// not started: there are none, and the stream says so by ending at once
// (without Follow) rather than by failing.
func TestE2ESelectorWithoutStartedContainers(t *testing.T) {
	logs, rc, ns := clusterClient(t)
	createPod(t, rc, ns, "web-1", `"app":"web"`, "app")
	createPod(t, rc, ns, "web-2", `"app":"web"`, "app", "side")
	r, err := logs.StreamSelector(ctx(t), ns, "app=web", Options{Prefix: true})
	require.NoError(t, err)
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Empty(t, out)

	_, err = logs.StreamSelector(ctx(t), ns, "app=web", Options{PodLogOptions: PodLogOptions{Container: "nope"}})
	require.NoError(t, err, "listing works; the wrong container shows on reading")
}

// What the end-to-end tests should check once the local control plane
// runs pods (kube-controller-manager and kwok nodes), through
// clusterClient and createPod with containers that print known lines:
//
//   - Stream of a running container: the whole log; TailLines, SinceTime
//     and SinceSeconds, Timestamps (RFC 3339 with nanoseconds), LimitBytes
//     (cuts a line), Container picking one of two, Previous after a
//     restart, each against the lines the container printed.
//   - Follow: lines printed after the stream starts arrive; the stream ends
//     with io.EOF when the container exits and when the pod is deleted,
//     and with ErrStreamCut when a TCP proxy in front of the API server
//     drops the connection; with Client.Resume the same drop loses and
//     repeats no line (lines stamped in one second included).
//   - A container waiting to start (image never pulled, or the pod just
//     created): IsWaitingToStart with the kubelet's reason.
//   - StreamSelector and StreamOwner(Deployment) with Follow and Prefix:
//     every pod's lines with "[pod/NAME/CONTAINER] ", whole; a pod added
//     by scaling up while following is followed from its first line.
//   - examples/logs (examples/logs_test.go): deploy/NAME -f --tail=N.
