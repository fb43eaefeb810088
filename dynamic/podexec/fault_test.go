package podexec

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/remotecommand"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/internal/leakcheck"
)

// The packages whose goroutines must all be gone after a call.
var ours = []string{"github.com/anykube/anykube/dynamic", "github.com/coder/websocket", "github.com/moby/spdystream", "k8s.io/streaming"}

// fakeServer is an API server whose exec endpoint runs a script over
// WebSocket or SPDY, or refuses the upgrade when the script is nil.
type fakeServer struct {
	// ws runs a WebSocket exec; wsProtocols are the subprotocols the
	// server accepts (v5 when empty).
	ws          func(c *websocket.Conn)
	wsProtocols []string
	// spdy runs an SPDY exec with the streams the request asked for, the
	// raw connection (to drop it) and the SPDY connection.
	spdy func(s map[string]httpstream.Stream, raw net.Conn)
	// refusal is the status of refused upgrades; 403 when zero.
	refusal int
	// upgrades counts upgrade requests by their Upgrade header.
	upgrades chan string
}

const forbidden = `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","message":"upgrade refused here","code":403}`

// start serves f and returns a client for it.
func (f *fakeServer) start(t *testing.T) *Client {
	t.Helper()
	f.upgrades = make(chan string, 10)
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
	up := strings.ToLower(r.Header.Get("Upgrade"))
	select {
	case f.upgrades <- up:
	default: // a test that does not look at them may make many
	}
	refuse := func() {
		code := f.refusal
		if code == 0 {
			code = http.StatusForbidden
		}
		// No idle connection may outlive the call: the leak check counts
		// goroutines.
		w.Header().Set("Connection", "close")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, forbidden)
	}
	switch {
	case up == "websocket" && f.ws != nil:
		protos := f.wsProtocols
		if protos == nil {
			protos = []string{remotecommand.StreamProtocolV5Name}
		}
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: protos})
		if err != nil {
			return
		}
		defer c.CloseNow()
		f.ws(c)
	case up == "spdy/3.1" && f.spdy != nil:
		f.serveSPDY(w, r)
	default:
		refuse()
	}
}

// serveSPDY upgrades by hand, so that a test can drop the raw connection.
func (f *fakeServer) serveSPDY(w http.ResponseWriter, r *http.Request) {
	if _, err := httpstream.Handshake(r, w, []string{remotecommand.StreamProtocolV4Name}); err != nil {
		return
	}
	raw, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	conn := &bufConn{Conn: raw, r: rw.Reader}
	defer conn.Close()
	_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: "+remotecommand.StreamProtocolV4Name+"\r\n\r\n")
	want := 1 // error
	for _, k := range []string{"stdin", "stdout", "stderr", "tty"} {
		if r.URL.Query().Get(k) == "true" {
			want++
		}
	}
	arrived := make(chan httpstream.Stream, want)
	sc, err := spdy.NewServerConnection(conn, func(s httpstream.Stream, _ <-chan struct{}) error {
		arrived <- s
		return nil
	})
	if err != nil {
		return
	}
	defer sc.Close()
	streams := map[string]httpstream.Stream{}
	for len(streams) < want {
		select {
		case s := <-arrived:
			streams[s.Headers().Get("streamType")] = s
		case <-time.After(5 * time.Second):
			return
		case <-sc.CloseChan():
			return
		}
	}
	f.spdy(streams, conn)
}

// bufConn is a hijacked connection with what the server already buffered.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// status encodes an exit status as the server sends it.
func status(code int) []byte {
	if code == 0 {
		return []byte(`{"metadata":{},"status":"Success"}`)
	}
	return fmt.Appendf(nil, `{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"%d"}]}}`, code)
}

// wsSend writes one message on channel ch.
func wsSend(c *websocket.Conn, ch byte, data []byte) error {
	return c.Write(context.Background(), websocket.MessageBinary, append([]byte{ch}, data...))
}

// execOnce runs one Exec against f with a bound, checks that it returned in
// time and left no goroutine behind, and returns its error.
func execOnce(t *testing.T, c *Client, opts Options) error {
	t.Helper()
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Exec(ctx, "ns", "pod", []string{"cmd"}, opts) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Exec did not return")
	}
	require.NoError(t, ctx.Err(), "Exec returned only because its context ended: %v", err)
	leakcheck.Check(t, before, 5*time.Second, ours...)
	return err
}

func TestUpgradeRefused(t *testing.T) {
	f := &fakeServer{}
	c := f.start(t)
	for _, p := range []Protocol{ProtocolAuto, ProtocolWebSocket, ProtocolSPDY} {
		err := execOnce(t, c, Options{Stdout: io.Discard, Protocol: p})
		var se *apierrors.StatusError
		require.ErrorAs(t, err, &se, "%v: %v", p, err)
		assert.True(t, apierrors.IsForbidden(err))
		assert.Contains(t, err.Error(), "upgrade refused here")
	}
	assert.Equal(t, []string{"websocket", "spdy/3.1", "websocket", "spdy/3.1"}, drain(f.upgrades))
}

func drain(ch chan string) []string {
	var out []string
	for {
		select {
		case s := <-ch:
			out = append(out, s)
		default:
			return out
		}
	}
}

// A server that refuses WebSockets (Kubernetes before 1.30 answers 403)
// is served over SPDY, and the stdin half-close reaches it.
func TestFallbackToSPDY(t *testing.T) {
	f := &fakeServer{spdy: func(s map[string]httpstream.Stream, _ net.Conn) {
		in, _ := io.ReadAll(s["stdin"])
		_, _ = s["stdout"].Write(bytes.ToUpper(in))
		_, _ = io.WriteString(s["stderr"], "err")
		_, _ = s["error"].Write(status(7))
		s["stdout"].Close()
		s["stderr"].Close()
		s["error"].Close()
	}}
	c := f.start(t)
	var out, errOut bytes.Buffer
	err := execOnce(t, c, Options{Stdin: strings.NewReader("quiet"), Stdout: &out, Stderr: &errOut})
	var exit *ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 7, exit.Code)
	assert.Equal(t, "QUIET", out.String())
	assert.Equal(t, "err", errOut.String())
	assert.Equal(t, []string{"websocket", "spdy/3.1"}, drain(f.upgrades))
}

// v5's CLOSE signal follows the last of stdin; v4 alone, which cannot send
// it, is left for SPDY when there is stdin to close.
func TestStdinCloseSignal(t *testing.T) {
	f := &fakeServer{ws: func(c *websocket.Conn) {
		var got []string
		for {
			_, msg, err := c.Read(context.Background())
			if err != nil {
				return
			}
			got = append(got, fmt.Sprint(msg))
			if msg[0] == remotecommand.StreamClose {
				break
			}
		}
		_ = wsSend(c, 1, []byte(strings.Join(got, " ")))
		_ = wsSend(c, 3, status(0))
		c.Close(websocket.StatusNormalClosure, "")
	}}
	c := f.start(t)
	var out bytes.Buffer
	require.NoError(t, execOnce(t, c, Options{Stdin: strings.NewReader("hi"), Stdout: &out}))
	assert.Equal(t, "[0 104 105] [255 0]", out.String())

	f.wsProtocols = []string{remotecommand.StreamProtocolV4Name}
	err := execOnce(t, c, Options{Stdin: strings.NewReader("hi"), Stdout: &out})
	assert.True(t, apierrors.IsForbidden(err), "SPDY, refused here, was tried: %v", err)
	assert.Equal(t, []string{"websocket", "websocket", "spdy/3.1"}, drain(f.upgrades))
}

func TestConnectionDroppedMidStream(t *testing.T) {
	t.Run("websocket", func(t *testing.T) {
		f := &fakeServer{ws: func(c *websocket.Conn) {
			_ = wsSend(c, 1, []byte("partial"))
			// No close frame, no status: the connection just ends.
			c.CloseNow()
		}}
		var out bytes.Buffer
		err := execOnce(t, f.start(t), Options{Stdout: &out, Protocol: ProtocolWebSocket})
		assert.ErrorIs(t, err, ErrConnectionLost)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "WebSocket", e.Transport)
		assert.Equal(t, "partial", out.String())
	})
	t.Run("spdy", func(t *testing.T) {
		f := &fakeServer{spdy: func(s map[string]httpstream.Stream, raw net.Conn) {
			_, _ = io.WriteString(s["stdout"], "partial")
			time.Sleep(100 * time.Millisecond)
			raw.Close()
		}}
		var out bytes.Buffer
		err := execOnce(t, f.start(t), Options{Stdout: &out, Protocol: ProtocolSPDY})
		assert.ErrorIs(t, err, ErrConnectionLost)
		assert.Equal(t, "partial", out.String())
	})
	t.Run("websocket-closed-normally-without-status", func(t *testing.T) {
		f := &fakeServer{ws: func(c *websocket.Conn) { c.Close(websocket.StatusNormalClosure, "") }}
		err := execOnce(t, f.start(t), Options{Stdout: io.Discard, Protocol: ProtocolWebSocket})
		assert.ErrorIs(t, err, ErrConnectionLost)
		assert.Contains(t, err.Error(), "without an exit status")
	})
}

// A server gone silent is found by the heartbeat.
func TestSilentServer(t *testing.T) {
	// The server neither reads (so it answers no ping) nor writes.
	release := make(chan struct{})
	f := &fakeServer{ws: func(c *websocket.Conn) { <-release }}
	c := f.start(t)
	c.d.PingEvery, c.d.PongWithin = 50*time.Millisecond, 300*time.Millisecond
	before := runtime.NumGoroutine()
	start := time.Now()
	err := c.Exec(context.Background(), "ns", "pod", []string{"cmd"}, Options{Stdout: io.Discard, Protocol: ProtocolWebSocket})
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, ErrConnectionLost)
	assert.Contains(t, err.Error(), "no answer to a WebSocket ping")
	close(release)
	leakcheck.Check(t, before, 5*time.Second, ours...)
}

func TestMalformedFrames(t *testing.T) {
	for _, tc := range []struct {
		name string
		ws   func(c *websocket.Conn)
	}{
		{"text-message", func(c *websocket.Conn) {
			_ = c.Write(context.Background(), websocket.MessageText, []byte("\x01hello"))
		}},
		{"unknown-channel", func(c *websocket.Conn) { _ = wsSend(c, 9, []byte("x")) }},
		{"status-not-json", func(c *websocket.Conn) {
			_ = wsSend(c, 3, []byte("{not json"))
			c.Close(websocket.StatusNormalClosure, "")
		}},
		{"exit-code-not-a-number", func(c *websocket.Conn) {
			_ = wsSend(c, 3, []byte(`{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"three"}]}}`))
			c.Close(websocket.StatusNormalClosure, "")
		}},
		{"exit-code-missing", func(c *websocket.Conn) {
			_ = wsSend(c, 3, []byte(`{"status":"Failure","reason":"NonZeroExitCode"}`))
			c.Close(websocket.StatusNormalClosure, "")
		}},
		{"status-too-long", func(c *websocket.Conn) {
			_ = wsSend(c, 3, bytes.Repeat([]byte(" "), maxStatus+10))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeServer{ws: func(c *websocket.Conn) {
				tc.ws(c)
				// Wait for the client to hang up.
				_, _, _ = c.Read(context.Background())
			}}
			err := execOnce(t, f.start(t), Options{Stdout: io.Discard, Protocol: ProtocolWebSocket})
			assert.ErrorIs(t, err, ErrProtocol)
			var e *Error
			assert.ErrorAs(t, err, &e)
		})
	}
	t.Run("broken-websocket-framing", func(t *testing.T) {
		c := rawWebSocketServer(t, []byte{0x83, 0x00}) // opcode 3 is reserved
		err := execOnce(t, c, Options{Stdout: io.Discard, Protocol: ProtocolWebSocket})
		assert.ErrorIs(t, err, ErrProtocol)
	})
	t.Run("spdy-status-not-json", func(t *testing.T) {
		f := &fakeServer{spdy: func(s map[string]httpstream.Stream, _ net.Conn) {
			_, _ = io.WriteString(s["error"], "oops")
			s["error"].Close()
			s["stdout"].Close()
		}}
		err := execOnce(t, f.start(t), Options{Stdout: io.Discard, Protocol: ProtocolSPDY})
		assert.ErrorIs(t, err, ErrProtocol)
	})
}

// rawWebSocketServer completes a WebSocket handshake by hand and then
// writes frame, whatever it is.
func rawWebSocketServer(t *testing.T, frame []byte) *Client {
	t.Helper()
	f := &fakeServer{}
	c := f.start(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer raw.Close()
		h := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: %s\r\n\r\n",
			base64.StdEncoding.EncodeToString(h[:]), remotecommand.StreamProtocolV5Name)
		rw.Write(frame)
		rw.Flush()
		_, _ = io.Copy(io.Discard, rw)
	}))
	t.Cleanup(srv.Close)
	cfg := &anykube.Config{Host: srv.URL, TLSClientConfig: anykube.TLSClientConfig{CAData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})}}
	c, err := NewForConfig(cfg)
	require.NoError(t, err)
	return c
}

func TestCancelEndsPromptly(t *testing.T) {
	// The server never ends the stream; it lets go when the client has.
	hang := &fakeServer{
		ws: func(c *websocket.Conn) {
			for {
				if _, _, err := c.Read(context.Background()); err != nil {
					return
				}
			}
		},
		spdy: func(s map[string]httpstream.Stream, _ net.Conn) {
			// An SPDY stream whose data nobody reads stalls the
			// connection, the server's too: read stdin, then wait on
			// the error stream, which ends with the connection.
			_, _ = io.Copy(io.Discard, s["stdin"])
			_, _ = io.Copy(io.Discard, s["error"])
		},
	}
	c := hang.start(t)
	for _, p := range []Protocol{ProtocolWebSocket, ProtocolSPDY} {
		before := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		err := c.Exec(ctx, "ns", "pod", []string{"sleep"}, Options{Stdout: io.Discard, Stdin: strings.NewReader("x"), Protocol: p})
		assert.ErrorIs(t, err, context.Canceled, "%v", p)
		assert.Less(t, time.Since(start), 3*time.Second, "%v", p)
		leakcheck.Check(t, before, 5*time.Second, ours...)
	}
}

// A Stdin that blocks is interrupted when the stream ends, if it can be,
// and stays usable.
func TestBlockedStdinIsInterrupted(t *testing.T) {
	f := &fakeServer{ws: func(c *websocket.Conn) {
		_ = wsSend(c, 3, status(0))
		c.Close(websocket.StatusNormalClosure, "")
	}}
	c := f.start(t)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	require.NoError(t, execOnce(t, c, Options{Stdin: r, Stdout: io.Discard, Protocol: ProtocolWebSocket}))
	_, err = w.Write([]byte("later"))
	require.NoError(t, err)
	buf := make([]byte, 5)
	_, err = io.ReadFull(r, buf)
	require.NoError(t, err)
	assert.Equal(t, "later", string(buf), "nothing was read from stdin after Exec returned")
}

// A Stdout that fails ends the stream with its error.
func TestFailingWriter(t *testing.T) {
	f := &fakeServer{
		ws: func(c *websocket.Conn) {
			for range 100 {
				if wsSend(c, 1, []byte("data")) != nil {
					return
				}
			}
			_, _, _ = c.Read(context.Background())
		},
		spdy: func(s map[string]httpstream.Stream, _ net.Conn) {
			for range 100 {
				if _, err := io.WriteString(s["stdout"], "data"); err != nil {
					return
				}
			}
		},
	}
	c := f.start(t)
	boom := errors.New("disk full")
	for _, p := range []Protocol{ProtocolWebSocket, ProtocolSPDY} {
		err := execOnce(t, c, Options{Stdout: failingWriter{boom}, Protocol: p})
		assert.ErrorIs(t, err, boom, "%v", p)
		assert.Contains(t, err.Error(), "writing stdout")
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestInvalidRequests(t *testing.T) {
	c, err := NewForConfig(&anykube.Config{Host: "https://127.0.0.1:1"})
	require.NoError(t, err)
	ctx := context.Background()
	for name, err := range map[string]error{
		"no command":    c.Exec(ctx, "ns", "pod", nil, Options{Stdout: io.Discard}),
		"no streams":    c.Exec(ctx, "ns", "pod", []string{"true"}, Options{}),
		"tty stderr":    c.Exec(ctx, "ns", "pod", []string{"true"}, Options{TTY: true, Stderr: io.Discard}),
		"bad namespace": c.Exec(ctx, "a/b", "pod", []string{"true"}, Options{Stdout: io.Discard}),
		"no pod":        c.Attach(ctx, "ns", "", Options{Stdout: io.Discard}),
		"bad protocol":  c.Attach(ctx, "ns", "pod", Options{Stdout: io.Discard, Protocol: 9}),
	} {
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
	}
}

// A server that sends the exit status and closes the connection at once
// still gets its exit status reported: the SPDY library would drop frames
// still queued when it meets the end of the connection.
func TestStatusThenImmediateClose(t *testing.T) {
	f := &fakeServer{spdy: func(s map[string]httpstream.Stream, raw net.Conn) {
		_, _ = io.WriteString(s["stdout"], "out")
		_, _ = s["error"].Write(status(9))
		raw.Close()
	}}
	c := f.start(t)
	for range 5 {
		var out bytes.Buffer
		err := execOnce(t, c, Options{Stdout: &out, Protocol: ProtocolSPDY})
		var exit *ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 9, exit.Code)
		assert.Equal(t, "out", out.String())
	}
}
