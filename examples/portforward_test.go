package examples_test

import (
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestPortForwardDemo(t *testing.T) {
	_, env := namespace(t)
	for range 2 {
		out := mustRun(t, []string{env}, "port-forward", "--demo")
		assertInOrder(t, out,
			"Created pod anykube-port-forward-demo; waiting for it to run.",
			"Opened a tunnel to pod anykube-port-forward-demo over WebSocket.",
			`In-process connection to port 7777: sent and got back "hello through the tunnel"`,
			`-> 7777: sent and got back "hello through a local port"`,
			"20 connections of 1024 KiB each at once: every byte came back.",
			"Port 9: the pod's side says",
			"nothing listens on port 9",
			"Deleted pod anykube-port-forward-demo.",
			"The tunnel ended: portforward: ",
			"the pod is gone: pod deleted (errors.Is ErrPodGone: true)",
		)
	}
}

func TestPortForward(t *testing.T) {
	ns, env := namespace(t)
	c := testcluster.Shared(t)
	e2e.RunPod(t, c, ns, "target")
	forwarding := regexp.MustCompile(`Forwarding from (127\.0\.0\.1:\d+) -> 7777`)
	for _, protocol := range [][]string{nil, {"--spdy"}} {
		r := start(t, []string{env}, "port-forward", append(protocol, "target", ":7777")...)
		var addr string
		deadline := time.Now().Add(30 * time.Second)
		for addr == "" && time.Now().Before(deadline) {
			if m := forwarding.FindStringSubmatch(r.output()); m != nil {
				addr = m[1]
			}
			time.Sleep(50 * time.Millisecond)
		}
		if addr == "" {
			t.Fatalf("port-forward %v printed no address:\n%s\n%s", protocol, r.output(), r.stderr.String())
		}
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(conn, "through the example")
		_ = conn.(*net.TCPConn).CloseWrite()
		got, err := io.ReadAll(conn)
		conn.Close()
		if err != nil || string(got) != "through the example" {
			t.Errorf("port-forward %v: echo %q, %v", protocol, got, err)
		}
		want := "over WebSocket"
		if protocol != nil {
			want = "over SPDY"
		}
		if !strings.Contains(r.output(), want) {
			t.Errorf("port-forward %v: output lacks %q:\n%s", protocol, want, r.output())
		}
		// Ctrl-C ends it cleanly.
		_ = r.cmd.Process.Signal(os.Interrupt)
		if err := r.wait(t); err != nil {
			t.Errorf("port-forward %v after Ctrl-C: %v\n%s", protocol, err, r.stderr.String())
		}
	}

	// The pod going away ends it with an error that says so.
	r := start(t, []string{env}, "port-forward", "target", "0:7777")
	r.expect(t, "Forwarding from 127.0.0.1:")
	e2e.DeletePod(t, c, ns, "target")
	if err := r.wait(t); err == nil || !strings.Contains(r.stderr.String(), "pod deleted") {
		t.Errorf("port-forward after its pod was deleted: err=%v stderr=%q", err, r.stderr.String())
	}
}
