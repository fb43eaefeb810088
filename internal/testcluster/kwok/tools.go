//go:build tools

// Package kwok pins the kwok main package that internal/testcluster builds,
// so that go mod tidy keeps its dependencies.
package kwok

import _ "sigs.k8s.io/kwok/cmd/kwok"
