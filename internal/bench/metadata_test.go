package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	cgmetadata "k8s.io/client-go/metadata"

	"github.com/anykube/anykube/dynamic/metadata"
	"github.com/anykube/anykube/internal/codec/codectest"
)

// metadataClients returns each library's metadata client for the server at
// url, limiter off; anykube's falls back to full objects when fallback is
// set, as client-go's always does.
func metadataClients(t testing.TB, url string, fallback bool) (metadata.Interface, cgmetadata.Interface) {
	s := newSides(url, "", nil)
	ak, err := metadata.NewForConfigAndClient(s.ak, s.akHTTP(t))
	must(t, err)
	cg, err := cgmetadata.NewForConfigAndClient(s.cg, s.cgHTTP(t))
	must(t, err)
	return ak.WithOptions(metadata.Options{FallbackToFull: fallback}), cg
}

var cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// metadataCase is one MetadataList input: 10,000 ConfigMaps' metadata
// view of one shape (configmaps-10k/<shape>, which issue 19's targets
// cover), or the full objects with their data, as a server that ignores
// "as=" sends them (configmaps-10k-full, for reference).
type metadataCase struct {
	name     string
	shape    codectest.MetadataShape
	fallback bool
}

func metadataCases() []metadataCase {
	var cs []metadataCase
	for _, shape := range codectest.MetadataShapes {
		cs = append(cs, metadataCase{name: "configmaps-10k/" + string(shape), shape: shape})
	}
	return append(cs, metadataCase{name: "configmaps-10k-full", fallback: true})
}

func metadataBody(c metadataCase, n int) []byte {
	if c.fallback {
		return codectest.ConfigMapList(n)
	}
	return codectest.MetadataList(n, c.shape)
}

// BenchmarkMetadataList is a metadata List through each library's full
// client path (request, response, decoding into a
// PartialObjectMetadataList). MB/s counts the body's bytes.
// TestMetadataListsAgree checks that both decode the same metadata.
func BenchmarkMetadataList(b *testing.B) {
	for _, c := range metadataCases() {
		b.Run(c.name, func(b *testing.B) {
			body := metadataBody(c, ConfigMaps)
			ak, cg := metadataClients(b, bodyServer(b, "/api/v1/configmaps", body, false).URL, c.fallback)
			ctx := context.Background()
			sideBytes(b, "anykube", nil, false, int64(len(body)), func(b *testing.B) {
				l, err := ak.Resource(cmGVR).List(ctx, metav1.ListOptions{})
				if err != nil || len(l.Items) != ConfigMaps {
					b.Fatalf("list: %v", err)
				}
			})
			sideBytes(b, "clientgo", nil, false, int64(len(body)), func(b *testing.B) {
				l, err := cg.Resource(cmGVR).List(ctx, metav1.ListOptions{})
				if err != nil || len(l.Items) != ConfigMaps {
					b.Fatalf("list: %v", err)
				}
			})
		})
	}
}

// TestMetadataListsAgree checks both libraries' metadata List give the
// same items' metadata, on a tenth of the benchmark's input.
func TestMetadataListsAgree(t *testing.T) {
	for _, c := range metadataCases() {
		t.Run(c.name, func(t *testing.T) {
			n := ConfigMaps / 10
			ak, cg := metadataClients(t, bodyServer(t, "/api/v1/configmaps", metadataBody(c, n), false).URL, c.fallback)
			ctx := context.Background()
			akList, err := ak.Resource(cmGVR).List(ctx, metav1.ListOptions{})
			must(t, err)
			cgList, err := cg.Resource(cmGVR).List(ctx, metav1.ListOptions{})
			must(t, err)
			if len(akList.Items) != n || len(cgList.Items) != n {
				t.Fatalf("anykube decoded %d items, client-go %d, want %d", len(akList.Items), len(cgList.Items), n)
			}
			if !reflect.DeepEqual(cgList.ListMeta, akList.ListMeta) {
				t.Fatalf("list metadata: anykube %+v, client-go %+v", akList.ListMeta, cgList.ListMeta)
			}
			for i := range akList.Items {
				if !reflect.DeepEqual(cgList.Items[i].ObjectMeta, akList.Items[i].ObjectMeta) {
					t.Fatalf("item %d: anykube %+v\nclient-go %+v", i, akList.Items[i].ObjectMeta, cgList.Items[i].ObjectMeta)
				}
			}
		})
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// metadataWatchStream turns the DecodeWatch stream of n events into the
// one the API server sends a metadata watch: each object's metadata under
// the view's kind.
func metadataWatchStream(t testing.TB, n int) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(codectest.WatchEvents(n)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev struct {
			Type   string                       `json:"type"`
			Object metav1.PartialObjectMetadata `json:"object"`
		}
		must(t, json.Unmarshal(sc.Bytes(), &ev))
		ev.Object.TypeMeta = metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "PartialObjectMetadata"}
		line, err := json.Marshal(&ev)
		must(t, err)
		out.Write(line)
		out.WriteByte('\n')
	}
	must(t, sc.Err())
	return out.Bytes()
}

// metadataWatchers returns functions that run one metadata watch of pods
// on each library's client and drain it.
func metadataWatchers(t testing.TB, url string) (ak, cg func(t testing.TB, keep bool) (int, []watch.Event)) {
	akc, cgc := metadataClients(t, url, false)
	ctx := context.Background()
	ak = func(t testing.TB, keep bool) (int, []watch.Event) {
		w, err := akc.Resource(pods).Watch(ctx, watchOpts)
		must(t, err)
		return drain(t, w, keep)
	}
	cg = func(t testing.TB, keep bool) (int, []watch.Event) {
		w, err := cgc.Resource(pods).Watch(ctx, watchOpts)
		must(t, err)
		return drain(t, w, keep)
	}
	return ak, cg
}

// BenchmarkMetadataWatch is a metadata Watch through each library's full
// client path, drained until the server ends a stream of 10k events (the
// metadata of DecodeWatch's Pods and ConfigMaps, and bookmarks). MB/s
// counts the stream's bytes. TestMetadataWatchesAgree checks that both
// deliver the same events.
func BenchmarkMetadataWatch(b *testing.B) {
	b.Run("events-10k", func(b *testing.B) {
		benchWatches(b, metadataWatchStream(b, WatchEvents), metadataWatchers)
	})
}

// TestMetadataWatchesAgree checks both libraries' metadata Watch deliver
// the same events, on a tenth of the benchmark's stream.
func TestMetadataWatchesAgree(t *testing.T) {
	n := WatchEvents / 10
	ak, cg := metadataWatchers(t, bodyServer(t, "/api/v1/pods", metadataWatchStream(t, n), true).URL)
	_, akEvents := ak(t, true)
	_, cgEvents := cg(t, true)
	if len(akEvents) != n || len(cgEvents) != n {
		t.Fatalf("anykube delivered %d events, client-go %d, want %d", len(akEvents), len(cgEvents), n)
	}
	// The metadata only: client-go's decoder clears the kind, anykube's
	// keeps it, so that a fallback to full objects shows.
	for i := range akEvents {
		a, aok := akEvents[i].Object.(*metav1.PartialObjectMetadata)
		c, cok := cgEvents[i].Object.(*metav1.PartialObjectMetadata)
		if !aok || !cok || akEvents[i].Type != cgEvents[i].Type || !reflect.DeepEqual(a.ObjectMeta, c.ObjectMeta) {
			t.Fatalf("event %d: anykube %s %+v\nclient-go %s %+v", i, akEvents[i].Type, akEvents[i].Object, cgEvents[i].Type, cgEvents[i].Object)
		}
	}
}
