package podlogs

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// SelectorOf returns the label selector that picks the pods of a workload,
// read from its spec.selector: a metav1.LabelSelector (matchLabels and
// matchExpressions) for Deployments, ReplicaSets, StatefulSets,
// DaemonSets, Jobs and custom workloads of any group, or a plain map of
// labels for the core group's ReplicationControllers and Services.
//
// It fails, naming the object, when spec.selector is missing, has the
// wrong shape, or selects every pod (an empty selector, which no workload
// means), and for kinds whose pods are selected otherwise: a Pod (stream
// it directly), a CronJob (its Jobs have the selectors).
func SelectorOf(owner *unstructured.Unstructured) (labels.Selector, error) {
	what := fmt.Sprintf("%s %s", owner.GetKind(), owner.GetName())
	gvk := owner.GroupVersionKind()
	switch {
	case gvk.Group == "" && gvk.Kind == "Pod":
		return nil, fmt.Errorf("podlogs: %s is a pod, not an owner of pods: read its log with Stream", what)
	case gvk.Group == "batch" && gvk.Kind == "CronJob":
		return nil, fmt.Errorf("podlogs: %s has no pods of its own: its Jobs do, each with a selector", what)
	}
	raw, found, err := unstructured.NestedFieldNoCopy(owner.Object, "spec", "selector")
	if err != nil || !found || raw == nil {
		return nil, fmt.Errorf("podlogs: %s has no spec.selector to find its pods by", what)
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("podlogs: %s: spec.selector is a %T, not an object", what, raw)
	}
	var sel labels.Selector
	if gvk.Group == "" {
		// ReplicationController and Service: a map of label values.
		set := labels.Set{}
		for k, v := range m {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("podlogs: %s: spec.selector.%s is a %T, not a string", what, k, v)
			}
			set[k] = s
		}
		if sel, err = labels.ValidatedSelectorFromSet(set); err != nil {
			return nil, fmt.Errorf("podlogs: %s: spec.selector: %w", what, err)
		}
	} else {
		var ls metav1.LabelSelector
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(m, &ls, true); err != nil {
			return nil, fmt.Errorf("podlogs: %s: spec.selector is not a label selector: %w", what, err)
		}
		if sel, err = metav1.LabelSelectorAsSelector(&ls); err != nil {
			return nil, fmt.Errorf("podlogs: %s: spec.selector: %w", what, err)
		}
	}
	if sel.Empty() {
		return nil, fmt.Errorf("podlogs: %s: spec.selector is empty and would select every pod in the namespace", what)
	}
	return sel, nil
}
