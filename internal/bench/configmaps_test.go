package bench

// The ConfigMaps of BenchmarkInformerSync, made over plain net/http the way
// dynamic/informer's own benchmark makes them, so that both benchmarks
// measure the same objects.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// InformerNamespace holds InformerConfigMaps ConfigMaps for
// BenchmarkInformerSync on the control plane.
const (
	InformerNamespace  = "informer-bench-10k"
	InformerConfigMaps = 10000
)

// configMaps remembers the one filling of InformerNamespace per process.
var configMaps struct {
	once sync.Once
	c    *cluster
	err  error
}

// clusterWithConfigMaps returns the control plane, as findCluster finds
// it, with InformerNamespace holding InformerConfigMaps ConfigMaps. Those
// already there are kept, so only the first run against a cluster creates
// them; later rounds pay one list.
func clusterWithConfigMaps(b *testing.B) *cluster {
	configMaps.once.Do(func() {
		c, err := findCluster(b)
		if err != nil {
			configMaps.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		start := time.Now()
		if err := populateConfigMaps(ctx, c.hc, c.host, InformerNamespace, InformerConfigMaps); err != nil {
			configMaps.err = err
			return
		}
		b.Logf("%d ConfigMaps in place after %s", InformerConfigMaps, time.Since(start).Round(time.Millisecond))
		configMaps.c = c
	})
	if configMaps.err != nil {
		b.Fatalf("control plane: %v", configMaps.err)
	}
	return configMaps.c
}

// benchConfigMap is the body of the i-th benchmark ConfigMap: two labels,
// three data values of 64 bytes, and, because it is created by a client
// like any other, one managedFields entry written by the server.
func benchConfigMap(ns string, i int) []byte {
	body, _ := json.Marshal(map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata": map[string]any{
			"name":      fmt.Sprintf("cm-%05d", i),
			"namespace": ns,
			"labels":    map[string]string{"app": "informer-bench", "shard": fmt.Sprint(i % 16)},
		},
		"data": map[string]string{
			"a": strings.Repeat(fmt.Sprintf("%08d", i), 8),
			"b": strings.Repeat("b", 64),
			"c": strings.Repeat("c", 64),
		},
	})
	return body
}

// populateConfigMaps makes sure namespace ns exists and holds ConfigMaps
// cm-00000 ... cm-<n-1> as benchConfigMap describes, creating what is
// missing with 16 requests in flight. Ones already there are kept, so a
// second call on the same cluster costs one list.
func populateConfigMaps(ctx context.Context, hc *http.Client, host, ns string, n int) error {
	host = strings.TrimSuffix(host, "/")
	nsBody, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}})
	if code, body, err := send(ctx, hc, http.MethodPost, host+"/api/v1/namespaces", nsBody); err != nil {
		return err
	} else if code != http.StatusCreated && code != http.StatusConflict {
		return fmt.Errorf("creating namespace %s: HTTP %d: %s", ns, code, body)
	}
	code, body, err := send(ctx, hc, http.MethodGet, host+"/api/v1/namespaces/"+ns+"/configmaps", nil)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("listing ConfigMaps in %s: HTTP %d: %s", ns, code, body)
	}
	var list struct {
		Items []struct {
			Metadata struct{ Name string } `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return fmt.Errorf("listing ConfigMaps in %s: %w", ns, err)
	}
	have := make(map[string]bool, len(list.Items))
	for _, it := range list.Items {
		have[it.Metadata.Name] = true
	}
	work := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := range work {
				code, body, err := send(ctx, hc, http.MethodPost, host+"/api/v1/namespaces/"+ns+"/configmaps", benchConfigMap(ns, i))
				if err == nil && code != http.StatusCreated && code != http.StatusConflict {
					err = fmt.Errorf("creating ConfigMap %d in %s: HTTP %d: %s", i, ns, code, body)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range n {
		if !have[fmt.Sprintf("cm-%05d", i)] {
			work <- i
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// send makes one JSON request and returns the status code and body.
func send(ctx context.Context, hc *http.Client, method, url string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}
