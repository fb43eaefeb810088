package metadata

import (
	"strings"
	"testing"
	"time"

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
	for _, shape := range codectest.MetadataShapes {
		cases = append(cases, string(codectest.MetadataList(300, shape)))
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
	for _, shape := range codectest.MetadataShapes {
		assert.True(t, fastList(codectest.MetadataList(50, shape), &list), shape)
	}
}

// TestParseUTCSecondsMatchesTimeParse checks the timestamp fast path
// against time.Parse on the servers' form, around the edges of its fields,
// and on forms it leaves to time.Parse.
func TestParseUTCSecondsMatchesTimeParse(t *testing.T) {
	cases := []string{
		"2026-01-02T03:04:05Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
		"2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2023-02-28T12:00:00Z", "2026-04-31T00:00:00Z",
		"2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z",
		"2026-01-02T24:00:00Z", "2026-01-02T23:60:00Z", "2026-01-02T23:59:60Z", "2026-01-02t03:04:05Z",
		"2026-01-02T03:04:05z", "2026-01-02T03:04:05+00:00", "2026-01-02T03:04:05.5Z", "2026-1-02T03:04:05Z",
		"2026-01-02T03:04:0xZ", "-026-01-02T03:04:05Z", "2026-01-02 03:04:05Z", "",
	}
	for _, c := range cases {
		want, err := time.Parse(time.RFC3339, c)
		got, ok := parseUTCSeconds([]byte(c))
		if !ok {
			continue // time.Parse decides; nothing to compare
		}
		require.NoError(t, err, c)
		assert.Equal(t, want, got, c)
	}
	_, ok := parseUTCSeconds([]byte("2026-01-02T03:04:05Z"))
	assert.True(t, ok, "the servers' form must take the fast path")
}

func TestSlabPiecesAreTheirOwn(t *testing.T) {
	var s slab[byte]
	a := s.copy([]byte("abc"))
	b := s.copy([]byte("def"))
	assert.Equal(t, len(a), cap(a), "a piece's capacity must end at its length")
	a = append(a, 'x')
	assert.Equal(t, "def", string(b), "appending to one piece wrote over the next")
	assert.NotNil(t, s.copy(nil), "an empty piece must be empty, not nil")
	big := s.take(maxSlabBytes + 1)
	assert.Len(t, big, maxSlabBytes+1)
	assert.Equal(t, "abcx", string(a))
}

// TestSlabSharesChunks checks pieces larger than the first chunk still
// come out of shared chunks (FieldsV1 bytes are hundreds of bytes each).
func TestSlabSharesChunks(t *testing.T) {
	src := make([]byte, 300)
	allocs := testing.AllocsPerRun(10, func() {
		var s slab[byte]
		for range 1000 {
			s.copy(src)
		}
	})
	// 300 KB in chunks of up to 32 KiB: about ten, plus the first few
	// small ones.
	assert.Less(t, allocs, 20.0)
}

func TestEstimateItems(t *testing.T) {
	// 16 items of 100 bytes and 98,400 bytes left: 984 more, plus a
	// sixteenth.
	assert.Equal(t, 984+61, estimateItems(16, 1600, 98400))
	assert.Equal(t, 16, estimateItems(16, 1600, 0), "room for a few more whatever is left")
	assert.Positive(t, estimateItems(16, 0, 100), "items of no bytes must not divide by zero")
}

// BenchmarkDecodeList decodes each metadata shape's list without the
// request around it, for profiling the decoder alone.
func BenchmarkDecodeList(b *testing.B) {
	for _, shape := range codectest.MetadataShapes {
		body := codectest.MetadataList(2000, shape)
		b.Run(string(shape), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var list metav1.PartialObjectMetadataList
				if err := decodeList(body, &list); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
