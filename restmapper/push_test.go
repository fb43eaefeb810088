package restmapper_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

func TestPushFallsBackToTimedAndSaysWhy(t *testing.T) {
	// The server lists CRDs and APIServices in discovery but cannot list
	// them (404): the mapper stays timed and says so.
	srv := discoverytest.NewServer(restmappertest.API(restmappertest.Builtin()), discoverytest.ServerOptions{})
	defer srv.Close()
	client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	m := restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{})
	defer m.Close()

	f, reason := m.Freshness()
	assert.Equal(t, restmapper.FreshnessTimed, f, "nothing started before a miss")
	assert.NoError(t, reason)
	_, err = m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	require.NoError(t, err)
	_, err = m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nope"})
	require.True(t, meta.IsNoMatchError(err))

	deadline := time.Now().Add(5 * time.Second)
	for {
		f, reason = m.Freshness()
		if f == restmapper.FreshnessTimed && reason != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	assert.Equal(t, restmapper.FreshnessTimed, f)
	require.Error(t, reason)
	assert.Contains(t, reason.Error(), "customresourcedefinitions")
	assert.Equal(t, "timed", f.String())
}

func TestPushNeedsTheResourcesInDiscovery(t *testing.T) {
	groups := restmappertest.Builtin()
	var kept []*restmapper.APIGroupResources
	for _, g := range groups {
		if g.Group.Name != "apiextensions.k8s.io" {
			kept = append(kept, g)
		}
	}
	e := newLazyEnvAPI(t, restmappertest.API(kept))
	m := restmapper.NewLazyRESTMapper(e.client, restmapper.LazyOptions{})
	defer m.Close()
	_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nope"})
	require.True(t, meta.IsNoMatchError(err))
	e.requests()
	f, reason := m.Freshness()
	assert.Equal(t, restmapper.FreshnessTimed, f)
	require.Error(t, reason)
	assert.Contains(t, reason.Error(), "not served")
	assert.Zero(t, e.requests(), "no list was tried")
}

func TestZeroMapperCloses(t *testing.T) {
	var m restmapper.LazyRESTMapper
	assert.NoError(t, m.Close())
}

// pushFront serves what push lists and watches, CRDs and APIServices, in
// front of a discovery server: empty lists, and on the CRD watch the lines
// sent to events. It records the Accept header of each of those requests.
type pushFront struct {
	*httptest.Server
	events chan string

	mu      sync.Mutex
	accepts []string
}

func newPushFront(t *testing.T, disc *discoverytest.Server) *pushFront {
	t.Helper()
	target, err := url.Parse(disc.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	f := &pushFront{events: make(chan string, 4)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		crds := r.URL.Path == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
		if !crds && r.URL.Path != "/apis/apiregistration.k8s.io/v1/apiservices" {
			proxy.ServeHTTP(w, r)
			return
		}
		f.mu.Lock()
		f.accepts = append(f.accepts, r.Header.Get("Accept"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("watch") != "true" {
			_, _ = w.Write([]byte(`{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"10"},"items":[]}`))
			return
		}
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		events := f.events
		if !crds {
			events = nil
		}
		for {
			select {
			case line := <-events:
				_, _ = w.Write([]byte(line + "\n"))
				w.(http.Flusher).Flush()
			case <-r.Context().Done():
				return
			}
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *pushFront) acceptHeaders() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.accepts...)
}

func TestPushWatchesTheMetadataViewAndMapsANewCRD(t *testing.T) {
	disc := discoverytest.NewServer(restmappertest.API(restmappertest.Builtin()), discoverytest.ServerOptions{})
	defer disc.Close()
	front := newPushFront(t, disc)
	client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: front.URL})
	require.NoError(t, err)
	m := restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{})
	defer m.Close()

	widget := schema.GroupKind{Group: "x.example.com", Kind: "Widget"}
	_, err = m.RESTMapping(widget)
	require.True(t, meta.IsNoMatchError(err))
	waitFreshness(t, m, restmapper.FreshnessPush)
	accepts := front.acceptHeaders()
	require.NotEmpty(t, accepts)
	for _, a := range accepts {
		// Push reads names only: a CRD's schema never crosses the wire.
		assert.True(t, strings.HasPrefix(a, "application/json;as=PartialObjectMetadata"), "Accept: %s", a)
	}

	disc.SetAPI(restmappertest.API(append(restmappertest.Builtin(), crdGroup("x.example.com", []string{"Widget"}, "v1"))))
	front.events <- `{"type":"ADDED","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"widgets.x.example.com","uid":"u1","resourceVersion":"11"}}}`
	// Without the event, the miss would stand for DefaultNegativeTTL.
	deadline := time.Now().Add(time.Second)
	for {
		_, err = m.RESTMapping(widget)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, err, "the CRD maps once its ADDED event arrives")
}
