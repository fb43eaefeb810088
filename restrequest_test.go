package anykube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// recorded is one request an httptest server received.
type recorded struct {
	method, uri, contentType, accept string
	body                             string
}

// restServer is an httptest server that records each request and answers
// it with handler, and a RESTClient for it without client-side limiting.
func restServer(t *testing.T, cfg Config, handler http.HandlerFunc) (*RESTClient, func() []recorded) {
	t.Helper()
	var (
		got  []recorded
		mu   = make(chan struct{}, 1)
		hits atomic.Int32
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		mu <- struct{}{}
		got = append(got, recorded{r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), r.Header.Get("Accept"), string(b)})
		<-mu
		if handler != nil {
			handler(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	cfg.Host = srv.URL
	if cfg.QPS == 0 {
		cfg.QPS = -1
	}
	c, err := RESTClientForConfigAndClient(&cfg, srv.Client())
	require.NoError(t, err)
	return c, func() []recorded {
		mu <- struct{}{}
		defer func() { <-mu }()
		return append([]recorded(nil), got...)
	}
}

func TestRESTClientPaths(t *testing.T) {
	c, _ := restServer(t, Config{}, nil)
	core := schema.GroupVersion{Version: "v1"}
	apps := schema.GroupVersion{Group: "apps", Version: "v1"}
	tail := int64(20)
	cases := []struct {
		name string
		req  *Request
		want string
	}{
		{"healthz", c.Get().AbsPath("/healthz"), "/healthz"},
		{"readyz verbose", c.Get().AbsPath("/readyz").Param("verbose", ""), "/readyz?verbose="},
		{"core object", c.Get().Version("v1").Namespace("ns").Resource("pods").Name("web"), "/api/v1/namespaces/ns/pods/web"},
		{"group collection", c.Get().GroupVersion(apps).Namespace("ns").Resource("deployments"), "/apis/apps/v1/namespaces/ns/deployments"},
		{"separate group and version", c.Get().Group("apps").Version("v1").Resource("deployments"), "/apis/apps/v1/deployments"},
		{"cluster scoped, namespace ignored", c.Get().GroupVersion(core).NamespaceIfScoped("ns", false).Resource("nodes"), "/api/v1/nodes"},
		{"namespaced if scoped", c.Get().GroupVersion(core).NamespaceIfScoped("ns", true).Resource("pods"), "/api/v1/namespaces/ns/pods"},
		{"subresource", c.Post().Version("v1").Namespace("ns").Resource("pods").Name("web").SubResource("eviction"), "/api/v1/namespaces/ns/pods/web/eviction"},
		{"proxy with suffix", c.Get().Version("v1").Namespace("ns").Resource("services").Name("web:80").SubResource("proxy").Suffix("healthz"),
			"/api/v1/namespaces/ns/services/web:80/proxy/healthz"},
		{"legacy watch prefix", c.Get().Version("v1").Prefix("watch").Namespace("ns").Resource("pods"), "/api/v1/watch/namespaces/ns/pods"},
		{"prefix as root", c.Get().Prefix("apis", "apps", "v1").Resource("deployments"), "/apis/apps/v1/deployments"},
		{"versioned params", c.Get().Version("v1").Namespace("ns").Resource("pods").Name("web").SubResource("log").
			VersionedParams(&struct {
				Container string `json:"container,omitempty"`
				Follow    bool   `json:"follow,omitempty"`
				TailLines *int64 `json:"tailLines,omitempty"`
			}{Container: "app", Follow: true, TailLines: &tail}),
			"/api/v1/namespaces/ns/pods/web/log?container=app&follow=true&tailLines=20"},
		{"list options", c.Get().Version("v1").Resource("pods").VersionedParams(metav1.ListOptions{LabelSelector: "app=web", Limit: 5}),
			"/api/v1/pods?labelSelector=app%3Dweb&limit=5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.req.URL().RequestURI())
		})
	}
}

func TestRESTClientInvalidInputSendsNothing(t *testing.T) {
	c, got := restServer(t, Config{}, nil)
	ctx := context.Background()
	pods := func() *Request { return c.Get().Version("v1").Namespace("ns").Resource("pods") }
	cases := []struct {
		name string
		req  func() *Request
		kind string // the InvalidPathSegmentError's Kind, or "" for another error
	}{
		{"empty name", func() *Request { return pods().Name("") }, "name"},
		{"name with slash", func() *Request { return pods().Name("a/../../secrets") }, "name"},
		{"dot-dot name", func() *Request { return pods().Name("..") }, "name"},
		{"percent in namespace", func() *Request { return c.Get().Version("v1").Namespace("a%2f").Resource("pods") }, "namespace"},
		{"bad subresource", func() *Request { return pods().Name("p").SubResource("log/../exec") }, "subresource"},
		{"empty resource", func() *Request { return c.Get().Version("v1").Resource("") }, "resource"},
		{"bad version", func() *Request { return c.Get().Version("v1/x") }, "version"},
		{"resource without root", func() *Request { return c.Get().Resource("pods") }, ""},
		{"bad params", func() *Request { return pods().VersionedParams(42) }, ""},
		{"string body", func() *Request { return c.Post().AbsPath("/x").Body("file.json") }, ""},
		{"unencodable body", func() *Request { return c.Post().AbsPath("/x").Body(map[string]any{"c": make(chan int)}) }, ""},
		{"failing reader body", func() *Request {
			return c.Post().AbsPath("/x").Body(io.MultiReader(strings.NewReader("x"), errReader{}))
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check := func(what string, err error) {
				t.Helper()
				require.Error(t, err, what)
				if tc.kind != "" {
					var pe *InvalidPathSegmentError
					require.ErrorAs(t, err, &pe, what)
					assert.Equal(t, tc.kind, pe.Kind, what)
				}
			}
			check("Do", tc.req().Do(ctx).Error())
			_, err := tc.req().DoRaw(ctx)
			check("DoRaw", err)
			_, err = tc.req().Stream(ctx)
			check("Stream", err)
			_, err = tc.req().Watch(ctx)
			check("Watch", err)
		})
	}
	assert.Empty(t, got(), "nothing reaches the server")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestRESTClientBodies(t *testing.T) {
	c, got := restServer(t, Config{}, nil)
	ctx := context.Background()
	obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}}}
	require.NoError(t, c.Post().AbsPath("/bytes").Body([]byte(`{"a":1}`)).Do(ctx).Error())
	require.NoError(t, c.Post().AbsPath("/reader").Body(strings.NewReader(`{"b":2}`)).Do(ctx).Error())
	require.NoError(t, c.Post().AbsPath("/object").Body(obj).Do(ctx).Error())
	require.NoError(t, c.Post().AbsPath("/struct").Body(struct {
		N int `json:"n"`
	}{3}).Do(ctx).Error())
	require.NoError(t, c.Post().AbsPath("/nil").Body(nil).Do(ctx).Error())
	require.NoError(t, c.Patch(types.MergePatchType).AbsPath("/patch").Body([]byte(`{}`)).Do(ctx).Error())
	require.NoError(t, c.Put().AbsPath("/yaml").SetHeader("Content-Type", "application/yaml").Body([]byte("a: 1")).Do(ctx).Error())

	r := got()
	require.Len(t, r, 7)
	assert.Equal(t, recorded{"POST", "/bytes", "application/json", "application/json", `{"a":1}`}, r[0])
	assert.Equal(t, `{"b":2}`, r[1].body)
	assert.JSONEq(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`, r[2].body)
	assert.Equal(t, `{"n":3}`, r[3].body)
	assert.Equal(t, "", r[4].body)
	assert.Equal(t, "", r[4].contentType, "no body, no content type")
	assert.Equal(t, recorded{"PATCH", "/patch", "application/merge-patch+json", "application/json", "{}"}, r[5])
	assert.Equal(t, "application/yaml", r[6].contentType)
}

func TestRESTClientResults(t *testing.T) {
	c, _ := restServer(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/namespaces/ns/configmaps/c":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"n":"1"}}`)
		case "/version":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"major":"1","minor":"37","gitVersion":"v1.37.2"}`)
		case "/api/v1/namespaces/ns/configmaps/missing":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"configmaps \"missing\" not found","reason":"NotFound","code":404}`)
		case "/login":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>log in</html>")
		case "/teapot":
			w.WriteHeader(http.StatusTeapot)
			fmt.Fprint(w, "short and stout")
		}
	})
	ctx := context.Background()

	res := c.Get().Version("v1").Namespace("ns").Resource("configmaps").Name("c").Do(ctx)
	require.NoError(t, res.Error())
	assert.Equal(t, http.StatusOK, res.StatusCode())
	assert.Equal(t, "application/json", res.ContentType())
	u, err := res.Get()
	require.NoError(t, err)
	assert.Equal(t, "c", u.GetName())
	var typed struct {
		Data map[string]string `json:"data"`
	}
	require.NoError(t, res.Into(&typed))
	assert.Equal(t, "1", typed.Data["n"])
	raw, err := res.Raw()
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"kind":"ConfigMap"`)

	// JSON without a kind: Into works, Get says what is missing.
	res = c.Get().AbsPath("/version").Do(ctx)
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	require.NoError(t, res.Into(&v))
	assert.Equal(t, "v1.37.2", v.GitVersion)
	_, err = res.Get()
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "/version", de.Path)

	res = c.Get().Version("v1").Namespace("ns").Resource("configmaps").Name("missing").Do(ctx)
	assert.True(t, apierrors.IsNotFound(res.Error()), "%v", res.Error())
	assert.Equal(t, http.StatusNotFound, res.StatusCode())
	raw, err = c.Get().Version("v1").Namespace("ns").Resource("configmaps").Name("missing").DoRaw(ctx)
	assert.True(t, apierrors.IsNotFound(err))
	assert.Contains(t, string(raw), `"reason":"NotFound"`, "DoRaw keeps the server's body")
	_, err = res.Get()
	assert.True(t, apierrors.IsNotFound(err), "Get returns the request's error")

	err = c.Get().AbsPath("/login").Do(ctx).Into(&v)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "text/html", de.ContentType)
	assert.NotContains(t, err.Error(), "log in", "bodies stay out of decode errors")

	err = c.Get().AbsPath("/teapot").Do(ctx).Error()
	var se *apierrors.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, int32(http.StatusTeapot), se.Status().Code)
	assert.Contains(t, se.Error(), "short and stout")
}

func TestRESTClientRetriesAndWarnings(t *testing.T) {
	var n atomic.Int32
	var warned []string
	c, got := restServer(t, Config{WarningHandler: warningFunc(func(text string) { warned = append(warned, text) })},
		func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Header().Add("Warning", `299 - "v1beta1 is deprecated"`)
			fmt.Fprint(w, "{}")
		})
	require.NoError(t, c.Post().AbsPath("/x").Body([]byte("{}")).Do(context.Background()).Error())
	assert.Len(t, got(), 2, "a 429 is sent again, even for a POST")
	assert.Equal(t, []string{"v1beta1 is deprecated"}, warned)

	_, err := c.Get().AbsPath("/x").MaxRetries(0).DoRaw(context.Background())
	require.NoError(t, err)
}

type warningFunc func(text string)

func (f warningFunc) HandleWarningHeader(code int, agent, text string) { f(text) }

// slowStream writes a line every 50ms, four times, flushing each.
func slowStream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	for i := range 4 {
		fmt.Fprintf(w, "line %d\n", i)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestRESTClientStreamOutlivesConfigTimeout(t *testing.T) {
	c, _ := restServer(t, Config{Timeout: 60 * time.Millisecond}, slowStream)
	ctx := context.Background()

	body, err := c.Get().AbsPath("/log").Stream(ctx)
	require.NoError(t, err)
	all, err := io.ReadAll(body)
	require.NoError(t, err)
	require.NoError(t, body.Close())
	assert.Equal(t, "line 0\nline 1\nline 2\nline 3\n", string(all))

	// Request.Timeout does bound a stream.
	body, err = c.Get().AbsPath("/log").Timeout(60 * time.Millisecond).Stream(ctx)
	require.NoError(t, err)
	_, err = io.ReadAll(body)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	body.Close()

	// A non-2xx answer is an error, with no body to close.
	c2, _ := restServer(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"container \"x\" in pod \"p\" is waiting to start: ContainerCreating","reason":"BadRequest","code":400}`)
	})
	body, err = c2.Get().Version("v1").Namespace("ns").Resource("pods").Name("p").SubResource("log").Stream(ctx)
	assert.Nil(t, body)
	assert.True(t, apierrors.IsBadRequest(err))
	assert.Contains(t, err.Error(), "is waiting to start")
}

func frame(typ, name string) string {
	return fmt.Sprintf(`{"type":%q,"object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":%q}}}`+"\n", typ, name)
}

func TestRESTClientWatch(t *testing.T) {
	c, got := restServer(t, Config{Timeout: 50 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, frame("ADDED", "a"))
		w.(http.Flusher).Flush()
		time.Sleep(100 * time.Millisecond) // past Config.Timeout, which must not apply
		fmt.Fprint(w, frame("MODIFIED", "a"))
		if r.URL.Query().Get("cut") != "" {
			fmt.Fprint(w, `{"type":"DELETED","obj`)
		}
	})
	ctx := context.Background()
	cms := func() *Request { return c.Get().Version("v1").Namespace("ns").Resource("configmaps") }

	w, err := cms().Watch(ctx)
	require.NoError(t, err)
	var events []string
	for ev := range w.ResultChan() {
		events = append(events, string(ev.Type)+" "+ev.Object.(*unstructured.Unstructured).GetName())
	}
	assert.Equal(t, []string{"ADDED a", "MODIFIED a"}, events)

	// A watch parameter already given is not doubled.
	w, err = cms().VersionedParams(&metav1.ListOptions{Watch: true, ResourceVersion: "5"}).Watch(ctx)
	require.NoError(t, err)
	w.Stop()

	// A stream cut mid-event ends with an ERROR event naming the request.
	w, err = cms().Param("cut", "1").Watch(ctx)
	require.NoError(t, err)
	var last watch.Event
	for ev := range w.ResultChan() {
		last = ev
	}
	require.Equal(t, watch.Error, last.Type)
	st := apierrors.FromObject(last.Object)
	assert.Contains(t, st.Error(), "/api/v1/namespaces/ns/configmaps")

	r := got()
	require.Len(t, r, 3)
	assert.Equal(t, "/api/v1/namespaces/ns/configmaps?watch=true", r[0].uri)
	assert.Equal(t, "/api/v1/namespaces/ns/configmaps?resourceVersion=5&watch=true", r[1].uri)
}
