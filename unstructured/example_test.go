package unstructured_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

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
