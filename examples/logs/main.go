// Command logs prints pod logs, like `kubectl logs`: one pod's, or those of
// every pod of a workload or a label selector, each line after the pod and
// container it comes from.
//
//	logs [TYPE/]NAME [-c CONTAINER] [-f] [--tail=N] [--since=DURATION] [--timestamps] [--previous] [--limit-bytes=N] [-n NS]
//	logs -l SELECTOR [...]
//	logs deploy/web -f --tail=20
//	logs --demo
//
// NAME alone, or pod/NAME, is one pod: its container, or with -c one of
// its containers, or with --all-containers every one. Any other
// TYPE/NAME (deploy/web, sts/db, job/migrate, a custom workload) stands
// for the pods its spec.selector picks, as does -l: every container of
// every one of them, prefixed "[pod/NAME/CONTAINER] " (--prefix=false
// leaves that out). Unlike kubectl, which reads one pod of a workload
// unless told --all-pods, it reads them all.
//
// With -f it follows: new lines as they are written, and, for a workload
// or selector, pods that start while it follows. It stops on Ctrl-C, after
// --for, or, for one pod, when the container stops. A connection that
// drops ends it with an error saying so, never silently; --resume
// reconnects instead and carries on from the last line printed.
//
// --demo creates a Deployment whose pods print a line a second, follows
// their logs for a few seconds, says so if no pod started (a cluster
// without nodes runs none), and deletes the Deployment.
//
// It reads the cluster from $KUBECONFIG (or ~/.kube/config, or the
// in-cluster service account).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/podlogs"
	"github.com/anykube/anykube/restmapper"
)

type options struct {
	ns, container, selector string
	follow, timestamps      bool
	previous, allContainers bool
	prefix, resume          bool
	tail, limitBytes        int64
	since, duration         time.Duration
	maxRequests             int
	demo                    bool
}

func main() {
	var o options
	fs := flag.NewFlagSet("logs", flag.ExitOnError)
	fs.StringVar(&o.ns, "n", "", "namespace (default: the kubeconfig context's)")
	fs.StringVar(&o.container, "c", "", "container (default: the pod's only one, or every one of a workload's pods)")
	fs.StringVar(&o.selector, "l", "", "label selector, such as app=web, instead of TYPE/NAME")
	fs.BoolVar(&o.follow, "f", false, "follow the log")
	fs.Int64Var(&o.tail, "tail", -1, "only the last N lines of each container (default: all)")
	fs.DurationVar(&o.since, "since", 0, "only lines newer than this, such as 10m (default: all)")
	fs.BoolVar(&o.timestamps, "timestamps", false, "put the time each line was written in front of it")
	fs.BoolVar(&o.previous, "previous", false, "the log of the container's previous instance, before its last restart")
	fs.Int64Var(&o.limitBytes, "limit-bytes", 0, "stop each container's log after N bytes (default: no limit)")
	fs.BoolVar(&o.allContainers, "all-containers", false, "every container of a pod named alone")
	fs.BoolVar(&o.prefix, "prefix", true, "put [pod/NAME/CONTAINER] before each line of a workload's or selector's pods")
	fs.BoolVar(&o.resume, "resume", false, "with -f, reconnect after a dropped connection instead of stopping")
	fs.IntVar(&o.maxRequests, "max-log-requests", 0, "most containers followed at once (default: podlogs.DefaultMaxStreams)")
	fs.DurationVar(&o.duration, "for", 0, "stop after this long (default: no limit)")
	fs.BoolVar(&o.demo, "demo", false, "follow the logs of a Deployment it creates for a few seconds, then delete it")
	args := parseInterspersed(fs, os.Args[1:])
	if o.demo {
		o.selector, o.follow, o.duration = "", true, 4*time.Second
		if err := demo(o); err != nil {
			fmt.Fprintf(os.Stderr, "logs: %s\n", explain(err))
			os.Exit(1)
		}
		return
	}
	if valid := (o.selector != "" && len(args) == 0) || (o.selector == "" && len(args) == 1); !valid {
		fmt.Fprintln(os.Stderr, "usage: logs [TYPE/]NAME | -l SELECTOR [-c CONTAINER] [-f] [--tail=N] [--since=DURATION] [--timestamps] [--previous] [--limit-bytes=N] [--all-containers] [--prefix=false] [--resume] [--for=DURATION] [-n NS]")
		os.Exit(2)
	}
	if err := run(args, o); err != nil {
		fmt.Fprintf(os.Stderr, "logs: %s\n", explain(err))
		os.Exit(1)
	}
}

func run(args []string, o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}

	cfg, err := anykube.InferConfig()
	if err != nil {
		return err
	}
	if o.ns == "" {
		if o.ns, err = anykube.InferNamespace(); err != nil {
			return err
		}
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	logs, err := podlogs.NewForConfig(cfg)
	if err != nil {
		return err
	}
	logs.Resume = o.resume

	r, err := open(ctx, cfg, client, logs, args, o)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(os.Stdout, r)
	if ctx.Err() != nil {
		return nil // Ctrl-C or --for: the end the user asked for
	}
	return err
}

// open starts reading what the arguments name.
func open(ctx context.Context, cfg *anykube.Config, client dynamic.Interface, logs *podlogs.Client, args []string, o options) (io.ReadCloser, error) {
	if o.selector != "" {
		if err := announce(ctx, client, o, o.selector, "pods matching "+o.selector); err != nil {
			return nil, err
		}
		return logs.StreamSelector(ctx, o.ns, o.selector, multiOptions(o))
	}
	kind, name, ok := strings.Cut(args[0], "/")
	if !ok {
		kind, name = "pod", args[0]
	}
	obj, gr, err := get(ctx, cfg, client, kind, name, o.ns)
	if err != nil {
		return nil, err
	}
	if gr == (schema.GroupResource{Resource: "pods"}) {
		if o.allContainers {
			return logs.StreamOwner(ctx, obj, multiOptions(o))
		}
		return logs.Stream(ctx, o.ns, name, podOptions(o))
	}
	sel, err := podlogs.SelectorOf(obj)
	if err != nil {
		return nil, err
	}
	if err := announce(ctx, client, o, sel.String(), fmt.Sprintf("pods of %s/%s (%s)", gr, name, sel)); err != nil {
		return nil, err
	}
	return logs.StreamOwner(ctx, obj, multiOptions(o))
}

// get reads the object kind/name, kind being anything kubectl accepts
// (po, deploy, deployments.apps, a custom resource), and returns it with
// its group-resource.
func get(ctx context.Context, cfg *anykube.Config, client dynamic.Interface, kind, name, ns string) (*apiu.Unstructured, schema.GroupResource, error) {
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, schema.GroupResource{}, err
	}
	cached := memory.NewMemCacheClient(disc)
	resolver := restmapper.NewResolver(restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(cached), cached, nil))
	m, err := resolver.Resolve(ctx, kind)
	if meta.IsNoMatchError(err) {
		return nil, schema.GroupResource{}, fmt.Errorf("the server has no resource type %q", kind)
	} else if err != nil {
		return nil, schema.GroupResource{}, err
	}
	r := dynamic.ResourceInterface(client.Resource(m.Resource))
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		r = client.Resource(m.Resource).Namespace(ns)
	}
	obj, err := r.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, schema.GroupResource{}, err
	}
	return obj, m.Resource.GroupResource(), nil
}

// announce says on standard error which pods the logs come from, so that
// an empty output is not a mystery: no pod matched, or none has started.
func announce(ctx context.Context, client dynamic.Interface, o options, selector, what string) error {
	pods := client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "pods"}).Namespace(o.ns)
	list, err := dynamic.ListAll(ctx, pods, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return err
	}
	waiting := 0
	for _, p := range list.Items {
		if phase, _, _ := apiu.NestedString(p.Object, "status", "phase"); phase == "Pending" || phase == "" {
			waiting++
		}
	}
	switch {
	case len(list.Items) == 0 && o.follow:
		fmt.Fprintf(os.Stderr, "No %s in namespace %s yet; waiting for some to start.\n", what, o.ns)
	case len(list.Items) == 0:
		fmt.Fprintf(os.Stderr, "No %s in namespace %s.\n", what, o.ns)
	case waiting > 0:
		fmt.Fprintf(os.Stderr, "Reading the logs of %d %s; %d of them not running yet.\n", len(list.Items), what, waiting)
	}
	return nil
}

// podOptions are the flags as log request options.
func podOptions(o options) podlogs.PodLogOptions {
	p := podlogs.PodLogOptions{Container: o.container, Follow: o.follow, Previous: o.previous, Timestamps: o.timestamps}
	if o.tail >= 0 {
		p.TailLines = &o.tail
	}
	if o.since > 0 {
		secs := int64(o.since.Round(time.Second) / time.Second)
		p.SinceSeconds = &secs
	}
	if o.limitBytes > 0 {
		p.LimitBytes = &o.limitBytes
	}
	return p
}

func multiOptions(o options) podlogs.Options {
	return podlogs.Options{PodLogOptions: podOptions(o), Prefix: o.prefix, MaxStreams: o.maxRequests}
}

// explain turns the errors a user can act on into advice.
func explain(err error) string {
	switch {
	case podlogs.IsWaitingToStart(err):
		return err.Error() + " (no log yet: try again once it runs, or describe the pod to see why it waits)"
	case podlogs.IsContainerRequired(err):
		return err.Error() + " (name one with -c, or use --all-containers)"
	case podlogs.IsUnknownContainer(err):
		return err.Error() + " (the container names are in the pod's spec)"
	case errors.Is(err, podlogs.ErrStreamCut):
		return err.Error() + " (the log may go on; --resume reconnects after a dropped connection)"
	}
	return err.Error()
}

// parseInterspersed lets flags come after positional arguments, as kubectl
// users type them ("logs deploy/web -f"); the flag package stops at the
// first non-flag.
func parseInterspersed(fs *flag.FlagSet, rest []string) []string {
	var args []string
	for len(rest) > 0 {
		_ = fs.Parse(rest) // ExitOnError: a bad flag exits with usage
		rest = fs.Args()
		if len(rest) > 0 {
			args, rest = append(args, rest[0]), rest[1:]
		}
	}
	return args
}
