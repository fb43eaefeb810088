package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/portforward"
)

const (
	demoPod  = "anykube-port-forward-demo"
	echoPort = 7777
)

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// runDemo creates a pod echoing on echoPort, forwards to it several ways,
// and deletes it while the tunnel is open.
func runDemo(ns string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pf, ns, cfg, err := client(ns)
	if err != nil {
		return err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	pods := dc.Resource(podsGVR).Namespace(ns)
	if err := createPod(ctx, pods); err != nil {
		return err
	}
	deleted := false
	defer func() {
		if !deleted {
			deletePod(pods)
		}
	}()

	tun, err := pf.Open(ctx, ns, demoPod, portforward.Options{})
	if err != nil {
		return err
	}
	defer tun.Close()
	fmt.Printf("Opened a tunnel to pod %s over %s.\n", demoPod, tun.Transport())

	// In the process: no local port at all. The pod's echo server may
	// start a moment after the pod runs.
	var reply string
	for try := 0; ; try++ {
		if reply, err = echo(ctx, tun, echoPort, []byte("hello through the tunnel")); err == nil || try == 20 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	fmt.Printf("In-process connection to port %d: sent and got back %q\n", echoPort, reply)

	// Through a local port, as kubectl does.
	addr, err := tun.Listen("127.0.0.1:0", echoPort)
	if err != nil {
		return err
	}
	local, err := net.Dial("tcp", addr.String())
	if err != nil {
		return err
	}
	_, _ = io.WriteString(local, "hello through a local port")
	_ = local.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(local)
	local.Close()
	if err != nil {
		return err
	}
	fmt.Printf("Local port %s -> %d: sent and got back %q\n", addr, echoPort, got)

	// Many connections at once over the one tunnel.
	const conns, size = 20, 1 << 20
	errs := make(chan error, conns)
	for range conns {
		go func() {
			payload := make([]byte, size)
			_, _ = rand.Read(payload)
			back, err := echo(ctx, tun, echoPort, payload)
			if err == nil && back != string(payload) {
				err = errors.New("the echo differs")
			}
			errs <- err
		}()
	}
	for range conns {
		if err := <-errs; err != nil {
			return err
		}
	}
	fmt.Printf("%d connections of %d KiB each at once: every byte came back.\n", conns, size>>10)

	// A port where nothing listens fails that connection alone.
	_, err = echo(ctx, tun, 9, []byte("anyone?"))
	var pe *portforward.PortError
	if errors.As(err, &pe) {
		fmt.Printf("Port %d: the pod's side says %q; the tunnel is still up.\n", pe.Port, pe.Message)
	} else {
		fmt.Printf("Port 9: %v\n", err)
	}

	// The pod going away ends the tunnel, with a reason.
	deletePod(pods)
	deleted = true
	select {
	case <-tun.Done():
		fmt.Printf("The tunnel ended: %v (errors.Is ErrPodGone: %t)\n", tun.Err(), errors.Is(tun.Err(), portforward.ErrPodGone))
	case <-time.After(30 * time.Second):
		return errors.New("the tunnel outlived its pod by 30s")
	}
	return nil
}

// echo sends payload to port through the tunnel, half-closes, and returns
// what came back.
func echo(ctx context.Context, tun *portforward.Tunnel, port int, payload []byte) (string, error) {
	conn, err := tun.DialPort(ctx, port)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	sent := make(chan error, 1)
	go func() {
		_, err := conn.Write(payload)
		if err == nil {
			err = conn.CloseWrite()
		}
		sent <- err
	}()
	var back bytes.Buffer
	if _, err := io.Copy(&back, conn); err != nil {
		return "", err
	}
	if err := <-sent; err != nil {
		return "", err
	}
	return back.String(), nil
}

// createPod creates the demo pod and waits until it runs. busybox's nc
// echoes every connection on echoPort.
func createPod(ctx context.Context, pods dynamic.ResourceInterface) error {
	pod := &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": demoPod, "labels": map[string]any{"app.kubernetes.io/managed-by": "anykube-demo"}},
		"spec": map[string]any{
			"terminationGracePeriodSeconds": int64(0),
			"containers": []any{map[string]any{
				"name": "echo", "image": "busybox:1.36",
				"command": []any{"nc", "-lk", "-p", fmt.Sprint(echoPort), "-e", "cat"},
				"ports":   []any{map[string]any{"containerPort": int64(echoPort)}},
			}},
		},
	}}
	if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return err
	}
	fmt.Printf("Created pod %s; waiting for it to run.\n", demoPod)
	for {
		p, err := pods.Get(ctx, demoPod, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if phase, _, _ := apiu.NestedString(p.Object, "status", "phase"); phase == "Running" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pod %s did not run: %w", demoPod, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// deletePod deletes the demo pod at once and waits until it is gone, so
// that the demo can run again.
func deletePod(pods dynamic.ResourceInterface) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := pods.Delete(ctx, demoPod, metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
	for err == nil {
		_, err = pods.Get(ctx, demoPod, metav1.GetOptions{})
		time.Sleep(100 * time.Millisecond)
	}
	if apierrors.IsNotFound(err) {
		fmt.Printf("Deleted pod %s.\n", demoPod)
		return
	}
	fmt.Printf("Deleting pod %s: %v\n", demoPod, err)
}
