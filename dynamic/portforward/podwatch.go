package portforward

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
)

var podsResource = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// watchPod ends the tunnel with ErrPodGone when the pod is deleted,
// replaced by another of the same name, or finishes. The kubelet keeps a
// tunnel to a deleted pod open, so without this a forward would go on
// accepting connections that all fail. A watch that cannot be made (no
// right to watch pods) or that the server ends for good leaves the tunnel
// to end with its connection.
func (t *Tunnel) watchPod(pods *dynamic.DynamicClient) {
	name := t.errBase.Pod
	w, err := dynamic.NewRetryWatcher(t.ctx, pods.Resource(podsResource).Namespace(t.errBase.Namespace), metav1.ListOptions{
		FieldSelector:       fields.OneTermEqualSelector("metadata.name", name).String(),
		AllowWatchBookmarks: true,
	}, nil)
	if err != nil {
		return
	}
	defer w.Stop()
	var uid string
	for {
		var ev watch.Event
		var ok bool
		select {
		case <-t.ctx.Done():
			return
		case ev, ok = <-w.ResultChan():
			if !ok {
				return
			}
		}
		if gone := podGone(ev, &uid); gone != "" {
			t.cancel(fmt.Errorf("%w: pod %s", ErrPodGone, gone))
			return
		}
	}
}

// podGone returns why the tunnel's pod is gone after ev, or "" when it is
// not; uid is the pod's, learnt from the first event.
func podGone(ev watch.Event, uid *string) string {
	switch ev.Type {
	case watch.Error:
		return ""
	case watch.Bookmark:
		if dynamic.IsInitialEventsEnd(ev) && *uid == "" {
			return "not found"
		}
		return ""
	}
	pod, ok := ev.Object.(*unstructured.Unstructured)
	if !ok {
		return ""
	}
	switch {
	case ev.Type == watch.Deleted:
		return "deleted"
	case *uid == "":
		*uid = string(pod.GetUID())
	case string(pod.GetUID()) != *uid:
		return "replaced by another pod of the same name"
	}
	switch phase, _, _ := unstructured.NestedString(pod.Object, "status", "phase"); phase {
	case "Succeeded", "Failed":
		return "finished (phase " + phase + ")"
	}
	return ""
}
