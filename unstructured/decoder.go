package unstructured

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"
	"strconv"
	"strings"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// DefaultMaxDocumentBytes is the size cap on one document when
// DecoderOptions.MaxDocumentBytes is zero. It is well above the API
// server's own request limit (3 MiB by default), so no object a server
// would accept is refused.
const DefaultMaxDocumentBytes = 16 << 20

// DecoderOptions tunes a Decoder. The zero value is ready to use.
type DecoderOptions struct {
	// SourceName names the input in errors, typically a file name. Empty
	// means errors name no source.
	SourceName string

	// MaxDocumentBytes caps the size of one document's text, which bounds
	// the memory the decoder holds (the decoded object takes a few times
	// its text). A larger document is read past, never held,
	// and reported as a *ManifestError matching ErrDocumentTooLarge; the
	// decoder then goes on with the next document. Zero means
	// DefaultMaxDocumentBytes; a negative value means no cap.
	MaxDocumentBytes int64

	// AllowDuplicateKeys lets a YAML mapping repeat a key, the last value
	// winning, as kubectl does. By default a repeated key is an error
	// matching ErrDuplicateKey, since it is almost always a mistake that
	// silently drops a value.
	AllowDuplicateKeys bool

	// KeepLists returns List objects as they are instead of yielding their
	// items one by one.
	KeepLists bool
}

// Errors a *ManifestError may wrap; match them with errors.Is.
var (
	// ErrSyntax means the document is not well-formed YAML or JSON.
	ErrSyntax = errors.New("syntax error")
	// ErrDuplicateKey means a YAML mapping repeats a key.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrNotObject means the document (or a List item) is a scalar or a
	// list rather than a mapping.
	ErrNotObject = errors.New("not an object")
	// ErrMissingAPIVersion means an object has no apiVersion string.
	ErrMissingAPIVersion = errors.New("missing apiVersion")
	// ErrMissingKind means an object has no kind string.
	ErrMissingKind = errors.New("missing kind")
	// ErrDocumentTooLarge means a document passed
	// DecoderOptions.MaxDocumentBytes.
	ErrDocumentTooLarge = errors.New("document too large")
)

// ManifestError is the error every Decoder failure comes as: where in which
// input, and what went wrong (Err).
type ManifestError struct {
	// Source is DecoderOptions.SourceName.
	Source string
	// Document is the 1-based position of the failing document among the
	// input's non-empty documents; 0 for a failure reading the input.
	Document int
	// Line is the 1-based line in the input where the problem is, or where
	// the document starts when the parser gives no finer position.
	Line int
	// Err is the cause: it wraps one of ErrSyntax, ErrDuplicateKey,
	// ErrNotObject, ErrMissingAPIVersion, ErrMissingKind and
	// ErrDocumentTooLarge, or is the reader's own error.
	Err error
}

// Error prints "source: document N, line L: cause".
func (e *ManifestError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteString(": ")
	}
	if e.Document > 0 {
		fmt.Fprintf(&b, "document %d, ", e.Document)
	}
	fmt.Fprintf(&b, "line %d: %v", e.Line, e.Err)
	return b.String()
}

// Unwrap returns Err.
func (e *ManifestError) Unwrap() error { return e.Err }

// Decoder reads Kubernetes objects from a stream of YAML documents
// separated by "---" lines, or of concatenated JSON objects. It reads the
// stream lazily and holds one document at a time.
//
// The format is chosen from the first byte that is not white space: '{' or
// '[' means JSON, anything else YAML (JSON after a comment line is read as
// YAML, which accepts it). Empty documents, documents holding only comments
// and null documents are skipped. A List (kind "List", or any kind ending
// in "List" with a top-level items list, such as what a server returns for
// a list request) is flattened into its items, recursively; items of a typed
// list that lack apiVersion or kind get the list's apiVersion and the kind
// without its "List" suffix.
//
// YAML is read with YAML 1.1 rules, as kubectl reads it: unquoted yes, no,
// on, off, y and n are booleans, and as map keys they become "true" and
// "false". Anchors, aliases and merge keys work within a document.
// Integers decode as int64 and other numbers as float64, as in
// apimachinery's own decoding, except that YAML's 1.0 reads as the integer
// 1, as in kubectl.
//
// A Decoder is not safe for concurrent use.
type Decoder struct {
	opts   DecoderOptions
	br     *bufio.Reader
	split  splitter // nil until the first Next
	isJSON bool
	// queue holds the results of the current document still to be
	// returned: one per List item, or one for a plain document.
	queue []result
	doc   int   // non-empty documents seen
	err   error // sticky: io.EOF or a ManifestError for a read failure
}

type result struct {
	obj *apiu.Unstructured
	err error
}

// NewDecoder returns a Decoder reading r. It reads nothing until the first
// call to Next.
func NewDecoder(r io.Reader, opts DecoderOptions) *Decoder {
	if opts.MaxDocumentBytes == 0 {
		opts.MaxDocumentBytes = DefaultMaxDocumentBytes
	}
	return &Decoder{opts: opts, br: bufio.NewReaderSize(r, 64<<10)}
}

// ReadManifests decodes every object in r. It returns the objects read
// before the first error, and that error (a *ManifestError).
func ReadManifests(r io.Reader, opts DecoderOptions) ([]*apiu.Unstructured, error) {
	var out []*apiu.Unstructured
	for obj, err := range NewDecoder(r, opts).All() {
		if err != nil {
			return out, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// Next returns the next object, or io.EOF after the last. Any other error
// is a *ManifestError. After an error about one document (a syntax error, a
// missing kind, a document over the size cap) Next goes on with the next
// document, so a caller may report and continue; after an error reading
// the input it returns that error again.
func (d *Decoder) Next() (*apiu.Unstructured, error) {
	for {
		if len(d.queue) > 0 {
			r := d.queue[0]
			d.queue[0] = result{}
			d.queue = d.queue[1:]
			return r.obj, r.err
		}
		if d.err != nil {
			return nil, d.err
		}
		if d.split == nil {
			d.start()
		}
		raw, err := d.split.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				d.err = io.EOF
			} else {
				d.err = &ManifestError{Source: d.opts.SourceName, Line: d.split.lineNo(), Err: err}
			}
			continue
		}
		if raw.contentLine == 0 {
			continue // blanks and comments only
		}
		d.doc++
		d.decode(raw)
	}
}

// All returns an iterator over the remaining objects. It yields each error
// with a nil object and goes on if the loop does, except after an error
// reading the input, where it stops.
func (d *Decoder) All() iter.Seq2[*apiu.Unstructured, error] {
	return func(yield func(*apiu.Unstructured, error) bool) {
		for {
			obj, err := d.Next()
			if err == io.EOF {
				return
			}
			if !yield(obj, err) {
				return
			}
			if err != nil && err == d.err {
				return // the input failed; nothing more can come
			}
		}
	}
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// start skips a byte-order mark and picks the format from the first byte
// that is not white space.
func (d *Decoder) start() {
	if b, _ := d.br.Peek(len(bom)); bytes.Equal(b, bom) {
		_, _ = d.br.Discard(len(bom))
	}
	isJSON := false
	for n := 1; n <= d.br.Size(); n++ {
		b, _ := d.br.Peek(n)
		if len(b) < n {
			break
		}
		c := b[n-1]
		if isJSONSpace(c) {
			continue
		}
		isJSON = c == '{' || c == '['
		break
	}
	d.isJSON = isJSON
	if isJSON {
		d.split = newJSONSplitter(d.br, d.opts.MaxDocumentBytes)
	} else {
		d.split = newYAMLSplitter(d.br, d.opts.MaxDocumentBytes)
	}
}

// splitter cuts the input into documents.
type splitter interface {
	// next returns the next document, or io.EOF or the read error.
	next() (rawDoc, error)
	// lineNo returns the line the splitter has reached.
	lineNo() int
}

// looksLikeYAMLFlow reports whether a document starting with '{' has a
// first key that is not a JSON string.
func looksLikeYAMLFlow(data []byte) bool {
	if len(data) == 0 || data[0] != '{' {
		return false
	}
	c := firstNonSpace(data[1:])
	return c != '"' && c != '}' && c != 0
}

func (d *Decoder) fail(line int, err error) {
	d.queue = append(d.queue, result{err: &ManifestError{
		Source: d.opts.SourceName, Document: d.doc, Line: line, Err: err,
	}})
}

// decode parses one document and queues its objects or its error.
func (d *Decoder) decode(raw rawDoc) {
	if raw.tooLarge {
		d.fail(raw.contentLine, fmt.Errorf("%w: more than %d bytes", ErrDocumentTooLarge, d.opts.MaxDocumentBytes))
		return
	}
	jsonData := raw.data
	isYAML := !d.isJSON
	if isYAML {
		j, line, err := yamlToJSON(raw.data, d.opts.AllowDuplicateKeys)
		if err != nil {
			if line > 0 {
				line = raw.line + line - 1
			} else {
				line = raw.contentLine
			}
			d.fail(line, err)
			return
		}
		jsonData = j
	}
	var v any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(jsonData, &v); err != nil {
		line := raw.contentLine
		if !isYAML {
			// A document that starts like JSON but has an unquoted first
			// key is YAML flow syntax ({a: 1}); read it as such. Broken
			// JSON with quoted keys is reported as broken JSON rather than
			// reinterpreted.
			if looksLikeYAMLFlow(raw.data) {
				j, yline, yerr := yamlToJSON(raw.data, d.opts.AllowDuplicateKeys)
				if yerr != nil {
					if yline > 0 {
						yline = raw.line + yline - 1
					} else {
						yline = raw.contentLine
					}
					d.fail(yline, yerr)
					return
				}
				if sigsjson.UnmarshalCaseSensitivePreserveInts(j, &v) == nil {
					d.objects(v, raw.contentLine)
					return
				}
			}
			if ok, off := sigsjson.SyntaxErrorOffset(err); ok && off >= 0 && off <= int64(len(raw.data)) {
				line = raw.line + bytes.Count(raw.data[:off], []byte("\n"))
			}
		}
		d.fail(line, fmt.Errorf("%w: json: %v", ErrSyntax, err))
		return
	}
	d.objects(v, raw.contentLine)
}

// yamlLine finds the "line N:" that go-yaml puts in its messages.
var yamlLine = regexp.MustCompile(`line (\d+): `)

// yamlToJSON converts one YAML document to JSON. On failure it returns the
// 1-based line within data that the parser blamed (0 if it named none) and
// an error wrapping ErrSyntax or ErrDuplicateKey, with go-yaml's own line
// number taken out of the message, since it counts from the document
// rather than the input.
func yamlToJSON(data []byte, allowDuplicates bool) (j []byte, line int, err error) {
	defer func() {
		// go-yaml is a large hand-translated parser; a bug there must
		// not crash a program reading untrusted manifests.
		if r := recover(); r != nil {
			j, line, err = nil, 0, fmt.Errorf("%w: yaml: parser failure: %v", ErrSyntax, r)
		}
	}()
	if allowDuplicates {
		j, err = yaml.YAMLToJSON(data)
	} else {
		j, err = yaml.YAMLToJSONStrict(data)
	}
	if err == nil {
		return j, 0, nil
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		if isParserProblem(msg) {
			// go-yaml prints the parser's 0-based line where its
			// scanner's is 1-based. At the end of the input that line
			// is past the last one; blame the last.
			lines := bytes.Count(data, []byte("\n"))
			if len(data) > 0 && data[len(data)-1] != '\n' {
				lines++
			}
			line = min(line+1, max(lines, 1))
		}
	}
	sentinel := ErrSyntax
	if strings.Contains(msg, "already set in map") {
		sentinel = ErrDuplicateKey
	}
	// "yaml: unmarshal errors:\n  line 4: key "c" already set in map\n..."
	// becomes "yaml: key "c" already set in map (and 1 more)".
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	parts := strings.Split(msg, "\n")
	first := strings.TrimSpace(yamlLine.ReplaceAllString(parts[0], ""))
	if len(parts) > 1 {
		first += fmt.Sprintf(" (and %d more)", len(parts)-1)
	}
	return nil, line, fmt.Errorf("%w: yaml: %s", sentinel, first)
}

// parserProblems are the messages go-yaml's parser (as opposed to its
// scanner) reports; their line numbers count from 0.
var parserProblems = []string{
	"did not find expected ',' or",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %",
	"found incompatible YAML document",
	"found undefined tag handle",
}

func isParserProblem(msg string) bool {
	for _, p := range parserProblems {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// maxListDepth bounds the flattening of Lists nested in Lists.
const maxListDepth = 8

// objects checks a decoded document and queues its objects, flattening
// Lists.
func (d *Decoder) objects(v any, line int) {
	if v == nil {
		return // a null document ("~", "null")
	}
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(line, fmt.Errorf("%w: the document is a %s, want a mapping with apiVersion and kind", ErrNotObject, typeName(v)))
		return
	}
	d.object(m, "", 0, line)
}

func (d *Decoder) object(m map[string]any, where string, depth int, line int) {
	failf := func(err error) {
		if where != "" {
			err = fmt.Errorf("%s: %w", where, err)
		}
		d.fail(line, err)
	}
	apiVersion, err := metaString(m, "apiVersion", ErrMissingAPIVersion)
	if err != nil {
		failf(err)
		return
	}
	kind, err := metaString(m, "kind", ErrMissingKind)
	if err != nil {
		failf(err)
		return
	}
	if d.opts.KeepLists || !isList(m, kind) {
		d.queue = append(d.queue, result{obj: &apiu.Unstructured{Object: m}})
		return
	}
	if depth >= maxListDepth {
		failf(fmt.Errorf("%w: Lists nested more than %d deep", ErrNotObject, maxListDepth))
		return
	}
	items, ok := m["items"].([]any)
	if !ok && m["items"] != nil {
		failf(fmt.Errorf("%w: items of a %s is a %s, want a list", ErrNotObject, kind, typeName(m["items"])))
		return
	}
	itemKind := strings.TrimSuffix(kind, "List")
	for i, item := range items {
		at := fmt.Sprintf("items[%d]", i)
		if where != "" {
			at = where + "." + at
		}
		im, ok := item.(map[string]any)
		if !ok {
			d.fail(line, fmt.Errorf("%s: %w: a %s, want a mapping", at, ErrNotObject, typeName(item)))
			continue
		}
		if kind != "List" {
			// A typed list from a server carries apiVersion and kind
			// once, on the list.
			if _, ok := im["apiVersion"]; !ok {
				im["apiVersion"] = apiVersion
			}
			if _, ok := im["kind"]; !ok {
				im["kind"] = itemKind
			}
		}
		d.object(im, at, depth+1, line)
	}
}

// isList tells a List to flatten from an object that merely has a kind
// ending in "List": only kind List, or a top-level items list, qualifies.
func isList(m map[string]any, kind string) bool {
	if kind == "List" {
		return true
	}
	if !strings.HasSuffix(kind, "List") || kind == "List" {
		return false
	}
	_, ok := m["items"].([]any)
	return ok
}

// metaString reads apiVersion or kind, which must be a non-empty string.
func metaString(m map[string]any, key string, sentinel error) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", sentinel
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s is a %s, want a string", sentinel, key, typeName(v))
	}
	if s == "" {
		return "", fmt.Errorf("%w: %s is empty", sentinel, key)
	}
	return s, nil
}
