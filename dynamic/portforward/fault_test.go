package portforward

import (
	"bufio"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	portforwardapi "k8s.io/apimachinery/pkg/util/portforward"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/internal/leakcheck"
)

// fakeServer is an API server whose portforward endpoint serves a tunnel
// over WebSocket or SPDY (or refuses the upgrade when the matching field
// is false). Each connection's pair of streams goes to pair; conn gets the
// raw connection as soon as the tunnel is up, to break it.
type fakeServer struct {
	ws, spdy bool
	pair     func(data, errs httpstream.Stream, port string)
	conn     func(raw net.Conn)
}

// start serves f and returns a client for it.
func (f *fakeServer) start(t *testing.T) *Client {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cfg := &anykube.Config{
		Host:            srv.URL,
		BearerToken:     "tok",
		TLSClientConfig: anykube.TLSClientConfig{CAData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})},
	}
	c, err := NewForConfig(cfg)
	require.NoError(t, err)
	return c
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	switch strings.ToLower(r.Header.Get("Upgrade")) {
	case "websocket":
		if !f.ws {
			break
		}
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{portforwardapi.WebsocketsSPDYTunnelingPortForwardV1}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		f.tunnel(websocket.NetConn(context.Background(), c, websocket.MessageBinary))
		return
	case "spdy/3.1":
		if !f.spdy {
			break
		}
		if _, err := httpstream.Handshake(r, w, []string{portforwardapi.PortForwardV1Name}); err != nil {
			return
		}
		raw, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		conn := &bufConn{Conn: raw, r: rw.Reader}
		defer conn.Close()
		_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n")
		f.tunnel(conn)
		return
	}
	// A GET on the pods list is the pod watch: there is no pod to watch.
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","message":"not here","code":403}`)
}

// tunnel serves SPDY on raw until the client goes away, handing each pair
// of streams to f.pair.
func (f *fakeServer) tunnel(raw net.Conn) {
	streams := make(chan httpstream.Stream, 100)
	sc, err := spdy.NewServerConnection(raw, func(s httpstream.Stream, _ <-chan struct{}) error {
		streams <- s
		return nil
	})
	if err != nil {
		return
	}
	defer sc.Close()
	if f.conn != nil {
		go f.conn(raw)
	}
	errStreams := map[string]httpstream.Stream{}
	for {
		select {
		case s := <-streams:
			id := s.Headers().Get("requestID")
			if s.Headers().Get("streamType") == "error" {
				errStreams[id] = s
				continue
			}
			errs := errStreams[id]
			delete(errStreams, id)
			go func() {
				f.pair(s, errs, s.Headers().Get("port"))
				s.Close()
				errs.Close()
			}()
		case <-sc.CloseChan():
			return
		}
	}
}

type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// echoPair writes back what it reads.
func echoPair(data, _ httpstream.Stream, _ string) { _, _ = io.Copy(data, data) }

// checkTunnel opens a tunnel with protocol p, runs test on it, closes it,
// and checks that nothing hung and no goroutine stayed.
func checkTunnel(t *testing.T, c *Client, p Protocol, test func(ctx context.Context, tun *Tunnel)) {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tun, err := c.Open(ctx, "ns", "pod", Options{Protocol: p})
	require.NoError(t, err)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		test(ctx, tun)
	}()
	select {
	case <-finished:
	case <-time.After(15 * time.Second):
		t.Fatal("the test hung")
	}
	require.NoError(t, ctx.Err(), "the test ended only because its context did")
	tun.Close()
	leakcheck.Check(t, -1, 5*time.Second, ours...)
}

var bothProtocols = []Protocol{ProtocolWebSocket, ProtocolSPDY}

func TestTunnelOverEachProtocol(t *testing.T) {
	f := &fakeServer{ws: true, spdy: true, pair: echoPair}
	c := f.start(t)
	for _, p := range bothProtocols {
		checkTunnel(t, c, p, func(ctx context.Context, tun *Tunnel) {
			conn, err := tun.DialPort(ctx, 80)
			require.NoError(t, err)
			defer conn.Close()
			assert.NoError(t, echo2(conn, "hello "+p.String()))
		})
	}
}

func TestUpgradeRefused(t *testing.T) {
	c := (&fakeServer{}).start(t)
	for _, p := range []Protocol{ProtocolAuto, ProtocolWebSocket, ProtocolSPDY} {

		_, err := c.Open(context.Background(), "ns", "pod", Options{Protocol: p})
		assert.True(t, apierrors.IsForbidden(err), "%v: %v", p, err)
		leakcheck.Check(t, -1, 5*time.Second, ours...)
	}
}

// Without WebSockets, the default falls back to SPDY.
func TestFallbackToSPDY(t *testing.T) {
	f := &fakeServer{spdy: true, pair: echoPair}
	checkTunnel(t, f.start(t), ProtocolAuto, func(ctx context.Context, tun *Tunnel) {
		assert.Equal(t, "SPDY", tun.Transport())
		conn, err := tun.DialPort(ctx, 80)
		require.NoError(t, err)
		defer conn.Close()
		assert.NoError(t, echo2(conn, "fallen back"))
	})
}

func TestConnectionDroppedMidStream(t *testing.T) {
	for _, p := range bothProtocols {
		t.Run(p.String(), func(t *testing.T) {
			drop := make(chan struct{})
			f := &fakeServer{ws: true, spdy: true, pair: echoPair, conn: func(raw net.Conn) {
				<-drop
				raw.Close()
			}}
			checkTunnel(t, f.start(t), p, func(ctx context.Context, tun *Tunnel) {
				conn, err := tun.DialPort(ctx, 80)
				require.NoError(t, err)
				defer conn.Close()
				require.NoError(t, echo2(conn, "before"))
				close(drop)
				<-tun.Done()
				assert.ErrorIs(t, tun.Err(), ErrConnectionLost)
				_, err = conn.Read(make([]byte, 1))
				assert.ErrorIs(t, err, ErrConnectionLost)
				_, err = conn.Write([]byte("x"))
				assert.ErrorIs(t, err, ErrConnectionLost)
				_, err = tun.DialPort(ctx, 80)
				assert.ErrorIs(t, err, ErrConnectionLost)
			})
		})
	}
}

func TestMalformedFrames(t *testing.T) {
	t.Run("websocket-text-message", func(t *testing.T) {
		c := (&textMessageServer{}).start(t)
		checkTunnel(t, c, ProtocolWebSocket, func(ctx context.Context, tun *Tunnel) {
			<-tun.Done()
			assert.ErrorIs(t, tun.Err(), ErrProtocol)
		})
	})
	t.Run("spdy-garbage", func(t *testing.T) {
		f := &fakeServer{spdy: true, pair: echoPair, conn: func(raw net.Conn) {
			// A control frame of version 3, type 99, length 0.
			_, _ = raw.Write([]byte{0x80, 0x03, 0x00, 0x63, 0x00, 0x00, 0x00, 0x00})
		}}
		checkTunnel(t, f.start(t), ProtocolSPDY, func(ctx context.Context, tun *Tunnel) {
			<-tun.Done()
			assert.ErrorIs(t, tun.Err(), ErrProtocol)
		})
	})
}

// textMessageServer accepts the WebSocket and sends a text message, which
// the tunnel protocol does not have.
type textMessageServer struct{}

func (s *textMessageServer) start(t *testing.T) *Client {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{portforwardapi.WebsocketsSPDYTunnelingPortForwardV1}})
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		defer c.CloseNow()
		_ = c.Write(context.Background(), websocket.MessageText, []byte("hello"))
		_, _, _ = c.Read(context.Background())
	}))
	t.Cleanup(srv.Close)
	c, err := NewForConfig(&anykube.Config{Host: srv.URL, TLSClientConfig: anykube.TLSClientConfig{CAData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})}})
	require.NoError(t, err)
	return c
}

// The kubelet's failure of one connection is that connection's error.
func TestPortError(t *testing.T) {
	f := &fakeServer{ws: true, spdy: true, pair: func(data, errs httpstream.Stream, port string) {
		if port == "81" {
			_, _ = io.WriteString(errs, "connection refused: nothing listens on port 81")
			return
		}
		echoPair(data, errs, port)
	}}
	c := f.start(t)
	for _, p := range bothProtocols {
		checkTunnel(t, c, p, func(ctx context.Context, tun *Tunnel) {
			bad, err := tun.DialPort(ctx, 81)
			require.NoError(t, err)
			defer bad.Close()
			_, err = bad.Read(make([]byte, 1))
			var pe *PortError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, 81, pe.Port)
			assert.Equal(t, "port 81: connection refused: nothing listens on port 81", pe.Error())
			good, err := tun.DialPort(ctx, 80)
			require.NoError(t, err)
			defer good.Close()
			assert.NoError(t, echo2(good, "still fine"))
		})
	}
}

func TestSilentServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{portforwardapi.WebsocketsSPDYTunnelingPortForwardV1}})
		if err != nil {
			return
		}
		<-release
		c.CloseNow()
	}))
	defer srv.Close()
	c, err := NewForConfig(&anykube.Config{Host: srv.URL, TLSClientConfig: anykube.TLSClientConfig{CAData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})}})
	require.NoError(t, err)
	c.d.PingEvery, c.d.PongWithin = 50*time.Millisecond, 300*time.Millisecond

	tun, err := c.Open(context.Background(), "ns", "pod", Options{Protocol: ProtocolWebSocket, NoPodWatch: true})
	require.NoError(t, err)
	select {
	case <-tun.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a silent server went unnoticed")
	}
	assert.ErrorIs(t, tun.Err(), ErrConnectionLost)
	assert.Contains(t, tun.Err().Error(), "no answer to a WebSocket ping")
	close(release)
	leakcheck.Check(t, -1, 5*time.Second, ours...)
}

func TestCancelAndClose(t *testing.T) {
	f := &fakeServer{ws: true, spdy: true, pair: func(data, errs httpstream.Stream, port string) {
		_, _ = io.Copy(io.Discard, data)
	}}
	c := f.start(t)
	for _, p := range bothProtocols {

		ctx, cancel := context.WithCancel(context.Background())
		tun, err := c.Open(ctx, "ns", "pod", Options{Protocol: p})
		require.NoError(t, err)
		conn, err := tun.DialPort(ctx, 80)
		require.NoError(t, err)
		reading := make(chan error, 1)
		go func() {
			_, err := conn.Read(make([]byte, 1))
			reading <- err
		}()
		start := time.Now()
		cancel()
		<-tun.Done()
		assert.Less(t, time.Since(start), 3*time.Second)
		assert.ErrorIs(t, tun.Err(), context.Canceled)
		assert.ErrorIs(t, <-reading, context.Canceled)
		leakcheck.Check(t, -1, 5*time.Second, ours...)

		tun, err = c.Open(context.Background(), "ns", "pod", Options{Protocol: p})
		require.NoError(t, err)
		require.NoError(t, tun.Close())
		assert.ErrorIs(t, tun.Err(), net.ErrClosed)
		_, err = tun.DialPort(context.Background(), 80)
		assert.ErrorIs(t, err, net.ErrClosed)
		_, err = tun.Listen("127.0.0.1:0", 80)
		assert.ErrorIs(t, err, net.ErrClosed)
		leakcheck.Check(t, -1, 5*time.Second, ours...)
	}
}

func TestDeadlines(t *testing.T) {
	f := &fakeServer{ws: true, pair: echoPair}
	checkTunnel(t, f.start(t), ProtocolWebSocket, func(ctx context.Context, tun *Tunnel) {
		conn, err := tun.DialPort(ctx, 80)
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
		_, err = conn.Read(make([]byte, 1))
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		require.NoError(t, conn.SetDeadline(time.Time{}))
		assert.NoError(t, echo2(conn, "after the deadline"))
		require.NoError(t, conn.SetWriteDeadline(time.Now().Add(-time.Second)))
		_, err = conn.Write([]byte("late"))
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		var ne net.Error
		assert.True(t, errors.As(err, &ne) && ne.Timeout())
	})
}

func TestInvalidRequests(t *testing.T) {
	f := &fakeServer{ws: true, pair: echoPair}
	c := f.start(t)
	_, err := c.Open(context.Background(), "ns", "", Options{})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.Open(context.Background(), "ns", "pod", Options{Protocol: 5})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	checkTunnel(t, c, ProtocolWebSocket, func(ctx context.Context, tun *Tunnel) {
		_, err := tun.DialPort(ctx, 0)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		_, err = tun.DialPort(ctx, 70000)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		_, err = tun.DialContext(ctx, "udp", "x:53")
		assert.ErrorIs(t, err, ErrInvalidRequest)
		_, err = tun.DialContext(ctx, "tcp", "x:http")
		assert.ErrorIs(t, err, ErrInvalidRequest)
		_, err = tun.Listen("127.0.0.1:0", -1)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		conn, err := tun.DialContext(ctx, "tcp", "anything:80")
		require.NoError(t, err)
		defer conn.Close()
		assert.Equal(t, "ns/pod:80", conn.RemoteAddr().String())
	})
}

// A local client that keeps its side open after the pod's side has ended
// does not hold up the end of the tunnel.
func TestCloseWithALingeringLocalClient(t *testing.T) {
	f := &fakeServer{ws: true, pair: func(data, errs httpstream.Stream, port string) {
		_, _ = io.WriteString(data, "bye")
	}}
	checkTunnel(t, f.start(t), ProtocolWebSocket, func(ctx context.Context, tun *Tunnel) {
		addr, err := tun.Listen("127.0.0.1:0", 80)
		require.NoError(t, err)
		local, err := net.Dial("tcp", addr.String())
		require.NoError(t, err)
		defer local.Close()
		got, err := io.ReadAll(local)
		require.NoError(t, err)
		assert.Equal(t, "bye", string(got))
		closed := make(chan struct{})
		go func() { tun.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Error("Close waited for the local client")
		}
	})
}
