package upgrade

import (
	"bufio"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"

	"github.com/anykube/anykube"
)

// newDialer starts a TLS server (offering HTTP/2, as the API server does)
// with h and returns a Dialer for it with a token and impersonation.
func newDialer(t *testing.T, h http.HandlerFunc) (*Dialer, *url.URL) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cfg := &anykube.Config{
		Host:            srv.URL,
		BearerToken:     "secret-token",
		Impersonate:     anykube.ImpersonationConfig{UserName: "jane"},
		TLSClientConfig: anykube.TLSClientConfig{CAData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})},
	}
	hc, err := anykube.HTTPClientFor(cfg)
	require.NoError(t, err)
	d, err := New(cfg, hc)
	require.NoError(t, err)
	return d, d.URL("ns", "pod", "exec", url.Values{"command": {"secret-arg"}})
}

func TestRefusedUpgradesAreStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		code  int
		body  string
		check func(error) bool
		msg   string
	}{
		{"status", http.StatusForbidden, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","message":"pods \"pod\" is forbidden: no exec","code":403}`,
			apierrors.IsForbidden, `pods "pod" is forbidden: no exec`},
		{"html", http.StatusBadRequest, "<html><body>Upgrade\n\trefused</body></html>", apierrors.IsBadRequest, "<html><body>Upgrade refused</body></html>"},
		{"empty", http.StatusNotFound, "", apierrors.IsNotFound, "could not find the requested resource"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, u := newDialer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.code)
				_, _ = io.WriteString(w, tc.body)
			})
			_, _, err := d.WebSocket(context.Background(), u, "pod", []string{"v5.channel.k8s.io"})
			var se *apierrors.StatusError
			require.ErrorAs(t, err, &se)
			assert.True(t, tc.check(err), "%v", err)
			assert.Contains(t, err.Error(), tc.msg)

			_, err = d.SPDY(context.Background(), u, "pod", []string{"v4.channel.k8s.io"})
			require.ErrorAs(t, err, &se)
			assert.True(t, tc.check(err), "%v", err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestWebSocketWithoutAnOfferedSubprotocol(t *testing.T) {
	d, u := newDialer(t, func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"channel.k8s.io"}})
		if err == nil {
			c.CloseNow()
		}
	})
	_, _, err := d.WebSocket(context.Background(), u, "pod", []string{"v5.channel.k8s.io", "v4.channel.k8s.io"})
	var ne *NegotiationError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, "", ne.Chosen)
	assert.ErrorIs(t, err, ErrProtocol)
}

// hijack101 answers with 101 and the given headers, then hands the raw
// connection to serve.
func hijack101(w http.ResponseWriter, headers string, serve func(io.ReadWriter)) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n" + headers + "\r\n")
	_ = rw.Flush()
	if serve != nil {
		serve(struct {
			io.Reader
			io.Writer
		}{rw, conn})
	}
}

func TestSPDYWithoutAnOfferedProtocol(t *testing.T) {
	d, u := newDialer(t, func(w http.ResponseWriter, r *http.Request) {
		hijack101(w, "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v1.channel.k8s.io\r\n", nil)
	})
	_, err := d.SPDY(context.Background(), u, "pod", []string{"v4.channel.k8s.io"})
	var ne *NegotiationError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, "v1.channel.k8s.io", ne.Chosen)

	d, u = newDialer(t, func(w http.ResponseWriter, r *http.Request) {
		hijack101(w, "Upgrade: h2c\r\n", nil)
	})
	_, err = d.SPDY(context.Background(), u, "pod", []string{"v4.channel.k8s.io"})
	assert.ErrorIs(t, err, ErrProtocol)
}

// An SPDY upgrade carries the Config's credentials and impersonation over
// HTTP/1.1 to a server that also speaks HTTP/2, and its streams work.
func TestSPDYThroughTheConfigsTransport(t *testing.T) {
	got := make(chan http.Header, 1)
	d, u := newDialer(t, func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		if _, err := httpstream.Handshake(r, w, []string{"v4.channel.k8s.io"}); err != nil {
			return
		}
		streams := make(chan httpstream.Stream, 1)
		conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r, func(s httpstream.Stream, _ <-chan struct{}) error {
			streams <- s
			return nil
		})
		if conn == nil {
			return
		}
		defer conn.Close()
		s := <-streams
		_, _ = io.Copy(s, s)
		s.Close()
		<-conn.CloseChan()
	})
	conn, err := d.SPDY(context.Background(), u, "pod", []string{"v4.channel.k8s.io"})
	require.NoError(t, err)
	defer conn.Close()
	h := <-got
	assert.Equal(t, "Bearer secret-token", h.Get("Authorization"))
	assert.Equal(t, "jane", h.Get("Impersonate-User"))
	assert.Equal(t, "v4.channel.k8s.io", conn.Protocol)

	s, err := conn.CreateStream(context.Background(), http.Header{"Streamtype": {"stdin"}})
	require.NoError(t, err)
	_, err = io.WriteString(s, "echo\n")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	line, err := bufio.NewReader(s).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "echo\n", line)
}

// A server that accepts SPDY and then never answers a stream: creating
// one returns as soon as the connection dies, not after the SPDY
// library's 30 seconds, and as soon as ctx ends.
func TestCreateStreamEndsWithTheConnection(t *testing.T) {
	cut := make(chan struct{})
	d, u := newDialer(t, func(w http.ResponseWriter, r *http.Request) {
		hijack101(w, "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n", func(rw io.ReadWriter) {
			<-cut
		})
	})
	conn, err := d.SPDY(context.Background(), u, "pod", []string{"v4.channel.k8s.io"})
	require.NoError(t, err)
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = conn.CreateStream(ctx, http.Header{"Streamtype": {"error"}})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)

	time.AfterFunc(200*time.Millisecond, func() { close(cut) })
	start = time.Now()
	_, err = conn.CreateStream(context.Background(), http.Header{"Streamtype": {"error"}})
	assert.ErrorIs(t, err, ErrConnectionLost)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// A WebSocket whose peer stops answering pings is closed by the heartbeat
// with an error saying so.
func TestHeartbeatFindsASilentPeer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	d, u := newDialer(t, func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"v5.channel.k8s.io"}})
		if err != nil {
			return
		}
		// Never reading means never answering a ping.
		<-release
		c.CloseNow()
	})
	d.PingEvery, d.PongWithin = 50*time.Millisecond, 200*time.Millisecond
	c, _, err := d.WebSocket(context.Background(), u, "pod", []string{"v5.channel.k8s.io"})
	require.NoError(t, err)
	defer c.CloseNow()
	go func() { _, _, _ = c.Reader(context.Background()) }()
	var err2 error
	d.Heartbeat(context.Background(), c.Conn, func(err error) { err2 = err })
	err = err2
	assert.ErrorIs(t, err, ErrConnectionLost)
	assert.Contains(t, err.Error(), "no answer to a WebSocket ping")
}

// A handshake that the server never answers ends with ctx, and the error
// says so without the query (an exec's command line).
func TestHandshakeEndsWithTheContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	d, u := newDialer(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	for _, dial := range []func(context.Context) error{
		func(ctx context.Context) error {
			_, _, err := d.WebSocket(ctx, u, "pod", []string{"v5.channel.k8s.io"})
			return err
		},
		func(ctx context.Context) error {
			_, err := d.SPDY(ctx, u, "pod", []string{"v4.channel.k8s.io"})
			return err
		},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		err := dial(ctx)
		assert.True(t, errors.Is(err, context.Canceled), "%v", err)
		assert.NotContains(t, err.Error(), "secret-arg")
	}
}

func TestClassify(t *testing.T) {
	assert.ErrorIs(t, Classify(io.ErrUnexpectedEOF), ErrConnectionLost)
	assert.ErrorIs(t, Classify(errors.New("received unknown opcode 9")), ErrProtocol)
}

// A direct SPDY connection whose server stops answering (a dead network
// looks the same: nothing comes back) ends once its pings have gone
// unanswered for PongWithin, with an error saying so; one whose server
// answers stays open however long it is idle.
func TestSPDYFindsASilentServer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	d, u := newDialer(t, func(w http.ResponseWriter, r *http.Request) {
		hijack101(w, "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n", func(rw io.ReadWriter) {
			go func() { _, _ = io.Copy(io.Discard, rw) }()
			<-release
		})
	})
	d.PingEvery, d.PongWithin = 50*time.Millisecond, 300*time.Millisecond
	conn, err := d.SPDY(context.Background(), u, "pod", []string{"v4.channel.k8s.io"})
	require.NoError(t, err)
	defer conn.Close()
	select {
	case <-conn.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the connection to a silent server is still open")
	}
	err = conn.LostError()
	assert.ErrorIs(t, err, ErrConnectionLost)
	assert.Contains(t, err.Error(), "no answer to SPDY pings")

	d, u = newDialer(t, func(w http.ResponseWriter, r *http.Request) {
		if _, err := httpstream.Handshake(r, w, []string{"v4.channel.k8s.io"}); err != nil {
			return
		}
		conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r, func(httpstream.Stream, <-chan struct{}) error { return nil })
		if conn == nil {
			return
		}
		defer conn.Close()
		select {
		case <-conn.CloseChan():
		case <-release:
		}
	})
	d.PingEvery, d.PongWithin = 50*time.Millisecond, 300*time.Millisecond
	conn, err = d.SPDY(context.Background(), u, "pod", []string{"v4.channel.k8s.io"})
	require.NoError(t, err)
	defer conn.Close()
	select {
	case <-conn.Done():
		t.Fatalf("a connection whose server answers pings ended: %v", conn.LostError())
	case <-time.After(time.Second):
	}
}
