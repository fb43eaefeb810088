// Command port-forward forwards local ports to a pod, like `kubectl
// port-forward`, through dynamic/portforward: one tunnel (WebSocket first,
// SPDY when the server refuses it) carries every connection.
//
//	port-forward [-n NS] [--address ADDR] [--spdy] POD [LOCAL:]REMOTE...
//	port-forward --demo [-n NS]
//
// Each REMOTE port of the pod is forwarded from LOCAL (a free port when
// LOCAL is left out or 0) on ADDR (127.0.0.1 unless given), until Ctrl-C,
// or until the pod goes away, which ends it with an error. --demo creates a
// pod that echoes what it reads on port 7777, talks to it in-process and
// through a local port, with 20 connections at once, shows a connection to
// a port where nothing listens fail on its own, deletes the pod and shows
// the tunnel end with it.
//
// It reads the cluster from $KUBECONFIG (or ~/.kube/config, or the
// in-cluster service account).
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/portforward"
)

func main() {
	fs := flag.NewFlagSet("port-forward", flag.ExitOnError)
	ns := fs.String("n", "", "namespace (default: the kubeconfig context's)")
	address := fs.String("address", "127.0.0.1", "local address to listen on")
	spdy := fs.Bool("spdy", false, "use SPDY instead of trying WebSocket first")
	demo := fs.Bool("demo", false, "create an echoing pod, forward to it, delete it")
	_ = fs.Parse(os.Args[1:])
	args := fs.Args()

	var err error
	switch {
	case *demo:
		err = runDemo(*ns)
	case len(args) >= 2:
		err = run(args[0], args[1:], *ns, *address, *spdy)
	default:
		fmt.Fprintln(os.Stderr, "usage: port-forward [-n NS] [--address ADDR] [--spdy] POD [LOCAL:]REMOTE...\n       port-forward --demo [-n NS]")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "port-forward: %v\n", err)
		os.Exit(1)
	}
}

// client returns a portforward client, the namespace to use and the
// Config.
func client(ns string) (*portforward.Client, string, *anykube.Config, error) {
	cfg, err := anykube.InferConfig()
	if err != nil {
		return nil, "", nil, err
	}
	if ns == "" {
		if ns, err = anykube.InferNamespace(); err != nil {
			return nil, "", nil, err
		}
	}
	pf, err := portforward.NewForConfig(cfg)
	return pf, ns, cfg, err
}

// mapping is one LOCAL:REMOTE argument.
type mapping struct{ local, remote int }

func parseMapping(s string) (mapping, error) {
	local, remote, found := strings.Cut(s, ":")
	if !found {
		local, remote = "0", local
	}
	if local == "" {
		local = "0"
	}
	l, err1 := strconv.Atoi(local)
	r, err2 := strconv.Atoi(remote)
	if err1 != nil || err2 != nil || l < 0 || l > 65535 || r < 1 || r > 65535 {
		return mapping{}, fmt.Errorf("%q is not [LOCAL:]REMOTE with ports in 1-65535", s)
	}
	return mapping{l, r}, nil
}

// run forwards until Ctrl-C or the end of the tunnel.
func run(pod string, ports []string, ns, address string, spdy bool) error {
	var mappings []mapping
	for _, p := range ports {
		m, err := parseMapping(p)
		if err != nil {
			return err
		}
		mappings = append(mappings, m)
	}
	pf, ns, _, err := client(ns)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := portforward.Options{ErrorHandler: func(err error) { fmt.Fprintf(os.Stderr, "connection failed: %v\n", err) }}
	if spdy {
		opts.Protocol = portforward.ProtocolSPDY
	}
	tun, err := pf.Open(ctx, ns, pod, opts)
	if err != nil {
		return err
	}
	defer tun.Close()
	for _, m := range mappings {
		addr, err := tun.Listen(net.JoinHostPort(address, strconv.Itoa(m.local)), m.remote)
		if err != nil {
			return err
		}
		fmt.Printf("Forwarding from %s -> %d\n", addr, m.remote)
	}
	fmt.Printf("Tunnel to pod %s/%s over %s; Ctrl-C ends it.\n", ns, pod, tun.Transport())
	<-tun.Done()
	if ctx.Err() != nil {
		return nil // Ctrl-C
	}
	return tun.Err()
}
