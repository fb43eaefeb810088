package portforward

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/leakcheck"
	"github.com/anykube/anykube/internal/testcluster"
)

// Port-forward is served by the fake kubelets of a Workloads cluster.
func TestMain(m *testing.M) { testcluster.MainWith(m, testcluster.Options{Workloads: true}) }

// The packages whose goroutines must all be gone once a tunnel is.
var ours = []string{"github.com/anykube/anykube/dynamic", "github.com/coder/websocket", "github.com/moby/spdystream", "k8s.io/streaming"}

// e2eClient returns a client of the shared cluster and a namespace with a
// running pod "target".
func e2eClient(t *testing.T) (*Client, *e2e.UpgradeRecorder, *testcluster.Cluster, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test against a real API server with workloads")
	}
	c := testcluster.Shared(t)
	ns := e2e.CreateNamespace(t, c, "portforward")
	e2e.RunPod(t, c, ns, "target")
	rec := &e2e.UpgradeRecorder{}
	cfg := e2e.Config(c, nil)
	cfg.WrapTransport = rec.Wrap
	pf, err := NewForConfig(cfg)
	require.NoError(t, err)
	return pf, rec, c, ns
}

var e2eProtocols = []struct {
	protocol  Protocol
	transport string
	upgrade   string
}{
	{ProtocolAuto, "WebSocket", "websocket 101"},
	{ProtocolSPDY, "SPDY", "spdy/3.1 101"},
}

// echo sends size random bytes through conn, half-closes, reads the echo
// and compares digests.
func echo(conn *Conn, size int) error {
	payload := make([]byte, size)
	_, _ = rand.Read(payload)
	want := sha256.Sum256(payload)
	sent := make(chan error, 1)
	go func() {
		_, err := conn.Write(payload)
		if err == nil {
			err = conn.CloseWrite()
		}
		sent <- err
	}()
	h := sha256.New()
	n, err := io.Copy(h, conn)
	if err != nil {
		return fmt.Errorf("reading the echo after %d bytes: %w", n, err)
	}
	if err := <-sent; err != nil {
		return fmt.Errorf("sending: %w", err)
	}
	if n != int64(size) || !bytes.Equal(h.Sum(nil), want[:]) {
		return fmt.Errorf("echo of %d bytes differs: got %d bytes", size, n)
	}
	return nil
}

// Fifty connections moving 10 MB each, concurrently over one tunnel, come
// back byte for byte, over both protocols.
func TestE2EConcurrentConnections(t *testing.T) {
	pf, rec, _, ns := e2eClient(t)
	const conns, size = 50, 10 << 20
	for _, p := range e2eProtocols {
		t.Run(p.protocol.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			rec.Take()
			tun, err := pf.Open(ctx, ns, "target", Options{Protocol: p.protocol})
			require.NoError(t, err)
			assert.Equal(t, p.transport, tun.Transport())
			assert.Equal(t, []string{p.upgrade}, rec.Take(), "one upgrade carries every connection")
			errs := make(chan error, conns)
			for range conns {
				go func() {
					conn, err := tun.DialPort(ctx, testcluster.EchoPort)
					if err != nil {
						errs <- err
						return
					}
					defer conn.Close()
					errs <- echo(conn, size)
				}()
			}
			for range conns {
				assert.NoError(t, <-errs)
			}
			assert.Empty(t, rec.Take(), "no further upgrade")
			require.NoError(t, tun.Close())
			assert.ErrorIs(t, tun.Err(), net.ErrClosed)
			leakcheck.Check(t, -1, 10*time.Second, ours...)
		})
	}
}

func TestE2ERemoteErrorsPerConnection(t *testing.T) {
	pf, _, _, ns := e2eClient(t)
	for _, p := range e2eProtocols {
		t.Run(p.protocol.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			tun, err := pf.Open(ctx, ns, "target", Options{Protocol: p.protocol})
			require.NoError(t, err)
			defer tun.Close()

			bad, err := tun.DialPort(ctx, 9999)
			require.NoError(t, err)
			defer bad.Close()
			_, err = io.ReadAll(bad)
			var pe *PortError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, 9999, pe.Port)
			assert.Contains(t, pe.Message, "connection refused: nothing listens on port 9999")

			// The tunnel and its other connections go on.
			good, err := tun.DialPort(ctx, testcluster.EchoPort)
			require.NoError(t, err)
			defer good.Close()
			assert.NoError(t, echo(good, 1000))
			assert.Nil(t, tun.Err())
		})
	}
}

// Listen forwards local connections, and an http.Transport can dial
// through the tunnel.
func TestE2EListen(t *testing.T) {
	pf, _, _, ns := e2eClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var handled []error
	var mu sync.Mutex
	tun, err := pf.Open(ctx, ns, "target", Options{ErrorHandler: func(err error) {
		mu.Lock()
		handled = append(handled, err)
		mu.Unlock()
	}})
	require.NoError(t, err)
	addr, err := tun.Listen("127.0.0.1:0", testcluster.EchoPort)
	require.NoError(t, err)
	refused, err := tun.Listen("127.0.0.1:0", 9998)
	require.NoError(t, err)

	local, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	defer local.Close()
	_, err = io.WriteString(local, "over a local port")
	require.NoError(t, err)
	require.NoError(t, local.(*net.TCPConn).CloseWrite())
	got, err := io.ReadAll(local)
	require.NoError(t, err)
	assert.Equal(t, "over a local port", string(got))

	// A refused connection is closed, and reported.
	r, err := net.Dial("tcp", refused.String())
	require.NoError(t, err)
	defer r.Close()
	_, _ = io.ReadAll(r)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(handled) == 1
	}, 5*time.Second, 10*time.Millisecond)
	var pe *PortError
	assert.ErrorAs(t, handled[0], &pe)

	// The tunnel ending closes its listeners.
	require.NoError(t, tun.Close())
	_, err = net.Dial("tcp", addr.String())
	assert.Error(t, err)
}

// A pod that goes away ends the tunnel with ErrPodGone, and its
// connections with the same error.
func TestE2EPodGone(t *testing.T) {
	pf, _, c, ns := e2eClient(t)
	for _, p := range e2eProtocols {
		t.Run(p.protocol.String(), func(t *testing.T) {
			name := "doomed-" + p.protocol.String()
			e2e.RunPod(t, c, ns, name)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			tun, err := pf.Open(ctx, ns, name, Options{Protocol: p.protocol})
			require.NoError(t, err)
			conn, err := tun.DialPort(ctx, testcluster.EchoPort)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, echo2(conn, "before"))

			e2e.DeletePod(t, c, ns, name)
			select {
			case <-tun.Done():
			case <-ctx.Done():
				t.Fatal("the tunnel outlived its pod")
			}
			err = tun.Err()
			assert.ErrorIs(t, err, ErrPodGone)
			assert.Contains(t, err.Error(), "pod deleted")
			_, err = conn.Read(make([]byte, 10))
			assert.ErrorIs(t, err, ErrPodGone)
			_, err = tun.DialPort(ctx, testcluster.EchoPort)
			assert.ErrorIs(t, err, ErrPodGone)
			conn.Close()
			leakcheck.Check(t, -1, 10*time.Second, ours...)
		})
	}
}

// echo2 sends s and reads it back without closing.
func echo2(conn *Conn, s string) error {
	if _, err := io.WriteString(conn, s); err != nil {
		return err
	}
	buf := make([]byte, len(s))
	if _, err := io.ReadFull(conn, buf); err != nil {
		return err
	}
	if string(buf) != s {
		return fmt.Errorf("echo %q, want %q", buf, s)
	}
	return nil
}

func TestE2EOpenFailures(t *testing.T) {
	pf, _, _, ns := e2eClient(t)
	ctx := context.Background()
	for _, p := range e2eProtocols {
		_, err := pf.Open(ctx, ns, "missing", Options{Protocol: p.protocol})
		assert.True(t, apierrors.IsNotFound(err), "%v: %v", p.protocol, err)
	}
	_, err := pf.Open(ctx, ns, "a/b", Options{})
	assert.ErrorIs(t, err, ErrInvalidRequest)

	// Cancelling the context ends the tunnel, promptly, and says so.
	cctx, cancel := context.WithCancel(ctx)
	tun, err := pf.Open(cctx, ns, "target", Options{})
	require.NoError(t, err)
	conn, err := tun.DialPort(ctx, testcluster.EchoPort)
	require.NoError(t, err)
	cancel()
	select {
	case <-tun.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the tunnel outlived its context")
	}
	assert.True(t, errors.Is(tun.Err(), context.Canceled), "%v", tun.Err())
	_, err = conn.Write([]byte("x"))
	assert.ErrorIs(t, err, context.Canceled)
}
