package podexec

import (
	"bytes"
	"encoding/json"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/remotecommand"

	"github.com/anykube/anykube/dynamic/internal/upgrade"
)

// maxStatus bounds what is kept of the error channel: a Status is a few
// hundred bytes.
const maxStatus = 64 << 10

// exitStatus interprets the Status the server sent on the error channel
// once the remote process ended (v4 and v5 send one always): nil for
// Success, an *ExitError for a Failure with reason NonZeroExitCode, the
// Status as an *apierrors.StatusError for any other Failure (the command
// could not be started, the container is gone), and an error wrapping
// ErrProtocol for anything that is not such a Status.
func exitStatus(b []byte) error {
	var st metav1.Status
	if err := json.Unmarshal(b, &st); err != nil {
		return upgrade.Violation("the exit status does not decode (%v): %s", err, excerpt(b))
	}
	switch st.Status {
	case metav1.StatusSuccess:
		return nil
	case metav1.StatusFailure:
	default:
		return upgrade.Violation("the exit status has status %q, neither Success nor Failure", st.Status)
	}
	if st.Reason != remotecommand.NonZeroExitCodeReason {
		return &apierrors.StatusError{ErrStatus: st}
	}
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			if c.Type != remotecommand.ExitCodeCauseType {
				continue
			}
			code, err := strconv.ParseInt(c.Message, 10, 32)
			if err != nil {
				return upgrade.Violation("exit code %q is not a number", excerpt([]byte(c.Message)))
			}
			return &ExitError{Code: int(code)}
		}
	}
	return upgrade.Violation("a %s status without an %s cause", remotecommand.NonZeroExitCodeReason, remotecommand.ExitCodeCauseType)
}

// excerpt is the start of b, for messages about what did not decode.
func excerpt(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 128 {
		return strconv.Quote(string(b[:128])) + "..."
	}
	return strconv.Quote(string(b))
}
