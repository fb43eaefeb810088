package main

import (
	"fmt"
	"os"
	"strings"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/dynamic/table"
	"github.com/anykube/anykube/unstructured"
)

// checkOutput refuses an output format before anything is fetched.
func checkOutput(output string) error {
	switch output {
	case "", "yaml", "json", "name":
		return nil
	}
	return fmt.Errorf("-o %q: want yaml, json or name", output)
}

// showTables prints the server's tables as kubectl get does: one table a
// type, a blank line between them, names prefixed with their type when
// several types are shown, NAMESPACE first across namespaces.
func showTables(tables []typeTable, qualify, withNamespace bool) error {
	for i, t := range tables {
		if i > 0 {
			fmt.Println()
		}
		p := table.Printer{WithNamespace: withNamespace}
		if qualify {
			p.Kind = t.typeName
		}
		if err := p.Print(os.Stdout, t.table); err != nil {
			return err
		}
	}
	return nil
}

// show prints objs as yaml, json or names.
func show(objs []*apiu.Unstructured, output string) error {
	for _, o := range objs {
		o.SetManagedFields(nil) // bookkeeping nobody reads; kubectl hides it too
	}
	switch output {
	case "yaml":
		return unstructured.WriteYAML(os.Stdout, objs...)
	case "json":
		return unstructured.WriteJSON(os.Stdout, objs...)
	}
	for _, o := range objs {
		fmt.Println(typeName(o) + "/" + o.GetName())
	}
	return nil
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
