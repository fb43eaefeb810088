package codec

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"testing"

	"github.com/anykube/anykube/internal/codec/codectest"
)

// fuzzSeeds are realistic bodies and the corner cases the table tests pin,
// so plain `go test` runs them all and the fuzzer starts from real shapes.
func fuzzSeeds() [][]byte {
	seeds := [][]byte{
		codectest.Object(),
		codectest.ConfigMapList(3),
		codectest.DeploymentList(2),
		[]byte(`{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},"spec":{"group":"example.com","names":{"kind":"Widget","listKind":"WidgetList","plural":"widgets","singular":"widget","shortNames":["wd"]},"scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"size":{"type":"integer","minimum":0,"maximum":1e3},"ratio":{"type":"number","multipleOf":0.5}}}}}}}]}}`),
		[]byte(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}`),
		[]byte(`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"pödчик-😀","annotations":{"note":"\u00e9\ud83d\ude00\ud800 \u2028 a\tb","bad":"\xff\xfe"}},"spec":{"containers":[{"name":"c","args":["--x=\"y\"","\\"],"resources":{"limits":{"cpu":-0,"mem":1.5e9,"big":18446744073709551616,"neg":-9223372036854775808}}}]}}`),
		[]byte(`{"kind":"WidgetList","apiVersion":"example.com/v1","metadata":{"continue":"abc","remainingItemCount":5},"items":[{"kind":"Widget","apiVersion":"example.com/v1","spec":{"size":3}},null,{"metadata":{"name":"typed"}}]}`),
		[]byte(`{"kind":"List","apiVersion":"v1","items":[{"a":1}],"items":null}`),
		[]byte(`{"kind":"List","apiVersion":"v1","items":[1],"items":[]}`),
		[]byte(`{"kind":"K","v":1e400}`),
		[]byte(`{"kind":"K","apiVersion":"a/b/c"}`),
		[]byte(` {"kind" : "K" , "v" : [ ] , "w" : { } } `),
		[]byte(`null`),
		[]byte(`[]`),
		[]byte(`{"kind":"K"} x`),
		[]byte(`{"kind":"K","v":"\u12"}`),
	}
	return seeds
}

func FuzzDecodeObject(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if diff := sameObject(data); diff != "" {
			t.Fatalf("DecodeObject(%q): %s", data, diff)
		}
		if diff := sameDecode(data); diff != "" {
			t.Fatalf("Decode(%q): %s", data, diff)
		}
	})
}

func FuzzDecodeList(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if diff := sameList(data); diff != "" {
			t.Fatalf("DecodeList(%q): %s", data, diff)
		}
	})
}

// FuzzWatch checks that any stream ends in an error or io.EOF without
// panicking, and that a stream holding exactly one JSON value decodes as
// client-go's watch decoder would decode that frame.
func FuzzWatch(f *testing.F) {
	f.Add(codectest.WatchEvents(3))
	f.Add([]byte(podFrame + "\n" + podFrame))
	f.Add([]byte(`{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","code":410}}`))
	f.Add([]byte(`{"type":"ADDED","object":{"kind":"Pod","n":1e999},"object":{"kind":"Pod"},"x":1e999}`))
	f.Add([]byte(`{"type":"ADDED","object":null}`))
	f.Add([]byte(`{"type":"ADDED","object":{"kind":"Pod","s":"}\"{"}} [`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewWatchDecoder(bytes.NewReader(data))
		d.SetMaxFrameSize(1 << 16)
		var first, prev error
		var firstEvent event
		n := 0
		for ; n <= len(data)+1; n++ {
			typ, obj, err := d.Next()
			if n == 0 {
				first, firstEvent = err, event{typ, obj}
			}
			if err == io.EOF || (err != nil && err == prev) {
				break // the end, or an error that sticks
			}
			prev = err
		}
		if n > len(data)+1 {
			t.Fatalf("decoder did not stop on %q", data)
		}
		trimmed := bytes.TrimSpace(data)
		if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) || len(data) > 1<<16 {
			return
		}
		typ, obj, err := refFrame(trimmed)
		if (err == nil) != (first == nil) {
			t.Fatalf("frame %q: reference error %v, codec error %v", data, err, first)
		}
		if err == nil && (typ != firstEvent.typ || !reflect.DeepEqual(obj, firstEvent.obj)) {
			t.Fatalf("frame %q: reference %s %#v, codec %s %#v", data, typ, obj, firstEvent.typ, firstEvent.obj)
		}
	})
}
