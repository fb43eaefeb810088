package dynamic

import (
	"errors"
	"io"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestErrorMessage(t *testing.T) {
	deploys := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Verb: "get", Resource: deploys, Namespace: "ns", Name: "web", Err: io.EOF}, "dynamic: get deployments.v1.apps ns/web: EOF"},
		{&Error{Verb: "get", Resource: deploys, Namespace: "ns", Name: "web", Subresource: "scale", Err: io.EOF}, "dynamic: get deployments.v1.apps ns/web/scale: EOF"},
		{&Error{Verb: "list", Resource: cmGVR, Namespace: "ns", Err: io.EOF}, "dynamic: list configmaps.v1 in namespace ns: EOF"},
		{&Error{Verb: "watch", Resource: cmGVR, Err: io.EOF}, "dynamic: watch configmaps.v1: EOF"},
		{&Error{Verb: "get", Resource: cmGVR, Name: "cluster-thing"}, "dynamic: get configmaps.v1 cluster-thing: unknown error"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if !errors.Is(&Error{Err: io.EOF}, io.EOF) {
		t.Error("Error does not unwrap")
	}
}
