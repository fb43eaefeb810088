package podexec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

func TestExitStatus(t *testing.T) {
	assert.NoError(t, exitStatus([]byte(`{"metadata":{},"status":"Success"}`)))

	err := exitStatus(status(42))
	var exit *ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 42, exit.Code)
	assert.Equal(t, 42, exit.ExitStatus())
	assert.Equal(t, "command terminated with exit code 42", err.Error())

	// A command the runtime could not start is the server's error.
	err = exitStatus([]byte(`{"status":"Failure","reason":"InternalError","message":"error executing command in container: exec: \"nope\": not found","code":500}`))
	assert.True(t, apierrors.IsInternalError(err), "%v", err)
	assert.Contains(t, err.Error(), `exec: "nope": not found`)

	for _, bad := range []string{
		`not json`,
		`{"status":"Maybe"}`,
		`{"status":"Failure","reason":"NonZeroExitCode"}`,
		`{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"Other","message":"1"}]}}`,
		`{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"99999999999"}]}}`,
	} {
		assert.ErrorIs(t, exitStatus([]byte(bad)), ErrProtocol, bad)
	}
}

func TestErrorMessage(t *testing.T) {
	e := &Error{Op: "exec", Namespace: "ns", Pod: "web", Container: "app", Transport: "WebSocket", Protocol: "v5.channel.k8s.io", Err: ErrConnectionLost}
	assert.Equal(t, "podexec: exec ns/web container app over WebSocket v5.channel.k8s.io: connection to the API server lost", e.Error())
	assert.ErrorIs(t, e, ErrConnectionLost)
	assert.Equal(t, "podexec: attach ns/web: unknown error", (&Error{Op: "attach", Namespace: "ns", Pod: "web"}).Error())
	assert.Equal(t, "spdy", ProtocolSPDY.String())
	assert.Equal(t, "Protocol(7)", Protocol(7).String())
}
