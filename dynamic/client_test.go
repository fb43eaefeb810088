package dynamic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube"
)

// updateGolden rewrites testdata/golden from what the client sends:
// ANYKUBE_UPDATE_GOLDEN=1 go test ./dynamic -run TestGoldenRequests
var updateGolden = os.Getenv("ANYKUBE_UPDATE_GOLDEN") != ""

var (
	cmGVR    = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	flipsGVR = schema.GroupVersionResource{Group: "flops.example.com", Version: "v1alpha1", Resource: "flips"}
)

const cmJSON = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"mips","namespace":"mops","resourceVersion":"7"}}`

// newClient returns a client for a test server running h, and a counter of
// the requests it received.
func newClient(t *testing.T, h http.HandlerFunc) (*DynamicClient, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	dc, err := NewForConfigAndClient(&anykube.Config{Host: srv.URL, QPS: -1}, srv.Client())
	require.NoError(t, err)
	return dc, &n
}

func flip(name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "flops.example.com/v1alpha1", "kind": "Flip", "spec": map[string]any{"n": 1}}}
	u.SetName(name)
	return u
}

func TestGoldenRequests(t *testing.T) {
	ctx := context.Background()
	yes := true
	grace := int64(5)
	uid := types.UID("u-1")
	policy := metav1.DeletePropagationForeground
	tests := []struct {
		name string
		do   func(c *DynamicClient) error
	}{
		{"create", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").Create(ctx, flip("mips"), metav1.CreateOptions{FieldManager: "m", DryRun: []string{"All"}, FieldValidation: "Strict"})
			return err
		}},
		{"create-subresource", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").Create(ctx, flip("mips"), metav1.CreateOptions{}, "token")
			return err
		}},
		{"update", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").Update(ctx, flip("mips"), metav1.UpdateOptions{FieldManager: "m"})
			return err
		}},
		{"updatestatus", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").UpdateStatus(ctx, flip("mips"), metav1.UpdateOptions{})
			return err
		}},
		{"delete", func(c *DynamicClient) error {
			return c.Resource(flipsGVR).Namespace("mops").Delete(ctx, "mips", metav1.DeleteOptions{GracePeriodSeconds: &grace, PropagationPolicy: &policy, Preconditions: &metav1.Preconditions{UID: &uid}, DryRun: []string{"All"}})
		}},
		{"deletecollection", func(c *DynamicClient) error {
			return c.Resource(flipsGVR).Namespace("mops").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "app=x,tier in (a,b)", FieldSelector: "metadata.name!=keep"})
		}},
		{"get", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").Get(ctx, "mips", metav1.GetOptions{ResourceVersion: "0"}, "scale")
			return err
		}},
		{"get-cluster-core", func(c *DynamicClient) error {
			_, err := c.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Get(ctx, "kube-system", metav1.GetOptions{})
			return err
		}},
		{"list", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).List(ctx, metav1.ListOptions{LabelSelector: "a=b", Limit: 100, Continue: "tok", ResourceVersion: "9", ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan})
			return err
		}},
		{"watch", func(c *DynamicClient) error {
			w, err := c.Resource(flipsGVR).Namespace("mops").Watch(ctx, metav1.ListOptions{ResourceVersion: "9", AllowWatchBookmarks: true, SendInitialEvents: &yes, ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan, TimeoutSeconds: &grace})
			if err == nil {
				for range w.ResultChan() {
				}
			}
			return err
		}},
		{"patch-merge", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").Patch(ctx, "mips", types.MergePatchType, []byte(`{"spec":{"n":2}}`), metav1.PatchOptions{FieldManager: "m"})
			return err
		}},
		{"patch-json-status", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").Patch(ctx, "mips", types.JSONPatchType, []byte(`[{"op":"add","path":"/status/x","value":1}]`), metav1.PatchOptions{}, "status")
			return err
		}},
		{"patch-strategic", func(c *DynamicClient) error {
			_, err := c.Resource(cmGVR).Namespace("mops").Patch(ctx, "mips", types.StrategicMergePatchType, []byte(`{"data":{"a":"b"}}`), metav1.PatchOptions{})
			return err
		}},
		{"apply", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").Apply(ctx, "mips", flip("mips"), metav1.ApplyOptions{FieldManager: "m"})
			return err
		}},
		{"apply-force", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").Apply(ctx, "mips", flip("mips"), metav1.ApplyOptions{FieldManager: "m", Force: true, DryRun: []string{"All"}})
			return err
		}},
		{"applystatus", func(c *DynamicClient) error {
			_, err := c.Resource(flipsGVR).Namespace("mops").ApplyStatus(ctx, "mips", flip("mips"), metav1.ApplyOptions{FieldManager: "m"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			c, n := newClient(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got = fmt.Sprintf("%s %s\nAccept: %s\nContent-Type: %s\n\n%s\n", r.Method, r.URL.RequestURI(), r.Header.Get("Accept"), r.Header.Get("Content-Type"), body)
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.URL.Query().Get("watch") == "true":
					fmt.Fprintf(w, `{"type":"ADDED","object":%s}`, cmJSON)
				case r.Method == http.MethodGet && !strings.Contains(r.URL.Path, "mips") && !strings.Contains(r.URL.Path, "kube-system"):
					fmt.Fprint(w, `{"apiVersion":"v1","kind":"List","metadata":{},"items":[]}`)
				case r.Method == http.MethodDelete:
					fmt.Fprint(w, `{"apiVersion":"v1","kind":"Status","status":"Success"}`)
				default:
					fmt.Fprint(w, cmJSON)
				}
			})
			require.NoError(t, tt.do(c))
			require.EqualValues(t, 1, n.Load())
			path := filepath.Join("testdata", "golden", tt.name)
			if updateGolden {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with ANYKUBE_UPDATE_GOLDEN=1 to create it")
			assert.Equal(t, string(want), got)
		})
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	ctx := context.Background()
	c, n := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request sent: %s %s", r.Method, r.URL)
	})
	cms := c.Resource(cmGVR)
	noKind := flip("a")
	noKind.SetKind("")
	noVersion := flip("a")
	noVersion.SetAPIVersion("")
	withMF := flip("a")
	withMF.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "x"}})
	tests := []struct {
		name, verb string
		call       func() error
	}{
		{"empty name", "get", func() error { _, err := cms.Namespace("ns").Get(ctx, "", metav1.GetOptions{}); return err }},
		{"slash in name", "get", func() error { _, err := cms.Namespace("ns").Get(ctx, "a/b", metav1.GetOptions{}); return err }},
		{"dot-dot name", "delete", func() error { return cms.Namespace("ns").Delete(ctx, "..", metav1.DeleteOptions{}) }},
		{"percent in name", "patch", func() error {
			_, err := cms.Namespace("ns").Patch(ctx, "a%2F", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{})
			return err
		}},
		{"bad namespace", "list", func() error { _, err := cms.Namespace("a/b").List(ctx, metav1.ListOptions{}); return err }},
		{"bad namespace watch", "watch", func() error { _, err := cms.Namespace("..").Watch(ctx, metav1.ListOptions{}); return err }},
		{"bad namespace deletecollection", "deletecollection", func() error {
			return cms.Namespace("a/b").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		}},
		{"bad subresource", "get", func() error { _, err := cms.Namespace("ns").Get(ctx, "a", metav1.GetOptions{}, "status/x"); return err }},
		{"create without kind", "create", func() error { _, err := cms.Create(ctx, noKind, metav1.CreateOptions{}); return err }},
		{"create without apiVersion", "create", func() error { _, err := cms.Create(ctx, noVersion, metav1.CreateOptions{}); return err }},
		{"create nil", "create", func() error { _, err := cms.Create(ctx, nil, metav1.CreateOptions{}); return err }},
		{"create subresource without name", "create", func() error { _, err := cms.Create(ctx, flip(""), metav1.CreateOptions{}, "token"); return err }},
		{"update without name", "update", func() error { _, err := cms.Update(ctx, flip(""), metav1.UpdateOptions{}); return err }},
		{"update without kind", "update", func() error { _, err := cms.Update(ctx, noKind, metav1.UpdateOptions{}); return err }},
		{"apply without field manager", "apply", func() error {
			_, err := cms.Namespace("ns").Apply(ctx, "a", flip("a"), metav1.ApplyOptions{})
			return err
		}},
		{"apply with managedFields", "apply", func() error {
			_, err := cms.Namespace("ns").Apply(ctx, "a", withMF, metav1.ApplyOptions{FieldManager: "m"})
			return err
		}},
		{"apply without kind", "apply", func() error {
			_, err := cms.Namespace("ns").Apply(ctx, "a", noKind, metav1.ApplyOptions{FieldManager: "m"})
			return err
		}},
		{"patch without type", "patch", func() error {
			_, err := cms.Namespace("ns").Patch(ctx, "a", "", []byte(`{}`), metav1.PatchOptions{})
			return err
		}},
		{"empty resource", "list", func() error {
			_, err := c.Resource(schema.GroupVersionResource{Version: "v1"}).List(ctx, metav1.ListOptions{})
			return err
		}},
		{"empty version", "get", func() error {
			_, err := c.Resource(schema.GroupVersionResource{Group: "apps", Resource: "deployments"}).Get(ctx, "a", metav1.GetOptions{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.ErrorIs(t, err, ErrInvalidRequest)
			var de *Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.verb, de.Verb)
		})
	}
	assert.Zero(t, n.Load())
}

func TestServerErrorsAreStatusErrors(t *testing.T) {
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"configmaps \"x\" not found","details":{"name":"x","kind":"configmaps"}}`)
	})
	_, err := c.Resource(cmGVR).Namespace("ns").Get(context.Background(), "x", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
	_, ok := err.(*apierrors.StatusError)
	assert.True(t, ok, "returned unwrapped, as client-go does: %T", err)
	_, err = c.Resource(cmGVR).Watch(context.Background(), metav1.ListOptions{})
	assert.True(t, apierrors.IsNotFound(err))
	assert.True(t, apierrors.IsNotFound(c.Resource(cmGVR).Namespace("ns").Delete(context.Background(), "x", metav1.DeleteOptions{})))
}

func TestGarbledResponses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, contentType, body string
	}{
		{"truncated", "application/json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":`},
		{"html", "text/html", `<html><body>proxy error</body></html>`},
		{"array", "application/json", `[1,2,3]`},
		{"no kind", "application/json", `{"apiVersion":"v1","metadata":{}}`},
		{"empty", "application/json", ``},
		{"trailing garbage", "application/json", cmJSON + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				fmt.Fprint(w, tt.body)
			})
			cms := c.Resource(cmGVR).Namespace("ns")
			_, err := cms.Get(ctx, "x", metav1.GetOptions{})
			require.Error(t, err)
			var de *Error
			require.ErrorAs(t, err, &de)
			assert.Contains(t, err.Error(), "get configmaps.v1 ns/x: decoding the response")
			assert.NotErrorIs(t, err, ErrInvalidRequest)

			_, err = cms.List(ctx, metav1.ListOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "list configmaps.v1 in namespace ns: decoding the response")

			_, err = cms.Create(ctx, configMapObj("x"), metav1.CreateOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "create configmaps.v1 in namespace ns: decoding the response")
		})
	}
}

// A Secret whose answer lacks its kind (a broken proxy, a buggy
// aggregated API) must not have its data quoted in the error.
func TestKindlessSecretIsNotQuoted(t *testing.T) {
	const body = `{"apiVersion":"v1","metadata":{"name":"db"},"data":{"password":"S0VZLVNFQ1JFVA=="},"stringData":{"token":"TOKEN-SECRET"}}`
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v1/namespaces/ns/secrets" {
			fmt.Fprint(w, `{"apiVersion":"v1","metadata":{},"items":[`+strings.Replace(body, "{", `{"kind":"Secret",`, 1)+`],"leftover":`+body+`}`)
			return
		}
		fmt.Fprint(w, body)
	})
	secrets := c.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace("ns")
	_, err := secrets.Get(context.Background(), "db", metav1.GetOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Object 'Kind' is missing in 'the JSON object at offset 0 has no "kind" field'`)
	_, listErr := secrets.List(context.Background(), metav1.ListOptions{})
	require.Error(t, listErr)
	for _, e := range []error{err, listErr} {
		for _, secret := range []string{"S0VZLVNFQ1JFVA==", "TOKEN-SECRET", "password"} {
			assert.NotContains(t, e.Error(), secret)
		}
	}
}

// A List whose answer never ends stops at Config.MaxResponseBytes.
func TestEndlessListStopsAtTheLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"kind":"ConfigMapList","apiVersion":"v1","items":[`)
		item := []byte(strings.Repeat(`{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}},`, 1000))
		for r.Context().Err() == nil {
			if _, err := w.Write(item); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	dc, err := NewForConfigAndClient(&anykube.Config{Host: srv.URL, QPS: -1, MaxResponseBytes: 4 << 20}, srv.Client())
	require.NoError(t, err)
	_, err = dc.Resource(cmGVR).Namespace("ns").List(context.Background(), metav1.ListOptions{})
	var tl *anykube.ResponseTooLargeError
	require.True(t, errors.As(err, &tl), "%v", err)
	assert.Equal(t, "/api/v1/namespaces/ns/configmaps", tl.Path)
	assert.Contains(t, err.Error(), "dynamic: list configmaps.v1 in namespace ns: GET /api/v1/namespaces/ns/configmaps: the response body grew past the limit of 4194304 bytes")
}

func configMapObj(name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}
	u.SetName(name)
	return u
}

func TestListKeepsKinds(t *testing.T) {
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"next","remainingItemCount":3},"items":[{"metadata":{"name":"a"},"data":{"n":"1"}},{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}]}`)
	})
	l, err := c.Resource(cmGVR).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, "ConfigMapList", l.GetKind())
	assert.Equal(t, "v1", l.GetAPIVersion())
	assert.Equal(t, "42", l.GetResourceVersion())
	assert.Equal(t, "next", l.GetContinue())
	require.Len(t, l.Items, 2)
	for _, it := range l.Items {
		assert.Equal(t, "ConfigMap", it.GetKind())
		assert.Equal(t, "v1", it.GetAPIVersion())
	}
}

func TestTransportErrorNamesTheCall(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c, err := NewForConfigAndClient(&anykube.Config{Host: srv.URL, QPS: -1}, http.DefaultClient)
	require.NoError(t, err)
	_, err = c.Resource(cmGVR).Namespace("ns").Get(context.Background(), "x", metav1.GetOptions{})
	var de *Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "get", de.Verb)
	assert.Equal(t, "x", de.Name)
	assert.Contains(t, err.Error(), "dynamic: get configmaps.v1 ns/x: ")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Resource(cmGVR).List(ctx, metav1.ListOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestConstructors(t *testing.T) {
	_, err := NewForConfig(nil)
	assert.Error(t, err)
	_, err = NewForConfigAndClient(&anykube.Config{}, http.DefaultClient)
	assert.Error(t, err, "no host")
	_, err = NewForConfigAndClient(&anykube.Config{Host: "https://x"}, nil)
	assert.Error(t, err)
	c, err := NewForConfig(&anykube.Config{Host: "https://127.0.0.1:1"})
	require.NoError(t, err)
	assert.NotNil(t, c.Resource(cmGVR).Namespace("x"))
}

// Namespace returns a copy: clients for two namespaces can be used at once.
func TestNamespaceCopies(t *testing.T) {
	var mu sync.Mutex
	paths := map[string]bool{}
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths[r.URL.Path] = true
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, cmJSON)
	})
	all := c.Resource(cmGVR)
	a, b := all.Namespace("a"), all.Namespace("b")
	var wg sync.WaitGroup
	for _, ri := range []ResourceInterface{a, b, all.Namespace("a")} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ri.Get(context.Background(), "x", metav1.GetOptions{})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, map[string]bool{"/api/v1/namespaces/a/configmaps/x": true, "/api/v1/namespaces/b/configmaps/x": true}, paths)
	_ = errors.New
}
