// Command deploy is what a deployer does with a directory of manifests:
// apply it as one named set, wait until what it applied is ready, and
// delete what the set held last time but no longer does. With --diff it
// only says what would change.
//
//	deploy -f DIR --name NAME [-n NAMESPACE] [--diff] [--timeout 2m]
//	deploy --demo [-n NAMESPACE]
//
// The set is a KEP-3659 ApplySet recorded on a Secret named NAME, so
// `KUBECTL_APPLYSET=true kubectl apply --prune --applyset=NAME` sees the
// same set. --demo deploys a version 1 of a small app, shows the diff to a
// version 2, deploys it (pruning the Job version 2 dropped), then removes
// everything.
//
// It reads the cluster from $KUBECONFIG (or ~/.kube/config, or the
// in-cluster service account).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/restmapper"
)

func main() {
	dir := flag.String("f", "", "directory of manifests (*.yaml, *.yml, *.json)")
	name := flag.String("name", "", "the set's name (its parent Secret's)")
	ns := flag.String("n", "", "namespace of the set, and of namespaced objects that name none (default: the kubeconfig context's)")
	diffOnly := flag.Bool("diff", false, "only print what applying would change")
	timeout := flag.Duration("timeout", 2*time.Minute, "how long to wait for the objects to be ready")
	demo := flag.Bool("demo", false, "deploy two versions of a small app, then remove it")
	flag.Parse()
	if !*demo && (*dir == "" || *name == "") {
		fmt.Fprintln(os.Stderr, "usage: deploy -f DIR --name NAME [-n NAMESPACE] [--diff] [--timeout 2m] | deploy --demo")
		os.Exit(2)
	}
	if err := run(*demo, *dir, *name, *ns, *diffOnly, *timeout); err != nil {
		fmt.Fprintf(os.Stderr, "deploy: %v\n", err)
		os.Exit(1)
	}
}

// clients is what every step needs.
type clients struct {
	dynamic dynamic.Interface
	mapper  *restmapper.LazyRESTMapper
	ns      string
}

func run(demo bool, dir, name, ns string, diffOnly bool, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg, err := anykube.InferConfig()
	if err != nil {
		return err
	}
	if ns == "" {
		if ns, err = anykube.InferNamespace(); err != nil {
			return err
		}
	}
	c := clients{ns: ns}
	if c.dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	// The lazy mapper loads only the groups the manifests use, and sees a
	// CRD applied a moment ago.
	c.mapper = restmapper.NewLazyRESTMapper(disc, restmapper.LazyOptions{NegativeTTL: 200 * time.Millisecond})
	if demo {
		return runDemo(ctx, c, timeout)
	}
	objs, err := readDir(dir)
	if err != nil {
		return err
	}
	if diffOnly {
		return printDiff(ctx, c, name, objs)
	}
	return deploy(ctx, c, name, objs, timeout)
}
