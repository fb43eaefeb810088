package bench

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// counter is a round tripper that counts the requests passing through it
// and the most that were open at once, a request being open from its start
// until its response body is closed.
type counter struct {
	total, open, peak atomic.Int64
	// bytes counts the response body bytes read; report adds it as
	// resp-B/op when withBytes is set.
	bytes     atomic.Int64
	withBytes bool
}

// wrap puts c in front of rt; both libraries' configs take it as their
// WrapTransport, and may call it once per client they build.
func (c *counter) wrap(rt http.RoundTripper) http.RoundTripper {
	return &counted{c: c, next: rt}
}

type counted struct {
	c    *counter
	next http.RoundTripper
}

func (t *counted) RoundTrip(r *http.Request) (*http.Response, error) {
	c := t.c
	c.total.Add(1)
	n := c.open.Add(1)
	for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		c.open.Add(-1)
		return nil, err
	}
	resp.Body = &closeOnce{ReadCloser: resp.Body, done: func() { c.open.Add(-1) }, read: &c.bytes}
	return resp, nil
}

// reset sets the counters back to zero.
func (c *counter) reset() {
	c.total.Store(0)
	c.bytes.Store(0)
	c.peak.Store(c.open.Load())
}

// report adds requests/op, and max-open when withPeak, to b's results.
func (c *counter) report(b *testing.B, withPeak bool) {
	b.ReportMetric(float64(c.total.Load())/float64(b.N), "requests/op")
	if withPeak {
		b.ReportMetric(float64(c.peak.Load()), "max-open")
	}
	if c.withBytes {
		b.ReportMetric(float64(c.bytes.Load())/float64(b.N), "resp-B/op")
	}
}

type closeOnce struct {
	io.ReadCloser
	once sync.Once
	done func()
	read *atomic.Int64
}

func (c *closeOnce) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *closeOnce) Close() error {
	err := c.ReadCloser.Close()
	c.once.Do(c.done)
	return err
}
