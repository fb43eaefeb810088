// Package bench runs anykube and client-go side by side on the same inputs,
// in one process, so that each figure of the comparison is measured under
// the same load. It lives in its own module so that client-go never enters
// the library's dependency graph; `make bench` (cmd/report) runs the
// benchmarks several times and prints one table of medians and ratios.
//
// Every benchmark is named BenchmarkX/<case>/anykube and
// BenchmarkX/<case>/clientgo, and both halves of a case share one input and,
// where there is one, one server. A case may run on several shapes of its
// input, named <case>/<shape>; cmd/report holds a case's targets on every
// shape:
//
//   - DiscoveryColdAggregated/crds-300: the real kube-apiserver of
//     internal/testcluster with 300 CRDs installed (CRDs300: 100 groups of 3
//     kinds). Each op builds a new discovery client and calls
//     ServerGroupsAndResources; two requests (GET /api, /apis).
//   - DiscoveryAndFirstMapping/gvs-2000/<shape>: an httptest server
//     (discoverytest) serving the aggregated documents of 2000
//     group-versions laid out as each of DiscoveryShapes says: dense (API2000's
//     layout), sparse (about 1,900 groups of one version and one or two
//     kinds) and large (about 390 groups of five versions and 8-12 kinds),
//     with or without status subresources, sent chunked (no Content-Length,
//     as kube-apiserver sends large answers) or sized. Each op builds a
//     discovery client, a memory cache and a deferred RESTMapper and maps
//     apps/Deployment once. gvs-2000-lazy does the same job on API2000 with
//     anykube's LazyRESTMapper (client-go has none; its half is the deferred
//     mapper again), for reference.
//   - DiscoveryLegacy/gvs-500/{defaults,unthrottled/dense,unthrottled/sparse}:
//     an httptest server without aggregated discovery, serving Legacy500
//     (dense) or LegacySparse500 and waiting 2ms before each response. Each
//     op is ServerGroupsAndResources on a new client: 2 + 500 or so
//     requests. "defaults" leaves every setting at its zero value (client-go
//     then limits itself to 5 requests a second after a burst of 300);
//     "unthrottled" sets QPS to -1 on both sides.
//   - WarmStartDiskCache/gvs-2000/{dense,sparse,large}: each library's disk
//     cache, filled from a server of that layout before the timer starts;
//     each op builds a new disk-cached client and a deferred RESTMapper and
//     maps apps/Deployment, within the TTL.
//   - RESTMappingHit/gvs-2000, KindForHit/gvs-2000: a deferred RESTMapper over
//     a memory-cached client of the API2000 server, loaded before the timer;
//     each op is one RESTMapping (or KindFor of a partial resource) that
//     hits, cycling over MappingKeys.
//   - DecodeList/<case>/<shape>: the dynamic client's List against an
//     httptest server answering with a list body made by codectest: the
//     full client path, request to UnstructuredList. configmaps-10k is
//     codectest.ConfigMapListShaped(10000, ...): small (the default shape,
//     about 14 MB), no-managedfields, large-values (five values of 200 B to
//     1.5 KB each, about 48 MB), large-values-chunked (no Content-Length,
//     as kube-apiserver sends large answers), and large-values-cold and
//     large-values-chunked-cold, whose ops each start with no response
//     buffer kept from the op before (a program's first or only List).
//     deployments-1k is codectest.DeploymentListShaped(1000, ...): narrow
//     (two containers, about 5.5 MB), wide (five containers of 15 env
//     each, ten volumes, about 18 MB) and wide-no-managedfields.
//   - DecodeWatch/events-10k/<shape>: the dynamic client's Watch against an
//     httptest server streaming codectest.WatchEventsShaped(10000, ...),
//     drained until the server closes the stream: small (Leases and
//     Events, about 9 MB), pods (Pods, ConfigMaps and bookmarks, about
//     39 MB), large (wide Pods and ConfigMaps with large values, about
//     150 MB).
//   - ListPeakMemory/configmaps-200MiB: the dynamic client's List against
//     an httptest server answering with
//     codectest.ConfigMapList(PeakListConfigMaps) (150,000 ConfigMaps,
//     about 200 MiB), one op per round: peak-heap-B is the heap's
//     high-water mark during the op (runtime/metrics, sampled every
//     millisecond) above the heap after a collection just before it,
//     peak-x-body that as a multiple of the body, and result-B the live
//     heap the returned list holds.
//   - RetainedHeap/gvs-2000/{dense,sparse,large}: the live heap, measured
//     after two GCs, that a discovery client, its memory cache and a
//     deferred RESTMapper loaded from a server of that layout keep, reported
//     as retained-B.
//   - InformerSync/configmaps-10k: the real kube-apiserver with
//     InformerConfigMaps (10,000) ConfigMaps in InformerNamespace, created
//     by the first run against a cluster and kept for later ones. Each op
//     makes a dynamic shared informer factory for them, starts it and waits
//     for the cache to sync; retained-B is the live heap the synced factory
//     holds, measured after two GCs before it is made and after it syncs.
//     Each library runs with its defaults (anykube drops managedFields,
//     client-go keeps them); configmaps-10k-keep has anykube keep them too,
//     for reference.
//   - PodLogs/{stream-256MiB,follow-256MiB}: an httptest server answering
//     pods/big/log with 256 MiB of klog-style lines, written 64 KiB at a
//     time, and pods/big with a pod whose container has terminated. Each op
//     opens the log (anykube's podlogs Client.Stream, client-go's
//     CoreV1().Pods().GetLogs().Stream) and drains it through a 32 KiB
//     buffer; follow-256MiB sets Follow, so anykube also reads the pod
//     before and after to tell a stopped container from a cut stream.
//   - PortForward/{websocket,spdy}-{1x16MiB,8x4MiB}: a Workloads control
//     plane (its own, apart from the one above) with a pod whose port 7777
//     the fake kubelet echoes. Each library forwards a local port to it
//     through one tunnel opened before the timer, SPDY inside a WebSocket
//     or SPDY directly; each op sends 16 MiB on one connection, or 4 MiB on
//     each of 8 at once, half-closes and reads the echo back, checking
//     every byte. MB/s counts the bytes sent one way.
//   - LazyMapper/gvs-2000/groups-{1,6,50}: a new lazy mapper maps one kind
//     from each of 1, 6 or 50 groups of the 2000 group-version server:
//     anykube's LazyRESTMapper, and in the clientgo half controller-runtime's
//     DynamicRESTMapper; requests/op and resp-B/op are its whole cost.
//   - LazyMapperNewCRD: the real kube-apiserver; after a miss for a kind,
//     the time from creating its CRD to the first successful RESTMapping,
//     polled every 5 ms: anykube's lazy mapper in push mode, and
//     controller-runtime's in the clientgo half.
//
// Besides wall time (ns/op), every case reports cpu-ns/op, the process's
// CPU time per op: on a machine shared with other work it is the steadier
// figure, though the targets are on wall time. The mapping hits report
// allocs/op, which must be 0 for anykube; the discovery cases report
// requests/op, and the legacy ones max-open, the most requests open at once.
//
// Inputs are generated here from the library's own generators
// (discoverytest, restmappertest, codectest, e2e); nothing is checked in.
// HTTP clients are built once per case by each library's own HTTPClientFor
// and shared by the ops, so connections are reused on both sides and TLS
// handshakes are not what is timed. Client-side rate limiting is turned off
// (QPS -1) on both sides everywhere except DiscoveryLegacy/gvs-500/defaults,
// whose point it is. Allocation figures count everything the process
// allocates during an op, so they include the httptest server's share, which
// is the same for both libraries and small (it writes pre-encoded bytes).
package bench
