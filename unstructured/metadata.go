package unstructured

import (
	"errors"
	"fmt"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// MergeLabels sets the given labels on u, overriding labels with the same
// keys and keeping the others. An empty labels map changes nothing. It
// fails, changing nothing, when u is nil or its metadata.labels is not a
// map of strings (Unstructured.SetLabels would silently replace it).
func MergeLabels(u *apiu.Unstructured, labels map[string]string) error {
	return mergeStringMap(u, "metadata.labels", labels)
}

// MergeAnnotations sets the given annotations on u, overriding annotations
// with the same keys and keeping the others. It fails as MergeLabels does.
func MergeAnnotations(u *apiu.Unstructured, annotations map[string]string) error {
	return mergeStringMap(u, "metadata.annotations", annotations)
}

func mergeStringMap(u *apiu.Unstructured, path string, add map[string]string) error {
	if u == nil {
		return fmt.Errorf("merge %s: nil object", path)
	}
	if len(add) == 0 {
		return nil
	}
	existing, err := GetStringMap(u, path)
	if err != nil && !errors.Is(err, ErrFieldNotFound) {
		return fmt.Errorf("merge %s into %s: %w", path, describe(u), err)
	}
	merged := make(map[string]any, len(existing)+len(add))
	for k, v := range existing {
		merged[k] = v
	}
	for k, v := range add {
		merged[k] = v
	}
	if err := Set(u, path, merged); err != nil {
		return fmt.Errorf("merge %s into %s: %w", path, describe(u), err)
	}
	return nil
}
