package wait

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	au "github.com/anykube/anykube/unstructured"
	"github.com/anykube/anykube/unstructured/status"
)

// Condition says whether one object has reached what the caller waits for.
// obj is the object as last seen, nil when it does not exist; r is its
// status.Compute result (NotFound when obj is nil). A Condition is called
// from one goroutine at a time and must not modify obj.
type Condition func(obj *unstructured.Unstructured, r status.Result) bool

// Current holds once the object's status is Current.
func Current(_ *unstructured.Unstructured, r status.Result) bool { return r.Status == status.Current }

// Deleted holds once the object does not exist.
func Deleted(obj *unstructured.Unstructured, _ status.Result) bool { return obj == nil }

// ConditionTrue holds once the object has a status condition of type
// condType with status True, as kubectl wait --for=condition=TYPE.
func ConditionTrue(condType string) Condition {
	return func(obj *unstructured.Unstructured, _ status.Result) bool {
		return obj != nil && au.IsConditionTrue(obj, condType)
	}
}

// FieldEquals holds once the value at path (anykube's field path syntax,
// such as "status.phase" or `status.conditions[type=Ready].status`) is the
// scalar value, compared as text, as kubectl wait --for=jsonpath=... does.
// It fails, before any waiting, when path is malformed.
func FieldEquals(path, value string) (Condition, error) {
	if _, err := au.ParsePath(path); err != nil {
		return nil, fmt.Errorf("wait: %w", err)
	}
	return func(obj *unstructured.Unstructured, _ status.Result) bool {
		if obj == nil {
			return false
		}
		v, err := au.GetValue(obj, path)
		if err != nil || v == nil {
			return false
		}
		switch v.(type) {
		case map[string]any, []any:
			return false
		}
		return fmt.Sprint(v) == value
	}, nil
}
