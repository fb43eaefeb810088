package wait

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
	"github.com/anykube/anykube/restmapper"
	au "github.com/anykube/anykube/unstructured"
	"github.com/anykube/anykube/unstructured/status"
)

// The workloads are the local control plane's: pods are scheduled by
// kube-scheduler, run by kwok and turn Ready about a second after creation.
func TestMain(m *testing.M) { testcluster.MainWith(m, testcluster.Options{Workloads: true}) }

const workloads = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: busybox}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: app, image: busybox}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
`

// broken never becomes Ready: its pod runs but reports not Ready, and the
// controller gives up after two seconds.
const broken = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: broken}}
  template:
    metadata:
      labels: {app: broken}
      annotations: {testcluster.anykube.io/ready: "false"}
    spec: {containers: [{name: app, image: busybox}]}
`

// setup returns a dynamic client and a mapper on the shared cluster,
// counting requests with counter when it is not nil, and a namespace.
func setup(t *testing.T, counter *e2e.Counter) (dynamic.Interface, *restmapper.LazyRESTMapper, string) {
	t.Helper()
	c := testcluster.Shared(t)
	cfg := e2e.Config(c, counter)
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	require.NoError(t, err)
	return dc, restmapper.NewLazyRESTMapper(disc, restmapper.LazyOptions{}), e2e.CreateNamespace(t, c, "wait")
}

// create creates the objects of a manifest in ns and returns them.
func create(t *testing.T, dc dynamic.Interface, mapper *restmapper.LazyRESTMapper, ns, manifest string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := au.ReadManifests(strings.NewReader(manifest), au.DecoderOptions{})
	require.NoError(t, err)
	for _, u := range objs {
		m, err := au.DefaultNamespace(u, mapper, ns)
		require.NoError(t, err)
		_, err = dc.Resource(m.Resource).Namespace(ns).Create(t.Context(), u, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	return objs
}

func TestWaitE2EWorkloadsBecomeCurrent(t *testing.T) {
	dc, mapper, ns := setup(t, nil)
	objs, err := ObjectsFor(mapper, create(t, dc, mapper, ns, workloads)...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	var lines []string
	start := time.Now()
	states, err := Wait(ctx, dc, objs, Options{Progress: func(s State) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, s.String())
	}})
	t.Logf("after %v:\n%s", time.Since(start).Round(time.Millisecond), strings.Join(lines, "\n"))
	require.NoError(t, err)
	for _, s := range states {
		assert.Equal(t, status.Current, s.Result.Status, "%s", s)
	}

	// Current means what it says: the Deployment's pods are Ready and the
	// Job has completed.
	deploy, err := dc.Resource(objs[0].Resource).Namespace(ns).Get(t.Context(), "web", metav1.GetOptions{})
	require.NoError(t, err)
	ready, _ := au.GetInt64(deploy, "status.readyReplicas")
	assert.EqualValues(t, 2, ready)
	job, err := dc.Resource(objs[1].Resource).Namespace(ns).Get(t.Context(), "once", metav1.GetOptions{})
	require.NoError(t, err)
	assert.True(t, au.IsConditionTrue(job, "Complete"))
	// On the way the Job was seen running, not Current.
	assert.Contains(t, strings.Join(lines, "\n"), "Job "+ns+"/once: InProgress")
}

func TestWaitE2EBrokenDeploymentFails(t *testing.T) {
	dc, mapper, ns := setup(t, nil)
	objs, err := ObjectsFor(mapper, create(t, dc, mapper, ns, broken+"---\n"+workloads)...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err = Wait(ctx, dc, objs, Options{})
	t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), err)
	require.ErrorIs(t, err, ErrFailed)
	var we *Error
	require.ErrorAs(t, err, &we)
	require.NotEmpty(t, we.Pending)
	first := we.Pending[0]
	assert.Equal(t, "broken", first.Object.Name)
	assert.Equal(t, status.Failed, first.Result.Status)
	assert.Equal(t, "ProgressDeadlineExceeded", first.Result.Reason)
	assert.Contains(t, err.Error(), "Deployment "+ns+"/broken: Failed: progress deadline exceeded")
}

func TestWaitE2ETimeoutNamesStuckObjects(t *testing.T) {
	dc, mapper, ns := setup(t, nil)
	// A nodeSelector nothing matches keeps the pod Pending; without a
	// deadline the Deployment stays InProgress, so the wait times out.
	stuck := strings.Replace(broken, "spec: {containers:", "spec: {nodeSelector: {nowhere: \"true\"}, containers:", 1)
	stuck = strings.Replace(stuck, "progressDeadlineSeconds: 2", "progressDeadlineSeconds: 600", 1)
	objs, err := ObjectsFor(mapper, create(t, dc, mapper, ns, stuck)...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	_, err = Wait(ctx, dc, objs, Options{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "1 of 1 objects not ready")
	assert.Contains(t, err.Error(), "Deployment "+ns+"/broken: InProgress")
}

// TestWaitE2EManyObjectsOneWatch waits for 500 ConfigMaps and a Secret to
// reach a custom condition while another client changes them, and counts
// what the wait sent: one list and one watch per resource type.
func TestWaitE2EManyObjectsOneWatch(t *testing.T) {
	var counter e2e.Counter
	c := testcluster.Shared(t)
	cfg := e2e.Config(c, &counter)
	rec := &recorder{}
	cfg.WrapTransport = func(next http.RoundTripper) http.RoundTripper {
		rec.next = counter.Wrap(next)
		return rec
	}
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	ns := e2e.CreateNamespace(t, c, "wait")
	other, err := dynamic.NewForConfig(e2e.Config(c, nil))
	require.NoError(t, err)
	cms := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	secrets := schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	const n = 500
	objs := make([]Object, 0, n+1)
	forEach := func(fn func(i int) error) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				errs <- fn(i)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	}
	cm := func(i int, ready string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": fmt.Sprintf("cm-%03d", i), "namespace": ns},
			"data":     map[string]any{"ready": ready},
		}}
	}
	forEach(func(i int) error {
		_, err := other.Resource(cms).Namespace(ns).Create(t.Context(), cm(i, "no"), metav1.CreateOptions{})
		return err
	})
	for i := range n {
		objs = append(objs, Object{Resource: cms, Kind: "ConfigMap", Namespace: ns, Name: fmt.Sprintf("cm-%03d", i)})
	}
	objs = append(objs, Object{Resource: secrets, Kind: "Secret", Namespace: ns, Name: "token"})

	ready, err := FieldEquals("data.ready", "yes")
	require.NoError(t, err)
	secretThere := func(obj *unstructured.Unstructured, r status.Result) bool {
		if obj != nil && obj.GetKind() == "Secret" {
			return true
		}
		return ready(obj, r)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		forEach(func(i int) error {
			_, err := other.Resource(cms).Namespace(ns).Update(context.Background(), cm(i, "yes"), metav1.UpdateOptions{})
			return err
		})
		_, _ = other.Resource(secrets).Namespace(ns).Create(context.Background(), &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "token"},
		}}, metav1.CreateOptions{})
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	counter.Take()
	rec.take()
	var updates int
	states, err := Wait(ctx, dc, objs, Options{Until: secretThere, Progress: func(State) { updates++ }})
	requests := counter.Take()
	require.NoError(t, err)
	assert.Len(t, states, n+1)
	t.Logf("%d objects, %d progress calls, %d requests: %v", len(objs), updates, requests, rec.all())
	// ConfigMaps: a list of 501 items (the namespace's kube-root-ca.crt
	// too) in two pages of 500, and one watch; the Secret, alone, is
	// watched with a field selector: one list, one watch.
	assert.EqualValues(t, 5, requests)
	assert.Equal(t, map[string]int{
		"/api/v1/namespaces/" + ns + "/configmaps": 1,
		"/api/v1/namespaces/" + ns + "/secrets":    1,
	}, rec.watches())
}

// recorder remembers the requests a client sends.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []*url.URL
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.URL)
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) take() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, u := range r.reqs {
		out = append(out, u.Path+"?"+u.RawQuery)
	}
	return out
}

// watches counts the watch requests per path.
func (r *recorder) watches() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, u := range r.reqs {
		if u.Query().Get("watch") == "true" {
			out[u.Path]++
		}
	}
	return out
}
