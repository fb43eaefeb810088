package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	jsonserializer "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/runtime/serializer/streaming"

	"github.com/anykube/anykube/internal/codec/codectest"
)

var listInputs = []struct {
	name string
	data func() []byte
}{
	{"configmaps-10k", func() []byte { return codectest.ConfigMapList(10000) }},
	{"deployments-1k", func() []byte { return codectest.DeploymentList(1000) }},
	{"configmaps-10k-large-values", func() []byte { return codectest.ConfigMapListShaped(10000, codectest.Shape{LargeValues: true}) }},
	{"deployments-1k-wide", func() []byte { return codectest.DeploymentListShaped(1000, codectest.Shape{Wide: true}) }},
}

func BenchmarkDecodeList(b *testing.B) {
	for _, in := range listInputs {
		data := in.data()
		b.Run(in.name+"/anykube", func(b *testing.B) {
			measure(b, len(data), func() error {
				_, err := DecodeList(data)
				return err
			})
		})
		b.Run(in.name+"/apimachinery", func(b *testing.B) {
			measure(b, len(data), func() error {
				_, err := runtime.Decode(unstructured.UnstructuredJSONScheme, data)
				return err
			})
		})
	}
}

func BenchmarkDecodeObject(b *testing.B) {
	data := codectest.Object()
	b.Run("deployment/anykube", func(b *testing.B) {
		measure(b, len(data), func() error {
			_, err := DecodeObject(data)
			return err
		})
	})
	b.Run("deployment/apimachinery", func(b *testing.B) {
		measure(b, len(data), func() error {
			_, err := runtime.Decode(unstructured.UnstructuredJSONScheme, data)
			return err
		})
	})
}

func BenchmarkWatch(b *testing.B) {
	data := codectest.WatchEvents(1000)
	b.Run("events-1k/anykube", func(b *testing.B) {
		measure(b, len(data), func() error {
			d := NewWatchDecoder(bytes.NewReader(data))
			return countEvents(func() error { _, _, err := d.Next(); return err }, 1000)
		})
	})
	b.Run("events-1k/apimachinery", func(b *testing.B) {
		measure(b, len(data), func() error {
			d := newReferenceWatch(data)
			return countEvents(func() error { _, _, err := d.next(); return err }, 1000)
		})
	})
}

// measure runs op in a benchmark loop and, besides the usual figures,
// reports the process CPU time per operation (garbage collection included):
// on a shared machine wall time swings with the neighbours' load, CPU time
// much less.
func measure(b *testing.B, size int, op func() error) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	start := cpuTime()
	n := 0
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if cpu := float64(cpuTime()-start) / float64(n); cpu > 0 {
		b.ReportMetric(cpu, "cpu-ns/op")
		b.ReportMetric(float64(size)/cpu*1e3, "cpu-MB/s")
	}
}

// countEvents calls next until io.EOF and checks it saw want events.
func countEvents(next func() error, want int) error {
	n := 0
	for {
		err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n++
	}
	if n != want {
		return fmt.Errorf("decoded %d events, want %d", n, want)
	}
	return nil
}

// referenceWatch decodes a watch stream the way a client-go dynamic client
// does, from apimachinery pieces only: the JSON framer, a streaming decoder
// into metav1.WatchEvent, then the embedded object through a JSON serializer
// that creates Unstructured for kinds it does not know.
type referenceWatch struct {
	events   streaming.Decoder
	embedded runtime.Decoder
}

var (
	refScheme     = newRefScheme()
	refStream     = jsonserializer.NewSerializerWithOptions(jsonserializer.DefaultMetaFactory, refScheme, refScheme, jsonserializer.SerializerOptions{})
	refEmbedded   = jsonserializer.NewSerializerWithOptions(jsonserializer.DefaultMetaFactory, unstructuredCreator{refScheme}, unstructuredTyper{refScheme}, jsonserializer.SerializerOptions{})
	errBadRefType = errors.New("unexpected object from the watch event decoder")
)

func newRefScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	return s
}

func newReferenceWatch(data []byte) *referenceWatch {
	fr := jsonserializer.Framer.NewFrameReader(io.NopCloser(bytes.NewReader(data)))
	return &referenceWatch{events: streaming.NewDecoder(fr, refStream), embedded: refEmbedded}
}

func (r *referenceWatch) next() (string, runtime.Object, error) {
	var ev metav1.WatchEvent
	got, _, err := r.events.Decode(nil, &ev)
	if err != nil {
		return "", nil, err
	}
	if got != &ev {
		return "", nil, errBadRefType
	}
	obj, err := runtime.Decode(r.embedded, ev.Object.Raw)
	if err != nil {
		return "", nil, err
	}
	return ev.Type, obj, nil
}

type unstructuredCreator struct{ scheme *runtime.Scheme }

func (c unstructuredCreator) New(kind schema.GroupVersionKind) (runtime.Object, error) {
	if obj, err := c.scheme.New(kind); err == nil {
		return obj, nil
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(kind)
	return u, nil
}

type unstructuredTyper struct{ scheme *runtime.Scheme }

func (t unstructuredTyper) ObjectKinds(obj runtime.Object) ([]schema.GroupVersionKind, bool, error) {
	kinds, unversioned, err := t.scheme.ObjectKinds(obj)
	if err == nil {
		return kinds, unversioned, nil
	}
	if _, ok := obj.(runtime.Unstructured); ok && !obj.GetObjectKind().GroupVersionKind().Empty() {
		return []schema.GroupVersionKind{obj.GetObjectKind().GroupVersionKind()}, false, nil
	}
	return nil, false, err
}

func (t unstructuredTyper) Recognizes(schema.GroupVersionKind) bool { return true }
