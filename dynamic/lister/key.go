package lister

import (
	"fmt"
	"strings"
)

// MetaNamespaceKey returns the key a Store files obj under: "namespace/name"
// for a namespaced object, "name" for a cluster-scoped one. These are the
// keys client-go's caches use, so logs and work queues read the same.
func MetaNamespaceKey(obj interface {
	GetNamespace() string
	GetName() string
}) string {
	return ObjectKey(obj.GetNamespace(), obj.GetName())
}

// ObjectKey returns the key of the object named name in namespace, as
// MetaNamespaceKey does; an empty namespace means a cluster-scoped object.
func ObjectKey(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// SplitMetaNamespaceKey splits a key made by MetaNamespaceKey into its
// namespace (empty for a cluster-scoped object) and name. A key with more
// than one slash, or an empty name, is an error.
func SplitMetaNamespaceKey(key string) (namespace, name string, err error) {
	parts := strings.Split(key, "/")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return "", parts[0], nil
	case len(parts) == 2 && parts[1] != "":
		return parts[0], parts[1], nil
	}
	return "", "", fmt.Errorf("lister: %q is not a namespace/name or name key", key)
}
