// Package status answers "is this object done?" for any Kubernetes object,
// built-in or custom, from the object alone: Compute is a pure function of an
// *unstructured.Unstructured and needs no client, so it serves waiters,
// CLIs printing a table and tests alike.
//
// It lives under unstructured because it reads nothing but the object's
// fields; the waiting that uses it (dynamic/wait) lives beside the client
// that watches.
//
// The rules follow the ones cli-utils' kstatus popularised, so results agree
// with kstatus-based tools (kpt, Flux, Config Sync) on the same object:
//
//   - an object with metadata.deletionTimestamp is Terminating;
//   - status.observedGeneration behind metadata.generation is InProgress;
//   - a Reconciling condition that is True is InProgress, a Stalled
//     condition that is True is Failed;
//   - Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job,
//     PersistentVolumeClaim, Service, PodDisruptionBudget and
//     CustomResourceDefinition have rules of their own, from the fields
//     their controllers write;
//   - anything else with a Ready condition is Current when it is True and
//     InProgress otherwise;
//   - anything else is Current.
//
// Where kstatus' answer misleads a waiter, Compute deliberately differs, and
// each difference is listed on Compute and pinned by the comparison test in
// internal/bench.
package status
