package examples_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestExecDemo(t *testing.T) {
	_, env := namespace(t)
	// Twice: the first run must leave nothing behind that stops the second.
	for range 2 {
		out := mustRun(t, []string{env}, "exec", "--demo")
		assertInOrder(t, out,
			"Created pod anykube-exec-demo; waiting for it to run.",
			`(stdin: "hello from stdin")`,
			"stdout: hello from stdin\nstderr: to stderr\nexit code: 3\n",
			"on a terminal of 24 100 rows and columns",
			"over SPDY\n",
			"Deleted pod anykube-exec-demo.",
		)
	}
}

func TestExec(t *testing.T) {
	ns, env := namespace(t)
	e2e.RunPod(t, testcluster.Shared(t), ns, "target")
	execWithStdin := func(stdin string, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		cmd := exec.Command(build(t, "exec"), args...)
		cmd.Env = append(os.Environ(), env)
		cmd.Stdin = strings.NewReader(stdin)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return o.String(), e.String(), code
	}
	for _, protocol := range [][]string{nil, {"--spdy"}} {
		args := append(append([]string{"-i", "-c", "app"}, protocol...), "target", "--", "sh", "-c", "cat; echo to-stderr >&2; exit 5")
		stdout, stderr, code := execWithStdin("piped in\n", args...)
		if stdout != "piped in\n" || stderr != "to-stderr\n" || code != 5 {
			t.Errorf("exec %v: stdout %q, stderr %q, exit code %d", protocol, stdout, stderr, code)
		}
	}

	_, stderr, code := execWithStdin("", "missing", "--", "true")
	if code != 1 || !strings.Contains(stderr, `pods "missing" not found`) {
		t.Errorf("exec on a missing pod: exit code %d, stderr %q", code, stderr)
	}

	// Attach follows the ticker until it is stopped.
	r := start(t, []string{env}, "exec", "--attach", "-c", testcluster.TickerContainer, "target")
	r.expect(t, "tick ")
	r.expect(t, "tick ")
}
