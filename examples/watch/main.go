// Command watch prints the changes to any resource as they happen, like
// `kubectl get -w`, and keeps going when the connection drops or the
// server ends the watch: dynamic.RetryWatcher resumes from the last
// resourceVersion it saw, so no change is lost or printed twice, and lists
// again when the server has forgotten that version (410 Gone).
//
//	watch TYPE[.VERSION][.GROUP] [NAME] [-n NS | -A] [-l SELECTOR] [--count N] [--for DURATION]
//	watch configmaps --demo
//
// It prints the current objects first, then a line, then each change.
// --count stops after N changes, --for after a while; otherwise it runs until
// Ctrl-C. --demo creates, updates and deletes a ConfigMap itself, so there is
// something to see, and stops once it has seen all of it.
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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/restmapper"
)

type options struct {
	ns, selector  string
	allNamespaces bool
	count         int
	duration      time.Duration
	demo          bool
}

func main() {
	var o options
	fs := flag.NewFlagSet("watch", flag.ExitOnError)
	fs.StringVar(&o.ns, "n", "", "namespace (default: the kubeconfig context's)")
	fs.BoolVar(&o.allNamespaces, "A", false, "watch across all namespaces")
	fs.StringVar(&o.selector, "l", "", "label selector, such as app=web")
	fs.IntVar(&o.count, "count", 0, "stop after this many changes (0: no limit)")
	fs.DurationVar(&o.duration, "for", 0, "stop after this long (0: no limit)")
	fs.BoolVar(&o.demo, "demo", false, "make a few changes to a ConfigMap, print them, stop")
	args := parseInterspersed(fs, os.Args[1:])
	if len(args) < 1 || len(args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: watch TYPE[.VERSION][.GROUP] [NAME] [-n NS | -A] [-l SELECTOR] [--count N] [--for DURATION] [--demo]")
		os.Exit(2)
	}
	if err := run(args, o); err != nil {
		fmt.Fprintf(os.Stderr, "watch: %v\n", err)
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
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	cached := memory.NewMemCacheClient(disc)
	resolver := restmapper.NewResolver(restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(cached), cached, nil))
	m, err := resolver.Resolve(ctx, args[0])
	if meta.IsNoMatchError(err) {
		return fmt.Errorf("the server has no resource type %q", args[0])
	} else if err != nil {
		return err // ambiguous ("name it TYPE.GROUP"), or discovery failed
	}
	r := dynamic.ResourceInterface(client.Resource(m.Resource))
	if m.Scope.Name() == meta.RESTScopeNameNamespace && !o.allNamespaces {
		r = client.Resource(m.Resource).Namespace(o.ns)
	}

	opts := metav1.ListOptions{LabelSelector: o.selector, AllowWatchBookmarks: true}
	if len(args) == 2 {
		opts.FieldSelector = "metadata.name=" + args[1]
	}
	var changes chan error
	if o.demo {
		if m.Resource.GroupResource().String() != "configmaps" {
			return errors.New("--demo changes a ConfigMap: watch configmaps")
		}
		opts.LabelSelector = "app.kubernetes.io/managed-by=anykube-watch-demo"
		o.count = 3
		changes = make(chan error, 1)
	}

	// The watcher lists first (in pages), sends every object as ADDED, marks
	// the end of that initial state with a bookmark, then watches on.
	w, err := dynamic.NewRetryWatcher(ctx, r, opts, nil)
	if err != nil {
		return err
	}
	defer w.Stop()
	fmt.Printf("Watching %s (%s): the current objects first, then each change.\n", m.Resource.GroupResource(), where(m, o))
	live, seen := false, 0
	for {
		var ev watch.Event
		select {
		case ev = <-w.ResultChan():
		case err := <-changes:
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			changes = nil // done changing; go on printing what the watch sends
			continue
		}
		switch {
		case ev.Type == "": // the channel is closed: ctx ended (Ctrl-C, --for)
			return nil
		case ev.Type == watch.Error:
			return apierrors.FromObject(ev.Object)
		case dynamic.IsInitialEventsEnd(ev):
			fmt.Println("--- that is the current state; changes follow ---")
			live, seen = true, 0
			if o.demo {
				go func() { changes <- makeChanges(ctx, client.Resource(m.Resource).Namespace(o.ns)) }()
			}
		case dynamic.IsRelistBookmark(ev):
			fmt.Println("--- the server had forgotten our place: listed again, the changes above make up for it ---")
		case ev.Type == watch.Bookmark:
			// The server telling how far it got; nothing changed.
		default:
			u := ev.Object.(*apiu.Unstructured)
			fmt.Printf("%-9s %s (resourceVersion %s)\n", ev.Type, describe(u, o.allNamespaces), u.GetResourceVersion())
			if seen++; live && o.count > 0 && seen >= o.count {
				return nil
			}
		}
	}
}

// makeChanges creates, updates and deletes a ConfigMap, a moment apart.
// generateName gives it a fresh name, so an earlier run that was
// interrupted cannot get in the way.
func makeChanges(ctx context.Context, cms dynamic.ResourceInterface) error {
	cm := &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata": map[string]any{
			"generateName": "anykube-watch-demo-",
			"labels":       map[string]any{"app.kubernetes.io/managed-by": "anykube-watch-demo"},
		},
		"data": map[string]any{"step": "created"},
	}}
	cm, err := cms.Create(ctx, cm, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := cms.Patch(ctx, cm.GetName(), types.MergePatchType, []byte(`{"data":{"step":"updated"}}`), metav1.PatchOptions{}); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	return cms.Delete(ctx, cm.GetName(), metav1.DeleteOptions{})
}

func where(m *meta.RESTMapping, o options) string {
	switch {
	case m.Scope.Name() != meta.RESTScopeNameNamespace:
		return "cluster-scoped"
	case o.allNamespaces:
		return "all namespaces"
	}
	return "namespace " + o.ns
}

// describe is kubectl's "kind.group/name", with the namespace in front
// when watching all namespaces.
func describe(u *apiu.Unstructured, withNamespace bool) string {
	s := strings.ToLower(u.GroupVersionKind().GroupKind().String()) + "/" + u.GetName()
	if withNamespace && u.GetNamespace() != "" {
		s = u.GetNamespace() + " " + s
	}
	return s
}

// parseInterspersed lets flags come after positional arguments, as kubectl
// users type them ("watch pods web -n prod"); the flag package stops at
// the first non-flag.
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
