// Package portforward forwards connections to the ports of pods, like
// kubectl port-forward, through the same anykube.Config as the dynamic
// client: its TLS settings, proxy, credentials (bearer token and file,
// basic auth, exec plugins, client certificates) and impersonation.
//
// A Tunnel is one connection to the API server's pods/portforward
// subresource for one pod, over which any number of connections to the
// pod's ports are multiplexed, concurrently:
//
//	pf, err := portforward.NewForConfig(cfg)
//	tun, err := pf.Open(ctx, "default", "db-0", portforward.Options{})
//	defer tun.Close()
//	addr, err := tun.Listen("127.0.0.1:0", 5432)     // a local port, like kubectl
//	conn, err := tun.DialPort(ctx, 5432)              // or a net.Conn in the process
//	hc := &http.Client{Transport: &http.Transport{DialContext: tun.DialContext}}
//	<-tun.Done()                                      // tun.Err() says why it ended
//
// In-process connections need no local port at all, which suits tests,
// database migrations run from CI and tools that talk to a pod
// themselves. It is a package of its own, beside the dynamic client and
// its sibling dynamic/podexec, because a tunnel is not a request but a
// connection that lives as long as its user wants.
//
// # Protocols
//
// The protocol is portforward.k8s.io over SPDY/3.1: each connection is a
// pair of SPDY streams carrying the pod's port, a data stream and an error
// stream on which the kubelet reports why the connection failed (returned
// by that connection's Read or Write as a *PortError; the other
// connections go on). Since Kubernetes 1.30 (on by default from 1.31) the
// API server also accepts a WebSocket with subprotocol
// SPDY/3.1+portforward.k8s.io, each of whose binary messages carries a
// piece of the same SPDY byte stream. Options.Protocol picks one, or (the
// default) tries the WebSocket and falls back to SPDY when the server
// refuses it, as kubectl does. The WebSocket and SPDY implementations and
// why they were chosen are described in dynamic/podexec's documentation.
// SPDY frames are written whole, one TLS record or WebSocket message each
// where the SPDY library alone writes three or more, and the WebSocket is
// read without a context and timer per read, which keeps a tunnel's
// allocations to about one per frame.
//
// # Lifetime
//
// A tunnel ends when the context given to Open ends, when Close is called,
// when its connection is lost (it is pinged every 10 seconds, over
// WebSocket and SPDY alike, so a dead one is found within about a minute),
// or when its pod is deleted,
// replaced or finished, which a watch on the pod notices (see
// Options.NoPodWatch): the kubelet itself keeps a tunnel to a deleted pod
// open. Its connections and listeners then fail with the tunnel's error,
// and Done is closed once every goroutine the tunnel started has ended.
package portforward
