package rest

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestInto(t *testing.T) {
	cases := []struct {
		name        string
		contentType string
		body        string
		wantErr     string
	}{
		{"json", "application/json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"n":"1"}}`, ""},
		{"json with charset", "application/json; charset=utf-8", `{"kind":"ConfigMap"}`, ""},
		{"no content type", "", `{"kind":"ConfigMap"}`, ""},
		{"html on 200", "text/html", "<html>login</html>", "decoding response to GET /api/v1/namespaces/ns/configmaps/c (text/html): the response is not JSON"},
		{"truncated", "application/json", `{"kind":"Conf`, "decoding response to GET /api/v1/namespaces/ns/configmaps/c (application/json): "},
		{"garbage", "application/json", "\x00\x01", "decoding response to GET /api/v1/namespaces/ns/configmaps/c"},
		{"empty", "application/json", "", "the response body is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tc.contentType}
				_, _ = io.WriteString(w, tc.body)
			})
			c := newTestClient(t, Settings{Host: srv.URL})
			res := c.Get().Version("v1").Namespace("ns").Resource("configmaps").Name("c").Do(context.Background())
			require.NoError(t, res.Error())
			var u unstructured.Unstructured
			err := res.Into(&u)
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, "ConfigMap", u.GetKind())
				return
			}
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "/api/v1/namespaces/ns/configmaps/c", de.Path)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestIntoPreservesIntsAndCase(t *testing.T) {
	r := Result{body: []byte(`{"n":9007199254740993,"Name":"upper","name":"lower"}`)}
	var m map[string]any
	require.NoError(t, r.Into(&m))
	assert.Equal(t, int64(9007199254740993), m["n"])

	var s struct {
		Name string `json:"name"`
	}
	require.NoError(t, r.Into(&s))
	assert.Equal(t, "lower", s.Name, "field names match case-sensitively, as on the server")
}

func TestIntoReturnsRequestError(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	c := newTestClient(t, Settings{Host: srv.URL})
	res := c.Get().AbsPath("/x").Do(context.Background())
	var v map[string]any
	assert.Same(t, res.Error(), res.Into(&v))
}

func TestResultWithoutResponse(t *testing.T) {
	var r Result
	assert.Zero(t, r.StatusCode())
	assert.Empty(t, r.ContentType())
	assert.Nil(t, r.Header())
}
