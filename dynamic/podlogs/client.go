package podlogs

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
)

// Client reads pod logs. It is safe for concurrent use once its fields are
// set; build one per Config and share it.
type Client struct {
	// Resume makes a followed stream that breaks off while its container
	// still runs reconnect and go on from the last line it delivered,
	// instead of ending with ErrStreamCut. Lines may be delivered twice
	// but none is skipped; the package documentation states the rule.
	// False, the default, reports every cut. Set it before the first
	// call.
	Resume bool

	rest *anykube.RESTClient
	pods dynamic.NamespaceableResourceInterface

	// settle is how long a followed stream that ended while its container
	// still ran waits for the pod's status to catch up (the kubelet ends
	// the stream as the container stops, and reports the stop a moment
	// later) before calling it a cut; settleEvery is the polling period.
	settle, settleEvery time.Duration
	// backoff is the first wait before a resume that follows a resume
	// which delivered nothing; it doubles up to 16 times that.
	backoff time.Duration
}

// podsResource is core/v1 pods.
var podsResource = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// NewForConfig returns a Client for the server cfg describes. It fails
// when anykube.HTTPClientFor(cfg) does or cfg.Host is not a usable
// address.
func NewForConfig(cfg *anykube.Config) (*Client, error) {
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("podlogs: %w", err)
	}
	return NewForConfigAndClient(cfg, hc)
}

// NewForConfigAndClient returns a Client for the server cfg describes that
// sends through httpClient, which must already carry cfg's TLS settings
// and credentials. It fails when cfg or httpClient is nil or cfg.Host is
// not a usable address.
func NewForConfigAndClient(cfg *anykube.Config, httpClient *http.Client) (*Client, error) {
	rc, err := anykube.RESTClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("podlogs: %w", err)
	}
	dc, err := dynamic.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("podlogs: %w", err)
	}
	return New(rc, dc), nil
}

// New returns a Client that reads logs through rc and pods through dc,
// which should reach the same server. It never fails.
func New(rc *anykube.RESTClient, dc dynamic.Interface) *Client {
	return &Client{
		rest:        rc,
		pods:        dc.Resource(podsResource),
		settle:      5 * time.Second,
		settleEvery: 250 * time.Millisecond,
		backoff:     250 * time.Millisecond,
	}
}

// Stream returns the log of one container of the pod namespace/pod, as the
// server answers GET .../pods/POD/log with opts, and as kubectl logs prints
// it.
//
// Without Follow, the reader ends with io.EOF at the end of the log. With
// Follow, it goes on as the container writes, and ends with io.EOF once
// the container has stopped (its status says so; a restart counts: the
// instance followed is over) or the pod is gone. A stream that breaks off
// before that ends with an *Error wrapping ErrStreamCut, unless
// Client.Resume is set. Follow reads the pod first, to know which
// instance it follows, so it needs get on pods as well as on pods/log,
// as kubectl does.
//
// It fails, or the first Read does, with an *Error naming the pod and
// container and wrapping the server's *apierrors.StatusError: NotFound
// for a pod that does not exist, and BadRequest for a container name that
// is wrong (IsUnknownContainer), missing when the pod has several
// (IsContainerRequired), or a container that has not started
// (IsWaitingToStart; this package reports the same for a pod not yet
// scheduled to a node, which the server answers with an empty log).
// Closing the reader ends the request; Read returns an error after Close.
func (c *Client) Stream(ctx context.Context, namespace, pod string, opts PodLogOptions) (io.ReadCloser, error) {
	s := c.newStream(ctx, namespace, pod, opts)
	if s.follow {
		u, err := c.getPod(s.ctx, namespace, pod)
		if err != nil {
			s.cancel()
			return nil, s.fail(err)
		}
		info := readPod(u)
		if s.container == "" {
			s.container = info.defaultContainer()
		}
		var started bool
		s.inst, started = info.current(s.container)
		if st, reason := info.state(s.container, s.inst); !started && st == stateNotStarted && info.hasContainer(s.container) {
			s.cancel()
			return nil, s.fail(waitingToStart(pod, s.container, reason))
		}
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// getPod reads a pod.
func (c *Client) getPod(ctx context.Context, namespace, name string) (*unstructured.Unstructured, error) {
	return c.pods.Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
}

// open sends one log request.
func (c *Client) open(ctx context.Context, namespace, pod string, opts PodLogOptions) (io.ReadCloser, error) {
	return c.rest.Get().Version("v1").Namespace(namespace).Resource("pods").Name(pod).SubResource("log").
		VersionedParams(&opts).Stream(ctx)
}
