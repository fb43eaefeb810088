package rest

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// TestParamsRoundTripThroughServerDecoder encodes fully populated option
// structs and decodes the query with metav1.ParameterCodec, which is what
// the API server uses to read them, so every field must survive. The
// populated check fails when apimachinery adds a field this test does not
// set, so new fields get looked at.
func TestParamsRoundTripThroughServerDecoder(t *testing.T) {
	yes, no := true, false
	grace := int64(0)
	timeout := int64(45)
	uid := types.UID("1234-abcd")
	rv := "99"
	policy := metav1.DeletePropagationForeground

	cases := []runtime.Object{
		&metav1.ListOptions{
			LabelSelector: "app in (a,b),!legacy", FieldSelector: "metadata.name=x",
			Watch: true, AllowWatchBookmarks: true, ResourceVersion: "123",
			ResourceVersionMatch: metav1.ResourceVersionMatchExact, TimeoutSeconds: &timeout,
			Limit: 250, Continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==&x", SendInitialEvents: &no,
			ShardSelector: "shardRange(object.metadata.uid, '0x0', '0x8000000000000000')",
		},
		&metav1.GetOptions{ResourceVersion: "7"},
		&metav1.CreateOptions{DryRun: []string{"All"}, FieldManager: "kubectl-client-side-apply", FieldValidation: "Ignore"},
		&metav1.UpdateOptions{DryRun: []string{"All", "Other"}, FieldManager: "m", FieldValidation: "Strict"},
		&metav1.PatchOptions{DryRun: []string{"All"}, Force: &yes, FieldManager: "anykube", FieldValidation: "Warn"},
		&metav1.DeleteOptions{
			GracePeriodSeconds: &grace, Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv},
			OrphanDependents: &no, PropagationPolicy: &policy, DryRun: []string{"All"},
			IgnoreStoreReadErrorWithClusterBreakingPotential: &yes,
		},
	}
	// The API server reads query parameters through a scheme set up by
	// metav1.AddToGroupVersion, which registers the url.Values conversions.
	serverScheme := runtime.NewScheme()
	serverGV := schema.GroupVersion{Version: "v1"}
	metav1.AddToGroupVersion(serverScheme, serverGV)
	serverCodec := runtime.NewParameterCodec(serverScheme)

	for _, in := range cases {
		t.Run(reflect.TypeOf(in).Elem().Name(), func(t *testing.T) {
			assertAllFieldsSet(t, reflect.ValueOf(in).Elem())
			q := paramsOf(t, in)

			out := reflect.New(reflect.TypeOf(in).Elem()).Interface().(runtime.Object)
			require.NoError(t, serverCodec.DecodeParameters(q, serverGV, out))
			assert.Equal(t, in, out, "query: %s", q.Encode())

			want, err := metav1.ParameterCodec.EncodeParameters(in, metav1.SchemeGroupVersion)
			require.NoError(t, err)
			assert.Equal(t, want, q, "same encoding as metav1.ParameterCodec")
		})
	}
}

func TestParamsSparseValues(t *testing.T) {
	zero := int64(0)
	cases := []struct {
		name string
		opts any
		want url.Values
	}{
		{"zero list options", &metav1.ListOptions{}, nil},
		{"zero pointer value sent", &metav1.ListOptions{TimeoutSeconds: &zero}, url.Values{"timeoutSeconds": {"0"}}},
		{"grace period zero means now", &metav1.DeleteOptions{GracePeriodSeconds: &zero}, url.Values{"gracePeriodSeconds": {"0"}}},
		{"only uid precondition", &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: ptr(types.UID("u"))}}, url.Values{"uid": {"u"}}},
		// ApplyOptions has no omitempty on force and fieldManager; it is not
		// in the meta scheme, which is why Params does not need one.
		{"apply options", &metav1.ApplyOptions{FieldManager: "m"}, url.Values{"force": {"false"}, "fieldManager": {"m"}}},
		{"struct by value", metav1.GetOptions{ResourceVersion: "1"}, url.Values{"resourceVersion": {"1"}}},
		{"custom struct", &struct {
			Pretty bool     `json:"pretty,omitempty"`
			Keys   []string `json:"key"`
			Hidden string   `json:"-"`
			NoTag  string
		}{Pretty: true, Keys: []string{"a", "b"}, Hidden: "h", NoTag: "n"}, url.Values{"pretty": {"true"}, "key": {"a", "b"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := (&Client{}).Get().Params(tc.opts)
			require.NoError(t, r.err)
			assert.Equal(t, tc.want, r.params)
		})
	}
}

func paramsOf(t *testing.T, opts any) url.Values {
	t.Helper()
	c, err := New(Settings{Host: "http://h"}, &http.Client{})
	require.NoError(t, err)
	r := c.Get().Params(opts)
	require.NoError(t, r.err)
	return r.params
}

// assertAllFieldsSet fails for any exported field of v, other than the
// embedded TypeMeta, left at its zero value.
func assertAllFieldsSet(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous || !f.IsExported() {
			continue
		}
		assert.False(t, v.Field(i).IsZero(), "%s.%s is not set in the test; add it", v.Type().Name(), f.Name)
	}
}

func ptr[T any](v T) *T { return &v }
