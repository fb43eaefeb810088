// Package testcluster runs a real Kubernetes control plane on loopback for
// anykube's end-to-end tests, its examples and people trying the library.
//
// Two shapes:
//
//   - bare (the zero Options): etcd and kube-apiserver only. It is all that
//     tests of the API need and starts in about three seconds.
//   - Options.Workloads: also kube-controller-manager, kube-scheduler, kwok
//     and the harness's fake kubelet, so that pods run. Deployments get
//     ReplicaSets and Pods, pods are scheduled onto fake nodes, run, get IPs
//     and turn Ready; Jobs complete; garbage collection and namespace
//     deletion work; and pods/log, exec, attach and portforward are served
//     through the API server from a kubelet endpoint. It is Ready well under
//     a second after the API server.
//
// Scheduling is kube-scheduler's, built from the same release, rather than
// a fake assignment: it is what a real cluster does, so node selectors,
// taints, resources and unschedulable pods (the Pending pod a rollout gets
// stuck on) behave as users meet them, at the cost of one more small
// process.
//
// Nodes: kwok (sigs.k8s.io/kwok) registers nothing itself; the harness
// creates the Node objects and kwok, watching them, plays the node and pod
// lifecycle written in stages.yaml (Ready nodes with leases; pods that
// start, complete when a Job owns them, or are steered by the annotations
// AnnotationReady and AnnotationExitCode).
//
// Kubelet API: kwok's own server loses exec exit codes and stdin EOF, which
// the library's exec client must be tested on, so the harness runs its own
// fake kubelet (./fakekubelet) on the streaming library the kubelet itself
// uses. The API server reaches it as it reaches a kubelet: at the node's
// InternalIP and kubelet port, verifying its certificate against the
// cluster CA and presenting a client certificate the fake kubelet checks.
// What it serves is documented by the constants in fakekubelet.go
// (StaticLogLine, TickerContainer, EchoPort, ...).
//
// The binaries are built from the Go module proxy by nested modules
// (./binaries: kube-apiserver, kube-controller-manager, kube-scheduler and
// kubectl from k8s.io/kubernetes, etcd from go.etcd.io/etcd/server/v3;
// ./kwok; ./fakekubelet) into a cache outside the repository, once; the
// ANYKUBE_TEST_ASSETS environment variable may name a directory holding
// them instead, like envtest's KUBEBUILDER_ASSETS.
//
// Each cluster listens on random free ports, uses freshly generated
// certificates and a random bearer token bound to system:masters, writes a
// kubeconfig into its own temporary directory, and is torn down (processes
// killed, directory removed) when the test ends or the process is
// interrupted. Processes left behind by a harness that was killed are found
// through the pid files this package writes and stopped on the next start.
package testcluster
