package scale

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"
)

// The scale subresource has been served in two wire shapes. autoscaling/v1
// gives the selector as a string. The older extensions/v1beta1, apps/v1beta1
// and apps/v1beta2 Scales give it twice: status.selector as a map, which can
// only hold equality requirements, and status.targetSelector as a string,
// which can hold any. Everything else is the same, so one pair of
// functions covers every flavour.

// shape is the wire shape of one Scale group-version.
type shape int

const (
	shapeUnknown shape = iota
	// shapeString is autoscaling/v1's: status.selector is a string.
	shapeString
	// shapeMap is the older one: status.selector is a map and
	// status.targetSelector a string.
	shapeMap
)

// scaleKind is the Kind of every known flavour.
const scaleKind = "Scale"

// shapeOf returns the wire shape of the Scale kind gvk, or shapeUnknown.
func shapeOf(gvk schema.GroupVersionKind) shape {
	if gvk.Kind != scaleKind {
		return shapeUnknown
	}
	switch gvk.GroupVersion() {
	case SchemeGroupVersion:
		return shapeString
	case schema.GroupVersion{Group: "extensions", Version: "v1beta1"},
		schema.GroupVersion{Group: "apps", Version: "v1beta1"},
		schema.GroupVersion{Group: "apps", Version: "v1beta2"}:
		return shapeMap
	}
	return shapeUnknown
}

// wireIn is what any flavour decodes into; status.selector is kept raw
// until the flavour says whether it is a string or a map.
type wireIn struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		Replicas int32 `json:"replicas"`
	} `json:"spec"`
	Status struct {
		Replicas       int32           `json:"replicas"`
		Selector       json.RawMessage `json:"selector"`
		TargetSelector string          `json:"targetSelector"`
	} `json:"status"`
}

// decodeScale reads a Scale of any known flavour into anykube's Scale, whose
// TypeMeta is always autoscaling/v1 Scale. It fails on bodies that are not
// JSON, on unknown group-versions or kinds (an *UnsupportedScaleKindError),
// and on a status.selector whose JSON type does not fit the flavour.
func decodeScale(data []byte) (*Scale, error) {
	var in wireIn
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, &in); err != nil {
		return nil, fmt.Errorf("decoding a Scale: %w", err)
	}
	gv, err := schema.ParseGroupVersion(in.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("decoding a Scale: apiVersion %q: %w", in.APIVersion, err)
	}
	gvk := gv.WithKind(in.Kind)
	out := &Scale{
		TypeMeta:   metav1.TypeMeta{APIVersion: SchemeGroupVersion.String(), Kind: scaleKind},
		ObjectMeta: in.Metadata,
		Spec:       ScaleSpec{Replicas: in.Spec.Replicas},
		Status:     ScaleStatus{Replicas: in.Status.Replicas},
	}
	switch shapeOf(gvk) {
	case shapeString:
		sel, err := selectorString(in.Status.Selector)
		if err != nil {
			return nil, fmt.Errorf("decoding a Scale of %s: %w", in.APIVersion, err)
		}
		out.Status.Selector = sel
	case shapeMap:
		// targetSelector is the complete one; the map is only a fallback
		// for answers that leave it out.
		if in.Status.TargetSelector != "" {
			out.Status.Selector = in.Status.TargetSelector
			break
		}
		sel, err := selectorMap(in.Status.Selector)
		if err != nil {
			return nil, fmt.Errorf("decoding a Scale of %s: %w", in.APIVersion, err)
		}
		out.Status.Selector = sel
	default:
		return nil, &UnsupportedScaleKindError{Kind: gvk}
	}
	return out, nil
}

// isNull reports whether a raw JSON value is absent or null.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// selectorString reads autoscaling/v1's status.selector.
func selectorString(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("status.selector is not a string: %w", err)
	}
	return s, nil
}

// selectorMap reads the older flavours' status.selector map and renders it
// in the string form, keys sorted, as the server renders targetSelector.
func selectorMap(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("status.selector is not a map of strings: %w", err)
	}
	return labels.SelectorFromSet(m).String(), nil
}

// wireString is autoscaling/v1's Scale as it is sent. Replicas carry no
// omitempty: zero replicas is a value a writer means.
type wireString struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		Replicas int32 `json:"replicas"`
	} `json:"spec"`
	Status struct {
		Replicas int32  `json:"replicas"`
		Selector string `json:"selector,omitempty"`
	} `json:"status"`
}

// wireMap is the older flavours' Scale as it is sent.
type wireMap struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		Replicas int32 `json:"replicas"`
	} `json:"spec"`
	Status struct {
		Replicas       int32             `json:"replicas"`
		Selector       map[string]string `json:"selector,omitempty"`
		TargetSelector string            `json:"targetSelector,omitempty"`
	} `json:"status"`
}

// encodeScale writes s in the flavour gvk names. It fails with an
// *UnsupportedScaleKindError when gvk is no known flavour.
func encodeScale(s *Scale, gvk schema.GroupVersionKind) ([]byte, error) {
	switch shapeOf(gvk) {
	case shapeString:
		var w wireString
		w.APIVersion, w.Kind, w.Metadata = gvk.GroupVersion().String(), gvk.Kind, s.ObjectMeta
		w.Spec.Replicas = s.Spec.Replicas
		w.Status.Replicas, w.Status.Selector = s.Status.Replicas, s.Status.Selector
		return json.Marshal(&w)
	case shapeMap:
		var w wireMap
		w.APIVersion, w.Kind, w.Metadata = gvk.GroupVersion().String(), gvk.Kind, s.ObjectMeta
		w.Spec.Replicas = s.Spec.Replicas
		w.Status.Replicas = s.Status.Replicas
		w.Status.TargetSelector = s.Status.Selector
		w.Status.Selector = equalityMap(s.Status.Selector)
		return json.Marshal(&w)
	}
	return nil, &UnsupportedScaleKindError{Kind: gvk}
}

// equalityMap returns the map form of a selector made only of equality
// requirements, or nil for any other (or unparsable) selector: the map
// cannot express it, and targetSelector carries it whole. The server
// ignores status on writes, so nothing is lost either way.
func equalityMap(selector string) map[string]string {
	if selector == "" {
		return nil
	}
	ls, err := metav1.ParseToLabelSelector(selector)
	if err != nil || len(ls.MatchExpressions) > 0 {
		return nil
	}
	return ls.MatchLabels
}
