package podexec

import (
	"fmt"
	"strings"

	"github.com/anykube/anykube/dynamic/internal/upgrade"
	"github.com/anykube/anykube/dynamic/internal/validate"
)

// ErrConnectionLost is wrapped by the *Error of a stream whose connection
// ended before the remote process's exit status arrived: closed or reset by
// the server or a proxy, or silent past the heartbeat. Whether the command
// ran to its end is then unknown. Test for it with errors.Is.
var ErrConnectionLost = upgrade.ErrConnectionLost

// ErrProtocol is wrapped by the *Error of a stream whose server broke the
// protocol: a message of the wrong type or for no channel, an exit status
// that does not decode, a subprotocol that was not offered. Test for it
// with errors.Is.
var ErrProtocol = upgrade.ErrProtocol

// ErrInvalidRequest is wrapped by the *Error Exec and Attach return when
// they refuse their input without sending anything: an invalid namespace,
// pod or container name, an empty command, no stream asked for. It is
// dynamic.ErrInvalidRequest.
var ErrInvalidRequest = validate.ErrInvalidRequest

// ExitError reports a command that ran and exited with a non-zero code, as
// the server reported it (a Status with reason NonZeroExitCode and an
// ExitCode cause). Test for it with errors.As.
type ExitError struct {
	// Code is the exit code. A process killed by a signal has, by the
	// convention of container runtimes, 128 plus the signal number.
	Code int
}

// Error returns "command terminated with exit code N".
func (e *ExitError) Error() string {
	return fmt.Sprintf("command terminated with exit code %d", e.Code)
}

// ExitStatus returns Code, the method by which k8s.io/utils/exec and
// client-go's callers read an exit code.
func (e *ExitError) ExitStatus() int { return e.Code }

// Error reports a failure of Exec or Attach that is neither the command's
// exit status (*ExitError) nor an answer of the server, which is an
// *apierrors.StatusError, returned as is (the pod does not exist, the
// caller may not exec, the container is not running, the command could
// not be started). It wraps ErrConnectionLost, ErrProtocol,
// ErrInvalidRequest, the context's error when ctx ended the stream, an
// error of a caller's Stdout or Stderr writer, or a transport failure
// before the stream started. Credentials never appear in it; the command
// line does not either.
type Error struct {
	// Op is "exec" or "attach".
	Op string
	// Namespace, Pod and Container name the target; Container is empty
	// when the server was left to choose.
	Namespace, Pod, Container string
	// Protocol is the subprotocol the stream used ("v5.channel.k8s.io",
	// "v4.channel.k8s.io" over WebSocket or SPDY), empty when the failure
	// came before one was agreed.
	Protocol string
	// Transport is "WebSocket" or "SPDY", empty before a connection was
	// made.
	Transport string
	// Err is the cause.
	Err error
}

// Error returns "podexec: OP NAMESPACE/POD [container C] [over TRANSPORT
// PROTOCOL]: cause".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "podexec: %s %s/%s", e.Op, e.Namespace, e.Pod)
	if e.Container != "" {
		fmt.Fprintf(&b, " container %s", e.Container)
	}
	if e.Transport != "" {
		fmt.Fprintf(&b, " over %s %s", e.Transport, e.Protocol)
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
