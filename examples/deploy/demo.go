package main

import (
	"context"
	"fmt"
	"os"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const demoSet = "anykube-deploy-demo"

// version1 of the demo app: settings, a web Deployment and a one-off Job.
const version1 = `
apiVersion: v1
kind: ConfigMap
metadata: {name: demo-settings}
data: {mode: fast}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: demo-web}
spec:
  replicas: 2
  selector: {matchLabels: {app: demo-web}}
  template:
    metadata: {labels: {app: demo-web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.26"}
---
apiVersion: batch/v1
kind: Job
metadata: {name: demo-migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: migrate, image: "busybox:1.37"}
`

// version2 changes the settings and the web image and scale, and drops
// the Job, which the set then prunes.
const version2 = `
apiVersion: v1
kind: ConfigMap
metadata: {name: demo-settings}
data: {mode: careful}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: demo-web}
spec:
  replicas: 3
  selector: {matchLabels: {app: demo-web}}
  template:
    metadata: {labels: {app: demo-web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.27"}
`

func runDemo(ctx context.Context, c clients, timeout time.Duration) (err error) {
	dir, err := os.MkdirTemp("", "anykube-deploy-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	defer func() {
		// An empty set prunes every member; then the parent goes.
		fmt.Println("\n# removing the set")
		if rerr := deploy(ctx, c, demoSet, nil, timeout); rerr != nil && err == nil {
			err = rerr
		}
		secrets := c.dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace(c.ns)
		if derr := secrets.Delete(ctx, demoSet, metav1.DeleteOptions{}); derr != nil && err == nil {
			err = derr
		}
	}()

	for i, v := range []string{version1, version2} {
		if err := writeManifests(dir, v); err != nil {
			return err
		}
		objs, err := readDir(dir)
		if err != nil {
			return err
		}
		fmt.Printf("\n# version %d: what would change\n", i+1)
		if err := printDiff(ctx, c, demoSet, objs); err != nil {
			return err
		}
		fmt.Printf("\n# version %d: deploy\n", i+1)
		if err := deploy(ctx, c, demoSet, objs, timeout); err != nil {
			return err
		}
	}
	return nil
}
