package portforward

import (
	"errors"
	"fmt"
	"strings"

	"github.com/anykube/anykube/dynamic/internal/upgrade"
	"github.com/anykube/anykube/dynamic/internal/validate"
)

// ErrConnectionLost is wrapped by the error of a tunnel whose connection
// to the API server ended without being closed: closed or reset by the
// server or a proxy, or silent past the heartbeat. Test for it with
// errors.Is.
var ErrConnectionLost = upgrade.ErrConnectionLost

// ErrProtocol is wrapped by the error of a tunnel whose server broke the
// protocol (a subprotocol that was not offered). Test for it with
// errors.Is.
var ErrProtocol = upgrade.ErrProtocol

// ErrPodGone is wrapped by the error of a tunnel that ended because its
// pod did: deleted, replaced by another of the same name, or finished
// (phase Succeeded or Failed). Test for it with errors.Is.
var ErrPodGone = errors.New("the pod is gone")

// ErrInvalidRequest is wrapped by the error Open, DialPort and Listen
// return when they refuse their input without sending anything: an
// invalid namespace or pod name, a port outside 1-65535. It is
// dynamic.ErrInvalidRequest.
var ErrInvalidRequest = validate.ErrInvalidRequest

// Error reports a failure of a tunnel, or of Open, that is not an answer
// of the server (which is an *apierrors.StatusError, returned as is: no
// such pod, not allowed, the pod is not running). It wraps
// ErrConnectionLost, ErrPodGone, ErrProtocol, ErrInvalidRequest,
// net.ErrClosed for a tunnel closed by Close, the context's error when the
// context ended the tunnel, or a transport failure before the tunnel
// opened. Credentials never appear in it.
type Error struct {
	// Namespace and Pod name the pod.
	Namespace, Pod string
	// Transport is "WebSocket" (SPDY inside it) or "SPDY", empty when the
	// failure came before a connection was made.
	Transport string
	// Err is the cause.
	Err error
}

// Error returns "portforward: NAMESPACE/POD [over TRANSPORT]: cause".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "portforward: %s/%s", e.Namespace, e.Pod)
	if e.Transport != "" {
		fmt.Fprintf(&b, " over %s", e.Transport)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// PortError reports the failure of one forwarded connection on the pod's
// side, as the kubelet sent it: nothing listens on the port, the
// container runtime could not connect, the connection broke. Other
// connections of the tunnel are not affected. Test for it with errors.As.
type PortError struct {
	// Port is the pod's port.
	Port int
	// Message is what the kubelet reported.
	Message string
}

// Error returns "port N: message".
func (e *PortError) Error() string { return fmt.Sprintf("port %d: %s", e.Port, e.Message) }
