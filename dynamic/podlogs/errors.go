package podlogs

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Error is a failure to read one container's log. It names the pod and
// the container and wraps the cause: the server's *apierrors.StatusError
// (so apierrors.IsNotFound, IsBadRequest and the helpers below see
// through it), ErrStreamCut, a transport failure, or the context's error.
type Error struct {
	// Namespace and Pod name the pod.
	Namespace, Pod string
	// Container names the container, or is empty when the request named
	// none.
	Container string
	// Err is the cause.
	Err error
}

// Error returns "logs of pod NS/NAME[, container C]: " and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "logs of pod %s/%s", e.Namespace, e.Pod)
	if e.Container != "" {
		fmt.Fprintf(&b, ", container %s", e.Container)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrStreamCut is wrapped by the error that ends a log stream which broke
// off before the log did: the connection was lost mid-stream, or a followed
// stream ended while its container was still running. A stream that ends
// because the container stopped, or because the pod is gone, ends with
// io.EOF instead. Test for it with errors.Is.
var ErrStreamCut = errors.New("the log stream broke off before the log ended")

// The API server and kubelet say what is wrong with a log request only in
// the message of a 400 Bad Request, so the helpers below read it. These
// messages have been the same in every release since pods/log exists.

// IsWaitingToStart reports whether err says the container has not started
// yet, so there is no log to read: the kubelet's "container ... is waiting
// to start", or the same made by this package for a pod not yet scheduled
// to a node (the API server answers 204 No Content then). It is a
// 400 Bad Request: apierrors.IsBadRequest holds too. Retry once the
// container runs.
func IsWaitingToStart(err error) bool {
	return badRequestSays(err, "is waiting to start")
}

// IsUnknownContainer reports whether err says the pod has no container of
// the requested name: the API server's "container X is not valid for pod
// P", a 400 Bad Request.
func IsUnknownContainer(err error) bool {
	return badRequestSays(err, "is not valid for pod")
}

// IsContainerRequired reports whether err says the pod has several
// containers and the request named none: the API server's "a container
// name must be specified for pod P, choose one of: [...]", a 400 Bad
// Request.
func IsContainerRequired(err error) bool {
	return badRequestSays(err, "a container name must be specified")
}

func badRequestSays(err error, text string) bool {
	var se *apierrors.StatusError
	return errors.As(err, &se) && apierrors.IsBadRequest(se) && strings.Contains(se.ErrStatus.Message, text)
}

// waitingToStart is the error for a container that has not started, in the
// kubelet's words, so that IsWaitingToStart and apierrors.IsBadRequest
// treat it as they treat the kubelet's own.
func waitingToStart(pod, container, reason string) *apierrors.StatusError {
	return apierrors.NewBadRequest(fmt.Sprintf("container %q in pod %q is waiting to start: %s", container, pod, reason))
}
