package rest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryAfterSeconds(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  int
		ok    bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"3", 3, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0, true},
	} {
		h := http.Header{}
		if tc.value != "" {
			h.Set("Retry-After", tc.value)
		}
		got, ok := retryAfterSeconds(h)
		assert.Equal(t, tc.want, got, tc.value)
		assert.Equal(t, tc.ok, ok, tc.value)
	}
	h := http.Header{"Retry-After": {time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)}}
	got, ok := retryAfterSeconds(h)
	assert.True(t, ok)
	assert.InDelta(t, 5, got, 1)
}

func TestBackoff(t *testing.T) {
	r := &Request{c: &Client{backoffBase: 250 * time.Millisecond, backoffMax: 4 * time.Second}}
	var got []time.Duration
	for n := 1; n <= 7; n++ {
		got = append(got, r.backoff(n))
	}
	assert.Equal(t, []time.Duration{
		250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
		4 * time.Second, 4 * time.Second, 4 * time.Second,
	}, got)
}

func TestConnectionLost(t *testing.T) {
	yes := []error{
		io.EOF,
		io.ErrUnexpectedEOF,
		&url.Error{Op: "Get", URL: "u", Err: io.EOF},
		&net.OpError{Op: "read", Err: syscall.ECONNRESET},
		fmt.Errorf("x: %w", net.ErrClosed),
		errors.New("http2: client connection lost"),
		errors.New("http2: server sent GOAWAY and closed the connection; LastStreamID=1"),
	}
	for _, err := range yes {
		assert.True(t, connectionLost(err), "%v", err)
	}
	no := []error{
		&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED},
		errors.New("x509: certificate signed by unknown authority"),
	}
	for _, err := range no {
		assert.False(t, connectionLost(err), "%v", err)
	}
}
