// Command api-resources prints the table `kubectl api-resources` prints:
// every resource the cluster serves in its group's preferred version, with
// short names, apiVersion, scope, kind and verbs. It reads the cluster from
// $KUBECONFIG (or ~/.kube/config, or the in-cluster service account).
//
//	api-resources [--cached] [--api-group=GROUP] [--namespaced=true|false]
//
// With --cached, answers come from kubectl's discovery cache directory
// (~/.kube/cache/discovery/<host>) when fresh, and are written there
// otherwise, so a second run sends no discovery request.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/disk"
)

func main() {
	cached := flag.Bool("cached", false, "use the on-disk discovery cache (kubectl's layout)")
	group := flag.String("api-group", "", "only resources of this API group (\"core\" for the legacy group)")
	namespaced := flag.String("namespaced", "", "only namespaced (true) or cluster-scoped (false) resources")
	flag.Parse()
	if err := run(*cached, *group, *namespaced); err != nil {
		fmt.Fprintf(os.Stderr, "api-resources: %v\n", err)
		os.Exit(1)
	}
}

func run(cached bool, group, namespaced string) error {
	cfg, err := anykube.InferConfig()
	if err != nil {
		return err
	}
	var d discovery.DiscoveryInterface
	start := time.Now()
	if cached {
		d, err = disk.NewCachedDiscoveryClientForConfig(cfg, "", "", disk.DefaultTTL)
	} else {
		d, err = discovery.NewDiscoveryClientForConfig(cfg)
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	lists, err := discovery.ServerPreferredResources(ctx, d)
	if err != nil {
		// Some groups failing (an aggregated API that is down) still
		// leaves a useful table; say what is missing and go on.
		if !discovery.IsGroupDiscoveryFailedError(err) {
			return err
		}
		fmt.Fprintf(os.Stderr, "warning: %v\n", err)
	}
	var wantNamespaced *bool
	if namespaced != "" {
		b, err := strconv.ParseBool(namespaced)
		if err != nil {
			return fmt.Errorf("--namespaced=%q: want true or false", namespaced)
		}
		wantNamespaced = &b
	}

	type row struct {
		gv schema.GroupVersion
		r  metav1.APIResource
	}
	var rows []row
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			return fmt.Errorf("server sent a bad groupVersion %q: %w", l.GroupVersion, err)
		}
		if group != "" && gv.Group != group && !(group == "core" && gv.Group == "") {
			continue
		}
		for _, r := range l.APIResources {
			if wantNamespaced != nil && r.Namespaced != *wantNamespaced {
				continue
			}
			rows = append(rows, row{gv, r})
		}
	}
	if len(rows) == 0 {
		return errors.New("no resources matched")
	}
	// kubectl's order: by group, then by resource name.
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].gv.Group != rows[j].gv.Group {
			return rows[i].gv.Group < rows[j].gv.Group
		}
		return rows[i].r.Name < rows[j].r.Name
	})

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND\tVERBS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\t%s\n", r.r.Name, strings.Join(r.r.ShortNames, ","),
			r.gv.String(), r.r.Namespaced, r.r.Kind, strings.Join(r.r.Verbs, ","))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d resources in %d group-versions from %s in %s\n", len(rows), len(lists), cfg.Host, time.Since(start).Round(time.Millisecond))
	return nil
}
