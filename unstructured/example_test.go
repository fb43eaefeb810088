package unstructured_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/discovery/fake"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/unstructured"
)

func ExampleNewDecoder() {
	manifests := `# two objects and a mistake
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
---
apiVersion: v1
kind: Service
metadata:
  name: web
  name: web-again
`
	dec := unstructured.NewDecoder(strings.NewReader(manifests), unstructured.DecoderOptions{SourceName: "app.yaml"})
	for obj, err := range dec.All() {
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(obj.GetKind(), obj.GetName())
	}
	// Output:
	// ConfigMap settings
	// Deployment web
	// error: app.yaml: document 3, line 20: duplicate key: yaml: key "name" already set in map
}

func ExampleGet() {
	objs, err := unstructured.ReadManifests(strings.NewReader(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    example.com/owner: team-a
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
`), unstructured.DecoderOptions{})
	if err != nil {
		panic(err)
	}
	dep := objs[0]

	replicas, _ := unstructured.Get[int](dep, "spec.replicas")
	image, _ := unstructured.GetString(dep, "spec.template.spec.containers[name=web].image")
	owner, _ := unstructured.GetString(dep, `metadata.annotations["example.com/owner"]`)
	fmt.Println(replicas, image, owner)

	_, err = unstructured.GetString(dep, "spec.replicas")
	fmt.Println(err)
	_, err = unstructured.GetString(dep, "spec.template.spec.containers[1].image")
	fmt.Println(err, errors.Is(err, unstructured.ErrFieldNotFound))
	// Output:
	// 3 nginx:1.27 team-a
	// field "spec.replicas": want string, found int64
	// field "spec.template.spec.containers[1].image" not found: spec.template.spec.containers[1] is missing (the list has 1 item) true
}

func ExampleSet() {
	objs, _ := unstructured.ReadManifests(strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"), unstructured.DecoderOptions{})
	cm := objs[0]
	_ = unstructured.Set(cm, "data.mode", "fast")
	_ = unstructured.Set(cm, `metadata.labels["app.kubernetes.io/name"]`, "demo")
	_ = unstructured.WriteYAML(os.Stdout, cm)
	// Output:
	// apiVersion: v1
	// data:
	//   mode: fast
	// kind: ConfigMap
	// metadata:
	//   labels:
	//     app.kubernetes.io/name: demo
	//   name: c
}

// Before sending a manifest's objects, a program maps each kind to its
// resource and settles its namespace: namespaced objects without one get
// the default, cluster-scoped ones lose any they carry.
func ExampleDefaultNamespace() {
	d := &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "configmaps", Kind: "ConfigMap", Namespaced: true},
			{Name: "namespaces", Kind: "Namespace"},
		}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			{Name: "deployments", Kind: "Deployment", Namespaced: true},
		}},
	}}
	groups, err := restmapper.GetAPIGroupResources(d)
	if err != nil {
		panic(err)
	}
	mapper := restmapper.NewDiscoveryRESTMapper(groups)

	objs, err := unstructured.ReadManifests(strings.NewReader(`
apiVersion: v1
kind: Namespace
metadata: {name: shop, namespace: ignored}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: other}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g}
`), unstructured.DecoderOptions{})
	if err != nil {
		panic(err)
	}
	for _, obj := range objs {
		m, err := unstructured.DefaultNamespace(obj, mapper, "shop")
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("%s %q -> %s in %q\n", obj.GetKind(), obj.GetName(), m.Resource.Resource, obj.GetNamespace())
	}
	// Output:
	// Namespace "shop" -> namespaces in ""
	// Deployment "web" -> deployments in "shop"
	// ConfigMap "settings" -> configmaps in "other"
	// error: mapping Gadget g: no matches for kind "Gadget" in version "example.com/v1"
}

// An object read from the server carries fields the server owns; strip
// them to get back something that reads like a manifest.
func ExampleStripServerFields() {
	objs, _ := unstructured.ReadManifests(strings.NewReader(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: default
  uid: 0f1e2d3c-aaaa-bbbb-cccc-123456789abc
  resourceVersion: "4711"
  creationTimestamp: "2026-01-02T03:04:05Z"
  managedFields: [{manager: kubectl, operation: Apply}]
data:
  mode: fast
`), unstructured.DecoderOptions{})
	_ = unstructured.WriteYAML(os.Stdout, unstructured.StripServerFields(objs[0]))
	// Output:
	// apiVersion: v1
	// data:
	//   mode: fast
	// kind: ConfigMap
	// metadata:
	//   name: settings
	//   namespace: default
}
