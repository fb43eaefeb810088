package rest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestErrorResponses(t *testing.T) {
	htmlPage := "<html>\r\n<head><title>502 Bad Gateway</title></head>\n\t<body>nginx</body>\n</html>\n"
	longText := strings.Repeat("x", 1000)
	cases := []struct {
		name        string
		verb        string
		code        int
		contentType string
		body        string
		is          func(error) bool
		wantReason  metav1.StatusReason
		wantMessage string
		maxMessage  int
	}{
		{
			name: "status not found", verb: "GET", code: 404, contentType: "application/json",
			body:       `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" not found","reason":"NotFound","details":{"name":"web","kind":"pods"},"code":404}`,
			is:         apierrors.IsNotFound,
			wantReason: metav1.StatusReasonNotFound, wantMessage: `pods "web" not found`,
		},
		{
			name: "status conflict", verb: "PUT", code: 409, contentType: "application/json",
			body:       `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the object has been modified","reason":"Conflict","code":409}`,
			is:         apierrors.IsConflict,
			wantReason: metav1.StatusReasonConflict, wantMessage: "the object has been modified",
		},
		{
			name: "status already exists", verb: "POST", code: 409, contentType: "application/json",
			body:       `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"exists","reason":"AlreadyExists","code":409}`,
			is:         apierrors.IsAlreadyExists,
			wantReason: metav1.StatusReasonAlreadyExists, wantMessage: "exists",
		},
		{
			name: "status without code gets the HTTP one", verb: "GET", code: 422, contentType: "application/json",
			body:       `{"kind":"Status","status":"Failure","message":"bad field","reason":"Invalid"}`,
			is:         apierrors.IsInvalid,
			wantReason: metav1.StatusReasonInvalid, wantMessage: "bad field",
		},
		{
			name: "html from a proxy", verb: "GET", code: 502, contentType: "text/html",
			body:       htmlPage,
			is:         apierrors.IsInternalError,
			wantReason: metav1.StatusReasonInternalError,
			// Folded onto one line.
			wantMessage: `<html> <head><title>502 Bad Gateway</title></head> <body>nginx</body> </html>`,
		},
		{
			name: "empty unauthorized", verb: "GET", code: 401,
			is:          apierrors.IsUnauthorized,
			wantReason:  metav1.StatusReasonUnauthorized,
			wantMessage: "the server has asked for the client to provide credentials (get pods web)",
		},
		{
			name: "empty forbidden still says something", verb: "GET", code: 403,
			is:          apierrors.IsForbidden,
			wantReason:  metav1.StatusReasonForbidden,
			wantMessage: "the server responded with 403 Forbidden (get pods web)",
		},
		{
			name: "plain text forbidden", verb: "GET", code: 403, contentType: "text/plain",
			body:        "forbidden: User \"bob\" cannot get pods\n",
			is:          apierrors.IsForbidden,
			wantReason:  metav1.StatusReasonForbidden,
			wantMessage: `forbidden: User "bob" cannot get pods (get pods web)`,
		},
		{
			name: "garbage too many requests", verb: "GET", code: 429,
			body:        "\x00\x01\xff\xfegarbage\x7f",
			is:          apierrors.IsTooManyRequests,
			wantReason:  metav1.StatusReasonTooManyRequests,
			wantMessage: "garbage",
		},
		{
			name: "json that is not a Status", verb: "GET", code: 404, contentType: "application/json",
			body:        `{"kind":"Pod","status":"Failure"}`,
			is:          apierrors.IsNotFound,
			wantReason:  metav1.StatusReasonNotFound,
			wantMessage: `{"kind":"Pod","status":"Failure"}`,
		},
		{
			name: "truncated status json", verb: "PUT", code: 409, contentType: "application/json",
			body:        `{"kind":"Status","status":"Fail`,
			is:          apierrors.IsConflict,
			wantReason:  metav1.StatusReasonConflict,
			wantMessage: `the server reported a conflict (put pods web); response body: {"kind":"Status","status":"Fail`,
		},
		{
			name: "long body is cut", verb: "GET", code: 400, contentType: "text/plain",
			body:        longText,
			is:          apierrors.IsBadRequest,
			wantReason:  metav1.StatusReasonBadRequest,
			wantMessage: strings.Repeat("x", maxExcerpt) + "...",
			maxMessage:  400,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.code)
				_, _ = io.WriteString(w, tc.body)
			})
			c := newTestClient(t, Settings{Host: srv.URL})
			res := c.Verb(tc.verb).Version("v1").Namespace("ns").Resource("pods").Name("web").MaxRetries(0).Do(context.Background())
			err := res.Error()
			var se *apierrors.StatusError
			require.ErrorAs(t, err, &se)
			assert.Same(t, se, err, "a bare *StatusError, as client-go returns")
			assert.True(t, tc.is(err), "%#v", se.ErrStatus)
			assert.Equal(t, tc.wantReason, se.ErrStatus.Reason)
			assert.Equal(t, int32(tc.code), se.ErrStatus.Code)
			assert.Contains(t, se.Error(), tc.wantMessage)
			if tc.maxMessage > 0 {
				assert.LessOrEqual(t, len(se.Error()), tc.maxMessage)
			}
			body, _ := res.Raw()
			assert.Equal(t, tc.body, string(body), "the raw error body stays available")
			assert.Equal(t, tc.code, res.StatusCode())
		})
	}
}

func TestPrintableExcerpt(t *testing.T) {
	assert.Equal(t, "", printableExcerpt(nil, 10))
	assert.Equal(t, "", printableExcerpt([]byte(" \n\t "), 10))
	assert.Equal(t, "a b c", printableExcerpt([]byte("a\n\n b\x00c"), 10))
	assert.Equal(t, "héllo", printableExcerpt([]byte("héllo"), 10))
	assert.Equal(t, "hél...", printableExcerpt([]byte("héllo"), 4))
	assert.Equal(t, "h...", printableExcerpt([]byte("héllo"), 2), "cut on a rune boundary")
	assert.Equal(t, "\ufffd", printableExcerpt([]byte{0xff}, 10))
}

func TestErrorRetryAfterInDetails(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	err := c.Get().AbsPath("/x").MaxRetries(0).Do(context.Background()).Error()
	secs, ok := apierrors.SuggestsClientDelay(err)
	assert.True(t, ok)
	assert.Equal(t, 7, secs)
}
