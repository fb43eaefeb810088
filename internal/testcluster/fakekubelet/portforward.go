package main

import (
	"context"
	"fmt"
	"io"
)

// forwarder connects forwarded pod ports: echoPort writes back what it
// reads; nothing listens on any other port.
type forwarder struct{ echoPort int32 }

// PortForward serves one forwarded connection. The error for a port
// nothing listens on reaches the client on the connection's error stream,
// as a kubelet's connection-refused does.
func (f forwarder) PortForward(ctx context.Context, name, uid string, port int32, stream io.ReadWriteCloser) error {
	defer stream.Close()
	if port != f.echoPort {
		return fmt.Errorf("connection refused: nothing listens on port %d in pod %s", port, name)
	}
	// The client half-closes when it has sent everything; the echo then
	// ends and closes in turn.
	_, err := io.Copy(stream, stream)
	return err
}
