package unstructured

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// conditionsPath is where Kubernetes API conventions put conditions.
const conditionsPath = "status.conditions"

// Conditions returns the entries of u's status.conditions, in order. An
// object with no status or no conditions has none (nil, nil). It fails with
// a *FieldError when status.conditions is not a list of maps, when an entry
// has no type, or when a field has the wrong type; lastTransitionTime, when
// present, must be an RFC 3339 time. Fields other than the ones
// metav1.Condition holds (lastProbeTime, lastUpdateTime) are ignored.
func Conditions(u *apiu.Unstructured) ([]metav1.Condition, error) {
	list, err := GetSlice(u, conditionsPath)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	out := make([]metav1.Condition, 0, len(list))
	for i := range list {
		c, err := conditionAt(list, i)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// FindCondition returns the condition of the given type from u's
// status.conditions, and whether there is one. It fails as Conditions does
// when status.conditions is malformed.
func FindCondition(u *apiu.Unstructured, condType string) (metav1.Condition, bool, error) {
	conds, err := Conditions(u)
	if err != nil {
		return metav1.Condition{}, false, err
	}
	for _, c := range conds {
		if c.Type == condType {
			return c, true, nil
		}
	}
	return metav1.Condition{}, false, nil
}

// IsConditionTrue reports whether u has a condition of the given type with
// status "True". It returns false when the condition is absent, has another
// status, or status.conditions is malformed; FindCondition tells those
// apart.
func IsConditionTrue(u *apiu.Unstructured, condType string) bool {
	c, ok, err := FindCondition(u, condType)
	return err == nil && ok && c.Status == metav1.ConditionTrue
}

func conditionAt(list []any, i int) (metav1.Condition, error) {
	var c metav1.Condition
	item := fmt.Sprintf("%s[%d]", conditionsPath, i)
	m, ok := list[i].(map[string]any)
	if !ok {
		return c, &FieldError{Path: item, At: item, Want: "map", Found: typeName(list[i])}
	}
	str := func(key string, required bool) (string, error) {
		s, err := GetString(m, key)
		if err == nil {
			return s, nil
		}
		if isNotFound(err) && !required {
			return "", nil
		}
		return "", reroot(err, item)
	}
	var err error
	if c.Type, err = str("type", true); err != nil {
		return c, err
	}
	status, err := str("status", false)
	if err != nil {
		return c, err
	}
	c.Status = metav1.ConditionStatus(status)
	if c.Reason, err = str("reason", false); err != nil {
		return c, err
	}
	if c.Message, err = str("message", false); err != nil {
		return c, err
	}
	if g, err := GetInt64(m, "observedGeneration"); err == nil {
		c.ObservedGeneration = g
	} else if !isNotFound(err) {
		return c, reroot(err, item)
	}
	ts, err := str("lastTransitionTime", false)
	if err != nil {
		return c, err
	}
	if ts != "" {
		t, perr := time.Parse(time.RFC3339, ts)
		if perr != nil {
			return c, &FieldError{Path: item + ".lastTransitionTime", At: item + ".lastTransitionTime",
				Want: "RFC 3339 time", Found: "string", Detail: "unparsable"}
		}
		c.LastTransitionTime = metav1.NewTime(t)
	}
	return c, nil
}
