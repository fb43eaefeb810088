// Package podexec runs commands in the containers of pods and attaches to
// their main processes, like kubectl exec and kubectl attach, through the
// same anykube.Config as the dynamic client: its TLS settings, proxy,
// credentials (bearer token and file, basic auth, exec plugins, client
// certificates) and impersonation.
//
//	pe, err := podexec.NewForConfig(cfg)
//	err = pe.Exec(ctx, "default", "web-0", []string{"sh", "-c", "cat; exit 3"}, podexec.Options{
//		Container: "app",
//		Stdin:     strings.NewReader("hello\n"),
//		Stdout:    os.Stdout,
//		Stderr:    os.Stderr,
//	})
//	var exit *podexec.ExitError
//	if errors.As(err, &exit) { ... exit.Code is 3 ... }
//
// It is a package of its own, beside the dynamic client, because it is a
// different kind of call: not a request and a response but a connection
// upgraded to carry several streams both ways for as long as the process
// runs. dynamic/portforward is its sibling for pods' ports.
//
// # Protocols
//
// Kubernetes 1.30 and later serve exec and attach over a WebSocket with the
// channel protocol v5.channel.k8s.io: every message is prefixed by the
// number of its stream (0 stdin, 1 stdout, 2 stderr, 3 the exit status, 4
// terminal sizes), and the message {255, 0} tells the server that stdin
// ended, which the remote process then sees as end of file. Older servers
// refuse the WebSocket (403 or 400) and serve SPDY/3.1 with
// v4.channel.k8s.io, one SPDY stream per standard stream, where closing
// the stdin stream's sending side does the same. Options.Protocol picks
// one, or (the default) tries WebSocket and falls back to SPDY as kubectl
// does. v4.channel.k8s.io over WebSocket, which some servers offer in
// place of v5, is used only when it can do the job: it cannot signal the
// end of stdin.
//
// In both, the server ends the stream by sending a metav1.Status on the
// error channel: Success, a Failure with reason NonZeroExitCode and an
// ExitCode cause (returned as *ExitError), or another Failure (returned
// as the *apierrors.StatusError it is). A stream that ends without one lost
// its connection, and says so (ErrConnectionLost): Exec never reports
// success it did not see.
//
// The WebSocket is github.com/coder/websocket, chosen over
// gorilla/websocket (what client-go uses) and golang.org/x/net/websocket
// (already in the dependency graph) because it performs its handshake
// through the caller's *http.Client: the upgrade request goes through the
// transport anykube.HTTPClientFor builds, credentials, proxy and
// WrapTransport included, with no second dialer to keep in step. It is
// maintained (by Coder, formerly nhooyr.io/websocket), has no dependencies
// of its own, bounds every read, write and ping by a context, starts no
// goroutine per connection, and implements the close handshake with status
// codes. gorilla/websocket dials by itself (its own TLS and proxy
// settings, no HTTPS proxies in v1.5.3) and needs deadlines and a
// dedicated reader for pings; x/net/websocket exposes neither close codes
// nor pings and its own documentation points elsewhere. SPDY is
// k8s.io/streaming, the Kubernetes project's implementation, already in
// apimachinery's dependency graph.
//
// # Lifetime
//
// Exec and Attach return once the stream is over and every goroutine they
// started has ended, with one exception they cannot avoid: a Read of
// Options.Stdin that is blocked when the stream ends and cannot be
// interrupted (see Options.Stdin). Cancelling ctx closes the connection at
// once. The connection is pinged every 10 seconds, which keeps idle
// sessions through load balancers and finds a dead connection (one whose
// pings go unanswered) within about a minute, over WebSocket and SPDY
// alike.
package podexec
