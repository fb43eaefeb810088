package podlogs

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestStreamSelectorReadsEveryContainerInOrder(t *testing.T) {
	f := newFakeServer(t)
	web := map[string]string{"app": "web"}
	f.addPod("web-b", web, []string{"app"})
	f.addPod("web-a", web, []string{"app", "sidecar"}, "init")
	f.addPod("db", map[string]string{"app": "db"}, []string{"db"})
	f.addPod("web-c", web, []string{"app"})
	f.update("web-c", func(p *fakePod) { p.regular[0].state, p.regular[0].id = "waiting", "" }) // no log yet
	for _, pc := range [][2]string{{"web-a", "init"}, {"web-a", "app"}, {"web-a", "sidecar"}, {"web-b", "app"}, {"db", "db"}} {
		f.log(pc[0], pc[1], ms(0), pc[1]+" of "+pc[0]+" 1", pc[1]+" of "+pc[0]+" 2")
	}
	logs := f.client(t)

	r, err := logs.StreamSelector(ctx(t), fakeNS, "app=web", Options{Prefix: true})
	require.NoError(t, err)
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, `[pod/web-a/init] init of web-a 1
[pod/web-a/init] init of web-a 2
[pod/web-a/app] app of web-a 1
[pod/web-a/app] app of web-a 2
[pod/web-a/sidecar] sidecar of web-a 1
[pod/web-a/sidecar] sidecar of web-a 2
[pod/web-b/app] app of web-b 1
[pod/web-b/app] app of web-b 2
`, out)

	// One container, tail, no prefix.
	r, err = logs.StreamSelector(ctx(t), fakeNS, "app=web,app!=db", Options{PodLogOptions: PodLogOptions{Container: "app", TailLines: ptr(int64(1))}})
	require.NoError(t, err)
	out, err = readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "app of web-a 2\napp of web-b 2\n", out)

	_, err = logs.StreamSelector(ctx(t), fakeNS, "app=(", Options{})
	assert.ErrorContains(t, err, "label selector")

	r, err = logs.StreamSelector(ctx(t), fakeNS, "app=web", Options{PodLogOptions: PodLogOptions{Container: "sidecar"}})
	require.NoError(t, err)
	_, err = readAll(t, r)
	assert.True(t, IsUnknownContainer(err), "web-b has no sidecar: %v", err)
}

// lines reads prefixed lines as they come.
type lines struct {
	t  *testing.T
	ch chan string
}

func readLines(t *testing.T, r io.Reader) *lines {
	l := &lines{t: t, ch: make(chan string, 1000)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.ch <- sc.Text()
		}
		if err := sc.Err(); err != nil {
			l.ch <- "error: " + err.Error()
		}
		close(l.ch)
	}()
	return l
}

// expect waits for the given lines, in any order.
func (l *lines) expect(want ...string) {
	l.t.Helper()
	missing := map[string]bool{}
	for _, w := range want {
		missing[w] = true
	}
	timeout := time.After(10 * time.Second)
	for len(missing) > 0 {
		select {
		case line, ok := <-l.ch:
			if !ok {
				l.t.Fatalf("the stream ended; still missing %v", missing)
			}
			if !missing[line] {
				l.t.Fatalf("unexpected line %q; still missing %v", line, missing)
			}
			delete(missing, line)
		case <-timeout:
			l.t.Fatalf("still missing %v after 10s", missing)
		}
	}
}

func TestStreamSelectorFollowsPodsThatStartLater(t *testing.T) {
	f := newFakeServer(t)
	web := map[string]string{"app": "web"}
	f.addPod("web-1", web, []string{"app"})
	f.log("web-1", "app", ms(0), "old", "recent")
	f.addPod("web-2", web, []string{"app"})
	f.update("web-2", func(p *fakePod) {
		p.phase = "Pending"
		p.regular[0].state, p.regular[0].id, p.regular[0].reason = "waiting", "", "ContainerCreating"
	})
	logs := f.client(t)
	r, err := logs.StreamSelector(ctx(t), fakeNS, "app=web", Options{PodLogOptions: PodLogOptions{Follow: true, TailLines: ptr(int64(1))}, Prefix: true})
	require.NoError(t, err)
	defer r.Close()
	l := readLines(t, r)
	l.expect("[pod/web-1/app] recent")

	f.log("web-1", "app", ms(1), "web-1 goes on")
	l.expect("[pod/web-1/app] web-1 goes on")

	// A pod that was waiting starts: all of its log, whatever the tail.
	f.update("web-2", func(p *fakePod) {
		c := p.regular[0]
		p.phase, c.state, c.id = "Running", "running", "cri://web-2-app-0"
		c.lines = []fakeLine{{at: ms(2), text: "web-2 one"}, {at: ms(2), text: "web-2 two"}}
	})
	l.expect("[pod/web-2/app] web-2 one", "[pod/web-2/app] web-2 two")

	// A pod created while following.
	f.addPod("web-3", web, []string{"app", "side"})
	f.log("web-3", "side", ms(3), "web-3 side")
	l.expect("[pod/web-3/side] web-3 side")

	// A restarted container: the new instance is read too.
	f.restart("web-1", "app")
	f.log("web-1", "app", ms(4), "web-1 again")
	l.expect("[pod/web-1/app] web-1 again")

	// Pods of other labels are not.
	f.addPod("db", map[string]string{"app": "db"}, []string{"db"})
	f.log("db", "db", ms(5), "db line")
	f.log("web-2", "app", ms(6), "web-2 three")
	l.expect("[pod/web-2/app] web-2 three")

	require.NoError(t, r.Close())
}

func TestStreamSelectorFollowCutEndsEverything(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web-1", map[string]string{"app": "web"}, []string{"app"})
	f.log("web-1", "app", ms(0), "line")
	f.cut = func(int) (int, bool) { return len("line\n"), false }
	r, err := f.client(t).StreamSelector(ctx(t), fakeNS, "app=web", Options{PodLogOptions: PodLogOptions{Follow: true}})
	require.NoError(t, err)
	out, err := readAll(t, r)
	assert.Equal(t, "line\n", out)
	assert.ErrorIs(t, err, ErrStreamCut)
}

func TestStreamSelectorMaxStreams(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("a", map[string]string{"app": "web"}, []string{"x", "y", "z"})
	r, err := f.client(t).StreamSelector(ctx(t), fakeNS, "app=web", Options{PodLogOptions: PodLogOptions{Follow: true}, MaxStreams: 2})
	require.NoError(t, err)
	_, err = readAll(t, r)
	assert.ErrorContains(t, err, "more than 2 containers")
}

func TestLongLinesAreCutIntoPrefixedLines(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("a", map[string]string{"app": "web"}, []string{"x"})
	long := strings.Repeat("0123456789", 2*lineBufferSize/10+7)
	f.log("a", "x", ms(0), "short", long, "end")
	f.update("a", func(p *fakePod) { p.regular[0].lines = append(p.regular[0].lines, fakeLine{ms(1), "no newline", true}) })
	r, err := f.client(t).StreamSelector(ctx(t), fakeNS, "", Options{Prefix: true})
	require.NoError(t, err)
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, got, 6, "short, the long line in three pieces, end, no newline")
	var joined strings.Builder
	for _, line := range got[1:4] {
		rest, ok := strings.CutPrefix(line, "[pod/a/x] ")
		require.True(t, ok)
		assert.LessOrEqual(t, len(rest), lineBufferSize)
		joined.WriteString(rest)
	}
	assert.Equal(t, long, joined.String())
	assert.Equal(t, "[pod/a/x] short", got[0])
	assert.Equal(t, "[pod/a/x] end", got[4])
	assert.Equal(t, "[pod/a/x] no newline", got[5])
	assert.True(t, strings.HasSuffix(out, "no newline\n"), "a last line without a newline gets one")
}

func TestStreamOwner(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("web-1", map[string]string{"app": "web", "tier": "front"}, []string{"app"})
	f.addPod("web-2", map[string]string{"app": "web", "tier": "back"}, []string{"app"})
	f.log("web-1", "app", ms(0), "one")
	f.log("web-2", "app", ms(0), "two")
	logs := f.client(t)
	deploy := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": fakeNS},
		"spec": map[string]any{"selector": map[string]any{
			"matchLabels":      map[string]any{"app": "web"},
			"matchExpressions": []any{map[string]any{"key": "tier", "operator": "In", "values": []any{"front"}}},
		}},
	}}
	r, err := logs.StreamOwner(ctx(t), deploy, Options{Prefix: true})
	require.NoError(t, err)
	out, err := readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "[pod/web-1/app] one\n", out)

	pod := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "web-2", "namespace": fakeNS}}}
	r, err = logs.StreamOwner(ctx(t), pod, Options{Prefix: true})
	require.NoError(t, err)
	out, err = readAll(t, r)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "[pod/web-2/app] two\n", out)
}
