// Package testcluster runs a real etcd and kube-apiserver on loopback for
// anykube's end-to-end tests, its examples and people trying the library.
//
// The binaries are built from the Go module proxy by the nested module in
// ./binaries (kube-apiserver from k8s.io/kubernetes, etcd from
// go.etcd.io/etcd/server/v3) into a cache outside the repository, once; the
// ANYKUBE_TEST_ASSETS environment variable may name a directory holding
// kube-apiserver and etcd instead, like envtest's KUBEBUILDER_ASSETS.
//
// Each cluster listens on random free ports, uses freshly generated
// certificates and a random bearer token bound to system:masters, writes a
// kubeconfig into its own temporary directory, and is torn down (processes
// killed, directory removed) when the test ends or the process is
// interrupted. Processes left behind by a harness that was killed are found
// through the pid files this package writes and stopped on the next start.
package testcluster
