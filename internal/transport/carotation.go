package transport

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// maxRetired is how many replaced transports a caRotation keeps reaching
// with CloseIdleConnections. Older ones are let go: their connections
// still close on their own once idle for idleConnTimeout.
const maxRetired = 4

// caRotation is the base transport of a Config whose certificate
// authorities come from a file: an *http.Transport that verifies servers
// with what the file holds now, read again as the token file is (a stat
// per request, a read when the stat says the file changed).
//
// A tls.Config cannot be given a new pool while connections are being
// made from it, and a verification callback over a pool of our own cannot
// check a server dialled by IP address (crypto/tls does not pass the
// address to it). So a change of the file's content replaces the
// transport with a clone that has the new pool: new requests go to the
// clone, the old transport's idle connections are closed, and requests in
// flight finish on it.
//
// When the file cannot be read or holds no certificate, the pool read
// before stays in use and requests go on; the cause is logged once (see
// watchedFile) and added to the error of a request whose server the old
// pool does not trust.
type caRotation struct {
	file *watchedFile

	mu sync.Mutex // guards the fields below, and orders reads of file
	// cur is the transport requests go to; pem is the file content its
	// pool was made from.
	cur *http.Transport
	pem []byte
	// retired are the transports cur replaced, oldest first, at most
	// maxRetired: connections of requests that were in flight at the swap
	// go idle there afterwards, and CloseIdleConnections must reach them.
	retired []*http.Transport
}

// keptPool is what a rejected CA file's users go on with.
const keptPool = "the certificate authorities read before"

// loadCAFile reads the CA file at path into a pool for the first time. It
// returns the file, watched for changes, its content and the pool; it
// fails when the file cannot be read or holds no PEM certificate.
func loadCAFile(path string) (*watchedFile, []byte, *x509.CertPool, error) {
	f := newWatchedFile(path)
	b, _, err := f.read(false)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("TLS: reading CA file: %w", err)
	}
	pool, err := caFilePool(b, path)
	if err != nil {
		return nil, nil, nil, err
	}
	return f, b, pool, nil
}

func caFilePool(pem []byte, path string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("TLS: CA file %s holds no PEM certificate", path)
	}
	return pool, nil
}

// newCARotation returns the rotation of t, whose TLSClientConfig.RootCAs
// was made from ca.
func newCARotation(t *http.Transport, ca *caSource) *caRotation {
	return &caRotation{file: ca.file, cur: t, pem: ca.pem}
}

// transport returns the transport for the next request, first replacing
// it if the CA file's content changed and holds certificates. force reads
// the file even when a stat says it is unchanged.
func (r *caRotation) transport(force bool) *http.Transport {
	next, old := r.swap(force)
	if old != nil {
		// The old transport gets no new requests; its idle connections
		// would only wait for their timeout.
		old.CloseIdleConnections()
	}
	return next
}

// swap reads the file and, when its content changed and holds
// certificates, makes a transport with the new pool current. It returns
// the current transport and the one it replaced, if any.
func (r *caRotation) swap(force bool) (cur, old *http.Transport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Once loaded the file never fails a read; it reports the cause
	// through lastFailure instead.
	b, changed, err := r.file.read(force)
	if err != nil || !changed || bytes.Equal(b, r.pem) {
		return r.cur, nil
	}
	pool, err := caFilePool(b, r.file.path)
	if err != nil {
		r.file.rejected(err, keptPool)
		return r.cur, nil
	}
	next := r.cur.Clone()
	next.TLSClientConfig.RootCAs = pool
	old = r.cur
	r.cur, r.pem = next, b
	if len(r.retired) == maxRetired {
		r.retired = append(r.retired[:0], r.retired[1:]...)
	}
	r.retired = append(r.retired, old)
	return next, old
}

// RoundTrip sends req through the current transport (an HTTP/1.1-only
// copy of it for a non-WebSocket upgrade, see nextFor). When the server's
// certificate does not verify, the file is read again at once, as a 401
// makes the token file be: the server may have moved to a CA written there
// a moment ago, within the stat's blind spot. If that changed the pool,
// the request is sent once more, provided its body can be replayed (it
// never reached the server). An error that remains says, when the file's
// current content is unusable, why the old pool was used.
func (r *caRotation) RoundTrip(req *http.Request) (*http.Response, error) {
	t := r.transport(false)
	resp, err := nextFor(t, req).RoundTrip(req)
	if err == nil || !verificationFailed(err) {
		return resp, err
	}
	if again := r.transport(true); again != t {
		if body, ok := replayBody(req); ok {
			retry := new(http.Request)
			*retry = *req
			retry.Body = body
			resp, err = nextFor(again, retry).RoundTrip(retry)
			if err == nil || !verificationFailed(err) {
				return resp, err
			}
		}
	}
	if ferr := r.file.lastFailure(); ferr != nil {
		return nil, fmt.Errorf("%w (verified with %s from CA file %s, whose current content cannot be used: %w)", err, keptPool, r.file.path, ferr)
	}
	return nil, err
}

// verificationFailed reports whether err is a server certificate that
// did not verify.
func verificationFailed(err error) bool {
	var v *tls.CertificateVerificationError
	return errors.As(err, &v)
}

// CloseIdleConnections closes the idle connections of the current
// transport and of those it replaced.
func (r *caRotation) CloseIdleConnections() {
	r.mu.Lock()
	ts := make([]*http.Transport, 0, len(r.retired)+1)
	ts = append(append(ts, r.retired...), r.cur)
	r.mu.Unlock()
	for _, t := range ts {
		t.CloseIdleConnections()
	}
}
