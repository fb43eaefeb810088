package podexec

import (
	"bytes"
	"context"

	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/remotecommand"

	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

// Exec and attach are served by the fake kubelets of a Workloads cluster.
func TestMain(m *testing.M) { testcluster.MainWith(m, testcluster.Options{Workloads: true}) }

// e2eTarget is a running pod of the shared cluster and a client for it.
type e2eTarget struct {
	c        *Client
	ups      *e2e.UpgradeRecorder
	ns, pod  string
	protocol Protocol
}

func newE2ETarget(t *testing.T) *e2eTarget {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test against a real API server with workloads")
	}
	c := testcluster.Shared(t)
	ns := e2e.CreateNamespace(t, c, "podexec")
	e2e.RunPod(t, c, ns, "target")
	ups := &e2e.UpgradeRecorder{}
	cfg := e2e.Config(c, nil)
	cfg.WrapTransport = ups.Wrap
	client, err := NewForConfig(cfg)
	require.NoError(t, err)
	return &e2eTarget{c: client, ups: ups, ns: ns, pod: "target"}
}

// protocols are the ways every end-to-end case runs, and the upgrades each
// is expected to make against a current server.
var protocols = []struct {
	name     string
	protocol Protocol
	v4       bool // offer only v4.channel.k8s.io over WebSocket
	want     []string
}{
	{"auto", ProtocolAuto, false, []string{"websocket 101"}},
	{"spdy", ProtocolSPDY, false, []string{"spdy/3.1 101"}},
	{"websocket-v4", ProtocolWebSocket, true, []string{"websocket 101"}},
}

func TestE2EExec(t *testing.T) {
	tg := newE2ETarget(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			c := *tg.c
			if p.v4 {
				c.wsProtocols = []string{remotecommand.StreamProtocolV4Name}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			tg.ups.Take()

			t.Run("stdin-closed-stderr-separate-exit-code", func(t *testing.T) {
				if p.v4 {
					t.Skip("v4 over WebSocket cannot close stdin")
				}
				var stdout, stderr bytes.Buffer
				err := c.Exec(ctx, tg.ns, tg.pod, []string{"sh", "-c", "cat; echo to-stderr >&2; exit 3"}, Options{
					Container: "app", Stdin: strings.NewReader("from stdin\n"), Stdout: &stdout, Stderr: &stderr, Protocol: p.protocol,
				})
				var exit *ExitError
				require.ErrorAs(t, err, &exit)
				assert.Equal(t, 3, exit.Code)
				assert.Equal(t, "from stdin\n", stdout.String())
				assert.Equal(t, "to-stderr\n", stderr.String())
				assert.Equal(t, p.want, tg.ups.Take())
			})

			t.Run("success-and-environment", func(t *testing.T) {
				var stdout bytes.Buffer
				err := c.Exec(ctx, tg.ns, tg.pod, []string{"sh", "-c", `echo "$ANYKUBE_NAMESPACE/$ANYKUBE_POD/$ANYKUBE_CONTAINER"`}, Options{
					Container: "app", Stdout: &stdout, Protocol: p.protocol,
				})
				require.NoError(t, err)
				assert.Equal(t, tg.ns+"/"+tg.pod+"/app\n", stdout.String())
				assert.Equal(t, p.want, tg.ups.Take())
			})

			t.Run("tty-and-resize", func(t *testing.T) {
				sizes := make(chan TerminalSize, 1)
				sizes <- TerminalSize{Width: 123, Height: 45}
				var out bytes.Buffer
				// The size and the command race in the kubelet: poll.
				script := `for i in $(seq 50); do s=$(stty size); [ "$s" = "45 123" ] && break; sleep 0.1; done; echo "size $s"; [ -t 0 ] && echo tty; exit 4`
				err := c.Exec(ctx, tg.ns, tg.pod, []string{"sh", "-c", script}, Options{
					Container: "app", Stdout: &out, TTY: true, Resize: sizes, Protocol: p.protocol,
				})
				var exit *ExitError
				require.ErrorAs(t, err, &exit, "output %q", out.String())
				assert.Equal(t, 4, exit.Code)
				assert.Contains(t, out.String(), "size 45 123")
				assert.Contains(t, out.String(), "tty")
			})

			t.Run("tty-stdin", func(t *testing.T) {
				// On a terminal, end of input is typed: ^D.
				var out bytes.Buffer
				err := c.Exec(ctx, tg.ns, tg.pod, []string{"sh", "-c", "read line; echo got:$line"}, Options{
					Container: "app", Stdin: strings.NewReader("typed\n"), Stdout: &out, TTY: true, Protocol: p.protocol,
				})
				require.NoError(t, err)
				assert.Contains(t, out.String(), "got:typed")
			})

			t.Run("command-not-found", func(t *testing.T) {
				err := c.Exec(ctx, tg.ns, tg.pod, []string{"/no/such/command"}, Options{Container: "app", Stdout: io.Discard, Protocol: p.protocol})
				var se *apierrors.StatusError
				require.ErrorAs(t, err, &se)
				assert.Contains(t, se.Error(), "/no/such/command")
			})

			t.Run("no-such-pod", func(t *testing.T) {
				err := c.Exec(ctx, tg.ns, "missing", []string{"true"}, Options{Stdout: io.Discard, Protocol: p.protocol})
				assert.True(t, apierrors.IsNotFound(err), "%v", err)
			})

			t.Run("no-such-container", func(t *testing.T) {
				err := c.Exec(ctx, tg.ns, tg.pod, []string{"true"}, Options{Container: "nope", Stdout: io.Discard, Protocol: p.protocol})
				var se *apierrors.StatusError
				require.ErrorAs(t, err, &se)
				assert.Contains(t, se.Error(), "nope")
			})

			t.Run("cancel", func(t *testing.T) {
				ctx, cancel := context.WithCancel(ctx)
				time.AfterFunc(500*time.Millisecond, cancel)
				start := time.Now()
				err := c.Exec(ctx, tg.ns, tg.pod, []string{"sleep", "30"}, Options{Container: "app", Stdout: io.Discard, Protocol: p.protocol})
				assert.ErrorIs(t, err, context.Canceled)
				var e *Error
				assert.ErrorAs(t, err, &e)
				assert.Less(t, time.Since(start), 5*time.Second)
			})
		})
	}
}

func TestE2EAttach(t *testing.T) {
	tg := newE2ETarget(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			c := *tg.c
			if p.v4 {
				c.wsProtocols = []string{remotecommand.StreamProtocolV4Name}
			}
			t.Run("ticker", func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				out := &syncBuffer{}
				done := make(chan error, 1)
				go func() {
					done <- c.Attach(ctx, tg.ns, tg.pod, Options{Container: testcluster.TickerContainer, Stdout: out, Protocol: p.protocol})
				}()
				deadline := time.Now().Add(20 * time.Second)
				for strings.Count(out.String(), "tick ") < 3 && time.Now().Before(deadline) {
					time.Sleep(50 * time.Millisecond)
				}
				cancel()
				err := <-done
				assert.ErrorIs(t, err, context.Canceled)
				assert.GreaterOrEqual(t, strings.Count(out.String(), "tick "), 3, "attach printed %q", out.String())
			})
			t.Run("stdin-echo", func(t *testing.T) {
				if p.v4 {
					t.Skip("v4 over WebSocket cannot close stdin")
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				var out bytes.Buffer
				err := c.Attach(ctx, tg.ns, tg.pod, Options{Container: "app", Stdin: strings.NewReader("echo me\n"), Stdout: &out, Protocol: p.protocol})
				require.NoError(t, err)
				assert.Equal(t, "echo me\n", out.String())
			})
		})
	}
}

// syncBuffer is a bytes.Buffer written by a stream while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
