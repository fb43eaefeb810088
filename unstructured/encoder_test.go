package unstructured

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestWriteYAML(t *testing.T) {
	a := &apiu.Unstructured{Object: map[string]any{
		"kind": "ConfigMap", "apiVersion": "v1",
		"metadata": map[string]any{"name": "a", "labels": map[string]any{"z": "1", "a": "2"}},
		"data": map[string]any{
			"script":  "echo <hi> && exit 1\nsecond line\n",
			"yes":     "yes",
			"number":  "8080",
			"empty":   "",
			"version": "1.10",
		},
	}}
	b := &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "b"},
		"spec": map[string]any{
			"containers": []any{map[string]any{"name": "c", "image": "i", "args": []any{"x"}}},
			"priority":   int64(9007199254740993),
			"ratio":      0.25,
			"enabled":    true,
			"nothing":    nil,
		},
	}}
	var buf bytes.Buffer
	require.NoError(t, WriteYAML(&buf, a, b))
	want := `apiVersion: v1
data:
  empty: ""
  number: "8080"
  script: |
    echo <hi> && exit 1
    second line
  version: "1.10"
  "yes": "yes"
kind: ConfigMap
metadata:
  labels:
    a: "2"
    z: "1"
  name: a
---
apiVersion: v1
kind: Pod
metadata:
  name: b
spec:
  containers:
  - args:
    - x
    image: i
    name: c
  enabled: true
  nothing: null
  priority: 9007199254740993
  ratio: 0.25
`
	assert.Equal(t, want, buf.String())

	// Stable: writing again gives the same bytes.
	var again bytes.Buffer
	require.NoError(t, WriteYAML(&again, a, b))
	assert.Equal(t, buf.String(), again.String())

	// And it reads back to the same objects.
	objs, err := ReadManifests(&buf, DecoderOptions{})
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, a.Object, objs[0].Object)
	assert.Equal(t, b.Object, objs[1].Object)
}

func TestWriteJSON(t *testing.T) {
	a := &apiu.Unstructured{Object: map[string]any{"kind": "A", "apiVersion": "v1", "data": map[string]any{"s": "<&>"}}}
	b := &apiu.Unstructured{Object: map[string]any{"kind": "B", "apiVersion": "v1"}}
	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, a, b))
	want := `{
  "apiVersion": "v1",
  "data": {
    "s": "<&>"
  },
  "kind": "A"
}
{
  "apiVersion": "v1",
  "kind": "B"
}
`
	assert.Equal(t, want, buf.String())
	objs, err := ReadManifests(&buf, DecoderOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"A/", "B/"}, names(objs))
}

func TestRoundTripTestdata(t *testing.T) {
	for _, name := range []string{"app.yaml", "list.yaml", "crd.yaml", "stream.json"} {
		for _, format := range []Format{YAML, JSON} {
			t.Run(name+"/"+format.String(), func(t *testing.T) {
				f, err := os.Open(filepath.Join("testdata", name))
				require.NoError(t, err)
				defer f.Close()
				objs, err := ReadManifests(f, DecoderOptions{})
				require.NoError(t, err)
				var buf bytes.Buffer
				enc := NewEncoder(&buf, format)
				for _, o := range objs {
					require.NoError(t, enc.Encode(o))
				}
				back, err := ReadManifests(bytes.NewReader(buf.Bytes()), DecoderOptions{})
				require.NoError(t, err)
				require.Len(t, back, len(objs))
				for i := range objs {
					assert.Equal(t, objs[i].Object, back[i].Object)
				}
			})
		}
	}
}

func TestEncoderErrors(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf, YAML)
	assert.Error(t, enc.Encode(nil))
	bad := &apiu.Unstructured{Object: map[string]any{"kind": "ConfigMap", "metadata": map[string]any{"name": "n", "namespace": "ns"}, "x": math.Inf(1)}}
	err := enc.Encode(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ConfigMap ns/n")
	assert.Empty(t, buf.String(), "nothing is written for a failed object")
	assert.Error(t, NewEncoder(&buf, Format(7)).Encode(&apiu.Unstructured{Object: map[string]any{}}))
	assert.Equal(t, "Format(7)", Format(7).String())

	boom := errors.New("pipe closed")
	err = NewEncoder(failWriter{boom}, JSON).Encode(&apiu.Unstructured{Object: map[string]any{"kind": "A"}})
	assert.ErrorIs(t, err, boom)
}

func TestEncodeEmptyObject(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteYAML(&buf, &apiu.Unstructured{}))
	assert.Equal(t, "{}\n", buf.String())
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }
