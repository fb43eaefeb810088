package bench

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

// KubeconfigEnv names a kubeconfig of a running control plane for the
// benchmarks that need one, as cmd/report sets it so that its rounds share
// one cluster. Unset, the package starts its own on first use.
const KubeconfigEnv = "ANYKUBE_BENCH_KUBECONFIG"

// TestMain stops the control plane the package started, if any, when the
// benchmarks end.
func TestMain(m *testing.M) { testcluster.Main(m) }

// cluster is where the real API server is and how to reach it.
type cluster struct {
	host, token string
	caData      []byte
	hc          *http.Client
}

// crds remembers the one installation of CRDs300.
var crds struct {
	once sync.Once
	c    *cluster
	err  error
}

// clusterWithCRDs returns the control plane, started on first use unless
// KubeconfigEnv names one, with CRDs300 installed and served by aggregated
// discovery.
func clusterWithCRDs(b *testing.B) *cluster {
	crds.once.Do(func() {
		c, err := findCluster(b)
		if err != nil {
			crds.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		start := time.Now()
		if err := e2e.InstallCRDs(ctx, c.hc, c.host, CRDs300()); err != nil {
			crds.err = err
			return
		}
		b.Logf("%d CRDs installed in %s", len(CRDs300()), time.Since(start).Round(time.Millisecond))
		crds.c = c
	})
	if crds.err != nil {
		b.Fatalf("control plane: %v", crds.err)
	}
	return crds.c
}

func findCluster(b *testing.B) (*cluster, error) {
	path := os.Getenv(KubeconfigEnv)
	if path == "" {
		tc := testcluster.Shared(b)
		hc, err := tc.HTTPClient()
		if err != nil {
			return nil, err
		}
		return &cluster{host: tc.Host, token: tc.Token, caData: tc.CAData, hc: hc}, nil
	}
	cfg, err := anykube.ConfigFromKubeconfig(anykube.KubeconfigOptions{Paths: []string{path}})
	if err != nil {
		return nil, err
	}
	ca := cfg.TLSClientConfig.CAData
	if len(ca) == 0 && cfg.TLSClientConfig.CAFile != "" {
		if ca, err = os.ReadFile(cfg.TLSClientConfig.CAFile); err != nil {
			return nil, err
		}
	}
	c := &cluster{host: cfg.Host, token: cfg.BearerToken, caData: ca}
	// Installing the CRDs is set-up, not measured: any HTTP client will do.
	c.hc, err = anykube.HTTPClientFor(cfg)
	return c, err
}
