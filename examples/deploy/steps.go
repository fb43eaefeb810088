package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/dynamic/applyset"
	"github.com/anykube/anykube/dynamic/diff"
	"github.com/anykube/anykube/dynamic/wait"
	"github.com/anykube/anykube/unstructured"
)

const fieldManager = "anykube-deploy"

// readDir reads every manifest in dir, in name order, all before anything
// is applied: a mistake in the last file applies nothing.
func readDir(dir string) ([]*apiu.Unstructured, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var objs []*apiu.Unstructured
	for _, e := range entries {
		if e.IsDir() || !slices.Contains([]string{".yaml", ".yml", ".json"}, filepath.Ext(e.Name())) {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		read, err := unstructured.ReadManifests(f, unstructured.DecoderOptions{SourceName: f.Name()})
		f.Close()
		if err != nil {
			return nil, err
		}
		objs = append(objs, read...)
	}
	return objs, nil
}

// newSet returns the set name, recorded on a Secret in c.ns.
func newSet(c clients, name string) (*applyset.ApplySet, error) {
	return applyset.New(c.dynamic, c.mapper, applyset.Parent{Namespace: c.ns, Name: name},
		applyset.Options{FieldManager: fieldManager, Prune: true})
}

// printDiff prints what applying objs as the set name would change, asking
// the server. (What would be pruned is not shown.)
func printDiff(ctx context.Context, c clients, name string, objs []*apiu.Unstructured) error {
	set, err := newSet(c, name)
	if err != nil {
		return err
	}
	// Compared as the set applies them: labelled as its members.
	results, err := diff.Objects(ctx, c.dynamic, c.mapper, set.Members(objs), diff.Options{FieldManager: fieldManager, Namespace: c.ns})
	if err != nil {
		return err
	}
	return diff.Fprint(os.Stdout, results)
}

// deploy applies objs as the set name, pruning what it no longer holds,
// then waits for the applied objects to be ready and the pruned ones gone,
// printing each object's status as it changes.
func deploy(ctx context.Context, c clients, name string, objs []*apiu.Unstructured, timeout time.Duration) error {
	set, err := newSet(c, name)
	if err != nil {
		return err
	}
	changes, err := set.Apply(ctx, objs)
	for _, ch := range changes.Changes {
		fmt.Println(ch)
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	progress := func(s wait.State) { fmt.Printf("  %s\n", s) }
	if _, err := wait.Wait(ctx, c.dynamic, changes.Applied(), wait.Options{Progress: progress}); err != nil {
		return err
	}
	if _, err := wait.Wait(ctx, c.dynamic, changes.Pruned(), wait.Options{Until: wait.Deleted}); err != nil {
		return err
	}
	fmt.Printf("Set %s: %d objects ready, %d pruned.\n", name, len(changes.Applied()), len(changes.Pruned()))
	return nil
}

// writeManifests writes text into dir/app.yaml, replacing what was there.
func writeManifests(dir, text string) error {
	return os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(strings.TrimSpace(text)+"\n"), 0o644)
}
