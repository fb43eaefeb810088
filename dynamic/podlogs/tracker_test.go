package podlogs

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type stampedLine struct {
	at   time.Time
	text string
}

// render is a log as the server sends it with timestamps, from the lines
// stamped at or after since.
func render(lines []stampedLine, since time.Time) string {
	var b strings.Builder
	for _, l := range lines {
		if !l.at.Before(since) {
			b.WriteString(l.at.Format(time.RFC3339Nano) + " " + l.text + "\n")
		}
	}
	return b.String()
}

// feed processes s in chunks of size n (the last may be shorter).
func feed(t *tracker, s string, n int) string {
	var out []byte
	for len(s) > 0 {
		k := min(n, len(s))
		out = t.process(out, []byte(s[:k]))
		s = s[k:]
	}
	return string(out)
}

var trackedLines = []stampedLine{
	{ms(100), "alpha"},
	{ms(200), "bravo"},
	{ms(200), "bravo"}, // the same line twice in one instant
	{ms(200), "charlie"},
	{ms(999), ""}, // an empty line
	{ms(1000), "delta with spaces"},
	{ms(2500), "echo"},
}

func TestTrackerStripsOrKeepsTimestamps(t *testing.T) {
	log := render(trackedLines, time.Time{})
	for _, chunk := range []int{1, 2, 3, 7, 64, len(log)} {
		tr := &tracker{strip: true}
		assert.Equal(t, "alpha\nbravo\nbravo\ncharlie\n\ndelta with spaces\necho\n", feed(tr, log, chunk), "chunks of %d", chunk)
		tr = &tracker{}
		assert.Equal(t, log, feed(tr, log, chunk), "chunks of %d", chunk)
	}
}

// TestTrackerResumesAtEveryCut cuts the log after every byte, resumes the
// way a stream does (the server sends the lines from the second of the
// last line delivered), and checks that the caller gets each line once.
func TestTrackerResumesAtEveryCut(t *testing.T) {
	log := render(trackedLines, time.Time{})
	for _, strip := range []bool{true, false} {
		want := log
		if strip {
			want = feed(&tracker{strip: true}, log, len(log))
		}
		for cut := 0; cut <= len(log); cut++ {
			for _, chunk := range []int{1, 5, 1 << 20} {
				tr := &tracker{strip: strip}
				got := feed(tr, log[:cut], chunk)
				at, from, possible := tr.resumeFrom()
				require.True(t, possible)
				since := time.Time{}
				if from {
					since = at.Truncate(time.Second)
				}
				got += feed(tr, render(trackedLines, since), chunk)
				require.Equal(t, want, got, "strip=%t cut after %d bytes (%q), chunks of %d", strip, cut, log[:cut], chunk)
			}
		}
	}
}

func TestTrackerResumesTwiceBeforeTheReplayIsPast(t *testing.T) {
	log := render(trackedLines, time.Time{})
	cut := strings.Index(log, "charl") + 2 // mid-line, in an instant shared with two lines
	tr := &tracker{strip: true}
	got := feed(tr, log[:cut], 4)
	at, _, _ := tr.resumeFrom()
	replay := render(trackedLines, at.Truncate(time.Second))
	got += feed(tr, replay[:20], 4) // cut again inside the replay's first line
	at2, _, _ := tr.resumeFrom()
	assert.Equal(t, at, at2)
	got += feed(tr, render(trackedLines, at2.Truncate(time.Second)), 4)
	assert.Equal(t, "alpha\nbravo\nbravo\ncharlie\n\ndelta with spaces\necho\n", got)
}

func TestTrackerEndsACutLineThatNeverComesBack(t *testing.T) {
	log := render(trackedLines[:2], time.Time{})
	tr := &tracker{strip: true}
	got := feed(tr, log[:len(log)-3], 64) // "bra" of bravo
	_, _, _ = tr.resumeFrom()
	// The log was rotated: only later lines are served.
	got += feed(tr, render([]stampedLine{{ms(3000), "later"}}, time.Time{}), 64)
	assert.Equal(t, "alpha\nbra\nlater\n", got)
}

func TestTrackerPassesUnstampedLogsThrough(t *testing.T) {
	for _, log := range []string{"plain line\nanother one\n", "no-spaces-at-all-in-this-line-which-is-longer-than-a-timestamp-could-ever-be\n", "x\n"} {
		tr := &tracker{strip: true}
		assert.Equal(t, log, feed(tr, log, 3))
		_, _, possible := tr.resumeFrom()
		assert.False(t, possible, "an unstamped log cannot resume without repeating")
	}
	_, from, possible := (&tracker{}).resumeFrom()
	assert.True(t, possible, "nothing delivered yet: start over")
	assert.False(t, from)
}
