// Package metadatainformer keeps a local, always-current, indexed cache of
// the metadata of any resource's objects, read through the metadata client
// (dynamic/metadata): names, labels, annotations, owners and finalizers,
// as *metav1.PartialObjectMetadata, without specs, data or status. It is
// client-go's metadatainformer and metadatalister without client-go, for
// tools that need to know what exists (garbage collectors, label
// auditors, owner-graph walkers) at a fraction of a full informer's memory.
//
//	f := metadatainformer.NewSharedInformerFactory(mc, 0)
//	cms := f.ForResource(configMapsGVR)
//	cms.Informer().AddEventHandler(metadatainformer.EventHandlerFuncs{
//		AddFunc: func(obj *metav1.PartialObjectMetadata, _ bool) { ... },
//	})
//	f.Start(ctx)
//	f.WaitForCacheSync(ctx)
//	m, err := cms.Lister().Namespace("default").Get("settings") // from memory
//	defer f.Shutdown()
//
// The informers are dynamic/informer's, run over the metadata client: the
// same streaming or paged lists, resumed and expired watches with
// DeletedFinalStateUnknown tombstones, handlers with queues of their own,
// statuses, and CustomResourceDefinitions that come and go (see that
// package's documentation). The types here are that package's and
// dynamic/lister's, for *metav1.PartialObjectMetadata.
//
// # Memory
//
// The default transform drops metadata.managedFields (which for small
// objects is often larger than the rest of the metadata), and shares what
// objects repeat instead of keeping a copy per object: strings (the view's
// apiVersion and kind, namespaces, label and annotation keys, label
// values) and whole label sets, which the replicas of a workload have in
// common. A shared label map is one more reason to treat cached objects as
// read-only. Set Options.Transform to StripManagedFields to drop
// managedFields alone, or to KeepEverything to cache objects as the server
// sent them. On 10,000 ConfigMaps the informer keeps 0.41 of the heap
// client-go's metadata informer does (internal/bench, InformerSync).
//
// A server that cannot give the metadata view fails the informer's list
// (PhaseFailed, Err matching metadata.IsViewUnsupported) unless the
// client was made with metadata.Options{FallbackToFull: true}.
package metadatainformer
