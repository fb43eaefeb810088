package unstructured_test

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/testcluster"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/unstructured"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// TestApplyManifestEndToEnd is "kubectl apply --server-side -f" in a few
// lines: decode a multi-document manifest, map each document through a
// lazy RESTMapper (so the instance of a CRD applied a moment earlier maps
// once the CRD is served), default its namespace, and server-side apply it.
func TestApplyManifestEndToEnd(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cfg, err := anykube.ConfigFromKubeconfig(anykube.KubeconfigOptions{Paths: []string{c.KubeconfigPath}})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A short miss memory: the Gadget kind is asked for until its CRD is
	// served, and each retry should reach the server.
	mapper := restmapper.NewLazyRESTMapper(dc, restmapper.LazyOptions{NegativeTTL: 100 * time.Millisecond})
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	f, err := os.Open("testdata/bundle.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	docs, err := unstructured.ReadManifests(f, unstructured.DecoderOptions{SourceName: "testdata/bundle.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 4 {
		t.Fatalf("decoded %d documents, want 4", len(docs))
	}

	apply := func(u *apiu.Unstructured) (*apiu.Unstructured, *meta.RESTMapping) {
		t.Helper()
		var mapping *meta.RESTMapping
		for {
			mapping, err = unstructured.DefaultNamespace(u, mapper, "default")
			if err == nil {
				break
			}
			if !meta.IsNoMatchError(err) || ctx.Err() != nil {
				t.Fatalf("mapping %s %s: %v", u.GetKind(), u.GetName(), err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		out, err := dyn.Resource(mapping.Resource).Namespace(u.GetNamespace()).Apply(ctx, u.GetName(), u,
			metav1.ApplyOptions{FieldManager: "anykube-e2e", Force: true})
		if err != nil {
			t.Fatalf("applying %s %s: %v", u.GetKind(), u.GetName(), err)
		}
		return out, mapping
	}

	applied := make([]*apiu.Unstructured, len(docs))
	for i, doc := range docs {
		out, mapping := apply(doc.DeepCopy())
		applied[i] = out
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace && out.GetNamespace() != "default" {
			t.Errorf("%s %s landed in namespace %q, want default", out.GetKind(), out.GetName(), out.GetNamespace())
		}
		if doc.GetKind() == "CustomResourceDefinition" {
			waitEstablished(ctx, t, dyn, mapping, doc.GetName())
		}
	}

	// What the server holds is what the manifest says, once the fields the
	// server populates are stripped.
	for i, doc := range docs {
		got := unstructured.StripServerFields(applied[i])
		for _, field := range [][]string{{"spec", "size"}, {"spec", "color"}, {"data"}, {"spec", "replicas"}, {"spec", "template", "spec", "containers"}} {
			want, wantOK, _ := apiu.NestedFieldNoCopy(doc.Object, field...)
			have, haveOK, _ := apiu.NestedFieldNoCopy(got.Object, field...)
			if !wantOK {
				continue
			}
			if !haveOK {
				t.Errorf("%s %s: %v missing on the server", doc.GetKind(), doc.GetName(), field)
				continue
			}
			// The server defaults fields inside containers; compare the
			// ones the manifest sets.
			if field[len(field)-1] == "containers" {
				wc := want.([]any)[0].(map[string]any)
				hc := have.([]any)[0].(map[string]any)
				if wc["name"] != hc["name"] || wc["image"] != hc["image"] {
					t.Errorf("%s %s: containers differ: %v vs %v", doc.GetKind(), doc.GetName(), wc, hc)
				}
				continue
			}
			if !reflect.DeepEqual(want, have) {
				t.Errorf("%s %s: %v = %#v on the server, want %#v", doc.GetKind(), doc.GetName(), field, have, want)
			}
		}
		if v, err := unstructured.GetString(got, "metadata.resourceVersion"); err == nil {
			t.Errorf("StripServerFields left resourceVersion %q", v)
		}
	}

	// Applying the same manifest again changes nothing: server-side apply
	// is idempotent, so no object gets a new resourceVersion. (Compared
	// with a fresh read: the CRD's status moves on after the first apply.)
	for _, doc := range docs {
		mapping, err := unstructured.DefaultNamespace(doc.DeepCopy(), mapper, "default")
		if err != nil {
			t.Fatal(err)
		}
		ns := ""
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			ns = "default"
		}
		before, err := dyn.Resource(mapping.Resource).Namespace(ns).Get(ctx, doc.GetName(), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out, _ := apply(doc.DeepCopy())
		if out.GetResourceVersion() != before.GetResourceVersion() {
			t.Errorf("re-applying %s %s bumped resourceVersion %s -> %s", doc.GetKind(), doc.GetName(),
				before.GetResourceVersion(), out.GetResourceVersion())
		}
	}
}

// waitEstablished polls the CRD until its Established condition is True.
func waitEstablished(ctx context.Context, t *testing.T, dyn dynamic.Interface, mapping *meta.RESTMapping, name string) {
	t.Helper()
	for {
		crd, err := dyn.Resource(mapping.Resource).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("getting CRD %s: %v", name, err)
		}
		if unstructured.IsConditionTrue(crd, "Established") {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("CRD %s not Established: %v", name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
