package e2e

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TCPProxy forwards TCP connections to a target, TLS and all, and can drop
// every open connection, or refuse new ones for a while, the way a flaky
// network or a restarting load balancer does. It stops with the test.
type TCPProxy struct {
	// Refusing, while true, closes new connections at once.
	Refusing atomic.Bool
	// Accepted counts the connections forwarded so far.
	Accepted atomic.Int64

	ln     net.Listener
	target string
	mu     sync.Mutex // guards conns
	conns  map[net.Conn]struct{}
}

// NewTCPProxy listens on a loopback port and forwards to target
// ("host:port").
func NewTCPProxy(t testing.TB, target string) *TCPProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &TCPProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.Cut()
	})
	return p
}

func (p *TCPProxy) serve() {
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.Refusing.Load() {
			down.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			down.Close()
			continue
		}
		p.Accepted.Add(1)
		p.mu.Lock()
		p.conns[down], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, down); p.drop(up, down) }()
		go func() { _, _ = io.Copy(down, up); p.drop(up, down) }()
	}
}

// drop closes a connection pair whose one side ended.
func (p *TCPProxy) drop(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Cut closes every connection open through the proxy and returns how many
// client connections there were.
func (p *TCPProxy) Cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	n := len(p.conns) / 2
	clear(p.conns)
	return n
}

// URL is the proxy's address as a kubeconfig server or Config.Host.
func (p *TCPProxy) URL() string { return "https://" + p.ln.Addr().String() }
