package transport

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newUpgradeServer starts a TLS server that offers HTTP/2 and serves
// upgradeHandler.
func newUpgradeServer(t *testing.T, auths chan<- string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(upgradeHandler(auths))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// upgradeHandler answers an Upgrade: SPDY/3.1 request, which only HTTP/1.1
// can carry, with 101, sends its Authorization to auths, and then echoes
// what it reads. Other requests get their protocol back.
func upgradeHandler(auths chan<- string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			_, _ = io.WriteString(w, r.Proto)
			return
		}
		auths <- r.Header.Get("Authorization")
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n")
		_ = rw.Flush()
		_, _ = io.Copy(conn, rw)
	})
}

// An SPDY upgrade through a transport that has an HTTP/2 connection to the
// server open goes over HTTP/1.1 with the same credentials, and the
// upgraded connection is the caller's.
func TestNonWebSocketUpgradeUsesHTTP1(t *testing.T) {
	auths := make(chan string, 1)
	srv := newUpgradeServer(t, auths)
	rt, err := New(&Config{TLS: TLS{CAData: serverCAPEM(srv)}, BearerToken: "tok", UserAgent: "test"})
	require.NoError(t, err)

	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	proto, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "HTTP/2.0", string(proto), "the server and the transport speak HTTP/2")

	echoThroughUpgrade(t, rt, srv.URL)
	assert.Equal(t, "Bearer tok", <-auths)
}

// echoThroughUpgrade upgrades a request to SPDY/3.1 through rt and checks
// that the connection echoes a line.
func echoThroughUpgrade(t *testing.T, rt http.RoundTripper, url string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/exec", nil)
	require.NoError(t, err)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "SPDY/3.1")
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	rwc, ok := resp.Body.(io.ReadWriteCloser)
	require.True(t, ok, "the body of a 101 is the connection")
	defer rwc.Close()
	_, err = io.WriteString(rwc, "ping\n")
	require.NoError(t, err)
	line, err := bufio.NewReader(rwc).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "ping\n", line)
}

func TestNonWebSocketUpgrade(t *testing.T) {
	for _, tc := range []struct {
		connection, upgrade string
		want                bool
	}{
		{"Upgrade", "SPDY/3.1", true},
		{"keep-alive, upgrade", "SPDY/3.1", true},
		{"Upgrade", "websocket", false},
		{"Upgrade", "WebSocket", false},
		{"", "SPDY/3.1", false},
		{"Upgrade", "", false},
		{"close", "h2c", false},
	} {
		h := http.Header{}
		if tc.connection != "" {
			h.Set("Connection", tc.connection)
		}
		if tc.upgrade != "" {
			h.Set("Upgrade", tc.upgrade)
		}
		assert.Equal(t, tc.want, nonWebSocketUpgrade(h), "Connection %q, Upgrade %q", tc.connection, tc.upgrade)
	}
}
