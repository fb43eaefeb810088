package testcluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// kwokNodeAnnotation marks the nodes kwok manages; nodes without it (none
// today) would be left to a real kubelet.
const kwokNodeAnnotation = "kwok.x-k8s.io/node"

// workloads is what a cluster runs beyond etcd and kube-apiserver so that
// pods run: the controller manager, the scheduler, kwok playing the nodes'
// and pods' lifecycle, and the fake kubelet serving their API.
type workloads struct {
	controllerManager, scheduler, kwok, kubelet *process
}

// processes returns the running workload processes.
func (w *workloads) processes() []*process {
	var ps []*process
	for _, p := range []*process{w.kwok, w.kubelet, w.scheduler, w.controllerManager} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// stop stops the processes together, each with the grace period.
func (w *workloads) stop(grace time.Duration) {
	var wg sync.WaitGroup
	for _, p := range w.processes() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.stop(grace)
		}()
	}
	wg.Wait()
}

// startWorkloads starts kube-controller-manager, kube-scheduler and kwok
// against the running API server, registers the fake nodes and waits until
// they are Ready and the default service account exists (pods in "default"
// are refused until it does). c.workloads holds whatever started, for Stop.
func (c *Cluster) startWorkloads(ctx context.Context, bin binaries, p *pki, opts Options, timeout time.Duration) error {
	w := &workloads{}
	c.workloads = w
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	kcmPort, schedPort, kubeletPort := ports[0], ports[1], ports[2]
	kwokFile := filepath.Join(c.Dir, "kwok.yaml")
	if err := os.WriteFile(kwokFile, []byte(kwokConfig(kubeletPort)), 0o600); err != nil {
		return err
	}
	tokenFile := filepath.Join(c.Dir, "token")
	if err := os.WriteFile(tokenFile, []byte(c.Token), 0o600); err != nil {
		return err
	}
	w.kubelet, err = startProcess("fakekubelet", bin.path("fakekubelet"), fakeKubeletArgs(c, p, kubeletPort, tokenFile), c.Dir)
	if err != nil {
		return err
	}
	// Both components authenticate their /healthz callers through the API
	// server, and leave /healthz open to anyone; the admin kubeconfig is
	// all they need.
	common := []string{
		"--kubeconfig=" + c.KubeconfigPath,
		"--authentication-kubeconfig=" + c.KubeconfigPath,
		"--authorization-kubeconfig=" + c.KubeconfigPath,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
	}
	w.controllerManager, err = startProcess("kube-controller-manager", bin.path("kube-controller-manager"), append(common,
		"--secure-port="+strconv.Itoa(kcmPort),
		"--cert-dir="+filepath.Join(c.Dir, "kcm-certs"),
		"--controllers=*",
		"--service-account-private-key-file="+p.saKey,
		"--root-ca-file="+p.caCert,
		"--cluster-signing-cert-file="+p.caCert,
		"--cluster-signing-key-file="+p.caKey,
		"--use-service-account-credentials=false",
		"--v=1",
	), c.Dir)
	if err != nil {
		return err
	}
	w.scheduler, err = startProcess("kube-scheduler", bin.path("kube-scheduler"), append(common,
		"--secure-port="+strconv.Itoa(schedPort),
		"--cert-dir="+filepath.Join(c.Dir, "scheduler-certs"),
		"--v=1",
	), c.Dir)
	if err != nil {
		return err
	}
	// kwok reads ~/.kwok/kwok.yaml when it exists: a home of its own keeps
	// the user's configuration out of the tests.
	home := filepath.Join(c.Dir, "kwok-home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	w.kwok, err = startProcess("kwok", bin.path("kwok"), []string{
		"--kubeconfig=" + c.KubeconfigPath,
		"--config=" + kwokFile,
		"--manage-nodes-with-annotation-selector=" + kwokNodeAnnotation + "=fake",
		// No --node-port or --server-address: kwok's own kubelet server
		// stays off, the fake kubelet serves the nodes' port instead.
		"--node-ip=127.0.0.1",
		"--cidr=10.244.0.0/16",
	}, c.Dir, "HOME="+home)
	if err != nil {
		return err
	}

	client, err := c.HTTPClient()
	if err != nil {
		return err
	}
	n := opts.Nodes
	if n <= 0 {
		n = 2
	}
	for i := range n {
		name := fmt.Sprintf("kwok-node-%d", i)
		if err := c.createNode(ctx, client, name); err != nil {
			return err
		}
		c.Nodes = append(c.Nodes, name)
	}

	// The components serve /healthz with self-signed certificates; only
	// reachability matters here, the API server's identity is checked
	// elsewhere.
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	// The fake kubelet checks client certificates as a kubelet does: ask
	// it as the API server would.
	kubeletClient, err := p.kubeletClient()
	if err != nil {
		return err
	}
	all := append([]*process{c.apiserver, c.etcd}, w.processes()...)
	checks := []struct {
		proc   *process
		client *http.Client
		url    string
	}{
		{w.controllerManager, insecure, "https://127.0.0.1:" + strconv.Itoa(kcmPort) + "/healthz"},
		{w.scheduler, insecure, "https://127.0.0.1:" + strconv.Itoa(schedPort) + "/healthz"},
		{w.kubelet, kubeletClient, "https://127.0.0.1:" + strconv.Itoa(kubeletPort) + "/healthz"},
	}
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, ch := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = waitHTTP(ctx, ch.client, ch.url, timeout, append([]*process{ch.proc}, all...)...)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := waitFor(ctx, timeout, "the fake nodes to turn Ready", w.kwok, all, func(ctx context.Context) (bool, string, error) {
		return c.nodesReady(ctx, client)
	}); err != nil {
		return err
	}
	return waitHTTP(ctx, client, c.Host+"/api/v1/namespaces/default/serviceaccounts/default", timeout, append([]*process{w.controllerManager}, all...)...)
}

// createNode registers a fake node for kwok to manage. Its labels are the
// ones a kubelet sets on itself.
func (c *Cluster) createNode(ctx context.Context, client *http.Client, name string) error {
	node := map[string]any{
		"apiVersion": "v1",
		"kind":       "Node",
		"metadata": map[string]any{
			"name":        name,
			"annotations": map[string]string{kwokNodeAnnotation: "fake"},
			"labels": map[string]string{
				"kubernetes.io/hostname": name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
		},
	}
	body, _ := json.Marshal(node)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Host+"/api/v1/nodes", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("creating node %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return fmt.Errorf("creating node %s: HTTP %d: %s", name, resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return nil
}

// nodesReady reports whether every node of the cluster has condition Ready
// True, and else which are not.
func (c *Cluster) nodesReady(ctx context.Context, client *http.Client) (bool, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Host+"/api/v1/nodes", nil)
	if err != nil {
		return false, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err.Error(), nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, "GET /api/v1/nodes: " + resp.Status, nil
	}
	var list struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Status struct {
				Conditions []struct {
					Type   string `json:"type"`
					Status string `json:"status"`
				} `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return false, "decoding nodes: " + err.Error(), nil
	}
	ready := map[string]bool{}
	for _, n := range list.Items {
		for _, cond := range n.Status.Conditions {
			if cond.Type == "Ready" && cond.Status == "True" {
				ready[n.Metadata.Name] = true
			}
		}
	}
	var notReady []string
	for _, name := range c.Nodes {
		if !ready[name] {
			notReady = append(notReady, name)
		}
	}
	if len(notReady) > 0 {
		return false, "not Ready: " + strings.Join(notReady, ", "), nil
	}
	return true, "", nil
}
