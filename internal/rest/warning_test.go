package rest

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type recordedWarning struct {
	code  int
	agent string
	text  string
}

type warningRecorder struct {
	mu  sync.Mutex
	got []recordedWarning
}

func (r *warningRecorder) HandleWarningHeader(code int, agent, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, recordedWarning{code, agent, text})
}

func TestWarningsDelivered(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Warning", `299 - "extensions/v1beta1 Ingress is deprecated", 299 kube-apiserver "second, with comma"`)
		w.Header().Add("Warning", `299 - "extensions/v1beta1 Ingress is deprecated"`)
		w.Header().Add("Warning", `not a warning`)
		w.Header().Add("Warning", `199 proxy "miscellaneous"`)
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusNotFound)
		}
	})
	rec := &warningRecorder{}
	c := newTestClient(t, Settings{Host: srv.URL, Warnings: rec})
	require.NoError(t, c.Get().AbsPath("/x").Do(context.Background()).Error())
	require.Error(t, c.Get().AbsPath("/fail").Do(context.Background()).Error(), "error responses carry warnings too")

	one := []recordedWarning{
		{299, "-", "extensions/v1beta1 Ingress is deprecated"},
		{299, "kube-apiserver", "second, with comma"},
		{299, "-", "extensions/v1beta1 Ingress is deprecated"},
		{199, "proxy", "miscellaneous"},
	}
	assert.Equal(t, append(one, one...), rec.got)
}

func TestDedupWarningLogger(t *testing.T) {
	var logged []string
	l := &DedupWarningLogger{Log: func(text string) { logged = append(logged, text) }}
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Warning", `299 - "a", 299 - "b", 299 - "a"`)
		w.Header().Add("Warning", `199 - "not from the API server"`)
	})
	c := newTestClient(t, Settings{Host: srv.URL, Warnings: l})
	for range 3 {
		require.NoError(t, c.Get().AbsPath("/x").Do(context.Background()).Error())
	}
	assert.Equal(t, []string{"a", "b"}, logged)
}

func TestDedupWarningLoggerBoundsMemory(t *testing.T) {
	n := 0
	l := &DedupWarningLogger{Log: func(string) { n++ }}
	for i := range maxRememberedWarnings + 10 {
		l.HandleWarningHeader(299, "-", string(rune('a'+i%26))+string(rune(i)))
	}
	assert.LessOrEqual(t, len(l.seen), maxRememberedWarnings)
	assert.Equal(t, maxRememberedWarnings+10, n)
}

func TestDefaultWarningHandlerIsShared(t *testing.T) {
	c, err := New(Settings{Host: "http://h"}, &http.Client{})
	require.NoError(t, err)
	assert.Same(t, defaultWarningHandler, c.warnings)
}
