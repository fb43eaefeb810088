package wait

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic/fake"
	"github.com/anykube/anykube/unstructured/status"
)

var widgets = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}

func widget(name string, ready string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": name, "namespace": "ns"},
	}}
	if ready != "" {
		u.Object["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": ready, "reason": "R" + ready, "message": "ready is " + ready}}}
	}
	return u
}

func stalled(name string) *unstructured.Unstructured {
	u := widget(name, "")
	u.Object["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Stalled", "status": "True", "reason": "Broken", "message": "cannot go on"}}}
	return u
}

func newClient(objs ...runtime.Object) *fake.FakeDynamicClient {
	return fake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{widgets: "WidgetList"}, objs...)
}

func ref(name string) Object {
	return Object{Resource: widgets, Kind: "Widget", Namespace: "ns", Name: name}
}

// progress records Progress calls.
type progress struct {
	mu     sync.Mutex
	states []State
}

func (p *progress) record(s State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.states = append(p.states, s)
}

func TestWaitAllCurrentAfterUpdates(t *testing.T) {
	c := newClient(widget("a", "False"), widget("b", "True"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, _ = c.Resource(widgets).Namespace("ns").Update(ctx, widget("a", "True"), metav1.UpdateOptions{})
	}()
	var p progress
	states, err := Wait(ctx, c, []Object{ref("a"), ref("b"), ref("a")}, Options{Progress: p.record})
	require.NoError(t, err)
	require.Len(t, states, 2)
	for _, s := range states {
		assert.True(t, s.Done)
		assert.Equal(t, status.Current, s.Result.Status)
	}
	var seenA []status.Status
	for _, s := range p.states {
		if s.Object.Name == "a" {
			seenA = append(seenA, s.Result.Status)
		}
	}
	assert.Equal(t, []status.Status{status.InProgress, status.Current}, seenA)
}

func TestWaitStopsOnFailed(t *testing.T) {
	c := newClient(widget("a", "False"), stalled("b"))
	states, err := Wait(t.Context(), c, []Object{ref("a"), ref("b")}, Options{})
	require.ErrorIs(t, err, ErrFailed)
	var we *Error
	require.ErrorAs(t, err, &we)
	require.Len(t, we.Pending, 2)
	assert.Equal(t, "b", we.Pending[0].Object.Name, "failed object first")
	assert.Contains(t, err.Error(), "Widget ns/b: Failed: cannot go on")
	assert.Len(t, states, 2)
}

func TestWaitTimeoutNamesPending(t *testing.T) {
	c := newClient(widget("a", "False"), widget("b", "True"))
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := Wait(ctx, c, []Object{ref("a"), ref("b"), ref("missing")}, Options{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	msg := err.Error()
	assert.Contains(t, msg, "2 of 3 objects not ready")
	assert.Contains(t, msg, "Widget ns/a: InProgress: ready is False")
	assert.Contains(t, msg, "Widget ns/missing: NotFound")
	assert.NotContains(t, msg, "ns/b")
}

func TestWaitDeleted(t *testing.T) {
	c := newClient(widget("a", "True"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	go func() {
		time.Sleep(100 * time.Millisecond)
		_ = c.Resource(widgets).Namespace("ns").Delete(ctx, "a", metav1.DeleteOptions{})
	}()
	states, err := Wait(ctx, c, []Object{ref("a"), ref("never-existed")}, Options{Until: Deleted})
	require.NoError(t, err)
	assert.Equal(t, status.NotFound, states[0].Result.Status)
}

func TestWaitCustomConditions(t *testing.T) {
	u := widget("a", "False")
	u.Object["status"].(map[string]any)["phase"] = "Done"
	c := newClient(u)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	phase, err := FieldEquals("status.phase", "Done")
	require.NoError(t, err)
	_, err = Wait(ctx, c, []Object{ref("a")}, Options{Until: phase})
	require.NoError(t, err)
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	_, err = Wait(short, c, []Object{ref("a")}, Options{Until: ConditionTrue("Other"), KeepWaitingOnFailure: true})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	readyFalse, err := FieldEquals("status.conditions[type=Ready].status", "False")
	require.NoError(t, err)
	_, err = Wait(ctx, c, []Object{ref("a")}, Options{Until: readyFalse})
	require.NoError(t, err)
	_, err = FieldEquals("status.[", "x")
	require.Error(t, err)
}

func TestWaitWatchErrorNamesGroup(t *testing.T) {
	c := newClient()
	c.PrependReactor("list", "widgets", func(fake.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(widgets.GroupResource(), "", errors.New("boom"))
	})
	_, err := Wait(t.Context(), c, []Object{ref("a")}, Options{})
	var we *WatchError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "widgets.example.com", we.Group)
	assert.True(t, apierrors.IsForbidden(errors.Unwrap(we)), "%v", err)
	assert.True(t, strings.Contains(err.Error(), "boom"), err.Error())
}

func TestWaitNothing(t *testing.T) {
	states, err := Wait(t.Context(), newClient(), nil, Options{})
	require.NoError(t, err)
	assert.Empty(t, states)
}
