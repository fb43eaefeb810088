package discovery_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

func TestErrGroupDiscoveryFailed(t *testing.T) {
	metrics := schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}
	apps := schema.GroupVersion{Group: "apps", Version: "v1"}
	custom := schema.GroupVersion{Group: "custom.example.com", Version: "v1"}
	err := &discovery.ErrGroupDiscoveryFailed{Groups: map[schema.GroupVersion]error{
		metrics: discovery.StaleGroupVersionError{GroupVersion: metrics},
		apps:    fmt.Errorf("GET /apis/apps/v1: %w", context.DeadlineExceeded),
		custom:  apierrors.NewServiceUnavailable("backend down"),
	}}

	assert.Equal(t, "unable to retrieve the complete list of server APIs: "+
		"apps/v1: GET /apis/apps/v1: context deadline exceeded, "+
		"custom.example.com/v1: backend down, "+
		"metrics.k8s.io/v1beta1: stale GroupVersion discovery: metrics.k8s.io/v1beta1", err.Error())
	assert.Len(t, err.Unwrap(), 3)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, apierrors.IsServiceUnavailable(err), "apierrors sees the cause through Unwrap")
	assert.Equal(t, []schema.GroupVersion{metrics}, err.Stale())

	wrapped := fmt.Errorf("listing: %w", err)
	assert.True(t, discovery.IsGroupDiscoveryFailedError(wrapped))
	assert.ErrorIs(t, wrapped, &discovery.ErrGroupDiscoveryFailed{})
	groups, ok := discovery.GroupDiscoveryFailedErrorGroups(wrapped)
	assert.True(t, ok)
	assert.Len(t, groups, 3)

	assert.False(t, discovery.IsGroupDiscoveryFailedError(errors.New("other")))
	assert.False(t, discovery.IsGroupDiscoveryFailedError(nil))
	_, ok = discovery.GroupDiscoveryFailedErrorGroups(errors.New("other"))
	assert.False(t, ok)
}
