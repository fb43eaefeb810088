package main

import (
	"net/http"
	"time"

	"k8s.io/cri-streaming/pkg/streaming/portforward"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
)

// kubelet serves the kubelet API paths kube-apiserver calls for pod
// subresources.
type kubelet struct {
	logs          *logFiles
	execDir       string
	echoPort      int32
	idleTimeout   time.Duration
	createTimeout time.Duration
}

// routes maps the kubelet's paths, with and without the pod uid the API
// server may add, to their handlers.
func (k *kubelet) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", k.serveLogs)
	for _, p := range []string{"/exec/{namespace}/{pod}/{container}", "/exec/{namespace}/{pod}/{uid}/{container}"} {
		mux.HandleFunc(p, k.serveExec)
	}
	for _, p := range []string{"/attach/{namespace}/{pod}/{container}", "/attach/{namespace}/{pod}/{uid}/{container}"} {
		mux.HandleFunc(p, k.serveAttach)
	}
	for _, p := range []string{"/portForward/{namespace}/{pod}", "/portForward/{namespace}/{pod}/{uid}"} {
		mux.HandleFunc(p, k.servePortForward)
	}
	return mux
}

// podKey is how handlers name a pod to the streaming library, which hands
// it back to the executor, attacher and port forwarder.
func podKey(r *http.Request) string { return r.PathValue("namespace") + "/" + r.PathValue("pod") }

func (k *kubelet) serveExec(w http.ResponseWriter, r *http.Request) {
	opts, err := remotecommand.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cmd := r.URL.Query()["command"]
	if len(cmd) == 0 {
		http.Error(w, "no command", http.StatusBadRequest)
		return
	}
	remotecommand.ServeExec(w, r, executor{dir: k.execDir}, podKey(r), r.PathValue("uid"), r.PathValue("container"), cmd,
		opts, k.idleTimeout, k.createTimeout, remotecommand.SupportedStreamingProtocols)
}

func (k *kubelet) serveAttach(w http.ResponseWriter, r *http.Request) {
	opts, err := remotecommand.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	remotecommand.ServeAttach(w, r, attacher{logs: k.logs}, podKey(r), r.PathValue("uid"), r.PathValue("container"),
		opts, k.idleTimeout, k.createTimeout, remotecommand.SupportedStreamingProtocols)
}

func (k *kubelet) servePortForward(w http.ResponseWriter, r *http.Request) {
	opts, err := portforward.NewV4Options(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	portforward.ServePortForward(w, r, forwarder{echoPort: k.echoPort}, podKey(r), r.PathValue("uid"), opts,
		k.idleTimeout, k.createTimeout, portforward.SupportedProtocols)
}
