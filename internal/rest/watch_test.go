package rest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// TestFrameWatcher checks a watcher with its own frame decoder: events as
// decoded, an ERROR object that is no Status replaced by a 500 Status
// saying so, and a decoder's error ending the stream with one.
func TestFrameWatcher(t *testing.T) {
	body := io.NopCloser(strings.NewReader(`{"n":1} {"n":2} {"n":3} {"n":4}`))
	n := 0
	decode := func(frame []byte, offset int64) (watch.Event, error) {
		n++
		switch n {
		case 1:
			return watch.Event{Type: watch.Added, Object: &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: string(frame)}}}, nil
		case 2:
			return watch.Event{Type: watch.Error, Object: &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{Kind: "Pod"}}}, nil
		case 3:
			return watch.Event{Type: watch.Error, Object: &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status"}, Code: 410}}, nil
		}
		return watch.Event{}, errors.New("frame four is bad")
	}
	w := NewFrameWatcher(context.Background(), body, func(err error) error { return errors.New("call: " + err.Error()) }, decode)
	var evs []watch.Event
	for ev := range w.ResultChan() {
		evs = append(evs, ev)
	}
	require.Len(t, evs, 4)
	assert.Equal(t, `{"n":1}`, evs[0].Object.(*metav1.PartialObjectMetadata).Name)
	assert.Contains(t, evs[1].Object.(*metav1.Status).Message, `does not carry a Status (kind "Pod")`)
	assert.EqualValues(t, 410, evs[2].Object.(*metav1.Status).Code)
	st := evs[3].Object.(*metav1.Status)
	assert.EqualValues(t, 500, st.Code)
	assert.Equal(t, "call: the watch stream broke off: frame four is bad", st.Message)
}
