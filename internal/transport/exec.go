package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// execAuthenticator runs a credential plugin and caches what it prints until
// it expires or the server rejects it. Concurrent requests that find no
// usable credential share one plugin run.
type execAuthenticator struct {
	cfg     ExecConfig
	cluster *execCluster // nil unless the plugin asked for cluster info

	// Seams for tests.
	now        func() time.Time
	stdin      *os.File
	stderr     io.Writer
	isTerminal func(*os.File) bool

	mu sync.Mutex // guards the fields below
	// creds is the cached credential, nil when there is none or it was
	// rejected.
	creds *credentials
	// lastCert is the leaf of the last client certificate the plugin gave,
	// nil when it gave none.
	lastCert []byte
	// running is the plugin run in progress, nil when none is.
	running *execRun
	// certChanged are called after a run yields a different client
	// certificate, so that transports drop connections made with the old
	// one (TLS authenticates a connection once, at the handshake).
	certChanged []func()
}

// execRun is one plugin run that several requests may wait for.
type execRun struct {
	done  chan struct{}
	creds *credentials
	err   error
}

// validateExec checks an exec stanza before anything runs, so that a bad
// kubeconfig fails when the client is built.
func validateExec(c *ExecConfig) error {
	if c.Command == "" {
		return errors.New("exec plugin: command is empty")
	}
	switch c.APIVersion {
	case execAPIV1, execAPIV1beta1:
	case "":
		return errors.New("exec plugin: apiVersion is empty; use " + execAPIV1)
	default:
		return fmt.Errorf("exec plugin: unsupported apiVersion %q; use %s or %s", c.APIVersion, execAPIV1, execAPIV1beta1)
	}
	switch c.InteractiveMode {
	case "Never", "IfAvailable", "Always":
	case "":
		if c.APIVersion == execAPIV1 {
			return errors.New("exec plugin: interactiveMode must be set for " + execAPIV1 + " (Never, IfAvailable or Always)")
		}
	default:
		return fmt.Errorf("exec plugin: invalid interactiveMode %q; use Never, IfAvailable or Always", c.InteractiveMode)
	}
	return nil
}

func newExecAuthenticator(c *ExecConfig, cluster *execCluster) *execAuthenticator {
	cfg := *c
	if cfg.InteractiveMode == "" {
		cfg.InteractiveMode = "IfAvailable" // v1beta1's default
	}
	return &execAuthenticator{
		cfg:        cfg,
		cluster:    cluster,
		now:        time.Now,
		stdin:      os.Stdin,
		stderr:     os.Stderr,
		isTerminal: isTerminal,
	}
}

// execAuthenticators shares one authenticator, and so one cached
// credential, among all transports built for the same plugin and cluster.
var execAuthenticators = struct {
	sync.Mutex
	m map[string]*execAuthenticator
}{m: map[string]*execAuthenticator{}}

func sharedExecAuthenticator(c *ExecConfig, cluster *execCluster) (*execAuthenticator, error) {
	key, err := json.Marshal(struct {
		C  *ExecConfig
		Cl *execCluster
	}{c, cluster})
	if err != nil {
		return nil, errors.New("exec plugin: the cluster extension config cannot be encoded as JSON")
	}
	execAuthenticators.Lock()
	defer execAuthenticators.Unlock()
	if a, ok := execAuthenticators.m[string(key)]; ok {
		return a, nil
	}
	a := newExecAuthenticator(c, cluster)
	execAuthenticators.m[string(key)] = a
	return a, nil
}

// get returns a usable credential, running the plugin when there is none.
// A caller whose context ends stops waiting; the run goes on for the others.
func (a *execAuthenticator) get(ctx context.Context) (*credentials, error) {
	a.mu.Lock()
	if c := a.creds; c != nil && (c.expiry.IsZero() || a.now().Before(c.expiry)) {
		a.mu.Unlock()
		return c, nil
	}
	run := a.running
	if run == nil {
		run = &execRun{done: make(chan struct{})}
		a.running = run
		go a.run(run)
	}
	a.mu.Unlock()
	select {
	case <-run.done:
		return run.creds, run.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (a *execAuthenticator) run(r *execRun) {
	creds, err := a.exec()
	var notify []func()
	a.mu.Lock()
	if err == nil {
		var leaf []byte
		if creds.cert != nil {
			leaf = creds.cert.Certificate[0]
		}
		// The cached credential may already be gone (a 401 drops it), so
		// the last certificate is remembered on its own.
		if a.lastCert != nil && !bytes.Equal(a.lastCert, leaf) {
			notify = a.certChanged
		}
		a.creds, a.lastCert = creds, leaf
	}
	a.running = nil
	r.creds, r.err = creds, err
	a.mu.Unlock()
	// Before waking the waiters: their requests must not pick an idle
	// connection made with the old certificate.
	for _, f := range notify {
		f()
	}
	close(r.done)
}

// onCertChange registers f to run whenever a new client certificate
// replaces the old one.
func (a *execAuthenticator) onCertChange(f func()) {
	a.mu.Lock()
	a.certChanged = append(a.certChanged, f)
	a.mu.Unlock()
}

// authorization implements authorizer. A plugin that returned only a client
// certificate yields "".
func (a *execAuthenticator) authorization(ctx context.Context) (string, error) {
	c, err := a.get(ctx)
	if err != nil {
		return "", err
	}
	if c.token == "" {
		return "", nil
	}
	return "Bearer " + c.token, nil
}

// unauthorized drops the cached credential if it is the one the server
// rejected, so the next request runs the plugin again. A credential that a
// concurrent request already replaced is left alone.
func (a *execAuthenticator) unauthorized(value string) bool {
	a.mu.Lock()
	if a.creds != nil && (a.creds.token == "" && value == "" || "Bearer "+a.creds.token == value) {
		a.creds = nil
	}
	a.mu.Unlock()
	return true
}

// clientCertificate is a tls.Config.GetClientCertificate helper: it reports
// false when the plugin supplies no certificate.
func (a *execAuthenticator) clientCertificate(info *tls.CertificateRequestInfo) (*tls.Certificate, bool, error) {
	c, err := a.get(info.Context())
	if err != nil {
		return nil, false, err
	}
	return c.cert, c.cert != nil, nil
}

// exec runs the plugin once. Its errors quote neither the plugin's
// standard output nor its standard error: a plugin that fails may print its
// token, a refresh token or its environment on either, and errors end up in
// logs. They give the exit status and how much the plugin wrote to
// standard error, so that the user knows to run it by hand.
func (a *execAuthenticator) exec() (*credentials, error) {
	name := a.cfg.Command
	path, err := exec.LookPath(name)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			msg := fmt.Sprintf("exec plugin: executable %q not found", name)
			if a.cfg.InstallHint != "" {
				msg += "\n\n" + strings.TrimSpace(a.cfg.InstallHint)
			}
			return nil, &execNotFoundError{msg: msg, err: err}
		}
		return nil, fmt.Errorf("exec plugin %q: %w", name, err)
	}

	interactive := false
	switch a.cfg.InteractiveMode {
	case "IfAvailable":
		interactive = a.isTerminal(a.stdin)
	case "Always":
		if !a.isTerminal(a.stdin) {
			return nil, fmt.Errorf("exec plugin %q: interactiveMode is Always but standard input is not a terminal", name)
		}
		interactive = true
	}

	info, err := json.Marshal(execCredential{
		APIVersion: a.cfg.APIVersion,
		Kind:       "ExecCredential",
		Spec:       execSpec{Cluster: a.cluster, Interactive: interactive},
	})
	if err != nil {
		return nil, fmt.Errorf("exec plugin %q: encoding KUBERNETES_EXEC_INFO: %w", name, err)
	}

	cmd := exec.Command(path, a.cfg.Args...)
	// Later entries win, so the plugin's own env overrides ours.
	cmd.Env = append(os.Environ(), "KUBERNETES_EXEC_INFO="+string(info))
	for _, e := range a.cfg.Env {
		cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
	}
	var stdout bytes.Buffer
	var stderr byteCounter
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if interactive {
		// An interactive plugin prompts on standard error, for the user
		// at the terminal to read; that is where it goes.
		cmd.Stdin = a.stdin
		cmd.Stderr = io.MultiWriter(a.stderr, &stderr)
	}
	if err := cmd.Run(); err != nil {
		if stderr == 0 {
			return nil, fmt.Errorf("exec plugin %q failed: %w", name, err)
		}
		return nil, fmt.Errorf("exec plugin %q failed: %w (it wrote %d bytes to standard error, not shown because they may hold credentials; run the command by hand to read them)", name, err, int64(stderr))
	}
	creds, err := parseExecOutput(stdout.Bytes(), a.cfg.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("exec plugin %q: %w", name, err)
	}
	return creds, nil
}

// execNotFoundError is returned when the plugin is not installed. It
// unwraps to exec.ErrNotFound (or fs.ErrNotExist for a path).
type execNotFoundError struct {
	msg string
	err error
}

func (e *execNotFoundError) Error() string { return e.msg }
func (e *execNotFoundError) Unwrap() error { return e.err }

// byteCounter counts what a plugin writes to standard error and keeps
// none of it.
type byteCounter int64

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}

// isTerminal reports whether f is a character device, which is what a
// terminal looks like from here without a terminal library.
func isTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// execCertUnusable fails requests whose only credential is a plugin client
// certificate when the base transport is the caller's own, since there is
// no way to hand the certificate to it.
type execCertUnusable struct{ *execAuthenticator }

func (e execCertUnusable) authorization(ctx context.Context) (string, error) {
	c, err := e.get(ctx)
	if err != nil {
		return "", err
	}
	if c.token == "" && c.cert != nil {
		return "", errors.New("exec plugin returned a client certificate, which a custom Config.Transport cannot use")
	}
	return "Bearer " + c.token, nil
}

var _ http.RoundTripper = (*headerRoundTripper)(nil)
