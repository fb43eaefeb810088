//go:build tools

// Package binaries pins the main packages that build.sh compiles, so that
// go mod tidy keeps their dependencies.
package binaries

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
