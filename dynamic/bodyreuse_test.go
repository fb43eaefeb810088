package dynamic

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/internal/codec"
	"github.com/anykube/anykube/internal/codec/codectest"
)

// odd exercises every way the decoder turns bytes into values: plain,
// escaped and non-ASCII strings, strings too long to intern, keys, numbers
// of each kind, literals, nesting.
var odd = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd","labels":{"k\u00e9y":"v\"al\\ue\n","plain":"value"}},` +
	`"data":{"long":"` + strings.Repeat("L", 300) + `","esc":"tab\there \ud83d\ude00","utf8":"héllo wörld"},` +
	`"n":{"int":-42,"big":12345678901234,"float":3.25,"exp":1e3,"t":true,"f":false,"nil":null},"arr":["a",["b",{"c":"d"}],7]}`

// snapshot encodes v. DeepCopy would not do: it shares strings, and a
// string aliasing the input would change in the copy too.
func snapshot(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// The REST layer reuses the buffer a response was read into, so nothing a
// decoded object holds may point into the input: decode, overwrite every
// byte of the input, and the object must be unchanged.
func TestDecodedObjectsOutliveTheirInput(t *testing.T) {
	list := codectest.ConfigMapList(30)
	for name, in := range map[string][]byte{"object": []byte(odd), "list": list} {
		t.Run(name, func(t *testing.T) {
			buf := append([]byte(nil), in...)
			var got any
			var err error
			if name == "list" {
				got, err = codec.DecodeList(buf)
			} else {
				got, err = codec.DecodeObject(buf)
			}
			require.NoError(t, err)
			want := snapshot(t, got)
			for i := range buf {
				buf[i] = 'X'
			}
			assert.True(t, want == snapshot(t, got), "the decoded value changed with its input")
		})
	}
}

// Two Lists in a row: the second is read into the buffer the first was
// decoded from, and must not change what the first returned.
func TestListResultSurvivesTheNextList(t *testing.T) {
	firstBody := codectest.ConfigMapList(200)
	// Later answers are as long, with other bytes at every offset: fewer
	// items, shifted by leading spaces, padded with trailing ones.
	later := append(bytes.Repeat([]byte(" "), 64), codectest.ConfigMapList(150)...)
	later = append(later, bytes.Repeat([]byte(" "), len(firstBody)-len(later))...)
	var n atomic.Int32
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		body := firstBody
		if n.Add(1) > 1 {
			body = later
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
	ctx := context.Background()
	cms := c.Resource(cmGVR)
	first, err := cms.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	want := snapshot(t, first)
	for range 5 {
		_, err := cms.List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
	}
	assert.True(t, want == snapshot(t, first), "the first List's result changed with later answers")
	one, err := cms.Get(ctx, "x", metav1.GetOptions{})
	require.NoError(t, err, "a list body decodes as an object too")
	assert.Equal(t, "ConfigMapList", one.GetKind())
}
