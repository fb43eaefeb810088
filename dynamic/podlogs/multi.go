package podlogs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
)

// DefaultMaxStreams is the number of containers a multi-pod follow reads
// at once when Options.MaxStreams is zero. kubectl's default is 5; a
// Deployment of a few dozen pods should not need a flag.
const DefaultMaxStreams = 50

// Options says what StreamSelector and StreamOwner read from each pod they
// select, and how they print it. The zero value reads every container of
// every selected pod, once, without prefixes.
type Options struct {
	// PodLogOptions are sent with every log request. Container, when set,
	// reads only that container of each pod, and a pod without it is an
	// error (IsUnknownContainer); empty reads every container, init and
	// ephemeral ones included, like kubectl logs --all-containers. With
	// Follow, TailLines, SinceSeconds and SinceTime apply to the
	// containers running when the stream starts; containers that start
	// later are read from their first line.
	PodLogOptions

	// Prefix puts "[pod/NAME/CONTAINER] " before every line, as kubectl
	// logs --prefix does.
	Prefix bool

	// MaxStreams bounds the containers followed at once; zero means
	// DefaultMaxStreams. Needing more ends the stream with an error
	// rather than leaving some containers unread.
	MaxStreams int
}

// StreamSelector returns the logs of the pods in namespace that match the
// label selector ("" matches every pod), interleaved line by line: a line
// is never split between streams nor mixed with another, except that a
// line longer than 64 KiB is cut into several (each ending with a
// newline), and a last line without a newline gets one. Memory stays
// bounded whatever the logs' size.
//
// Without Follow, the pods are read one after another, in name order, each
// container in spec order, and the reader ends with io.EOF. Containers
// that have not started have no log yet and are left out.
//
// With Follow, the pods are watched: the containers running at the start
// are followed, and so is every container that starts later, in a pod
// created while following or as a new instance of a restarted container.
// The reader goes on until ctx ends or it is closed; a container that
// stops simply stops contributing. Client.Resume applies to each stream.
//
// It fails when the selector does not parse or the pods cannot be listed.
// The reader ends with the first error of any container other than the
// pod going away or the container not having started: an *Error naming
// the pod and container (ErrStreamCut when a stream broke off), or a
// watch error.
func (c *Client) StreamSelector(ctx context.Context, namespace, selector string, opts Options) (io.ReadCloser, error) {
	if _, err := labels.Parse(selector); err != nil {
		return nil, fmt.Errorf("podlogs: label selector %q: %w", selector, err)
	}
	return c.streamPods(ctx, namespace, metav1.ListOptions{LabelSelector: selector}, opts)
}

// StreamOwner is StreamSelector for the pods of owner: those its
// spec.selector matches (see SelectorOf), in its namespace. A Pod as owner
// stands for itself: every container of that one pod, with a Pod's
// restarts followed too. It fails when owner has no usable selector.
func (c *Client) StreamOwner(ctx context.Context, owner *unstructured.Unstructured, opts Options) (io.ReadCloser, error) {
	if owner.GetAPIVersion() == "v1" && owner.GetKind() == "Pod" {
		if owner.GetName() == "" {
			return nil, errors.New("podlogs: the Pod has no name")
		}
		return c.streamPods(ctx, owner.GetNamespace(), metav1.ListOptions{FieldSelector: "metadata.name=" + owner.GetName()}, opts)
	}
	sel, err := SelectorOf(owner)
	if err != nil {
		return nil, err
	}
	return c.streamPods(ctx, owner.GetNamespace(), metav1.ListOptions{LabelSelector: sel.String()}, opts)
}

// streamPods starts the merge of the logs of the pods list selects.
func (c *Client) streamPods(ctx context.Context, namespace string, list metav1.ListOptions, opts Options) (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	m := &merger{c: c, namespace: namespace, opts: opts, pw: pw, active: map[key]string{}}
	m.ctx, m.cancel = context.WithCancel(ctx)
	if m.opts.MaxStreams <= 0 {
		m.opts.MaxStreams = DefaultMaxStreams
	}
	pods := c.pods.Namespace(namespace)
	if !opts.Follow {
		l, err := dynamic.ListAll(m.ctx, pods, list)
		if err != nil {
			m.cancel()
			return nil, fmt.Errorf("podlogs: listing pods: %w", err)
		}
		go m.readAll(l.Items)
		return &merged{PipeReader: pr, m: m}, nil
	}
	list.AllowWatchBookmarks = true
	w, err := dynamic.NewRetryWatcher(m.ctx, pods, list, nil)
	if err != nil {
		m.cancel()
		return nil, fmt.Errorf("podlogs: watching pods: %w", err)
	}
	go m.follow(w)
	return &merged{PipeReader: pr, m: m}, nil
}

// merged is the reader StreamSelector returns.
type merged struct {
	*io.PipeReader
	m *merger
}

// Close stops every stream and the watch.
func (r *merged) Close() error {
	r.m.cancel()
	return r.PipeReader.Close()
}

// key names one container of one pod.
type key struct{ uid, container string }

// merger writes the lines of many streams into one pipe.
type merger struct {
	c         *Client
	ctx       context.Context
	cancel    context.CancelFunc
	namespace string
	opts      Options

	wmu sync.Mutex // serializes writes to pw
	pw  *io.PipeWriter

	mu sync.Mutex // guards active
	// active maps each container followed to the ID of the instance read.
	active map[key]string

	failOnce sync.Once
}

// fail ends the merged stream with err and stops everything.
func (m *merger) fail(err error) {
	m.failOnce.Do(func() {
		m.pw.CloseWithError(err)
		m.cancel()
	})
}

// containers returns the containers of a pod to read, or the error that a
// named container is not there.
func (m *merger) containers(pod string, info podInfo) ([]string, error) {
	if c := m.opts.Container; c != "" {
		if !info.hasContainer(c) {
			return nil, &Error{Namespace: m.namespace, Pod: pod, Container: c,
				Err: apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", c, pod))}
		}
		return []string{c}, nil
	}
	return info.all, nil
}

// readAll reads the logs of pods one after another.
func (m *merger) readAll(pods []unstructured.Unstructured) {
	sort.Slice(pods, func(i, j int) bool { return pods[i].GetName() < pods[j].GetName() })
	for i := range pods {
		name := pods[i].GetName()
		info := readPod(&pods[i])
		containers, err := m.containers(name, info)
		if err != nil {
			m.fail(err)
			return
		}
		for _, c := range containers {
			in, started := info.current(c)
			if !started {
				continue
			}
			if err := m.copy(name, c, in, m.opts.PodLogOptions); err != nil {
				m.fail(err)
				return
			}
		}
	}
	m.fail(io.EOF) // CloseWithError(io.EOF) reads as a clean end
}

// follow starts a stream for every container instance the watch reports
// started, until the watch ends.
func (m *merger) follow(w *dynamic.RetryWatcher) {
	defer w.Stop()
	initial := true
	for {
		var ev watch.Event
		var ok bool
		select {
		case ev, ok = <-w.ResultChan():
		case <-m.ctx.Done():
			m.fail(m.ctx.Err())
			return
		}
		switch {
		case !ok:
			m.fail(m.ctx.Err())
			return
		case ev.Type == watch.Error:
			m.fail(fmt.Errorf("podlogs: watching pods: %w", apierrors.FromObject(ev.Object)))
			return
		case dynamic.IsInitialEventsEnd(ev):
			initial = false
		case ev.Type == watch.Added || ev.Type == watch.Modified:
			if err := m.consider(ev.Object.(*unstructured.Unstructured), initial); err != nil {
				m.fail(err)
				return
			}
		}
	}
}

// consider starts streams for the containers of pod that have started an
// instance not read yet. Pods seen in the initial state get the caller's
// options; later ones are read from their first line.
func (m *merger) consider(pod *unstructured.Unstructured, initial bool) error {
	name := pod.GetName()
	info := readPod(pod)
	containers, err := m.containers(name, info)
	if err != nil {
		return err
	}
	opts := m.opts.PodLogOptions
	if !initial {
		opts.TailLines, opts.SinceSeconds, opts.SinceTime = nil, nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range containers {
		in, started := info.current(c)
		k := key{info.uid, c}
		if !started || m.active[k] == in.containerID {
			continue
		}
		if len(m.active) >= m.opts.MaxStreams {
			return fmt.Errorf("podlogs: more than %d containers to follow (Options.MaxStreams); select fewer pods or raise it", m.opts.MaxStreams)
		}
		m.active[k] = in.containerID
		go func() {
			err := m.copy(name, c, in, opts)
			m.mu.Lock()
			if m.active[k] == in.containerID {
				delete(m.active, k)
			}
			m.mu.Unlock()
			if err != nil {
				m.fail(err)
			}
		}()
	}
	return nil
}

// copy reads one container instance's log into the merged stream. A pod
// that went away, or a container that turns out not to have started,
// ends it quietly: there is no log to miss.
func (m *merger) copy(pod, container string, in instance, opts PodLogOptions) error {
	opts.Container = container
	s := m.c.newStream(m.ctx, m.namespace, pod, opts)
	s.inst = in
	err := s.start()
	if err == nil {
		err = m.copyLines(s, m.prefix(pod, container))
		s.Close()
	}
	switch {
	case err == nil, apierrors.IsNotFound(err), IsWaitingToStart(err):
		return nil
	case m.ctx.Err() != nil:
		return m.ctx.Err()
	}
	return err
}

// prefix is the text put before each line of a container, if any.
func (m *merger) prefix(pod, container string) []byte {
	if !m.opts.Prefix {
		return nil
	}
	return []byte("[pod/" + pod + "/" + container + "] ")
}
