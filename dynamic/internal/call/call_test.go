package call

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/internal/validate"
	"github.com/anykube/anykube/internal/rest"
)

var cm = Target{Resource: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, Namespace: "ns"}

func TestCheck(t *testing.T) {
	require.NoError(t, cm.Check(Call{Verb: "get", Name: "a", Subresources: []string{"status"}}, true))
	require.NoError(t, cm.Check(Call{Verb: "list"}, false))
	assert.ErrorIs(t, cm.Check(Call{Verb: "get"}, true), validate.ErrInvalidRequest, "a name is required")
	assert.ErrorIs(t, Target{Resource: cm.Resource, Namespace: "a/b"}.Check(Call{Verb: "list"}, false), validate.ErrInvalidRequest)
	assert.ErrorIs(t, Target{}.Check(Call{Verb: "list"}, false), validate.ErrInvalidRequest, "a resource is required")
	assert.ErrorIs(t, cm.Check(Call{Verb: "get", Name: "a", Subresources: []string{"../x"}}, true), validate.ErrInvalidRequest)
}

// TestDo checks how Do sorts an answer: a 2xx body to decode, the
// server's error as its StatusError, everything else through fail.
func TestDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/namespaces/ns/configmaps/a/status":
			_, _ = io.WriteString(w, `{"s3cret":1}`)
		case "/api/v1/namespaces/ns/configmaps/gone":
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
		}
	}))
	defer srv.Close()
	arc, err := anykube.RESTClientForConfigAndClient(&anykube.Config{Host: srv.URL, QPS: -1}, srv.Client())
	require.NoError(t, err)
	rc := (*rest.Client)(arc)
	ctx := context.Background()
	failed := errors.New("wrapped by the client")
	fail := func(err error) error { return errors.Join(failed, err) }

	var got []byte
	req := cm.Request(rc, Call{Name: "a", Subresources: []string{"status"}}, http.MethodGet)
	require.NoError(t, Do(ctx, req, func(body []byte) error { got = append(got, body...); return nil }, fail))
	assert.JSONEq(t, `{"s3cret":1}`, string(got))

	err = Do(ctx, cm.Request(rc, Call{Name: "a", Subresources: []string{"status"}}, http.MethodGet), func([]byte) error { return io.ErrUnexpectedEOF }, fail)
	assert.ErrorIs(t, err, failed)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "decoding the response (application/json)")
	assert.NotContains(t, err.Error(), "s3cret")

	err = Do(ctx, cm.Request(rc, Call{Name: "gone"}, http.MethodGet), nil, fail)
	var se *apierrors.StatusError
	require.True(t, errors.As(err, &se), "%T %v", err, err)
	assert.NotErrorIs(t, err, failed, "the server's answer is not the client's failure")
	assert.True(t, apierrors.IsNotFound(err))
}
