package metadata

import (
	stdjson "encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/json"

	"github.com/anykube/anykube/internal/codec"
)

// This file decodes the frames of a metadata watch straight into events
// carrying *metav1.PartialObjectMetadata, with the list's decoder, instead
// of building an Unstructured map of each object and converting it. The
// stream's framing, the ERROR-event rules and how the stream ends stay in
// internal/rest, which hands each frame here.

// eventDecoder returns the frame decoder of a watch, which accepts full
// objects instead of the view when fallback is set.
func eventDecoder(fallback bool) func([]byte, int64) (watch.Event, error) {
	return func(frame []byte, offset int64) (watch.Event, error) {
		return decodeEvent(frame, offset, fallback)
	}
}

// decodeEvent decodes one frame, which starts at offset in the stream.
// An ERROR frame's object is decoded as a *metav1.Status, or left nil when
// it is not one, for the watcher to report; any other frame's object must
// be the view (or, with fallback, an object of any kind) and is decoded
// into a *metav1.PartialObjectMetadata.
//
// Errors are the codec's, with offsets in the stream: *codec.SyntaxError
// for a frame that is not JSON, *codec.EventTypeError for an unknown
// type, codec.ErrMissingObject wrapped for a frame without an object,
// *codec.TypeError for an object that is not a JSON object, apimachinery's
// missing-kind error for one without a kind; a metadata field of the wrong
// type gives the reflective decoder's error wrapped; an object that is not
// the view when fallback is off wraps ErrViewUnsupported. None quotes the
// frame, which may hold secrets.
func decodeEvent(frame []byte, offset int64, fallback bool) (watch.Event, error) {
	typ, obj, objAt, err := splitFrame(frame, offset)
	if err != nil {
		return watch.Event{}, err
	}
	switch typ {
	case watch.Added, watch.Modified, watch.Deleted, watch.Bookmark:
	case watch.Error:
		st := new(metav1.Status)
		if json.UnmarshalCaseSensitivePreserveInts(obj, st) != nil {
			return watch.Event{Type: watch.Error}, nil
		}
		return watch.Event{Type: watch.Error, Object: st}, nil
	default:
		return watch.Event{}, &codec.EventTypeError{Offset: offset, Type: string(typ)}
	}
	if obj[0] != '{' {
		return watch.Event{}, &codec.TypeError{Offset: offset + int64(objAt), Path: "object", Value: codec.KindName(obj[0]), Want: "object"}
	}
	m := new(metav1.PartialObjectMetadata)
	if err := decodeObject(obj, m); err != nil {
		return watch.Event{}, fmt.Errorf("decoding the object at offset %d: %w", offset+int64(objAt), err)
	}
	if m.Kind == "" {
		return watch.Event{}, runtime.NewMissingKindErr(fmt.Sprintf("the object at offset %d has no kind", offset+int64(objAt)))
	}
	if !fallback && (m.Kind != viewKind || m.APIVersion != viewAPIVersion) {
		return watch.Event{}, fmt.Errorf("%w: got apiVersion %q kind %q", ErrViewUnsupported, m.APIVersion, m.Kind)
	}
	return watch.Event{Type: typ, Object: m}, nil
}

// splitFrame returns a frame's type and its object's bytes (never empty
// or null) with their position in the frame (0 when the reflective decoder
// had to find them). Like
// metav1.WatchEvent's decoding, keys are case-sensitive, unknown keys are
// ignored, and a null "type" or "object" leaves the earlier value.
func splitFrame(frame []byte, offset int64) (watch.EventType, []byte, int, error) {
	var (
		typ   string
		obj   []byte
		objAt int
	)
	d := decoderPool.Get().(*decoder)
	d.s.Reset(frame)
	ok := d.s.Begin('{') && d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "type":
			if d.s.Null() {
				return true
			}
			b, ok := d.s.StringBytes()
			typ = codec.EventTypeString(b)
			return ok
		case "object":
			if d.s.Null() {
				return true
			}
			at := d.s.Offset()
			raw, ok := d.s.Raw()
			obj, objAt = raw, at
			return ok
		}
		return d.s.Skip()
	}) && d.s.End()
	d.reset()
	decoderPool.Put(d)
	if !ok {
		// The fast path gave up: a syntax error, most likely, which
		// the reflective decoder names; or something it does not take
		// (invalid UTF-8, deep nesting) that the reflective decoder
		// does.
		var ev struct {
			Type   *string            `json:"type"`
			Object stdjson.RawMessage `json:"object"`
		}
		if err := json.UnmarshalCaseSensitivePreserveInts(frame, &ev); err != nil {
			if isSyntax, at := json.SyntaxErrorOffset(err); isSyntax {
				return "", nil, 0, &codec.SyntaxError{Offset: offset + at, Msg: err.Error()}
			}
			return "", nil, 0, fmt.Errorf("watch frame at offset %d: %w", offset, err)
		}
		typ, obj, objAt = "", nil, 0
		if ev.Type != nil {
			typ = *ev.Type
		}
		if len(ev.Object) > 0 && string(ev.Object) != "null" {
			obj = ev.Object
		}
	}
	if obj == nil {
		return "", nil, 0, fmt.Errorf("watch frame at offset %d: %w", offset, codec.ErrMissingObject)
	}
	return watch.EventType(typ), obj, objAt, nil
}
