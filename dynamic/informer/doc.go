// Package informer keeps a local, always-current, indexed cache of any
// resource, built on the dynamic client: it lists once, watches from
// there, and tells event handlers about every change. It is client-go's
// dynamic informer without client-go.
//
//	f := informer.NewSharedInformerFactory(dc, 0)
//	widgets := f.ForResource(widgetGVR)
//	widgets.Informer().AddEventHandler(informer.EventHandlerFuncs{
//		AddFunc:    func(obj *unstructured.Unstructured, _ bool) { ... },
//		UpdateFunc: func(old, obj *unstructured.Unstructured) { ... },
//		DeleteFunc: func(obj any) { ... },
//	})
//	f.Start(ctx)
//	f.WaitForCacheSync(ctx)
//	w, err := widgets.Lister().Namespace("default").Get("w1") // from memory
//	defer f.Shutdown()
//
// # Lists and watches
//
// An Informer reads the full state with a streaming list (a watch with
// sendInitialEvents) where the server has them, else in pages at one
// resourceVersion, then watches from that version with bookmarks. A dropped
// or ended watch resumes from the last version seen, so the server replays
// what was missed; an expired one (410 Gone) makes the informer list again
// and compare: objects gone from the list are deleted with a
// DeletedFinalStateUnknown tombstone, changed ones updated, new ones added,
// unchanged ones left alone, so no change is lost or told twice. Failures
// are retried with exponential backoff and jitter. Every step is a Status,
// reported to Options.OnStatus and kept for Informer.Status.
//
// # Resources that come and go
//
// An informer for a resource the server does not serve (yet) waits in
// PhaseWaitingForResource, listing again with a bounded backoff, and
// starts when the resource appears: it may be started before its
// CustomResourceDefinition is created. When a resource it has synced goes
// away (404, confirmed by discovery when Options.Discovery is set), the
// informer tells handlers the cached objects were deleted, reports
// PhaseResourceGone (Err wraps ErrResourceGone) and ends. A factory then
// forgets it, so that ForResource and Start after the CRD is created again
// make and run a new one.
//
// # Handlers and memory
//
// Each handler has its own unbounded queue and goroutine: a slow handler
// never holds up the watch, the cache or other handlers, and each sees
// changes in the order the cache made them. Objects pass through a
// transform before they are cached; the default, StripManagedFields, drops
// metadata.managedFields, which often is most of a small object.
//
// The cache is a lister.Store with a namespace index and any index
// functions given in Options.Indexers; Lister answers Get and List from it.
//
// # Other object types
//
// The machinery is generic over the type of the cached objects:
// InformerOf, SharedInformerFactoryOf, OptionsOf and the other names
// ending in "Of" take it as a type parameter, and a SourceOf says how to
// list and watch such objects and how to transform them by default.
// Informer, SharedInformerFactory, Options and the rest are them for
// *unstructured.Unstructured read through the dynamic client (DynamicSource);
// dynamic/metadata/metadatainformer uses them for
// *metav1.PartialObjectMetadata read through the metadata client.
package informer
