// Package lister is the in-memory side of a dynamic informer: a
// thread-safe, indexed Store of unstructured objects, and a Lister that
// answers Get and List from it without a request to the server.
//
//	store, err := lister.NewStore(lister.Indexers{"by-app": lister.LabelIndexFunc("app")})
//	l := lister.New(store, gvr)
//	cm, err := l.Namespace("default").Get("settings")
//	web, err := l.List(labels.SelectorFromSet(labels.Set{"app": "web"}))
//	sameApp, err := store.ByIndex("by-app", "web")
//
// Keys are client-go's: "namespace/name", or "name" for cluster-scoped
// objects. Every Store indexes objects by namespace (NamespaceIndex), so
// Namespace(ns).List reads one namespace without scanning the others.
// Index functions that fail never lose an object: it is stored and left out
// of that one index, and the failure is returned as an *IndexError.
//
// The objects are shared between the Store and its readers. They must be
// treated as read-only; DeepCopy one before changing it.
//
// The types are generic over the object type (StoreOf, ListerOf,
// IndexersOf, ...); Store, Lister, Indexers and the other names without
// "Of" are them for *unstructured.Unstructured, and the metadata
// informers use them for *metav1.PartialObjectMetadata.
//
// The informer package fills a Store from a list and a watch and keeps it
// current.
package lister
