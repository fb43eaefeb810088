package fake

import (
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/internalversion"
	"k8s.io/apimachinery/pkg/apis/meta/internalversion/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// selector is the parsed label and field selection of list options.
type selector struct {
	labels labels.Selector
	fields fields.Selector
}

// parseListOptions parses and validates opts the way the API server does,
// returning the server's errors: 400 for a selector that does not parse, 422
// for a forbidden combination of options.
func parseListOptions(opts metav1.ListOptions) (selector, error) {
	var in internalversion.ListOptions
	if err := internalversion.Convert_v1_ListOptions_To_internalversion_ListOptions(&opts, &in, nil); err != nil {
		return selector{}, apierrors.NewBadRequest(err.Error())
	}
	if errs := validation.ValidateListOptions(&in, true); len(errs) > 0 {
		return selector{}, apierrors.NewInvalid(schema.GroupKind{Group: metav1.GroupName, Kind: "ListOptions"}, "", errs)
	}
	s := selector{labels: in.LabelSelector, fields: in.FieldSelector}
	if s.labels == nil {
		s.labels = labels.Everything()
	}
	if s.fields == nil {
		s.fields = fields.Everything()
	}
	return s, nil
}

// empty reports whether the selector selects everything; the server only
// counts remaining items for such lists.
func (s selector) empty() bool { return s.labels.Empty() && s.fields.Empty() }

// matches reports whether obj is selected.
func (s selector) matches(obj *unstructured.Unstructured) bool {
	if obj == nil {
		return false
	}
	if !s.labels.Empty() && !s.labels.Matches(labels.Set(obj.GetLabels())) {
		return false
	}
	if s.fields.Empty() {
		return true
	}
	set := fields.Set{}
	for _, r := range s.fields.Requirements() {
		set[r.Field] = fieldValue(obj, r.Field)
	}
	return s.fields.Matches(set)
}

// fieldValue reads a field label: metadata.name and metadata.namespace as
// the server does, anything else by its dotted path, rendered as the server
// renders selectable fields. A missing field reads as "".
func fieldValue(obj *unstructured.Unstructured, field string) string {
	switch field {
	case "metadata.name":
		return obj.GetName()
	case "metadata.namespace":
		return obj.GetNamespace()
	}
	v, found, err := unstructured.NestedFieldNoCopy(obj.Object, strings.Split(field, ".")...)
	if !found || err != nil {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return ""
}
