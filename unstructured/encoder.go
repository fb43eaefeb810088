package unstructured

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Format is an output format for an Encoder.
type Format int

const (
	// YAML writes documents separated by "---" lines, keys sorted,
	// two-space indentation, list items at their key's indentation (the
	// layout kubectl prints).
	YAML Format = iota
	// JSON writes one indented JSON object per document, each followed by
	// a newline, keys sorted; the stream a Decoder reads back.
	JSON
)

// String returns "yaml" or "json".
func (f Format) String() string {
	switch f {
	case YAML:
		return "yaml"
	case JSON:
		return "json"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Encoder writes objects as a multi-document stream. Output is stable: the
// same objects always give the same bytes, keys sorted at every level. It is
// not safe for concurrent use.
type Encoder struct {
	w      io.Writer
	format Format
	n      int // documents written
}

// NewEncoder returns an Encoder writing to w in the given format.
func NewEncoder(w io.Writer, format Format) *Encoder {
	return &Encoder{w: w, format: format}
}

// Encode writes one object. It fails for a nil object, for an object
// holding a value with no JSON form, for an unknown Format, and with the
// writer's error; on failure nothing of that object has been written,
// unless the writer failed part way.
func (e *Encoder) Encode(obj *apiu.Unstructured) error {
	if obj == nil {
		return errors.New("encode: nil object")
	}
	doc, err := marshal(obj, e.format)
	if err != nil {
		return fmt.Errorf("encode %s: %w", describe(obj), err)
	}
	if e.format == YAML && e.n > 0 {
		doc = append([]byte("---\n"), doc...)
	}
	if _, err := e.w.Write(doc); err != nil {
		return fmt.Errorf("encode %s: %w", describe(obj), err)
	}
	e.n++
	return nil
}

// WriteYAML writes objs to w as a YAML stream (see Encoder). It stops at the
// first error.
func WriteYAML(w io.Writer, objs ...*apiu.Unstructured) error {
	return writeAll(NewEncoder(w, YAML), objs)
}

// WriteJSON writes objs to w as a stream of JSON objects (see Encoder). It
// stops at the first error.
func WriteJSON(w io.Writer, objs ...*apiu.Unstructured) error {
	return writeAll(NewEncoder(w, JSON), objs)
}

func writeAll(e *Encoder, objs []*apiu.Unstructured) error {
	for _, o := range objs {
		if err := e.Encode(o); err != nil {
			return err
		}
	}
	return nil
}

// marshal renders one document, ending in a newline.
func marshal(obj *apiu.Unstructured, format Format) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Manifests hold shell snippets and URLs; "<" and "&" read better
	// unescaped, and any JSON reader accepts them.
	enc.SetEscapeHTML(false)
	switch format {
	case JSON:
		enc.SetIndent("", "  ")
		if err := enc.Encode(objectOf(obj)); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case YAML:
		if err := enc.Encode(objectOf(obj)); err != nil {
			return nil, err
		}
		return yaml.JSONToYAML(buf.Bytes())
	}
	return nil, fmt.Errorf("unknown format %v", format)
}

func objectOf(obj *apiu.Unstructured) map[string]any {
	if obj.Object == nil {
		return map[string]any{}
	}
	return obj.Object
}

// describe names an object in an error: "Deployment ns/name", as far as
// it has those fields.
func describe(obj *apiu.Unstructured) string {
	if obj == nil || obj.Object == nil {
		return "object"
	}
	kind, _ := obj.Object["kind"].(string)
	if kind == "" {
		kind = "object"
	}
	var name, ns string
	if md, ok := obj.Object["metadata"].(map[string]any); ok {
		name, _ = md["name"].(string)
		ns, _ = md["namespace"].(string)
	}
	switch {
	case name == "":
		return kind
	case ns == "":
		return kind + " " + name
	}
	return kind + " " + ns + "/" + name
}
