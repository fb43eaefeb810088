package podlogs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

// The logs come from the local control plane's fake kubelets, whose
// containers say known lines (see internal/testcluster).
func TestMain(m *testing.M) { testcluster.MainWith(m, testcluster.Options{Workloads: true}) }

// clusterClient returns a Client for the shared local control plane, with
// the same short waits as the fake server's, a namespace of the test's own
// and a REST client to set it up with. Any Config works: pointing these
// tests at another cluster is a matter of building the Client from it.
func clusterClient(t *testing.T) (*Client, *anykube.RESTClient, string) {
	t.Helper()
	c := testcluster.Shared(t)
	return clientFor(t, e2e.Config(c, nil), c)
}

func clientFor(t *testing.T, cfg *anykube.Config, c *testcluster.Cluster) (*Client, *anykube.RESTClient, string) {
	t.Helper()
	logs, err := NewForConfig(cfg)
	require.NoError(t, err)
	logs.settle, logs.settleEvery, logs.backoff = 2*time.Second, 100*time.Millisecond, 10*time.Millisecond
	rc, err := anykube.RESTClientFor(cfg)
	require.NoError(t, err)
	return logs, rc, e2e.CreateNamespace(t, c, "logs")
}

// createPod creates a pod with the given containers in ns; extra is
// spliced into its spec.
func createPod(t *testing.T, rc *anykube.RESTClient, ns, name, labels, extra string, containers ...string) {
	t.Helper()
	var cs []string
	for _, c := range containers {
		cs = append(cs, fmt.Sprintf(`{"name":%q,"image":"busybox"}`, c))
	}
	body := fmt.Sprintf(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":%q,"labels":{%s}},"spec":{%s"containers":[%s]}}`,
		name, labels, extra, strings.Join(cs, ","))
	res := rc.Post().Version("v1").Namespace(ns).Resource("pods").Body([]byte(body)).Do(ctx(t))
	require.NoError(t, res.Error())
	require.Equal(t, http.StatusCreated, res.StatusCode())
}

// waitRunning waits until the pod's phase is Running.
func waitRunning(t *testing.T, rc *anykube.RESTClient, ns, name string) {
	t.Helper()
	require.Eventually(t, func() bool {
		pod, err := rc.Get().Version("v1").Namespace(ns).Resource("pods").Name(name).Do(ctx(t)).Get()
		if err != nil {
			return false
		}
		phase, _, _ := unstructured.NestedString(pod.Object, "status", "phase")
		return phase == "Running"
	}, 30*time.Second, 50*time.Millisecond, "pod %s never ran", name)
}

func staticLines(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		b.WriteString(testcluster.StaticLogLine(i) + "\n")
	}
	return b.String()
}

// TestE2EErrors runs checkErrors against kube-apiserver v1.37.2: its
// NotFound, its 400s for a wrong or missing container name, and its 204 for
// a pod no scheduler could place, which must read as "waiting to start",
// never as an empty log.
func TestE2EErrors(t *testing.T) {
	logs, rc, ns := clusterClient(t)
	createPod(t, rc, ns, "two", `"app":"two"`, `"nodeSelector":{"anykube.io/nowhere":"true"},`, "app", "side")
	checkErrors(t, logs, ns)
}

// TestE2EStream reads one container's log with each option and compares
// it with what the fake kubelet's container said.
func TestE2EStream(t *testing.T) {
	logs, rc, ns := clusterClient(t)
	createPod(t, rc, ns, "run", `"app":"run"`, "", "app", testcluster.TickerContainer)
	waitRunning(t, rc, ns, "run")
	c := testcluster.Shared(t)
	n := testcluster.StaticLogLines

	read := func(opts PodLogOptions) string {
		t.Helper()
		opts.Container = "app"
		r, err := logs.Stream(ctx(t), ns, "run", opts)
		require.NoError(t, err)
		out, err := readAll(t, r)
		require.ErrorIs(t, err, io.EOF)
		return out
	}
	assert.Equal(t, staticLines(1, n), read(PodLogOptions{}), "whole log")
	assert.Equal(t, staticLines(n-2, n), read(PodLogOptions{TailLines: new(int64(3))}), "tail 3")
	assert.Equal(t, staticLines(1, 2)+"static", read(PodLogOptions{LimitBytes: new(int64(2*len(testcluster.StaticLogLine(1)+"\n") + 6))}), "limit cuts a line")
	since := metav1.NewTime(c.LogTime.Add(-4 * time.Second))
	assert.Equal(t, staticLines(n-4, n), read(PodLogOptions{SinceTime: &since}), "since time")
	previous := read(PodLogOptions{Previous: true})
	assert.Equal(t, testcluster.PreviousLogLine(1)+"\n"+testcluster.PreviousLogLine(2)+"\n"+testcluster.PreviousLogLine(3)+"\n", previous, "previous")

	stamped := read(PodLogOptions{TailLines: new(int64(1)), Timestamps: true})
	stamp, line, ok := strings.Cut(strings.TrimSuffix(stamped, "\n"), " ")
	require.True(t, ok, stamped)
	ts, err := time.Parse(time.RFC3339Nano, stamp)
	require.NoError(t, err)
	assert.True(t, ts.Equal(c.LogTime), "time stamp %s, want %s", stamp, c.LogTime)
	assert.Equal(t, testcluster.StaticLogLine(n), line)

	// Picking the other container.
	r, err := logs.Stream(ctx(t), ns, "run", PodLogOptions{Container: testcluster.TickerContainer, TailLines: new(int64(1))})
	require.NoError(t, err)
	out, err := readAll(t, r)
	require.ErrorIs(t, err, io.EOF)
	assert.Regexp(t, `^tick \d+\n$`, out)
}

// ticks reads n ticker lines from r and checks they are consecutive.
func ticks(t *testing.T, sc *bufio.Scanner, n int, after int) int {
	t.Helper()
	last := after
	for i := 0; i < n; i++ {
		require.True(t, sc.Scan(), "the follow ended after %d lines: %v", i, sc.Err())
		num, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "tick "))
		require.NoError(t, err, "line %q", sc.Text())
		if last != 0 {
			require.Equal(t, last+1, num, "after tick %d", last)
		}
		last = num
	}
	return last
}

// TestE2EFollow follows the ticker container: new lines arrive, and the
// stream ends cleanly (io.EOF) when the pod goes away.
func TestE2EFollow(t *testing.T) {
	logs, rc, ns := clusterClient(t)
	createPod(t, rc, ns, "run", `"app":"run"`, "", testcluster.TickerContainer)
	waitRunning(t, rc, ns, "run")
	r, err := logs.Stream(ctx(t), ns, "run", PodLogOptions{Follow: true, TailLines: new(int64(0))})
	require.NoError(t, err)
	defer r.Close()
	sc := bufio.NewScanner(r)
	ticks(t, sc, 5, 0)

	require.NoError(t, rc.Delete().Version("v1").Namespace(ns).Resource("pods").Name("run").Do(ctx(t)).Error())
	done := make(chan error, 1)
	go func() {
		for sc.Scan() {
		}
		done <- sc.Err()
	}()
	select {
	case err := <-done:
		assert.NoError(t, err, "a pod that went away ends the follow with io.EOF")
	case <-time.After(20 * time.Second):
		t.Fatal("the follow goes on after the pod was deleted")
	}
}

// TestE2EFollowJobEnds follows a Job's pod, which completes a second after
// it starts: the stream ends with io.EOF, not as a cut.
func TestE2EFollowJobEnds(t *testing.T) {
	logs, rc, ns := clusterClient(t)
	job := `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"once"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"` + testcluster.TickerContainer + `","image":"busybox"}]}}}}`
	require.NoError(t, rc.Post().Group("batch").Version("v1").Namespace(ns).Resource("jobs").Body([]byte(job)).Do(ctx(t)).Error())
	dc, err := dynamic.NewForConfig(e2e.Config(testcluster.Shared(t), nil))
	require.NoError(t, err)
	jobObj, err := dc.Resource(schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}).Namespace(ns).Get(ctx(t), "once", metav1.GetOptions{})
	require.NoError(t, err)
	r, err := logs.StreamOwner(ctx(t), jobObj, Options{PodLogOptions: PodLogOptions{Follow: true}, Prefix: true})
	require.NoError(t, err)
	defer r.Close()
	// The job's pod appears, runs, says some ticks and completes; the
	// multi-pod follow keeps watching for more pods, so read until a tick
	// has come and the pod has Succeeded, then check the pod's own stream.
	sc := bufio.NewScanner(r)
	require.True(t, sc.Scan(), "no line from the job's pod: %v", sc.Err())
	assert.Regexp(t, `^\[pod/once-[a-z0-9]+/ticker\] tick \d+$`, sc.Text())
	pod := strings.SplitN(sc.Text(), "/", 3)[1]

	single, err := logs.Stream(ctx(t), ns, pod, PodLogOptions{Follow: true, TailLines: new(int64(0))})
	require.NoError(t, err)
	defer single.Close()
	_, err = readAll(t, single)
	assert.ErrorIs(t, err, io.EOF, "following a container that completes ends with io.EOF")
}

// TestE2EFollowCut follows through a TCP proxy that drops every
// connection: without Resume the stream ends with ErrStreamCut; with it,
// the stream goes on from the last line, none lost, none repeated (the
// ticker writes ten lines a second, so a resume by time stamp meets lines
// of the same second).
func TestE2EFollowCut(t *testing.T) {
	c := testcluster.Shared(t)
	u, err := url.Parse(c.Host)
	require.NoError(t, err)
	proxy := e2e.NewTCPProxy(t, u.Host)
	cfg := e2e.Config(c, nil)
	cfg.Host = proxy.URL()
	logs, rc, ns := clientFor(t, cfg, c)
	createPod(t, rc, ns, "run", `"app":"run"`, "", testcluster.TickerContainer)
	waitRunning(t, rc, ns, "run")

	for _, resume := range []bool{false, true} {
		t.Run(fmt.Sprintf("resume=%t", resume), func(t *testing.T) {
			logs.Resume = resume
			r, err := logs.Stream(ctx(t), ns, "run", PodLogOptions{Follow: true, TailLines: new(int64(0))})
			require.NoError(t, err)
			defer r.Close()
			sc := bufio.NewScanner(r)
			last := ticks(t, sc, 5, 0)
			require.NotZero(t, proxy.Cut())
			if !resume {
				for sc.Scan() {
				}
				assert.True(t, errors.Is(sc.Err(), ErrStreamCut), "a cut follow: %v", sc.Err())
				return
			}
			for range 3 {
				last = ticks(t, sc, 5, last)
				proxy.Cut()
			}
			ticks(t, sc, 5, last)
		})
	}
}

// TestE2EStreamOwnerFollowsNewPods follows a Deployment's pods with
// prefixes; scaling it up adds a pod whose lines join the stream.
func TestE2EStreamOwnerFollowsNewPods(t *testing.T) {
	logs, rc, ns := clusterClient(t)
	deploy := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
	  "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"busybox"},{"name":"` + testcluster.TickerContainer + `","image":"busybox"}]}}}}`
	require.NoError(t, rc.Post().Group("apps").Version("v1").Namespace(ns).Resource("deployments").Body([]byte(deploy)).Do(ctx(t)).Error())
	dc, err := dynamic.NewForConfig(e2e.Config(testcluster.Shared(t), nil))
	require.NoError(t, err)
	deployments := dc.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace(ns)
	require.Eventually(t, func() bool {
		d, err := deployments.Get(ctx(t), "web", metav1.GetOptions{})
		ready, _, _ := unstructured.NestedInt64(d.Object, "status", "readyReplicas")
		return err == nil && ready == 1
	}, 30*time.Second, 50*time.Millisecond)
	d, err := deployments.Get(ctx(t), "web", metav1.GetOptions{})
	require.NoError(t, err)

	r, err := logs.StreamOwner(ctx(t), d, Options{PodLogOptions: PodLogOptions{Follow: true, TailLines: new(int64(1))}, Prefix: true})
	require.NoError(t, err)
	defer r.Close()
	sc := bufio.NewScanner(r)
	pods := map[string]bool{}
	sawStatic := false
	scaled := false
	deadline := time.Now().Add(30 * time.Second)
	for len(pods) < 2 || !sawStatic {
		require.True(t, time.Now().Before(deadline), "pods seen %v, static line seen %t", pods, sawStatic)
		require.True(t, sc.Scan(), "the stream ended: %v", sc.Err())
		prefix, line, ok := strings.Cut(sc.Text(), "] ")
		require.True(t, ok, "line without prefix: %q", sc.Text())
		require.Regexp(t, `^\[pod/web-[a-z0-9-]+/(app|ticker)$`, prefix)
		if strings.HasSuffix(prefix, "/app") {
			// A container started after the follow began is read from
			// its first line; one running at the start, from its tail.
			require.Contains(t, []string{testcluster.StaticLogLine(1), testcluster.StaticLogLine(testcluster.StaticLogLines)}, line)
			sawStatic = true
		} else {
			require.Regexp(t, `^tick \d+$`, line)
		}
		pods[strings.Split(prefix, "/")[1]] = true
		if !scaled {
			_, err := deployments.Patch(ctx(t), "web", "application/merge-patch+json", []byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{})
			require.NoError(t, err)
			scaled = true
		}
	}
}
