// Package podlogs reads pod logs: one container's, as kubectl logs POD
// does, or those of every pod a label selector or a workload selects,
// interleaved line by line, as kubectl logs -l SELECTOR --prefix
// --all-containers does, following pods that start while it follows.
//
// It lives under dynamic because it is built on the dynamic client, which
// reads and watches the pods and their owners, and on anykube's REST
// client, which streams the pods/log subresource; the top level of the
// module holds only the clients themselves.
//
//	logs, err := podlogs.NewForConfig(cfg)
//	...
//	tail := int64(20)
//	r, err := logs.Stream(ctx, "default", "web-0", podlogs.PodLogOptions{Follow: true, TailLines: &tail})
//	...
//	defer r.Close()
//	_, err = io.Copy(os.Stdout, r)
//
// # How a stream ends
//
// A log read without Follow ends with io.EOF at its end. A followed log
// ends with io.EOF when the container stops (a restart counts: the
// instance followed is over) or the pod goes away, which the reader checks
// by reading the pod when the server ends the stream. Anything else is a
// cut, and ends with an *Error wrapping ErrStreamCut: the connection was
// lost, or the server ended the stream while the container still ran (an
// API server or kubelet restart, a proxy's timeout). A cut is never
// reported as a complete log.
//
// # Resuming a cut
//
// With Client.Resume set, a followed stream that is cut reconnects instead
// and carries on. The guarantee is at-least-once, by this rule: the stream
// asks the server for timestamps (and removes them again if the caller did
// not ask for them), remembers the timestamp T of the last line it
// delivered and how many lines stamped exactly T it delivered, and resumes
// with sinceTime = T rounded down to the second (the API's precision).
// Of what the server sends again, it drops the lines stamped before T and,
// of those stamped exactly T, as many as it delivered; a line that was cut
// mid-way has its delivered bytes dropped and its rest delivered. So no
// line the server still holds is lost, and in the normal case none is
// repeated; a line is repeated only when the log no longer reads as it
// did (lines stamped T were rotated away between the cut and the
// reconnection, and others took their place). Lines written to a log file
// the kubelet rotated away during the cut are not served by the API at
// all, and cannot be recovered by any client. With LimitBytes set, the
// limit is applied by the stream, across resumes, instead of by the server.
// A stream that resumes six times in a row without a new line gives up and
// reports the cut.
//
// # Errors
//
// Failures are *Error values naming the pod and container and wrapping the
// cause, so errors.Is and errors.As, apierrors.IsNotFound and the other
// apimachinery helpers see through them. The server says what is wrong
// with a request only in the message of a 400 Bad Request; IsWaitingToStart,
// IsUnknownContainer and IsContainerRequired read it.
package podlogs
