package rest

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/json"
)

// maxErrorBody bounds how much of a non-2xx body is read: Status objects
// are small, and an error page must not fill memory.
const maxErrorBody = 1 << 20

// maxExcerpt bounds the piece of a non-Status error body kept in the error.
const maxExcerpt = 256

// statusError turns a non-2xx response into the *apierrors.StatusError the
// server meant: the Status it sent, or, when the body is something else
// (an HTML page from a proxy, plain text, nothing), a generic one whose
// reason follows the HTTP code, so that apierrors.IsNotFound and friends
// work either way.
func (r *Request) statusError(code int, header http.Header, body []byte) *apierrors.StatusError {
	if st, ok := decodeStatus(body); ok {
		if st.Code == 0 {
			st.Code = int32(code)
		}
		return &apierrors.StatusError{ErrStatus: st}
	}
	var gr schema.GroupResource
	if r.resourceSet {
		gr = schema.GroupResource{Group: r.group, Resource: r.resource}
	}
	excerpt := printableExcerpt(body, maxExcerpt)
	serverMessage := excerpt
	if serverMessage == "" {
		// Forbidden and UnsupportedMediaType take the server's message as
		// their whole message; an empty body must not leave it blank.
		serverMessage = fmt.Sprintf("the server responded with %d %s", code, http.StatusText(code))
	}
	retryAfter, _ := retryAfterSeconds(header)
	err := apierrors.NewGenericServerResponse(code, r.verb, gr, r.name, serverMessage, retryAfter, excerpt != "")
	// Server errors already quote the excerpt; others get it appended.
	if msg := err.ErrStatus.Message; excerpt != "" && !strings.Contains(msg, excerpt) && !strings.Contains(msg, strconv.Quote(excerpt)) {
		err.ErrStatus.Message += "; response body: " + excerpt
	}
	return err
}

// decodeStatus returns the metav1.Status in body when body is a JSON object
// of kind Status reporting a failure.
func decodeStatus(body []byte) (metav1.Status, bool) {
	var st metav1.Status
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return st, false
	}
	if err := json.UnmarshalCaseSensitivePreserveInts(trimmed, &st); err != nil {
		return st, false
	}
	if st.Kind != "Status" || st.Status == metav1.StatusSuccess {
		return st, false
	}
	return st, true
}

// printableExcerpt returns up to limit bytes from the start of body, cut on
// a character boundary and followed by "..." when cut, with runs of
// whitespace and control characters folded into one space and invalid UTF-8
// replaced, so the result reads on one log line.
func printableExcerpt(body []byte, limit int) string {
	body = bytes.TrimSpace(body)
	var b strings.Builder
	space := false
	for len(body) > 0 {
		c, size := utf8.DecodeRune(body)
		body = body[size:]
		if unicode.IsSpace(c) || !unicode.IsPrint(c) && c != utf8.RuneError {
			space = true
			continue
		}
		if space {
			space = false
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
		}
		if b.Len()+utf8.RuneLen(c) > limit {
			b.WriteString("...")
			break
		}
		b.WriteRune(c)
	}
	return b.String()
}
