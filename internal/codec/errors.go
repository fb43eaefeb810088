package codec

import (
	"fmt"
	"strconv"
)

// SyntaxError reports input that is not valid JSON. Offset counts bytes from
// the start of the input (for a WatchDecoder, from the start of the stream)
// to where the problem was seen.
type SyntaxError struct {
	Offset int64
	Msg    string
}

// Error says where the syntax broke and how.
func (e *SyntaxError) Error() string {
	return "codec: JSON syntax error at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// TypeError reports valid JSON whose shape does not fit where it stands: a
// top-level array where an object is required, a list item that is a string,
// or a number too large for a float64. Path names the place ("items[3]",
// "object"), empty for the top level.
type TypeError struct {
	Offset int64
	Path   string
	// Value is what was found ("array", "string", "number of 5
	// characters"): its type, never its content, which may be a secret.
	Value string
	// Want is what the place requires ("object", "float64").
	Want string
}

// Error names the value found, where, and what was required.
func (e *TypeError) Error() string {
	where := e.Path
	if where == "" {
		where = "top-level value"
	}
	return fmt.Sprintf("codec: cannot decode JSON %s at offset %d (%s) into %s", e.Value, e.Offset, where, e.Want)
}

// FrameTooLargeError reports a watch frame that grew past the decoder's limit
// before it ended; the stream cannot be resynchronised after it.
type FrameTooLargeError struct {
	Offset int64 // where the frame started in the stream
	Limit  int
}

// Error names the frame's offset and the limit it passed.
func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("codec: watch frame starting at offset %d is larger than the limit of %d bytes", e.Offset, e.Limit)
}

// EventTypeError reports a watch frame whose "type" is none of ADDED,
// MODIFIED, DELETED, BOOKMARK or ERROR.
type EventTypeError struct {
	Offset int64 // where the frame started in the stream
	Type   string
}

// Error names the frame's offset and the type it carried when that is as
// short as a real event type; a longer one is only measured, since it is a
// piece of the body.
func (e *EventTypeError) Error() string {
	if len(e.Type) > maxQuotedEventType {
		return fmt.Sprintf("codec: watch frame at offset %d has an invalid event type of %d bytes", e.Offset, len(e.Type))
	}
	return fmt.Sprintf("codec: watch frame at offset %d has invalid event type %q", e.Offset, e.Type)
}

// maxQuotedEventType is the longest event type an error quotes: twice the
// longest valid one ("MODIFIED", "BOOKMARK"), enough for a typo or a case
// mismatch to be seen.
const maxQuotedEventType = 16

// KindName names a JSON value by its first byte, for TypeError.Value.
func KindName(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// quoteChar renders a byte for a syntax error message the way encoding/json
// does, so messages look familiar.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}
