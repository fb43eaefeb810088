package metadata

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/json"

	"github.com/anykube/anykube/internal/codec/codectest"
)

// fullMeta is an object whose metadata uses every field.
const fullMeta = `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{
 "name":"a","generateName":"a-","namespace":"ns","selfLink":"/x","uid":"u-1","resourceVersion":"42",
 "generation":7,"creationTimestamp":"2026-01-02T03:04:05Z","deletionTimestamp":"2026-01-02T03:04:06+02:00",
 "deletionGracePeriodSeconds":30,"labels":{"app":"x","e\u00e9":"v","n":null},"annotations":{"big":"` + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" + `"},
 "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"u-2","controller":true,"blockOwnerDeletion":false},null],
 "finalizers":["f1","f2"],
 "managedFields":[{"manager":"m","operation":"Update","apiVersion":"v1","time":"2026-01-02T03:04:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:a":{}}},"subresource":"status"},{"fieldsV1":null,"time":null}],
 "unknown":{"x":[1,2]}},"spec":{"big":[1,2,3]},"status":"whatever"}`

// metaCases are objects the fast path must decode as the reflective
// decoder does, or give up on and so fail or succeed exactly as it does.
var metaCases = []string{
	fullMeta,
	`{}`, `null`, `{"metadata":null}`, `{"metadata":{}}`,
	`{"metadata":{"labels":null,"annotations":{},"finalizers":[],"ownerReferences":null,"managedFields":[]}}`,
	`{"metadata":{"name":"a","name":"b"}}`,             // repeated key
	`{"metadata":{"generation":1.5}}`,                  // type error
	`{"metadata":{"generation":12345678901234567890}}`, // overflow
	`{"metadata":{"generation":1234567890123456789}}`,  // 19 digits
	`{"metadata":{"creationTimestamp":"yesterday"}}`,   // bad time
	`{"metadata":{"creationTimestamp":null}}`,          //
	`{"metadata":{"labels":{"a":1}}}`,                  // type error
	`{"metadata":{"Name":"a"}}`,                        // case-sensitive
	`{"metadata":{"name":"a\"b\\c\u0041"}}`,            // escapes
	`{"metadata":{"name":"a"}`,                         // syntax
	`{"metadata":{"name":"a"}} x`,                      // trailing
	`[]`,                                               //
	`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}`,
}

func TestDecodeObjectMatchesReflective(t *testing.T) {
	for _, c := range append(metaCases, string(codectest.Object())) {
		var want metav1.PartialObjectMetadata
		wantErr := json.UnmarshalCaseSensitivePreserveInts([]byte(c), &want)
		var got metav1.PartialObjectMetadata
		err := decodeObject([]byte(c), &got)
		if wantErr != nil {
			require.Error(t, err, c)
			assert.Equal(t, wantErr.Error(), err.Error(), c)
			continue
		}
		require.NoError(t, err, c)
		assert.Equal(t, want, got, c)
	}
}

func TestDecodeListMatchesReflective(t *testing.T) {
	items := strings.Join(metaCases[:6], ",")
	cases := []string{
		`{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"9","continue":"c","remainingItemCount":3},"items":[` + items + `]}`,
		`{"items":null}`, `{"items":[]}`, `{"items":[null,{}]}`, `{"items":{}}`, `{"metadata":{"remainingItemCount":null}}`,
		string(codectest.ConfigMapList(300)),
		string(codectest.DeploymentList(30)),
	}
	for _, c := range cases {
		var want metav1.PartialObjectMetadataList
		wantErr := json.UnmarshalCaseSensitivePreserveInts([]byte(c), &want)
		var got metav1.PartialObjectMetadataList
		err := decodeList([]byte(c), &got)
		name := c[:min(len(c), 80)]
		if wantErr != nil {
			require.Error(t, err, name)
			assert.Equal(t, wantErr.Error(), err.Error(), name)
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
}

// TestDecodeCopiesFieldsV1 checks nothing decoded points into the body,
// which the request layer reuses.
func TestDecodeCopiesFieldsV1(t *testing.T) {
	body := []byte(fullMeta)
	var got metav1.PartialObjectMetadata
	require.NoError(t, decodeObject(body, &got))
	for i := range body {
		body[i] = ' '
	}
	assert.JSONEq(t, `{"f:data":{".":{},"f:a":{}}}`, string(got.ManagedFields[0].FieldsV1.Raw))
}

func FuzzDecodeObject(f *testing.F) {
	for _, c := range metaCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want metav1.PartialObjectMetadata
		wantErr := json.UnmarshalCaseSensitivePreserveInts(data, &want)
		var got metav1.PartialObjectMetadata
		err := decodeObject(data, &got)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("err %v, reflective %v", err, wantErr)
		}
		if err == nil {
			assert.Equal(t, want, got)
		}
	})
}

// TestFastPathTaken checks the fast path decodes what servers send rather
// than handing it to the reflective decoder.
func TestFastPathTaken(t *testing.T) {
	var obj metav1.PartialObjectMetadata
	assert.True(t, fastObject([]byte(fullMeta), &obj))
	assert.True(t, fastObject(codectest.Object(), &obj))
	var list metav1.PartialObjectMetadataList
	assert.True(t, fastList(codectest.ConfigMapList(50), &list))
	assert.True(t, fastList(codectest.DeploymentList(5), &list))
}
