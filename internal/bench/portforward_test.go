package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
	cgportforward "k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/portforward"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

// WorkloadsKubeconfigEnv names a kubeconfig of a running control plane
// whose pods run (testcluster.Options.Workloads), for BenchmarkPortForward,
// as cmd/report sets it. Unset, the benchmark starts one of its own.
const WorkloadsKubeconfigEnv = "ANYKUBE_BENCH_WORKLOADS_KUBECONFIG"

// forwardTarget is the pod BenchmarkPortForward forwards to.
const forwardNamespace, forwardPod = "portforward-bench", "echo"

// BenchmarkPortForward moves data through each library's port-forward to
// the echo port of a pod served by the fake kubelet of a Workloads control
// plane, the way kubectl port-forward is used: a local TCP port forwarded
// through one tunnel, opened before the timer starts. Each op dials the
// local port conns times at once, sends size random bytes on each,
// half-closes, and reads the echo back, checking every byte. MB/s counts
// the bytes sent one way (the echo moves as many back).
//
// Both libraries run over the same API server, pod and port, with each
// protocol: "websocket" is SPDY inside a WebSocket (anykube's
// ProtocolWebSocket, client-go's NewSPDYOverWebsocketDialer, which kubectl
// uses first), "spdy" is SPDY/3.1 directly (ProtocolSPDY, spdy.NewDialer).
func BenchmarkPortForward(b *testing.B) {
	c := workloadsCluster(b)
	payloads := map[int][]byte{}
	for _, proto := range []string{"websocket", "spdy"} {
		for _, shape := range []struct {
			conns, size int
		}{{1, 16 << 20}, {8, 4 << 20}} {
			name := fmt.Sprintf("%s-%dx%dMiB", proto, shape.conns, shape.size>>20)
			b.Run(name, func(b *testing.B) {
				payload, ok := payloads[shape.size]
				if !ok {
					payload = make([]byte, shape.size)
					_, _ = rand.Read(payload)
					payloads[shape.size] = payload
				}
				s := newSides(c.host, c.token, c.caData)
				// The request counters replace response bodies, which
				// an upgraded connection's must not be.
				s.ak.WrapTransport, s.cg.WrapTransport = nil, nil
				akAddr := akForward(b, s.ak, proto)
				cgAddr := cgForward(b, s, proto)
				total := int64(shape.conns * shape.size)
				sideBytes(b, "anykube", nil, false, total, func(b *testing.B) { echoThrough(b, akAddr, shape.conns, payload) })
				sideBytes(b, "clientgo", nil, false, total, func(b *testing.B) { echoThrough(b, cgAddr, shape.conns, payload) })
			})
		}
	}
}

// workloadsCluster returns a control plane whose pods run, from
// WorkloadsKubeconfigEnv or else started for this run of the benchmark
// and stopped when it ends, with the pod forwardPod running in
// forwardNamespace.
func workloadsCluster(b *testing.B) *cluster {
	var cfg *anykube.Config
	if path := os.Getenv(WorkloadsKubeconfigEnv); path != "" {
		var err error
		if cfg, err = anykube.ConfigFromKubeconfig(anykube.KubeconfigOptions{Paths: []string{path}}); err != nil {
			b.Fatal(err)
		}
	} else {
		tc := testcluster.StartWorkloads(b)
		cfg = &anykube.Config{Host: tc.Host, BearerToken: tc.Token, TLSClientConfig: anykube.TLSClientConfig{CAData: tc.CAData}}
	}
	ca := cfg.TLSClientConfig.CAData
	if len(ca) == 0 && cfg.TLSClientConfig.CAFile != "" {
		var err error
		if ca, err = os.ReadFile(cfg.TLSClientConfig.CAFile); err != nil {
			b.Fatal(err)
		}
	}
	tc := &testcluster.Cluster{Host: cfg.Host, Token: cfg.BearerToken, CAData: ca}
	if err := ensurePod(b, tc); err != nil {
		b.Fatalf("the pod to forward to: %v", err)
	}
	return &cluster{host: cfg.Host, token: cfg.BearerToken, caData: ca}
}

// ensurePod runs forwardPod unless it already runs, as it does when an
// earlier round made it.
func ensurePod(b *testing.B, tc *testcluster.Cluster) error {
	hc, err := tc.HTTPClient()
	if err != nil {
		return err
	}
	resp, err := hc.Get(tc.Host + "/api/v1/namespaces/" + forwardNamespace + "/pods/" + forwardPod)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	if _, err := hc.Post(tc.Host+"/api/v1/namespaces", "application/json",
		bytes.NewReader([]byte(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"`+forwardNamespace+`"}}`))); err != nil {
		return err
	}
	// A namespace that already existed is fine; CreateNamespace is not
	// used because it makes a namespace of a random name.
	waitServiceAccount(b, tc, hc)
	e2e.RunPod(b, tc, forwardNamespace, forwardPod)
	return nil
}

// waitServiceAccount waits for the namespace's default service account,
// without which pods are refused.
func waitServiceAccount(b *testing.B, tc *testcluster.Cluster, hc *http.Client) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := hc.Get(tc.Host + "/api/v1/namespaces/" + forwardNamespace + "/serviceaccounts/default")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("no default service account in %s", forwardNamespace)
}

// akForward opens an anykube tunnel with proto and listens on a local
// port; both end with the benchmark case.
func akForward(b *testing.B, cfg *anykube.Config, proto string) string {
	pf, err := portforward.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	opts := portforward.Options{Protocol: portforward.ProtocolWebSocket}
	if proto == "spdy" {
		opts.Protocol = portforward.ProtocolSPDY
	}
	tun, err := pf.Open(context.Background(), forwardNamespace, forwardPod, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tun.Close() })
	addr, err := tun.Listen("127.0.0.1:0", testcluster.EchoPort)
	if err != nil {
		b.Fatal(err)
	}
	return addr.String()
}

// cgForward starts client-go's PortForwarder with proto on a local port;
// it stops with the benchmark case.
func cgForward(b *testing.B, s *sides, proto string) string {
	u, err := url.Parse(s.cg.Host + "/api/v1/namespaces/" + forwardNamespace + "/pods/" + forwardPod + "/portforward")
	if err != nil {
		b.Fatal(err)
	}
	var dialer httpstream.Dialer
	if proto == "spdy" {
		rt, upgrader, err := spdy.RoundTripperFor(s.cg)
		if err != nil {
			b.Fatal(err)
		}
		dialer = spdy.NewDialer(upgrader, &http.Client{Transport: rt}, http.MethodPost, u)
	} else if dialer, err = cgportforward.NewSPDYOverWebsocketDialer(u, s.cg); err != nil {
		b.Fatal(err)
	}
	stop, ready := make(chan struct{}), make(chan struct{})
	fw, err := cgportforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:" + strconv.Itoa(testcluster.EchoPort)}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- fw.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-done:
		b.Fatalf("client-go port-forward: %v", err)
	}
	b.Cleanup(func() {
		close(stop)
		<-done
	})
	ports, err := fw.GetPorts()
	if err != nil {
		b.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(int(ports[0].Local)))
}

// echoThrough dials addr conns times at once, sends payload on each,
// half-closes and checks that exactly payload comes back.
func echoThrough(b *testing.B, addr string, conns int, payload []byte) {
	errs := make(chan error, conns)
	for range conns {
		go func() { errs <- echoOnce(addr, payload) }()
	}
	for range conns {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
}

func echoOnce(addr string, payload []byte) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	sent := make(chan error, 1)
	go func() {
		_, err := conn.Write(payload)
		if err == nil {
			err = conn.(*net.TCPConn).CloseWrite()
		}
		sent <- err
	}()
	buf := make([]byte, 64<<10)
	got := 0
	for {
		n, err := conn.Read(buf)
		if got+n > len(payload) || !bytes.Equal(buf[:n], payload[got:got+n]) {
			return fmt.Errorf("the echo differs from what was sent at byte %d", got)
		}
		got += n
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the echo after %d bytes: %w", got, err)
		}
	}
	if got != len(payload) {
		return fmt.Errorf("the echo ended after %d of %d bytes", got, len(payload))
	}
	return <-sent
}
