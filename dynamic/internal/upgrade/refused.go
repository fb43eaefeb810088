package upgrade

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/json"
)

// maxRefusalBody bounds how much of a refusal is read: a Status is small,
// and an error page must not fill memory.
const maxRefusalBody = 64 << 10

// maxExcerpt bounds the part of a body that is not a Status kept in the
// error.
const maxExcerpt = 256

// refused turns an answer other than 101 to an upgrade request into the
// *apierrors.StatusError the server meant: the Status it sent, or one made
// from the HTTP code and a printable excerpt of the body (an error page
// from a proxy, plain text, nothing), so that apierrors.IsNotFound and the
// like work either way. name is the pod's.
func refused(code int, method, name string, body []byte) *apierrors.StatusError {
	var st metav1.Status
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
		if err := json.UnmarshalCaseSensitivePreserveInts(t, &st); err == nil && st.Kind == "Status" && st.Status != metav1.StatusSuccess {
			if st.Code == 0 {
				st.Code = int32(code)
			}
			return &apierrors.StatusError{ErrStatus: st}
		}
	}
	excerpt := excerpt(body)
	msg := excerpt
	if msg == "" {
		msg = fmt.Sprintf("the server answered the upgrade with %d %s", code, http.StatusText(code))
	}
	err := apierrors.NewGenericServerResponse(code, method, schema.GroupResource{Resource: "pods"}, name, msg, 0, excerpt != "")
	if excerpt != "" && !strings.Contains(err.ErrStatus.Message, excerpt) {
		err.ErrStatus.Message += ": " + excerpt
	}
	return err
}

// excerpt returns the start of body on one line, cut at maxExcerpt bytes.
func excerpt(body []byte) string {
	s := strings.Join(strings.FieldsFunc(string(bytes.ToValidUTF8(body, []byte("?"))), func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r)
	}), " ")
	if len(s) > maxExcerpt {
		cut := maxExcerpt
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// utf8Start reports whether b begins a UTF-8 sequence.
func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
