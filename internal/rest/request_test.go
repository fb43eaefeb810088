package rest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

func TestURLBuilding(t *testing.T) {
	c := newTestClient(t, Settings{Host: "https://kube.example:6443/prefix/"})
	yes, no := true, false
	thirty := int64(30)
	apps := schema.GroupVersion{Group: "apps", Version: "v1"}
	core := schema.GroupVersion{Version: "v1"}

	cases := []struct {
		name string
		req  *Request
		want string
	}{
		{"core collection", c.Get().GroupVersion(core).Resource("nodes"),
			"/prefix/api/v1/nodes"},
		{"core namespaced object", c.Get().GroupVersion(core).Namespace("kube-system").Resource("pods").Name("coredns-1"),
			"/prefix/api/v1/namespaces/kube-system/pods/coredns-1"},
		{"empty namespace means all", c.Get().GroupVersion(core).Namespace("").Resource("pods"),
			"/prefix/api/v1/pods"},
		{"group, separate setters", c.Get().Group("apps").Version("v1").Namespace("ns").Resource("deployments").Name("web"),
			"/prefix/apis/apps/v1/namespaces/ns/deployments/web"},
		{"subresource", c.Put().GroupVersion(apps).Namespace("ns").Resource("deployments").Name("web").SubResource("status"),
			"/prefix/apis/apps/v1/namespaces/ns/deployments/web/status"},
		{"scale subresource, cluster scoped", c.Get().GroupVersion(schema.GroupVersion{Group: "example.com", Version: "v1beta1"}).Resource("widgets").Name("w").SubResource("scale"),
			"/prefix/apis/example.com/v1beta1/widgets/w/scale"},
		{"multi-part subresource", c.Get().GroupVersion(core).Namespace("ns").Resource("pods").Name("p").SubResource("proxy", "metrics"),
			"/prefix/api/v1/namespaces/ns/pods/p/proxy/metrics"},
		{"name with colon", c.Get().GroupVersion(schema.GroupVersion{Group: "rbac.authorization.k8s.io", Version: "v1"}).Resource("clusterroles").Name("system:node"),
			"/prefix/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node"},
		{"namespace object itself", c.Get().GroupVersion(core).Resource("namespaces").Name("default"),
			"/prefix/api/v1/namespaces/default"},
		{"abs path", c.Get().AbsPath("/version"), "/prefix/version"},
		{"abs path joined", c.Get().AbsPath("/apis", "apps", "v1"), "/prefix/apis/apps/v1"},
		{"abs path cleaned", c.Get().AbsPath("/apis/../../etc"), "/prefix/etc"},
		{"abs path trailing slash kept", c.Get().AbsPath("/healthz/"), "/prefix/healthz/"},
		{"abs path with resource", c.Get().AbsPath("/apis/apps/v1").Namespace("ns").Resource("deployments"),
			"/prefix/apis/apps/v1/namespaces/ns/deployments"},
		{"abs root with resource", c.Get().AbsPath("/").Resource("things"), "/prefix/things"},
		{"nothing", c.Get(), "/prefix"},
		{"prefix after version", c.Get().Version("v1").Prefix("watch").Namespace("ns").Resource("pods"),
			"/prefix/api/v1/watch/namespaces/ns/pods"},
		{"prefix as the root", c.Get().Prefix("/apis", "apps/v1").Resource("deployments"),
			"/prefix/apis/apps/v1/deployments"},
		{"prefix after abs path", c.Get().AbsPath("/api/").Prefix("v1").Resource("pods"), "/prefix/api/v1/pods"},
		{"prefix calls accumulate", c.Get().Prefix("api").Prefix("v1"), "/prefix/api/v1"},
		{"prefix cannot climb", c.Get().Version("v1").Prefix("../../..", "x"), "/prefix/api/v1/x"},
		{"suffix after subresource", c.Get().Version("v1").Namespace("ns").Resource("pods").Name("p").SubResource("proxy").Suffix("metrics", "/cadvisor"),
			"/prefix/api/v1/namespaces/ns/pods/p/proxy/metrics/cadvisor"},
		{"suffix cannot climb", c.Get().Version("v1").Resource("nodes").Name("n").SubResource("proxy").Suffix("../../../secrets"),
			"/prefix/api/v1/nodes/n/proxy/secrets"},
		{"suffix after abs path", c.Get().AbsPath("/healthz").Suffix("etcd"), "/prefix/healthz/etcd"},
		{"empty prefix and suffix", c.Get().Version("v1").Prefix().Suffix("", "."), "/prefix/api/v1"},

		{"list options", c.Get().GroupVersion(core).Resource("pods").Params(&metav1.ListOptions{
			LabelSelector: "app=web,tier!=db", FieldSelector: "status.phase=Running",
			Limit: 500, Continue: "tok/en=", ResourceVersion: "0",
			ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
		}),
			"/prefix/api/v1/pods?continue=tok%2Fen%3D&fieldSelector=status.phase%3DRunning&labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=500&resourceVersion=0&resourceVersionMatch=NotOlderThan"},
		{"watch options", c.Get().GroupVersion(core).Namespace("ns").Resource("pods").Params(metav1.ListOptions{
			Watch: true, AllowWatchBookmarks: true, SendInitialEvents: &yes,
			ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan, TimeoutSeconds: &thirty,
		}),
			"/prefix/api/v1/namespaces/ns/pods?allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=30&watch=true"},
		{"explicit false pointer is sent", c.Get().GroupVersion(core).Resource("pods").Params(&metav1.ListOptions{SendInitialEvents: &no}),
			"/prefix/api/v1/pods?sendInitialEvents=false"},
		{"zero list options add nothing", c.Get().GroupVersion(core).Resource("pods").Params(&metav1.ListOptions{}),
			"/prefix/api/v1/pods"},
		{"nil options add nothing", c.Get().GroupVersion(core).Resource("pods").Params((*metav1.ListOptions)(nil)),
			"/prefix/api/v1/pods"},
		{"get options", c.Get().GroupVersion(core).Namespace("ns").Resource("pods").Name("p").Params(&metav1.GetOptions{ResourceVersion: "42"}),
			"/prefix/api/v1/namespaces/ns/pods/p?resourceVersion=42"},
		{"patch options, apply", c.Patch(types.ApplyPatchType).GroupVersion(apps).Namespace("ns").Resource("deployments").Name("web").
			Params(&metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}, Force: &yes, FieldManager: "anykube", FieldValidation: "Strict"}),
			"/prefix/apis/apps/v1/namespaces/ns/deployments/web?dryRun=All&fieldManager=anykube&fieldValidation=Strict&force=true"},
		{"create options, dryRun repeated", c.Post().GroupVersion(core).Namespace("ns").Resource("configmaps").
			Params(&metav1.CreateOptions{DryRun: []string{"All", "All"}, FieldManager: "m"}),
			"/prefix/api/v1/namespaces/ns/configmaps?dryRun=All&dryRun=All&fieldManager=m"},
		{"update options", c.Put().GroupVersion(core).Namespace("ns").Resource("configmaps").Name("c").
			Params(&metav1.UpdateOptions{FieldManager: "m", FieldValidation: "Warn"}),
			"/prefix/api/v1/namespaces/ns/configmaps/c?fieldManager=m&fieldValidation=Warn"},
		{"params and param merge", c.Get().GroupVersion(core).Resource("pods").Param("pretty", "true").Params(&metav1.ListOptions{Limit: 1}),
			"/prefix/api/v1/pods?limit=1&pretty=true"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.req.err)
			u := tc.req.URL()
			assert.Equal(t, "https", u.Scheme)
			assert.Equal(t, "kube.example:6443", u.Host)
			assert.Equal(t, tc.want, u.RequestURI())
		})
	}
}

func TestURLWithoutPrefix(t *testing.T) {
	c := newTestClient(t, Settings{Host: "http://h:1"})
	assert.Equal(t, "http://h:1/", c.Get().URL().String())
	assert.Equal(t, "http://h:1/api/v1/pods", c.Get().Version("v1").Resource("pods").URL().String())
	assert.Equal(t, "http://h:1/api/v1/namespaces/a%20b/pods", c.Get().Version("v1").Namespace("a b").Resource("pods").URL().String(),
		"names the server would reject are still escaped, not trusted")
}

func TestInvalidSegmentsSendNothing(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := newTestClient(t, Settings{Host: srv.URL})
	base := func() *Request { return c.Get().Version("v1") }

	cases := []struct {
		name     string
		req      *Request
		wantKind string
		value    string
	}{
		{"empty name", base().Resource("pods").Name(""), "name", ""},
		{"dot name", base().Resource("pods").Name("."), "name", "."},
		{"dotdot name", base().Resource("pods").Name(".."), "name", ".."},
		{"slash in name", base().Resource("pods").Name("a/b"), "name", "a/b"},
		{"percent in name", base().Resource("pods").Name("a%2Fb"), "name", "a%2Fb"},
		{"dotdot namespace", base().Namespace("..").Resource("pods"), "namespace", ".."},
		{"slash in namespace", base().Namespace("kube-system/x").Resource("pods"), "namespace", "kube-system/x"},
		{"empty resource", base().Resource(""), "resource", ""},
		{"slash in resource", base().Resource("pods/status"), "resource", "pods/status"},
		{"empty subresource", base().Resource("pods").Name("p").SubResource(""), "subresource", ""},
		{"dotdot subresource", base().Resource("pods").Name("p").SubResource("..", "x"), "subresource", ".."},
		{"slash in group", c.Get().Group("a/b").Version("v1").Resource("x"), "group", "a/b"},
		{"empty version", c.Get().Group("apps").Version("").Resource("x"), "version", ""},
		{"group without version", c.Get().Group("apps").Resource("x"), "version", ""},
		{"first error wins", base().Resource("pods").Name("../x").Namespace("..").Name("fine"), "name", "../x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.req.Do(context.Background())
			var se *InvalidPathSegmentError
			require.ErrorAs(t, res.Error(), &se)
			assert.Equal(t, tc.wantKind, se.Kind)
			assert.Equal(t, tc.value, se.Value)

			body, hdr, err := tc.req.Stream(context.Background())
			require.ErrorAs(t, err, &se)
			assert.Nil(t, body)
			assert.Nil(t, hdr)
		})
	}
	assert.Zero(t, srv.hits.Load(), "no request may reach the server")
}

func TestStructuralErrorsSendNothing(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := newTestClient(t, Settings{Host: srv.URL})
	cases := []struct {
		name string
		req  *Request
		want string
	}{
		{"resource without root", c.Get().Resource("pods"), "neither a version nor an absolute path"},
		{"name without resource", c.Get().Version("v1").Name("x"), "no resource"},
		{"params not a struct", c.Get().Version("v1").Resource("pods").Params(42), "want a struct"},
		{"body read error", c.Post().Version("v1").Resource("pods").BodyReader(iotest.ErrReader(errors.New("disk gone"))), "disk gone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorContains(t, tc.req.Do(context.Background()).Error(), tc.want)
		})
	}
	assert.Zero(t, srv.hits.Load())
}

func TestRequestHeadersAndBody(t *testing.T) {
	type seen struct {
		method, accept, contentType, custom, body string
	}
	got := make(chan seen, 4)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b := new(strings.Builder)
		_, _ = io.Copy(b, r.Body)
		got <- seen{r.Method, r.Header.Get("Accept"), r.Header.Get("Content-Type"), strings.Join(r.Header.Values("X-Custom"), ","), b.String()}
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	ctx := context.Background()

	require.NoError(t, c.Get().AbsPath("/x").Do(ctx).Error())
	assert.Equal(t, seen{method: "GET", accept: "application/json"}, <-got)

	require.NoError(t, c.Post().AbsPath("/x").Body([]byte(`{"a":1}`)).SetHeader("x-custom", "1", "2").Do(ctx).Error())
	assert.Equal(t, seen{"POST", "application/json", "application/json", "1,2", `{"a":1}`}, <-got)

	require.NoError(t, c.Patch(types.MergePatchType).AbsPath("/x").BodyReader(strings.NewReader(`{}`)).SetHeader("Accept", "application/yaml").Do(ctx).Error())
	assert.Equal(t, seen{"PATCH", "application/yaml", "application/merge-patch+json", "", `{}`}, <-got)
}

func TestMaxRetriesAndTimeoutSetters(t *testing.T) {
	c := newTestClient(t, Settings{Host: "http://h", Timeout: time.Minute})
	assert.Equal(t, DefaultMaxRetries, c.Get().maxRetries)
	assert.Equal(t, 0, c.Get().MaxRetries(-3).maxRetries)
	assert.Equal(t, time.Minute, c.Get().effectiveTimeout())
	assert.Equal(t, time.Duration(0), c.Get().LongRunning().effectiveTimeout())
	assert.Equal(t, time.Second, c.Get().LongRunning().Timeout(time.Second).effectiveTimeout())
	assert.Equal(t, time.Duration(0), c.Get().Timeout(0).effectiveTimeout())
}
