package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/anykube/anykube/unstructured"
)

// show prints objs in the output format: a table (NAME and AGE, with the
// type when several types are shown and the namespace across namespaces),
// yaml, json or name.
func show(objs []*apiu.Unstructured, output string, qualify, withNamespace bool) error {
	for _, o := range objs {
		o.SetManagedFields(nil) // bookkeeping nobody reads; kubectl hides it too
	}
	switch output {
	case "yaml":
		return unstructured.WriteYAML(os.Stdout, objs...)
	case "json":
		return unstructured.WriteJSON(os.Stdout, objs...)
	case "name":
		for _, o := range objs {
			fmt.Println(typeName(o) + "/" + o.GetName())
		}
		return nil
	case "":
	default:
		return fmt.Errorf("-o %q: want yaml, json or name", output)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 3, ' ', 0)
	if withNamespace {
		fmt.Fprint(tw, "NAMESPACE\t")
	}
	fmt.Fprintln(tw, "NAME\tAGE")
	for _, o := range objs {
		name := o.GetName()
		if qualify { // several types in one table: say which one
			name = typeName(o) + "/" + name
		}
		if withNamespace {
			fmt.Fprint(tw, o.GetNamespace()+"\t")
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, duration.HumanDuration(time.Since(o.GetCreationTimestamp().Time)))
	}
	return tw.Flush()
}

// noResources says, as kubectl does, that nothing matched.
func noResources(q query) {
	where := "in " + q.namespace + " namespace"
	if q.allNamespaces {
		where = "in any namespace"
	}
	fmt.Fprintf(os.Stderr, "No resources found %s.\n", where)
}

// typeName is kubectl's "kind.group": "deployment.apps", "service".
func typeName(o *apiu.Unstructured) string {
	gk := o.GroupVersionKind().GroupKind()
	return strings.ToLower(gk.String())
}
