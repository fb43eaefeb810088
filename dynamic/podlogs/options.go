package podlogs

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PodLogOptions is what a log request asks the server for: core/v1
// PodLogOptions, with the same fields and JSON names, sent as the query
// parameters of GET .../pods/NAME/log. The zero value asks for the whole
// log of the pod's only container, without following it.
type PodLogOptions struct {
	metav1.TypeMeta `json:",inline"`

	// Container names the container. Empty means the pod's only
	// container; a pod with several answers 400 (IsContainerRequired).
	Container string `json:"container,omitempty"`
	// Follow keeps the stream open and sends lines as the container writes
	// them, until it stops.
	Follow bool `json:"follow,omitempty"`
	// Previous asks for the log of the container's previous instance, the
	// one that terminated before its last restart.
	Previous bool `json:"previous,omitempty"`
	// SinceSeconds asks for the lines of the last SinceSeconds seconds.
	// At most one of SinceSeconds and SinceTime may be set.
	SinceSeconds *int64 `json:"sinceSeconds,omitempty"`
	// SinceTime asks for the lines written at or after it; the server
	// reads it in whole seconds (RFC 3339).
	SinceTime *metav1.Time `json:"sinceTime,omitempty"`
	// Timestamps puts the time each line was written (RFC 3339 with
	// nanoseconds) and a space in front of it.
	Timestamps bool `json:"timestamps,omitempty"`
	// TailLines asks for the last TailLines lines only.
	TailLines *int64 `json:"tailLines,omitempty"`
	// LimitBytes stops the log after that many bytes, which may cut the
	// last line.
	LimitBytes *int64 `json:"limitBytes,omitempty"`
	// InsecureSkipTLSVerifyBackend lets the API server read the log from a
	// kubelet whose serving certificate it cannot verify. Only the API
	// server's connection to the kubelet is affected.
	InsecureSkipTLSVerifyBackend bool `json:"insecureSkipTLSVerifyBackend,omitempty"`
	// Stream picks standard output or standard error alone (LogStreamStdout,
	// LogStreamStderr); nil or LogStreamAll means both, interleaved. Servers
	// without the PodLogsQuerySplitStreams feature refuse anything but
	// LogStreamAll, and it cannot be combined with TailLines.
	Stream *string `json:"stream,omitempty"`
}

// The values of PodLogOptions.Stream.
const (
	LogStreamStdout = "Stdout"
	LogStreamStderr = "Stderr"
	LogStreamAll    = "All"
)
