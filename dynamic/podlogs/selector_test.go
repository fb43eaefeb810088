package podlogs

import (
	"time"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func owner(apiVersion, kind string, selector any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"name": "web", "namespace": "ns"},
		"spec":     map[string]any{},
	}}
	if selector != nil {
		u.Object["spec"].(map[string]any)["selector"] = selector
	}
	return u
}

func TestSelectorOf(t *testing.T) {
	matchLabels := map[string]any{"matchLabels": map[string]any{"app": "web"}}
	cases := []struct {
		name    string
		obj     *unstructured.Unstructured
		want    string
		wantErr string
	}{
		{"deployment", owner("apps/v1", "Deployment", matchLabels), "app=web", ""},
		{"statefulset", owner("apps/v1", "StatefulSet", matchLabels), "app=web", ""},
		{"daemonset", owner("apps/v1", "DaemonSet", matchLabels), "app=web", ""},
		{"replicaset with expressions", owner("apps/v1", "ReplicaSet", map[string]any{
			"matchLabels": map[string]any{"app": "web"},
			"matchExpressions": []any{
				map[string]any{"key": "tier", "operator": "NotIn", "values": []any{"db", "cache"}},
				map[string]any{"key": "canary", "operator": "DoesNotExist"},
			},
		}), "app=web,!canary,tier notin (cache,db)", ""},
		{"job", owner("batch/v1", "Job", map[string]any{"matchLabels": map[string]any{"batch.kubernetes.io/controller-uid": "1234"}}),
			"batch.kubernetes.io/controller-uid=1234", ""},
		{"custom workload", owner("example.com/v1", "Rollout", matchLabels), "app=web", ""},
		{"replication controller", owner("v1", "ReplicationController", map[string]any{"app": "web", "tier": "front"}), "app=web,tier=front", ""},
		{"service", owner("v1", "Service", map[string]any{"app": "web"}), "app=web", ""},

		{"no selector", owner("apps/v1", "Deployment", nil), "", "Deployment web has no spec.selector"},
		{"empty selector", owner("apps/v1", "Deployment", map[string]any{}), "", "would select every pod"},
		{"empty service selector", owner("v1", "Service", map[string]any{}), "", "would select every pod"},
		{"selector of the wrong shape", owner("apps/v1", "Deployment", "app=web"), "", "not an object"},
		{"unknown field", owner("apps/v1", "Deployment", map[string]any{"matchLabel": map[string]any{"app": "web"}}), "", "not a label selector"},
		{"bad operator", owner("apps/v1", "Deployment", map[string]any{"matchExpressions": []any{map[string]any{"key": "a", "operator": "Near"}}}), "", "spec.selector"},
		{"bad label value", owner("v1", "Service", map[string]any{"app": "not valid!"}), "", "spec.selector"},
		{"non-string value", owner("v1", "ReplicationController", map[string]any{"app": 3}), "", "not a string"},
		{"pod", owner("v1", "Pod", nil), "", "is a pod"},
		{"cronjob", owner("batch/v1", "CronJob", nil), "", "its Jobs do"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := SelectorOf(tc.obj)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, sel.String())
		})
	}
}

func TestPodState(t *testing.T) {
	f := newFakeServer(t)
	f.addPod("p", nil, []string{"app"}, "init")
	pod := func() podInfo {
		f.mu.Lock()
		defer f.mu.Unlock()
		var u unstructured.Unstructured
		require.NoError(t, u.UnmarshalJSON(f.podJSONLocked(f.pods["p"], time.Time{})))
		return readPod(&u)
	}
	info := pod()
	assert.Equal(t, []string{"init", "app"}, info.all)
	assert.Equal(t, "app", info.defaultContainer())
	in, started := info.current("app")
	require.True(t, started)
	assert.Equal(t, instance{uid: info.uid, containerID: "cri://p-app-0"}, in)

	state := func(container string, in instance) containerState {
		st, _ := pod().state(container, in)
		return st
	}
	assert.Equal(t, stateRunning, state("app", in))
	assert.Equal(t, stateFinished, state("init", instance{}))
	assert.Equal(t, stateGone, state("app", instance{uid: "another"}))
	f.restart("p", "app")
	assert.Equal(t, stateFinished, state("app", in), "restarted: the instance is over")
	assert.Equal(t, stateRunning, state("app", instance{}))
	f.update("p", func(p *fakePod) { p.regular[0].state = "waiting"; p.regular[0].reason = "CrashLoopBackOff" })
	assert.Equal(t, stateFinished, state("app", in), "waiting to restart after an instance ended")
	f.update("p", func(p *fakePod) { p.phase = "Succeeded" })
	assert.Equal(t, stateFinished, state("app", instance{}))

	f.addPod("new", nil, []string{"a", "b"})
	f.update("new", func(p *fakePod) { p.node, p.phase = "", "Pending" })
	f.mu.Lock()
	var u unstructured.Unstructured
	require.NoError(t, u.UnmarshalJSON(f.podJSONLocked(f.pods["new"], time.Time{})))
	f.mu.Unlock()
	info = readPod(&u)
	assert.Equal(t, "", info.defaultContainer(), "two containers: the server wants a name")
	st, reason := info.state("a", instance{})
	assert.Equal(t, stateNotStarted, st)
	assert.Contains(t, reason, "not scheduled")
}
