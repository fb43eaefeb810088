package kubeconfig

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ParseError reports a kubeconfig file that is not valid YAML or whose
// fields have the wrong type.
type ParseError struct {
	// Path is the file.
	Path string
	// Line is the 1-based line of the first problem, or 0 when the parser
	// did not say.
	Line int
	// Err is the parser's error, with any quoted scalar value removed.
	Err error
}

// Error names the file; the parser's message already names the line.
func (e *ParseError) Error() string {
	return fmt.Sprintf("kubeconfig %s: %v", e.Path, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// FieldError reports a field whose value cannot be used, such as *-data
// that is not base64. It names the field, never its value.
type FieldError struct {
	Path  string // the kubeconfig file
	Kind  string // "cluster", "user" or "context"
	Name  string // the entry's name
	Field string // the YAML key
	Err   error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("kubeconfig %s: %s %q: %s: %v", e.Path, e.Kind, e.Name, e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// NotFoundError reports a context, cluster or user that is named but not
// defined in any of the files.
type NotFoundError struct {
	Kind      string   // "context", "cluster" or "user"
	Name      string   // the missing name
	ByContext string   // the context that named it; "" when Kind is "context"
	Files     []string // the files searched
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kubeconfig: %s %q", e.Kind, e.Name)
	if e.ByContext != "" {
		fmt.Fprintf(&b, " (named by context %q)", e.ByContext)
	}
	b.WriteString(" not found")
	if len(e.Files) > 0 {
		fmt.Fprintf(&b, " in %s", strings.Join(e.Files, ", "))
	}
	return b.String()
}

// ErrNoCurrentContext is returned when no context was asked for and none of
// the files sets current-context.
var ErrNoCurrentContext = errors.New("kubeconfig: no context given and current-context is not set")

var (
	lineRe = regexp.MustCompile(`line (\d+)`)
	// yaml.v2 quotes at most ten bytes of the scalar (seven and "..."
	// when longer), which may themselves hold backquotes: the longest
	// match up to "` into " covers the whole quote.
	typeErrorValueRe = regexp.MustCompile("(cannot unmarshal \\S+ )`(?s:.{0,10})` into ")
	backtickRe       = regexp.MustCompile("`[^`]*`")
)

// newParseError wraps a YAML error. Type errors quote the offending scalar
// between backquotes; that scalar could be a credential typed into the wrong
// field, so it is cut out.
func newParseError(path string, err error) *ParseError {
	msg := typeErrorValueRe.ReplaceAllString(err.Error(), "${1}(value hidden) into ")
	// Any other quoted piece goes too, in case the parser's wording changes.
	msg = backtickRe.ReplaceAllString(msg, "(value hidden)")
	// yaml.v2 lists type errors one per indented line; keep one line.
	msg = strings.ReplaceAll(msg, ":\n  ", ": ")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	line := 0
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	return &ParseError{Path: path, Line: line, Err: errors.New(msg)}
}
