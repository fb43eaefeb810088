package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// executor runs exec commands on this machine, in dir.
type executor struct{ dir string }

// ExecInContainer runs cmd with the caller's streams. A non-zero exit is
// returned as a utilexec.ExitError, which the streaming library reports to
// the client as a NonZeroExitCode status with the code, as the kubelet
// does; a command killed by a signal exits 128+signal, as container
// runtimes report it.
func (e executor) ExecInContainer(ctx context.Context, name, uid, container string, cmd []string, in io.Reader, out, errw io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize, timeout time.Duration) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	namespace, pod, _ := strings.Cut(name, "/")
	c := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	c.Dir = e.dir
	c.Env = append(os.Environ(), "ANYKUBE_NAMESPACE="+namespace, "ANYKUBE_POD="+pod, "ANYKUBE_CONTAINER="+container)
	// Commands die with the fake kubelet, like processes in a container
	// whose runtime goes away.
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if tty {
		return exitError(runTTY(c, in, out, resize))
	}
	if out != nil {
		c.Stdout = out
	}
	if errw != nil {
		c.Stderr = errw
	}
	var stdin io.WriteCloser
	if in != nil {
		var err error
		if stdin, err = c.StdinPipe(); err != nil {
			return err
		}
	}
	if err := c.Start(); err != nil {
		return err
	}
	if stdin != nil {
		// Not through c.Stdin: Wait would then also wait for the client
		// to close stdin, which a command that never reads it must not.
		go func() {
			io.Copy(stdin, in)
			stdin.Close()
		}()
	}
	return exitError(c.Wait())
}

// runTTY runs c on a new pseudo-terminal, sized by resize events.
func runTTY(c *exec.Cmd, in io.Reader, out io.Writer, resize <-chan remotecommand.TerminalSize) error {
	// A process on a terminal leads its own session; Setsid and a
	// controlling terminal are what pty.Start arranges.
	f, err := pty.Start(c)
	if err != nil {
		return err
	}
	defer f.Close()
	go func() {
		for size := range resize {
			pty.Setsize(f, &pty.Winsize{Rows: size.Height, Cols: size.Width})
		}
	}()
	if in != nil {
		go io.Copy(f, in)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		if out == nil {
			out = io.Discard
		}
		// Reading the terminal fails with EIO once the process and its
		// children have closed it: that is the end of the output.
		io.Copy(out, f)
	}()
	err = c.Wait()
	select {
	case <-copied:
	case <-time.After(2 * time.Second):
	}
	return err
}

// exitError turns a command's failure into the exit status the streaming
// library reports.
func exitError(err error) error {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return err
	}
	code := ee.ExitCode()
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	return utilexec.CodeExitError{Err: err, Code: code}
}

// attacher attaches to a container's main process: the ticker container
// prints its ticks; every other container runs cat.
type attacher struct{ logs *logFiles }

// AttachContainer streams what the container's process writes until the
// client goes away (or, for cat, until stdin ends).
func (a attacher) AttachContainer(ctx context.Context, name, uid, container string, in io.Reader, out, errw io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize) error {
	if out == nil {
		out = nopCloser{io.Discard}
	}
	if container == a.logs.ticker {
		return a.logs.followTicker(ctx, out)
	}
	if in == nil {
		<-ctx.Done()
		return nil
	}
	_, err := io.Copy(out, in)
	return err
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
