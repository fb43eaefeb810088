package scale

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube"
)

// seen is one request that reached the test server.
type seen struct {
	Method, Path, Query, ContentType string
	Body                             string
}

// server is an API server stand-in that records requests and answers with
// answer.
type server struct {
	*httptest.Server
	mu     sync.Mutex // guards reqs and answer
	reqs   []seen
	answer func(r *http.Request) (int, string)
}

func newServer(t *testing.T) *server {
	s := &server{answer: func(*http.Request) (int, string) { return 200, scaleJSON("web", 3, "app=demo") }}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(body)})
		answer := s.answer
		s.mu.Unlock()
		code, out := answer(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) setAnswer(fn func(r *http.Request) (int, string)) {
	s.mu.Lock()
	s.answer = fn
	s.mu.Unlock()
}

func (s *server) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

func (s *server) last(t *testing.T) seen {
	t.Helper()
	reqs := s.requests()
	require.NotEmpty(t, reqs)
	return reqs[len(reqs)-1]
}

func scaleJSON(name string, replicas int32, selector string) string {
	data, _ := json.Marshal(map[string]any{
		"apiVersion": "autoscaling/v1", "kind": "Scale",
		"metadata": map[string]any{"name": name, "namespace": "ns", "resourceVersion": "7"},
		"spec":     map[string]any{"replicas": replicas},
		"status":   map[string]any{"replicas": 1, "selector": selector},
	})
	return string(data)
}

func statusJSON(code int, reason metav1.StatusReason, msg string) string {
	data, _ := json.Marshal(metav1.Status{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"},
		Status:   metav1.StatusFailure, Code: int32(code), Reason: reason, Message: msg,
	})
	return string(data)
}

// stubMapper maps a resource to the version in versions, counting calls.
type stubMapper struct {
	versions map[schema.GroupResource]string
	calls    atomic.Int64
}

func (m *stubMapper) ResourceFor(in schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	m.calls.Add(1)
	if in.Version != "" {
		return schema.GroupVersionResource{}, errors.New("the client must ask without a version")
	}
	v, ok := m.versions[in.GroupResource()]
	if !ok {
		return schema.GroupVersionResource{}, &meta.NoResourceMatchError{PartialResource: in}
	}
	return in.GroupResource().WithVersion(v), nil
}

func newMapper() *stubMapper {
	return &stubMapper{versions: map[schema.GroupResource]string{
		{Group: "apps", Resource: "deployments"}:       "v1",
		{Resource: "replicationcontrollers"}:           "v1",
		{Resource: "configmaps"}:                       "v1",
		{Group: "example.com", Resource: "widgets"}:    "v1",
		{Group: "extensions", Resource: "deployments"}: "v1beta1",
	}}
}

// stubKinds is a ScaleKindResolver from a map; resources missing from it
// have no scale subresource.
type stubKinds map[schema.GroupVersionResource]schema.GroupVersionKind

func (k stubKinds) ScaleForResource(r schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	if gvk, ok := k[r]; ok {
		return gvk, nil
	}
	return schema.GroupVersionKind{}, &NoScaleSubresourceError{Resource: r}
}

func newKinds() stubKinds {
	return stubKinds{
		deploymentsGVR: autoscalingV1,
		{Version: "v1", Resource: "replicationcontrollers"}: autoscalingV1,
		widgetsGVR: autoscalingV1,
		{Group: "extensions", Version: "v1beta1", Resource: "deployments"}: {Group: "extensions", Version: "v1beta1", Kind: "Scale"},
	}
}

var (
	deploymentsGR = schema.GroupResource{Group: "apps", Resource: "deployments"}
	configMapsGR  = schema.GroupResource{Resource: "configmaps"}
)

func newClient(t *testing.T, s *server, mapper PreferredResourceMapper, paths APIPathResolverFunc) ScalesGetter {
	t.Helper()
	c, err := NewForConfig(&anykube.Config{Host: s.URL, QPS: -1}, mapper, paths, newKinds())
	require.NoError(t, err)
	return c
}

func TestGetPaths(t *testing.T) {
	s := newServer(t)
	c := newClient(t, s, newMapper(), nil)
	ctx := context.Background()
	cases := []struct {
		ns       string
		resource schema.GroupResource
		want     string
	}{
		{"ns", deploymentsGR, "/apis/apps/v1/namespaces/ns/deployments/web/scale"},
		{"ns", schema.GroupResource{Resource: "replicationcontrollers"}, "/api/v1/namespaces/ns/replicationcontrollers/web/scale"},
		{"", schema.GroupResource{Group: "example.com", Resource: "widgets"}, "/apis/example.com/v1/widgets/web/scale"},
	}
	for _, tc := range cases {
		got, err := c.Scales(tc.ns).Get(ctx, tc.resource, "web", metav1.GetOptions{ResourceVersion: "5"})
		require.NoError(t, err)
		assert.Equal(t, seen{Method: "GET", Path: tc.want, Query: "resourceVersion=5"}, s.last(t))
		assert.Equal(t, &Scale{
			TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", ResourceVersion: "7"},
			Spec:       ScaleSpec{Replicas: 3},
			Status:     ScaleStatus{Replicas: 1, Selector: "app=demo"},
		}, got)
	}
}

func TestGetReadsOldFlavour(t *testing.T) {
	s := newServer(t)
	s.setAnswer(func(*http.Request) (int, string) {
		return 200, `{"apiVersion":"extensions/v1beta1","kind":"Scale","metadata":{"name":"web"},
			"spec":{"replicas":4},"status":{"replicas":2,"selector":{"app":"demo"},"targetSelector":"app=demo"}}`
	})
	got, err := newClient(t, s, newMapper(), nil).Scales("ns").Get(context.Background(), schema.GroupResource{Group: "extensions", Resource: "deployments"}, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "/apis/extensions/v1beta1/namespaces/ns/deployments/web/scale", s.last(t).Path)
	assert.Equal(t, "autoscaling/v1", got.APIVersion)
	assert.Equal(t, int32(4), got.Spec.Replicas)
	assert.Equal(t, "app=demo", got.Status.Selector)
}

func TestCustomAPIPath(t *testing.T) {
	s := newServer(t)
	paths := func(kind schema.GroupVersionKind) string {
		if kind.Group == "" {
			return "/legacy"
		}
		return "/groups"
	}
	c := newClient(t, s, newMapper(), paths)
	ctx := context.Background()
	_, err := c.Scales("ns").Get(ctx, deploymentsGR, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "/groups/apps/v1/namespaces/ns/deployments/web/scale", s.last(t).Path)
	_, err = c.Scales("ns").Get(ctx, schema.GroupResource{Resource: "replicationcontrollers"}, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "/legacy/v1/namespaces/ns/replicationcontrollers/web/scale", s.last(t).Path)

	// The standard resolver and an empty answer give the standard paths.
	for _, p := range []APIPathResolverFunc{LegacyAPIPathResolverFunc, func(schema.GroupVersionKind) string { return "" }} {
		_, err = newClient(t, s, newMapper(), p).Scales("ns").Get(ctx, deploymentsGR, "web", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, "/apis/apps/v1/namespaces/ns/deployments/web/scale", s.last(t).Path)
	}
}

func TestUpdateSendsDiscoveredFlavour(t *testing.T) {
	s := newServer(t)
	c := newClient(t, s, newMapper(), nil)
	in := &Scale{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", ResourceVersion: "6"},
		Spec:       ScaleSpec{Replicas: 5},
		Status:     ScaleStatus{Replicas: 1, Selector: "app=demo"},
	}
	got, err := c.Scales("ns").Update(context.Background(), deploymentsGR, in, metav1.UpdateOptions{FieldManager: "me", DryRun: []string{"All"}})
	require.NoError(t, err)
	assert.Equal(t, int32(3), got.Spec.Replicas, "the server's answer is returned")
	req := s.last(t)
	assert.Equal(t, "PUT", req.Method)
	assert.Equal(t, "/apis/apps/v1/namespaces/ns/deployments/web/scale", req.Path)
	assert.Equal(t, "dryRun=All&fieldManager=me", req.Query)
	assert.Equal(t, "application/json", req.ContentType)
	assert.JSONEq(t, `{"apiVersion":"autoscaling/v1","kind":"Scale",
		"metadata":{"name":"web","namespace":"ns","resourceVersion":"6"},
		"spec":{"replicas":5},"status":{"replicas":1,"selector":"app=demo"}}`, req.Body)
	assert.Empty(t, in.APIVersion, "the caller's Scale is not changed")

	_, err = c.Scales("ns").Update(context.Background(), schema.GroupResource{Group: "extensions", Resource: "deployments"}, in, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"apiVersion":"extensions/v1beta1","kind":"Scale",
		"metadata":{"name":"web","namespace":"ns","resourceVersion":"6"},
		"spec":{"replicas":5},"status":{"replicas":1,"selector":{"app":"demo"},"targetSelector":"app=demo"}}`, s.last(t).Body)
}

func TestUpdateConflictIsStatusError(t *testing.T) {
	s := newServer(t)
	s.setAnswer(func(*http.Request) (int, string) {
		return 409, statusJSON(409, metav1.StatusReasonConflict, `Operation cannot be fulfilled on deployments.apps "web": the object has been modified`)
	})
	_, err := newClient(t, s, newMapper(), nil).Scales("ns").Update(context.Background(), deploymentsGR,
		&Scale{ObjectMeta: metav1.ObjectMeta{Name: "web", ResourceVersion: "1"}}, metav1.UpdateOptions{})
	require.Error(t, err)
	assert.True(t, apierrors.IsConflict(err))
	var se *apierrors.StatusError
	assert.True(t, errors.As(err, &se))
	assert.IsType(t, &apierrors.StatusError{}, err, "server errors are returned bare, as by client-go")
}

func TestUpdateWithoutScaleSubresourceSendsNothing(t *testing.T) {
	s := newServer(t)
	_, err := newClient(t, s, newMapper(), nil).Scales("ns").Update(context.Background(), configMapsGR,
		&Scale{ObjectMeta: metav1.ObjectMeta{Name: "cm"}}, metav1.UpdateOptions{})
	var nse *NoScaleSubresourceError
	require.ErrorAs(t, err, &nse)
	assert.Equal(t, configMapsGVR, nse.Resource)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "update", e.Verb)
	assert.Contains(t, err.Error(), "configmaps.v1 has no scale subresource")
	assert.Contains(t, err.Error(), "ns/cm/scale")
	assert.Empty(t, s.requests())
}

func TestNotFoundExplained(t *testing.T) {
	s := newServer(t)
	s.setAnswer(func(r *http.Request) (int, string) {
		if r.URL.Path == "/api/v1/namespaces/ns/configmaps/cm/scale" {
			return 404, statusJSON(404, metav1.StatusReasonNotFound, "the server could not find the requested resource")
		}
		return 404, statusJSON(404, metav1.StatusReasonNotFound, `deployments.apps "gone" not found`)
	})
	c := newClient(t, s, newMapper(), nil)
	ctx := context.Background()

	// A resource without a scale subresource: the 404 says so.
	_, err := c.Scales("ns").Get(ctx, configMapsGR, "cm", metav1.GetOptions{})
	var nse *NoScaleSubresourceError
	require.ErrorAs(t, err, &nse)
	assert.Equal(t, configMapsGVR, nse.Resource)
	assert.True(t, apierrors.IsNotFound(err), "still a NotFound")
	assert.Contains(t, err.Error(), "configmaps.v1 has no scale subresource")

	_, err = c.Scales("ns").Patch(ctx, configMapsGVR, "cm", types.MergePatchType, ReplicasPatch(1), metav1.PatchOptions{})
	require.ErrorAs(t, err, &nse)

	// A missing object of a scalable resource: the server's error as is.
	_, err = c.Scales("ns").Get(ctx, deploymentsGR, "gone", metav1.GetOptions{})
	require.True(t, apierrors.IsNotFound(err))
	assert.False(t, errors.As(err, &nse))
	assert.IsType(t, &apierrors.StatusError{}, err)
}

func TestPatch(t *testing.T) {
	s := newServer(t)
	m := newMapper()
	c := newClient(t, s, m, nil)
	ctx := context.Background()

	data := []byte(`[{"op":"replace","path":"/spec/replicas","value":2}]`)
	_, err := c.Scales("ns").Patch(ctx, deploymentsGVR, "web", types.JSONPatchType, data, metav1.PatchOptions{FieldManager: "me"})
	require.NoError(t, err)
	assert.Equal(t, seen{Method: "PATCH", Path: "/apis/apps/v1/namespaces/ns/deployments/web/scale", Query: "fieldManager=me",
		ContentType: "application/json-patch+json", Body: string(data)}, s.last(t))
	assert.Zero(t, m.calls.Load(), "a full GroupVersionResource needs no mapper")

	// Without a version, the mapper chooses one.
	_, err = c.Scales("ns").Patch(ctx, deploymentsGR.WithVersion(""), "web", types.MergePatchType, ReplicasPatch(2), metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, "/apis/apps/v1/namespaces/ns/deployments/web/scale", s.last(t).Path)
	assert.Equal(t, int64(1), m.calls.Load())
}

func TestSetReplicas(t *testing.T) {
	s := newServer(t)
	c := newClient(t, s, newMapper(), nil)
	for _, n := range []int32{0, 7} {
		got, err := SetReplicas(context.Background(), c.Scales("ns"), deploymentsGVR, "web", n, metav1.PatchOptions{})
		require.NoError(t, err)
		assert.Equal(t, "web", got.Name)
		assert.Equal(t, seen{Method: "PATCH", Path: "/apis/apps/v1/namespaces/ns/deployments/web/scale",
			ContentType: "application/merge-patch+json", Body: string(ReplicasPatch(n))}, s.last(t))
	}
	assert.Len(t, s.requests(), 2, "one request per call")
	assert.Equal(t, `{"spec":{"replicas":0}}`, string(ReplicasPatch(0)))
	assert.Equal(t, `{"spec":{"replicas":-2147483648}}`, string(ReplicasPatch(-2147483648)))

	_, err := SetReplicas(context.Background(), nil, deploymentsGVR, "web", 1, metav1.PatchOptions{})
	require.ErrorIs(t, err, ErrInvalidRequest)
}

func TestInvalidInputSendsNothing(t *testing.T) {
	s := newServer(t)
	m := newMapper()
	c := newClient(t, s, m, nil)
	ctx := context.Background()
	cases := map[string]func() error{
		"empty name": func() error {
			_, err := c.Scales("ns").Get(ctx, deploymentsGR, "", metav1.GetOptions{})
			return err
		},
		"name with slash": func() error {
			_, err := c.Scales("ns").Get(ctx, deploymentsGR, "a/b", metav1.GetOptions{})
			return err
		},
		"dot-dot name": func() error {
			_, err := c.Scales("ns").Patch(ctx, deploymentsGVR, "..", types.MergePatchType, nil, metav1.PatchOptions{})
			return err
		},
		"bad namespace": func() error {
			_, err := c.Scales("a/b").Get(ctx, deploymentsGR, "web", metav1.GetOptions{})
			return err
		},
		"empty resource": func() error {
			_, err := c.Scales("ns").Get(ctx, schema.GroupResource{Group: "apps"}, "web", metav1.GetOptions{})
			return err
		},
		"nil scale": func() error {
			_, err := c.Scales("ns").Update(ctx, deploymentsGR, nil, metav1.UpdateOptions{})
			return err
		},
		"unnamed scale": func() error {
			_, err := c.Scales("ns").Update(ctx, deploymentsGR, &Scale{}, metav1.UpdateOptions{})
			return err
		},
		"empty patch type": func() error {
			_, err := c.Scales("ns").Patch(ctx, deploymentsGVR, "web", "", ReplicasPatch(1), metav1.PatchOptions{})
			return err
		},
		"bad group": func() error {
			_, err := c.Scales("ns").Patch(ctx, schema.GroupVersionResource{Group: "a/b", Version: "v1", Resource: "x"}, "web", types.MergePatchType, nil, metav1.PatchOptions{})
			return err
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, ErrInvalidRequest)
			var e *Error
			require.ErrorAs(t, err, &e)
		})
	}
	assert.Empty(t, s.requests())
	assert.Zero(t, m.calls.Load(), "input is checked before the mapper is asked")
}

func TestMapperErrorSeenThrough(t *testing.T) {
	s := newServer(t)
	_, err := newClient(t, s, newMapper(), nil).Scales("ns").Get(context.Background(), schema.GroupResource{Group: "nope.io", Resource: "things"}, "x", metav1.GetOptions{})
	require.Error(t, err)
	assert.True(t, meta.IsNoMatchError(err), "%v", err)
	assert.Contains(t, err.Error(), "scale: get things.nope.io ns/x/scale")
	assert.Empty(t, s.requests())
}

func TestUndecodableAnswers(t *testing.T) {
	s := newServer(t)
	c := newClient(t, s, newMapper(), nil)
	for body, unsupported := range map[string]bool{
		`<html>proxy says hi</html>`:                                        false,
		`{"apiVersion":"autoscaling/v1","kind":"Scale","spec":{"replicas":`: false,
		`{"apiVersion":"autoscaling/v2","kind":"Scale"}`:                    true,
	} {
		s.setAnswer(func(*http.Request) (int, string) { return 200, body })
		_, err := c.Scales("ns").Get(context.Background(), deploymentsGR, "web", metav1.GetOptions{})
		var e *Error
		require.ErrorAs(t, err, &e, body)
		var uk *UnsupportedScaleKindError
		assert.Equal(t, unsupported, errors.As(err, &uk), "%s: %v", body, err)
	}
}

func TestTransportErrorNamesCall(t *testing.T) {
	s := newServer(t)
	c := newClient(t, s, newMapper(), nil)
	s.Close()
	_, err := c.Scales("ns").Get(context.Background(), deploymentsGR, "web", metav1.GetOptions{})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, deploymentsGVR, e.Resource)
	assert.Contains(t, err.Error(), "scale: get deployments.v1.apps ns/web/scale:")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Scales("ns").Get(ctx, deploymentsGR, "web", metav1.GetOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNewForConfigLeavesConfigAlone(t *testing.T) {
	cfg := &anykube.Config{Host: "https://127.0.0.1:1", BearerToken: "secret", QPS: 3, Burst: 4}
	before := *cfg
	_, err := NewForConfig(cfg, newMapper(), LegacyAPIPathResolverFunc, newKinds())
	require.NoError(t, err)
	assert.True(t, reflect.DeepEqual(before, *cfg), "the caller's Config must not change")
}

func TestNewForConfigRefusesNil(t *testing.T) {
	cfg := &anykube.Config{Host: "https://127.0.0.1:1"}
	_, err := NewForConfig(nil, newMapper(), nil, newKinds())
	assert.Error(t, err)
	_, err = NewForConfig(cfg, nil, nil, newKinds())
	assert.ErrorContains(t, err, "PreferredResourceMapper")
	_, err = NewForConfig(cfg, newMapper(), nil, nil)
	assert.ErrorContains(t, err, "ScaleKindResolver")
	_, err = NewForConfigAndClient(cfg, nil, newMapper(), nil, newKinds())
	assert.Error(t, err)
	_, err = NewForConfig(&anykube.Config{Host: "https://user:pw@host"}, newMapper(), nil, newKinds())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "pw")
}
