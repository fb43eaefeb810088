// Command cluster runs anykube's local control plane on loopback for people
// and for make targets: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok with fake nodes, so that pods run.
//
//	cluster                 start, print the kubeconfig path, run until Ctrl-C
//	cluster -bare           only etcd and kube-apiserver: no controllers, no nodes
//	cluster -build          only build (or find) the binaries and print their directory
//	cluster -- CMD ARGS...  start, run CMD with KUBECONFIG set, stop, exit with CMD's status
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/anykube/anykube/internal/testcluster"
)

func main() {
	os.Exit(run())
}

func run() int {
	buildOnly := flag.Bool("build", false, "only build or locate the binaries, print their directory and exit")
	bare := flag.Bool("bare", false, "run only etcd and kube-apiserver (no controllers, scheduler or nodes)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: cluster [-build] [-bare] [-- command [args...]]\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *buildOnly {
		dir, err := testcluster.EnsureBinaries(ctx, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(dir)
		return 0
	}

	c, err := testcluster.StartCluster(ctx, testcluster.Options{Log: os.Stderr, Workloads: !*bare})
	if err != nil {
		fmt.Fprintf(os.Stderr, "cluster: %v\n", err)
		return 1
	}
	defer c.Stop()

	if args := flag.Args(); len(args) > 0 {
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), "KUBECONFIG="+c.KubeconfigPath)
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				return exit.ExitCode()
			}
			fmt.Fprintf(os.Stderr, "cluster: %v\n", err)
			return 1
		}
		return 0
	}

	fmt.Printf("kube-apiserver %s is running at %s\n", testcluster.KubernetesVersion, c.Host)
	if len(c.Nodes) > 0 {
		fmt.Printf("fake nodes (kwok): %s\n", strings.Join(c.Nodes, ", "))
	}
	fmt.Printf("export KUBECONFIG=%s\n", c.KubeconfigPath)
	fmt.Println("Press Ctrl-C to stop and remove it.")
	<-ctx.Done()
	fmt.Println("stopping")
	return 0
}
