package memory_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/fake"
)

// blockFirst is a delegate whose first ServerGroups waits for its context
// to end, as a request to a slow server would.
type blockFirst struct {
	*fake.FakeDiscovery
	ctx     context.Context
	calls   *atomic.Int32
	started chan struct{}
}

func (b *blockFirst) WithContext(ctx context.Context) discovery.DiscoveryInterface {
	c := *b
	c.ctx = ctx
	return &c
}

func (b *blockFirst) ServerGroups() (*metav1.APIGroupList, error) {
	if b.calls.Add(1) == 1 {
		close(b.started)
		<-b.ctx.Done()
		return nil, b.ctx.Err()
	}
	return b.FakeDiscovery.ServerGroups()
}

func TestWaiterIsNotFailedByAnotherCallersCancellation(t *testing.T) {
	d := &blockFirst{
		FakeDiscovery: &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Kind: "Pod"}}}}},
		ctx:           context.Background(),
		calls:         new(atomic.Int32),
		started:       make(chan struct{}),
	}
	c := memory.NewMemCacheClient(d)
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.WithContext(ctx).ServerGroups()
		first <- err
	}()
	<-d.started
	second := make(chan error, 1)
	go func() {
		_, err := c.ServerGroups()
		second <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the second caller join the fill
	cancel()
	assert.ErrorIs(t, <-first, context.Canceled)
	select {
	case err := <-second:
		require.NoError(t, err, "a caller with a live context got the other caller's cancellation")
	case <-time.After(10 * time.Second):
		t.Fatal("the second caller did not return")
	}
	assert.True(t, c.Fresh())
}
