package podlogs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// rawBufferSize is the size of the reads from the server when the stream
// tracks lines; the caller's buffer is used directly otherwise.
const rawBufferSize = 32 << 10

// maxStalls bounds the resumes in a row that deliver nothing before a
// stream gives up and reports the cut.
const maxStalls = 6

// errClosed is returned by Read after Close.
var errClosed = errors.New("read from a closed log stream")

// stream is the reader of one container's log: the body of the current
// request, the checks that tell a finished log from a cut one, and the
// resumes. Read is used by one goroutine; Close may come from any.
type stream struct {
	c      *Client
	ctx    context.Context
	cancel context.CancelFunc

	namespace, pod string
	opts           PodLogOptions // as the caller gave them
	container      string        // resolved, for pod checks and errors; may be ""
	inst           instance      // the instance read; zero fields are unknown
	follow         bool          // Follow, and not Previous
	resume         bool

	// trk tracks lines when the stream may resume; nil lets the bytes
	// pass through untouched, straight into the caller's buffer.
	trk *tracker
	raw []byte // trk's input
	out []byte // trk's output not yet handed over, from outPos
	pos int

	// limit is LimitBytes applied here rather than by the server, which
	// would count the timestamps added for tracking and start over on
	// every resume; 0 means none.
	limit int64

	total     int64 // bytes received from every request
	delivered int64 // bytes handed to the caller
	mark      int64 // delivered when the last resume was sent
	stalls    int   // resumes in a row that delivered nothing
	pending   error // the body's error, handled on the next Read
	err       error // the error every later Read returns

	mu     sync.Mutex // guards body and closed
	body   io.ReadCloser
	closed bool
}

// newStream prepares a stream; start sends its first request.
func (c *Client) newStream(ctx context.Context, namespace, pod string, opts PodLogOptions) *stream {
	s := &stream{c: c, namespace: namespace, pod: pod, opts: opts, container: opts.Container}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.follow = opts.Follow && !opts.Previous
	s.resume = c.Resume && s.follow
	if s.resume {
		s.trk = &tracker{strip: !opts.Timestamps}
		s.raw = make([]byte, rawBufferSize)
		if opts.LimitBytes != nil {
			s.limit = max(*opts.LimitBytes, 1)
		}
	}
	return s
}

// request is what is asked of the server: the caller's options, with
// timestamps and without a byte limit when the stream tracks lines.
func (s *stream) request() PodLogOptions {
	o := s.opts
	if s.trk != nil {
		o.Timestamps = true
		o.LimitBytes = nil
	}
	return o
}

// start sends the first request.
func (s *stream) start() error {
	body, err := s.c.open(s.ctx, s.namespace, s.pod, s.request())
	if err != nil {
		s.cancel()
		return s.fail(err)
	}
	s.setBody(body)
	return nil
}

// setBody makes body the current one, or closes it when the stream was
// closed meanwhile.
func (s *stream) setBody(body io.ReadCloser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		body.Close()
		return
	}
	s.body = body
}

// current returns the current body.
func (s *stream) current() io.ReadCloser {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.body
}

// Close ends the request and any resume under way.
func (s *stream) Close() error {
	s.mu.Lock()
	s.closed = true
	body := s.body
	s.mu.Unlock()
	s.cancel()
	if body != nil {
		return body.Close()
	}
	return nil
}

// Read delivers the log; see Client.Stream for how it ends.
func (s *stream) Read(p []byte) (int, error) {
	for {
		if s.pos < len(s.out) {
			n := copy(p, s.out[s.pos:])
			s.pos += n
			return n, nil
		}
		if s.pending != nil {
			s.err, s.pending = s.ended(s.pending), nil
		}
		if s.err != nil {
			return 0, s.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		body := s.current()
		if s.trk == nil {
			n, err := body.Read(p)
			s.total += int64(n)
			s.delivered += int64(n)
			s.pending = err
			if n > 0 {
				return n, nil
			}
			continue
		}
		n, err := body.Read(s.raw)
		s.total += int64(n)
		s.out, s.pos = s.trk.process(s.out[:0], s.raw[:n]), 0
		if s.limit > 0 && s.delivered+int64(len(s.out)) >= s.limit {
			s.out = s.out[:s.limit-s.delivered]
			s.err = io.EOF
			body.Close()
			err = nil
		}
		s.delivered += int64(len(s.out))
		if s.delivered > s.mark {
			s.stalls = 0
		}
		s.pending = err
	}
}

// ended decides what a body's end means: nil when the stream resumed and
// goes on, io.EOF when the log is complete, or the error to report.
func (s *stream) ended(cause error) error {
	body := s.current()
	body.Close()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return errClosed
	case s.ctx.Err() != nil:
		return s.fail(s.ctx.Err())
	}
	if errors.Is(cause, io.EOF) {
		if !s.follow {
			return s.emptyOrEOF()
		}
		if s.opts.LimitBytes != nil && s.trk == nil && s.total >= *s.opts.LimitBytes {
			return io.EOF // the server stopped at the limit asked for
		}
		st, reason, err := s.check()
		if err != nil {
			return s.fail(err)
		}
		switch st {
		case stateGone, stateFinished:
			return io.EOF
		case stateNotStarted:
			if s.total == 0 {
				return s.fail(waitingToStart(s.pod, s.container, reason))
			}
		}
		cause = errors.New("the stream ended while the container was still running")
	}
	if s.resume {
		return s.reopen(cause)
	}
	return s.fail(fmt.Errorf("%w: %w", ErrStreamCut, cause))
}

// emptyOrEOF ends a log read without Follow. The server answers a pod not
// yet scheduled with an empty log (204 No Content); an empty log of a
// container that has not started is reported as such, not as a log that
// happens to be empty.
func (s *stream) emptyOrEOF() error {
	if s.total > 0 {
		return io.EOF
	}
	u, err := s.c.getPod(s.ctx, s.namespace, s.pod)
	if err != nil {
		return io.EOF // the log was read; the pod's state is a bonus
	}
	info := readPod(u)
	container := s.container
	if container == "" {
		container = info.defaultContainer()
	}
	if _, started := info.current(container); !started {
		if st, reason := info.state(container, instance{}); st == stateNotStarted {
			return s.fail(waitingToStart(s.pod, container, reason))
		}
	}
	return io.EOF
}

// check reads the pod to learn whether the instance read still runs. A
// running answer is confirmed for up to c.settle, since the kubelet ends
// a followed stream when the container stops and reports the stop a
// moment later; a resuming stream does not wait, it reconnects.
func (s *stream) check() (containerState, string, error) {
	deadline := time.Now().Add(s.c.settle)
	for {
		u, err := s.c.getPod(s.ctx, s.namespace, s.pod)
		if apierrors.IsNotFound(err) {
			return stateGone, "", nil
		}
		if err != nil {
			return 0, "", err
		}
		st, reason := readPod(u).state(s.container, s.inst)
		if st != stateRunning || s.resume || !time.Now().Before(deadline) {
			return st, reason, nil
		}
		if err := sleep(s.ctx, s.c.settleEvery); err != nil {
			return 0, "", err
		}
	}
}

// reopen sends the request that resumes a stream cut by cause.
func (s *stream) reopen(cause error) error {
	at, from, possible := s.trk.resumeFrom()
	if !possible {
		return s.fail(fmt.Errorf("%w (not resumed: the server does not stamp the lines, so a resume would repeat the log): %w", ErrStreamCut, cause))
	}
	if s.stalls >= maxStalls {
		return s.fail(fmt.Errorf("%w (gave up after %d resumes in a row brought no new line): %w", ErrStreamCut, s.stalls, cause))
	}
	if s.stalls > 0 {
		wait := s.c.backoff << min(s.stalls-1, 4)
		if err := sleep(s.ctx, wait); err != nil {
			return s.fail(err)
		}
	}
	s.stalls++
	s.mark = s.delivered
	o := s.request()
	if from {
		// The server reads whole seconds; the tracker drops what comes
		// before the last line delivered.
		o.SinceTime = &metav1.Time{Time: at.Truncate(time.Second)}
		o.SinceSeconds, o.TailLines = nil, nil
	}
	body, err := s.c.open(s.ctx, s.namespace, s.pod, o)
	switch {
	case apierrors.IsNotFound(err):
		return io.EOF // the pod went away while the stream was down
	case IsWaitingToStart(err):
		return io.EOF // the instance read stopped; the next has no log yet
	case err != nil:
		return s.fail(err)
	}
	s.setBody(body)
	return nil
}

// fail wraps err in an *Error naming the stream, unless it is one.
func (s *stream) fail(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Namespace: s.namespace, Pod: s.pod, Container: s.container, Err: err}
}

// sleep waits d or until ctx ends, returning ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
