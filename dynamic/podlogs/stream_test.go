package podlogs

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// t0 is a second boundary; lines stamped within one second share the
// sinceTime a resume asks for.
var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func ms(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

func ptr[T any](v T) *T { return &v }

func TestStreamSendsEveryOption(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web", nil, []string{"app"})
	f.log("web", "app", ms(0), "one", "two", "three")
	logs := f.client(t)
	since := metav1.NewTime(t0)
	r, err := logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{
		Container: "app", SinceTime: &since, Timestamps: true, TailLines: ptr(int64(2)), LimitBytes: ptr(int64(1000)),
		InsecureSkipTLSVerifyBackend: true, Stream: ptr(LogStreamAll),
	})
	require.NoError(t, err)
	out, err := readAll(t, r)
	require.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "2026-12-01T10:00:00Z two\n2026-12-01T10:00:00Z three\n", out)
	q := f.queries()
	require.Len(t, q, 1)
	assert.Equal(t, "container=app&insecureSkipTLSVerifyBackend=true&limitBytes=1000&sinceTime=2026-12-01T10%3A00%3A00Z&stream=All&tailLines=2&timestamps=true", q[0].Encode())

	r, err = logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{Previous: true, SinceSeconds: ptr(int64(60))})
	assert.Nil(t, r)
	assert.True(t, apierrors.IsBadRequest(err), "%v", err)
	assert.Equal(t, "previous=true&sinceSeconds=60", f.queries()[1].Encode())
}

func TestStreamWholeLogAndLimit(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web", nil, []string{"app"})
	f.log("web", "app", ms(0), "one", "two")
	logs := f.client(t)

	r, err := logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{})
	require.NoError(t, err)
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "one\ntwo\n", out)
	require.NoError(t, r.Close())

	r, err = logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{LimitBytes: ptr(int64(6))})
	require.NoError(t, err)
	out, err = readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "one\ntw", out)
}

// checkErrors checks the errors of bad log requests against a server
// holding, in namespace ns, a pod "two" with containers "app" and "side"
// that is not scheduled to a node, and no pod "missing". It runs against
// the fake server here and against a real cluster in e2e_test.go.
func checkErrors(t *testing.T, logs *Client, ns string) {
	t.Helper()
	c := ctx(t)
	var e *Error

	_, err := logs.Stream(c, ns, "missing", PodLogOptions{})
	assert.True(t, apierrors.IsNotFound(err), "missing pod: %v", err)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, Error{Namespace: ns, Pod: "missing", Err: e.Err}, *e)
	_, err = logs.Stream(c, ns, "missing", PodLogOptions{Follow: true})
	assert.True(t, apierrors.IsNotFound(err), "missing pod, follow: %v", err)

	_, err = logs.Stream(c, ns, "two", PodLogOptions{Container: "nope"})
	assert.True(t, IsUnknownContainer(err), "wrong container: %v", err)
	assert.True(t, apierrors.IsBadRequest(err))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "nope", e.Container)
	_, err = logs.Stream(c, ns, "two", PodLogOptions{Container: "nope", Follow: true})
	assert.True(t, IsUnknownContainer(err), "wrong container, follow: %v", err)

	_, err = logs.Stream(c, ns, "two", PodLogOptions{})
	assert.True(t, IsContainerRequired(err), "no container named: %v", err)
	assert.False(t, IsUnknownContainer(err))

	// Not scheduled: the server answers 204 with no log; following says so
	// at once, a plain read on its first Read.
	_, err = logs.Stream(c, ns, "two", PodLogOptions{Container: "app", Follow: true})
	assert.True(t, IsWaitingToStart(err), "unscheduled, follow: %v", err)
	assert.True(t, apierrors.IsBadRequest(err))
	assert.Contains(t, err.Error(), "not scheduled")
	r, err := logs.Stream(c, ns, "two", PodLogOptions{Container: "side"})
	require.NoError(t, err)
	_, err = readAll(t, r)
	assert.True(t, IsWaitingToStart(err), "unscheduled: %v", err)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, Error{Namespace: ns, Pod: "two", Container: "side", Err: e.Err}, *e)
}

func TestStreamErrors(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("two", nil, []string{"app", "side"})
	f.update("two", func(p *fakePod) { p.node, p.phase = "", "Pending" })
	checkErrors(t, f.client(t), fakeNS)

	// Scheduled, not started: the kubelet's own words.
	f.addPod("creating", nil, []string{"app"})
	f.update("creating", func(p *fakePod) {
		p.phase = "Pending"
		p.regular[0].state, p.regular[0].id, p.regular[0].reason = "waiting", "", "ContainerCreating"
	})
	logs := f.client(t)
	for _, follow := range []bool{false, true} {
		_, err := logs.Stream(ctx(t), fakeNS, "creating", PodLogOptions{Follow: follow})
		assert.True(t, IsWaitingToStart(err), "follow=%t: %v", follow, err)
		assert.Contains(t, err.Error(), "ContainerCreating")
	}
	assert.False(t, IsWaitingToStart(errors.New("is waiting to start")), "only a 400 from the server counts")
}

func TestFollowEndsWhenTheContainerStops(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web", nil, []string{"app"})
	f.log("web", "app", ms(0), "before")
	r, err := f.client(t).Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true})
	require.NoError(t, err)
	go func() {
		time.Sleep(50 * time.Millisecond)
		f.log("web", "app", ms(10), "during")
		f.stop("web", "app")
	}()
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "before\nduring\n", out)
}

func TestFollowWaitsForTheStatusToCatchUp(t *testing.T) {
	f := newFakeServer(t)
	f.statusLag = 100 * time.Millisecond // less than the client's settle time
	f.addPod("web", nil, []string{"app"})
	r, err := f.client(t).Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true})
	require.NoError(t, err)
	f.log("web", "app", ms(0), "last words")
	f.stop("web", "app")
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF, "a stop the status reports late is still a stop")
	assert.Equal(t, "last words\n", out)
}

func TestFollowEndsWhenThePodGoesOrTheContainerRestarts(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web", nil, []string{"app"})
	f.log("web", "app", ms(0), "a")
	logs := f.client(t)

	r, err := logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true})
	require.NoError(t, err)
	readLine(t, r, "a\n")
	f.restart("web", "app")
	f.log("web", "app", ms(1), "from the next instance")
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF, "the instance followed is over")
	assert.Empty(t, out)

	r, err = logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true})
	require.NoError(t, err)
	readLine(t, r, "from the next instance\n")
	f.log("web", "app", ms(2), "b")
	readLine(t, r, "b\n")
	f.update("web", func(p *fakePod) { p.deleted = true })
	out, err = readAll(t, r)
	assert.ErrorIs(t, err, io.EOF, "the pod is gone")
	assert.Empty(t, out)
}

func TestFollowCutIsAnError(t *testing.T) {
	for _, reset := range []bool{false, true} {
		t.Run(map[bool]string{false: "server ends the response", true: "connection reset"}[reset], func(t *testing.T) {
			f := newFakeServer(t)
			f.addPod("web", nil, []string{"app"})
			f.log("web", "app", ms(0), "first line", "second line")
			f.cut = func(int) (int, bool) { return len("first line\nsec"), reset }
			r, err := f.client(t).Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true})
			require.NoError(t, err)
			out, err := readAll(t, r)
			assert.Equal(t, "first line\nsec", out)
			assert.ErrorIs(t, err, ErrStreamCut)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "app", e.Container, "the container is named even when the caller named none")
		})
	}
	t.Run("without follow", func(t *testing.T) {
		f := newFakeServer(t)
		f.addPod("web", nil, []string{"app"})
		f.log("web", "app", ms(0), "first line", "second line")
		f.cut = func(int) (int, bool) { return 5, true }
		r, err := f.client(t).Stream(ctx(t), fakeNS, "web", PodLogOptions{})
		require.NoError(t, err)
		_, err = readAll(t, r)
		assert.ErrorIs(t, err, ErrStreamCut)
	})
}

func TestCloseAndContextEndAStream(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web", nil, []string{"app"})
	logs := f.client(t)
	r, err := logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true})
	require.NoError(t, err)
	time.AfterFunc(50*time.Millisecond, func() { r.Close() })
	_, err = readAll(t, r)
	assert.ErrorIs(t, err, errClosed)

	cctx, stop := context.WithCancel(ctx(t))
	r, err = logs.Stream(cctx, fakeNS, "web", PodLogOptions{Follow: true})
	require.NoError(t, err)
	time.AfterFunc(50*time.Millisecond, stop)
	_, err = readAll(t, r)
	assert.ErrorIs(t, err, context.Canceled)
	var e *Error
	assert.ErrorAs(t, err, &e)
}

// TestResume cuts a followed stream at every kind of place and checks that
// each line arrives exactly once, in order, with the caller's choice of
// timestamps.
func TestResume(t *testing.T) {
	lines := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	// Lines 0-3 share one second, 1-2 even one instant; 4-5 come later.
	stamps := []time.Time{ms(100), ms(200), ms(200), ms(900), ms(1500), ms(1500)}
	full := strings.Join(lines, "\n") + "\n"
	stampLen := len(stamps[0].Format(time.RFC3339Nano)) + 1

	for _, tc := range []struct {
		name  string
		stamp bool
		cuts  []int // per request, the bytes after which it is cut (with timestamps)
		reset bool
	}{
		{"at a line end", false, []int{2 * (stampLen + 6)}, false},
		{"mid-line", false, []int{stampLen + 6 + stampLen + 3}, false},
		{"mid-timestamp", false, []int{stampLen + 6 + 10}, false},
		{"mid-line, by a reset", false, []int{stampLen + 6 + stampLen + 3}, true},
		{"inside the same instant", false, []int{3 * (stampLen + 6)}, false},
		{"twice, the second before the replay is past", false, []int{2*(stampLen+6) + 4, 10}, false},
		{"several", false, []int{stampLen + 2, stampLen + 9, 2*stampLen + 20}, false},
		{"timestamps kept", true, []int{stampLen + 6 + stampLen + 3}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t)
			f.addPod("web", nil, []string{"app"})
			for i, l := range lines[:4] {
				f.log("web", "app", stamps[i], l)
			}
			f.cut = func(n int) (int, bool) {
				if n <= len(tc.cuts) {
					return tc.cuts[n-1], tc.reset
				}
				return -1, false
			}
			logs := f.client(t)
			logs.Resume = true
			r, err := logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true, Timestamps: tc.stamp, TailLines: ptr(int64(10))})
			require.NoError(t, err)
			go func() {
				time.Sleep(100 * time.Millisecond)
				f.log("web", "app", stamps[4], lines[4])
				f.log("web", "app", stamps[5], lines[5])
				time.Sleep(100 * time.Millisecond)
				f.stop("web", "app")
			}()
			out, err := readAll(t, r)
			assert.ErrorIs(t, err, io.EOF)
			want := full
			if tc.stamp {
				var b strings.Builder
				for i, l := range lines {
					b.WriteString(stamps[i].Format(time.RFC3339Nano) + " " + l + "\n")
				}
				want = b.String()
			}
			assert.Equal(t, want, out)

			q := f.queries()
			require.Greater(t, len(q), len(tc.cuts))
			assert.Equal(t, "follow=true&tailLines=10&timestamps=true", q[0].Encode())
			for _, resumed := range q[1:] {
				assert.Empty(t, resumed.Get("tailLines"), "a resume starts at a time, not a tail")
				assert.Equal(t, "true", resumed.Get("timestamps"))
				if s := resumed.Get("sinceTime"); s != "" {
					assert.Equal(t, "2026-12-01T10:00:00Z", s, "the second of the last line delivered")
				}
			}
		})
	}
}

func TestResumeKeepsTheByteLimit(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web", nil, []string{"app"})
	f.log("web", "app", ms(0), "0123456789", "abcdefghij")
	f.cut = func(n int) (int, bool) {
		if n == 1 {
			return 40, false // inside the second line's timestamp
		}
		return -1, false
	}
	logs := f.client(t)
	logs.Resume = true
	r, err := logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true, LimitBytes: ptr(int64(15))})
	require.NoError(t, err)
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "0123456789\nabcd", out, "15 bytes of log, without the timestamps the stream added")
	for _, q := range f.queries() {
		assert.Empty(t, q.Get("limitBytes"), "the server would count the timestamps")
	}
}

func TestResumeGivesUpWhenNothingComes(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web", nil, []string{"app"})
	f.log("web", "app", ms(0), "only line")
	f.cut = func(n int) (int, bool) {
		if n == 1 {
			return len("2026-12-01T10:00:00Z only line\n"), false
		}
		return 0, false // every resume is cut before its first byte
	}
	logs := f.client(t)
	logs.Resume = true
	r, err := logs.Stream(ctx(t), fakeNS, "web", PodLogOptions{Follow: true})
	require.NoError(t, err)
	out, err := readAll(t, r)
	assert.Equal(t, "only line\n", out)
	assert.ErrorIs(t, err, ErrStreamCut)
	assert.Contains(t, err.Error(), "resumes in a row")
	assert.Len(t, f.queries(), 1+maxStalls)
}

// readLine reads exactly want from r.
func readLine(t *testing.T, r io.Reader, want string) {
	t.Helper()
	buf := make([]byte, len(want))
	_, err := io.ReadFull(r, buf)
	require.NoError(t, err)
	require.Equal(t, want, string(buf))
}
