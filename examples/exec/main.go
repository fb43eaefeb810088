// Command exec runs a command in a container, like `kubectl exec`, or
// attaches to a container's main process, like `kubectl attach`, through
// dynamic/podexec: WebSocket first, SPDY when the server refuses it.
//
//	exec [-n NS] [-c CONTAINER] [-i] [-t] [--spdy] POD -- COMMAND [ARG...]
//	exec --attach [-n NS] [-c CONTAINER] [-i] [-t] POD
//	exec --demo [-n NS]
//
// -i passes standard input (its end is the remote end of input), -t runs
// on a terminal (the local one is put in raw mode and its size follows
// along). The command's exit code is exec's exit code. --demo creates a
// pod, runs a few commands in it to show stdin, stderr, exit codes and
// terminals, and deletes it.
//
// It reads the cluster from $KUBECONFIG (or ~/.kube/config, or the
// in-cluster service account).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/podexec"
)

func main() {
	fs := flag.NewFlagSet("exec", flag.ExitOnError)
	ns := fs.String("n", "", "namespace (default: the kubeconfig context's)")
	container := fs.String("c", "", "container (default: the pod's default container)")
	stdin := fs.Bool("i", false, "pass standard input to the command")
	tty := fs.Bool("t", false, "run on a terminal")
	attach := fs.Bool("attach", false, "attach to the container's main process instead of running a command")
	spdy := fs.Bool("spdy", false, "use SPDY instead of trying WebSocket first")
	demo := fs.Bool("demo", false, "create a pod, run commands in it, delete it")
	_ = fs.Parse(os.Args[1:])
	args := fs.Args()
	// Flags may also follow POD, up to "--", after which everything is
	// the command.
	for len(args) > 1 && args[1] != "--" && strings.HasPrefix(args[1], "-") {
		_ = fs.Parse(args[1:])
		args = append(args[:1], fs.Args()...)
	}
	if len(args) > 1 && args[1] == "--" {
		args = append(args[:1], args[2:]...)
	}

	var err error
	switch {
	case *demo:
		err = runDemo(*ns)
	case *attach && len(args) == 1, !*attach && len(args) >= 2:
		code := 0
		code, err = run(args, *ns, *container, *stdin, *tty, *attach, *spdy)
		if err == nil {
			os.Exit(code)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: exec [-n NS] [-c CONTAINER] [-i] [-t] [--spdy] POD -- COMMAND [ARG...]\n       exec --attach [-n NS] [-c CONTAINER] [-i] [-t] POD\n       exec --demo [-n NS]")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "exec: %v\n", err)
		os.Exit(1)
	}
}

// client returns a podexec client and the namespace to use.
func client(ns string) (*podexec.Client, string, *anykube.Config, error) {
	cfg, err := anykube.InferConfig()
	if err != nil {
		return nil, "", nil, err
	}
	if ns == "" {
		if ns, err = anykube.InferNamespace(); err != nil {
			return nil, "", nil, err
		}
	}
	pe, err := podexec.NewForConfig(cfg)
	return pe, ns, cfg, err
}

// run execs or attaches and returns the remote exit code.
func run(args []string, ns, container string, stdin, tty, attach, spdy bool) (int, error) {
	pe, ns, _, err := client(ns)
	if err != nil {
		return 0, err
	}
	// Ctrl-C ends the stream (on a terminal in raw mode it goes to the
	// remote side instead, as it should).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	opts := podexec.Options{Container: container, Stdout: os.Stdout, Stderr: os.Stderr, TTY: tty}
	if stdin {
		opts.Stdin = os.Stdin
	}
	if spdy {
		opts.Protocol = podexec.ProtocolSPDY
	}
	if tty && term.IsTerminal(int(os.Stdin.Fd())) {
		old, err := term.MakeRaw(int(os.Stdin.Fd()))
		if err != nil {
			return 0, err
		}
		defer term.Restore(int(os.Stdin.Fd()), old)
		opts.Resize = followSize(ctx, int(os.Stdin.Fd()))
	}

	if attach {
		err = pe.Attach(ctx, ns, args[0], opts)
	} else {
		err = pe.Exec(ctx, ns, args[0], args[1:], opts)
	}
	var exit *podexec.ExitError
	if errors.As(err, &exit) {
		return exit.Code, nil
	}
	return 0, err
}

// followSize sends the terminal's size now and whenever it changes. It
// looks twice a second rather than waiting for SIGWINCH, which not every
// system has.
func followSize(ctx context.Context, fd int) <-chan podexec.TerminalSize {
	sizes := make(chan podexec.TerminalSize, 1)
	go func() {
		defer close(sizes)
		var last podexec.TerminalSize
		for {
			if w, h, err := term.GetSize(fd); err == nil {
				if size := (podexec.TerminalSize{Width: uint16(w), Height: uint16(h)}); size != last {
					last = size
					select {
					case sizes <- size:
					case <-ctx.Done():
						return
					}
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	return sizes
}
