package codec

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// The reference results: what apimachinery's scheme gives for the same bytes.

func refObject(data []byte) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	if _, _, err := unstructured.UnstructuredJSONScheme.Decode(data, nil, u); err != nil {
		return nil, err
	}
	return u, nil
}

func refList(data []byte) (*unstructured.UnstructuredList, error) {
	l := &unstructured.UnstructuredList{}
	if _, _, err := unstructured.UnstructuredJSONScheme.Decode(data, nil, l); err != nil {
		return nil, err
	}
	return l, nil
}

func refDecode(data []byte) (runtime.Object, error) {
	return runtime.Decode(unstructured.UnstructuredJSONScheme, data)
}

// sameObject reports how DecodeObject's result differs from the scheme's, or
// "" when they agree.
func sameObject(data []byte) string {
	want, wantErr := refObject(data)
	got, gotErr := DecodeObject(data)
	return compare(want, wantErr, got, gotErr)
}

func sameList(data []byte) string {
	want, wantErr := refList(data)
	got, gotErr := DecodeList(data)
	return compare(want, wantErr, got, gotErr)
}

func sameDecode(data []byte) string {
	want, wantErr := refDecode(data)
	got, gotErr := Decode(data)
	return compare(want, wantErr, got, gotErr)
}

func compare(want any, wantErr error, got any, gotErr error) string {
	if (wantErr == nil) != (gotErr == nil) {
		return fmt.Sprintf("error mismatch: apimachinery %v, codec %v", wantErr, gotErr)
	}
	if wantErr != nil {
		// A missing kind must stay recognisable the same way.
		if runtime.IsMissingKind(wantErr) != runtime.IsMissingKind(gotErr) {
			return fmt.Sprintf("missing-kind mismatch: apimachinery %v, codec %v", wantErr, gotErr)
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("result mismatch:\napimachinery %#v\ncodec        %#v", want, got)
	}
	return ""
}

func requireSame(t *testing.T, name string, diff string) {
	t.Helper()
	if diff != "" {
		t.Errorf("%s: %s", name, diff)
	}
}

// Keep errors imported for tests that use errors.As.
var _ = errors.As
