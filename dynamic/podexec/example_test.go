package podexec_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/podexec"
)

// A command with stdin that ends, its output and its exit code.
func ExampleClient_Exec() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err)
	}
	pe, err := podexec.NewForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	err = pe.Exec(context.TODO(), "default", "web-0", []string{"sh", "-c", "wc -l; exit 3"}, podexec.Options{
		Container: "app",
		Stdin:     strings.NewReader("one\ntwo\n"),
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
	})
	var exit *podexec.ExitError
	switch {
	case errors.As(err, &exit):
		fmt.Println("exit code", exit.Code)
	case err != nil:
		log.Fatal(err)
	}
}

// A shell on a terminal of a given size; cancelling the context detaches.
func ExampleClient_Attach() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err)
	}
	pe, err := podexec.NewForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	sizes := make(chan podexec.TerminalSize, 1)
	sizes <- podexec.TerminalSize{Width: 120, Height: 40}
	err = pe.Attach(context.TODO(), "default", "console", podexec.Options{
		Stdin: os.Stdin, Stdout: os.Stdout, TTY: true, Resize: sizes,
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}
