package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// podStates reads pod status from the API server, as a kubelet knows its
// own containers' state.
type podStates struct {
	server string
	token  string
	client *http.Client
}

// newPodStates returns nil when no API server is given: every container is
// then taken as running.
func newPodStates(server, tokenFile, caFile string) (*podStates, error) {
	if server == "" {
		return nil, nil
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	return &podStates{
		server: server,
		token:  strings.TrimSpace(string(token)),
		client: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		},
	}, nil
}

// ended reports whether the container has terminated, or its pod is gone
// or finished.
func (p *podStates) ended(ctx context.Context, namespace, pod, container string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		p.server+"/api/v1/namespaces/"+url.PathEscape(namespace)+"/pods/"+url.PathEscape(pod), nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := p.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return true, nil
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("GET pod %s/%s: %s", namespace, pod, resp.Status)
	}
	var obj struct {
		Status struct {
			Phase             string `json:"phase"`
			ContainerStatuses []struct {
				Name  string `json:"name"`
				State struct {
					Terminated *struct{} `json:"terminated"`
				} `json:"state"`
			} `json:"containerStatuses"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&obj); err != nil {
		return false, err
	}
	if obj.Status.Phase == "Succeeded" || obj.Status.Phase == "Failed" {
		return true, nil
	}
	for _, cs := range obj.Status.ContainerStatuses {
		if cs.Name == container {
			return cs.State.Terminated != nil, nil
		}
	}
	return false, nil
}
