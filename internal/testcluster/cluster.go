package testcluster

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// dirPrefix names the temporary directories clusters run in.
const dirPrefix = "anykube-testcluster-"

// Options tunes a cluster. The zero value is what tests want.
type Options struct {
	// Log receives progress lines (binary builds, start, stop). Nil means
	// io.Discard.
	Log io.Writer
	// StartTimeout bounds the wait for /readyz. Zero means 90 seconds.
	StartTimeout time.Duration
	// ExtraAPIServerFlags are appended to kube-apiserver's command line.
	ExtraAPIServerFlags []string
	// Workloads also starts kube-controller-manager, kube-scheduler and
	// kwok with fake nodes, so that Deployments get ReplicaSets and Pods,
	// pods are scheduled, run and turn Ready, Jobs complete, namespaces
	// and owned objects are deleted, and pods/log, exec, attach and
	// portforward are served (see fakekubelet.go for what they serve).
	// False starts only etcd and kube-apiserver, which is all that tests of
	// the API need, and starts faster.
	Workloads bool
	// Nodes is the number of fake nodes of a Workloads cluster; zero or
	// less means 2.
	Nodes int
}

// Cluster is a running etcd and kube-apiserver.
type Cluster struct {
	// Host is the API server's URL, https://127.0.0.1:<port>.
	Host string
	// CAData is the PEM certificate authority that signed the server's
	// certificate.
	CAData []byte
	// Token is a bearer token for a user in system:masters.
	Token string
	// KubeconfigPath names a kubeconfig file with one context,
	// "anykube-testcluster", that reaches Host with Token.
	KubeconfigPath string
	// Dir is the cluster's working directory (data, certificates, logs).
	Dir string
	// Nodes names the fake nodes of a Workloads cluster, all Ready when
	// StartCluster returns; empty otherwise.
	Nodes []string
	// LogTime is the time stamp of the last line of the static container
	// log the fake kubelets serve (see StaticLogLine).
	LogTime time.Time

	etcd, apiserver *process
	workloads       *workloads // nil for a bare cluster
	stopOnce        sync.Once
}

// Start runs a cluster for the test and stops it in t.Cleanup. It fails the
// test when the cluster cannot start.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c, err := StartCluster(context.Background(), Options{Log: testLog{t}})
	if err != nil {
		t.Fatalf("testcluster: %v", err)
	}
	t.Cleanup(c.Stop)
	return c
}

// testLog sends progress lines to the test's log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// StartWorkloads is Start with Options.Workloads: a cluster whose pods run.
func StartWorkloads(t testing.TB) *Cluster {
	t.Helper()
	c, err := StartCluster(context.Background(), Options{Log: testLog{t}, Workloads: true})
	if err != nil {
		t.Fatalf("testcluster: %v", err)
	}
	t.Cleanup(c.Stop)
	return c
}

// StartCluster builds the binaries if needed, then starts etcd and
// kube-apiserver (and with opts.Workloads the controller manager, the
// scheduler and kwok) and waits until the server is ready (and the fake
// nodes are Ready). On failure everything already started is stopped and
// the error names the process that failed and its log file, with the tail
// of the log. The caller must call Stop.
func StartCluster(ctx context.Context, opts Options) (*Cluster, error) {
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	if swept := sweepStale(); len(swept) > 0 {
		fmt.Fprintf(logw, "testcluster: stopped processes left by a dead harness: %s\n", strings.Join(swept, ", "))
	}
	names := bareNames
	if opts.Workloads {
		names = workloadNames
	}
	bin, err := ensureBinaries(ctx, logw, names)
	if err != nil {
		return nil, err
	}
	// A freshly picked port can be taken by someone else before our
	// process binds it; try again with new ports when that happens.
	for attempt := 1; ; attempt++ {
		c, err := startOnce(ctx, bin, opts, logw)
		if err == nil {
			return c, nil
		}
		if attempt >= 3 || !strings.Contains(err.Error(), "address already in use") || ctx.Err() != nil {
			return nil, err
		}
	}
}

func startOnce(ctx context.Context, bin binaries, opts Options, logw io.Writer) (_ *Cluster, err error) {
	start := time.Now()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, LogTime: start.Truncate(time.Second)}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	p, err := newPKI(dir)
	if err != nil {
		return nil, fmt.Errorf("generating certificates: %w", err)
	}
	c.CAData = p.caPEM
	c.Token = randomToken()
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(c.Token+`,anykube-admin,anykube-admin,"system:masters"`+"\n"), 0o600); err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdClient := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	etcdPeer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	c.etcd, err = startProcess("etcd", bin.path("etcd"), []string{
		"--name=default",
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + etcdClient,
		"--advertise-client-urls=" + etcdClient,
		"--listen-peer-urls=" + etcdPeer,
		"--initial-advertise-peer-urls=" + etcdPeer,
		"--initial-cluster=default=" + etcdPeer,
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}, dir)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(ctx, nil, etcdClient+"/health", 30*time.Second, c.etcd); err != nil {
		return nil, err
	}

	c.Host = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	args := []string{
		"--etcd-servers=" + etcdClient,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		// A loopback advertise address is refused by the endpoint
		// reconciler; nothing in a test cluster needs the kubernetes
		// Service endpoints.
		"--endpoint-reconciler-type=none",
		"--secure-port=" + strconv.Itoa(ports[2]),
		"--tls-cert-file=" + p.servingCert,
		"--tls-private-key-file=" + p.servingKey,
		"--token-auth-file=" + tokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + p.saKey,
		"--service-account-signing-key-file=" + p.saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
		"--cert-dir=" + filepath.Join(dir, "certs"),
		// How the server reaches kubelets for pods/log, exec, attach and
		// portforward: by the node's InternalIP, checking the kubelet's
		// certificate against the cluster CA and presenting its own.
		"--kubelet-certificate-authority=" + p.caCert,
		"--kubelet-client-certificate=" + p.kubeletClientCert,
		"--kubelet-client-key=" + p.kubeletClientKey,
		"--kubelet-preferred-address-types=InternalIP,Hostname",
		"--v=0",
	}
	args = append(args, opts.ExtraAPIServerFlags...)
	c.apiserver, err = startProcess("kube-apiserver", bin.path("kube-apiserver"), args, dir)
	if err != nil {
		return nil, err
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 90 * time.Second
	}
	client, err := c.HTTPClient()
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(ctx, client, c.Host+"/readyz", timeout, c.apiserver, c.etcd); err != nil {
		return nil, err
	}
	// Tests create objects in "default" right away; the namespace is made
	// by a controller that may finish just after /readyz turns green.
	if err := waitHTTP(ctx, client, c.Host+"/api/v1/namespaces/default", timeout, c.apiserver, c.etcd); err != nil {
		return nil, err
	}
	if c.KubeconfigPath, err = c.writeKubeconfig(); err != nil {
		return nil, err
	}
	fmt.Fprintf(logw, "testcluster: kube-apiserver ready at %s in %s\n", c.Host, time.Since(start).Round(time.Millisecond))
	if opts.Workloads {
		ready := time.Now()
		if err := c.startWorkloads(ctx, bin, p, opts, timeout); err != nil {
			return nil, err
		}
		fmt.Fprintf(logw, "testcluster: %d fake nodes Ready %s after kube-apiserver\n", len(c.Nodes), time.Since(ready).Round(time.Millisecond))
	}
	return c, nil
}

// Stop kills every process of the cluster and removes its directory. It is
// safe to call more than once.
func (c *Cluster) Stop() {
	c.stopOnce.Do(func() {
		// Clients of the API server go first, so that none of them logs
		// errors about a server that went away.
		if c.workloads != nil {
			c.workloads.stop(5 * time.Second)
		}
		if c.apiserver != nil {
			c.apiserver.stop(5 * time.Second)
		}
		if c.etcd != nil {
			c.etcd.stop(5 * time.Second)
		}
		if c.Dir != "" {
			os.RemoveAll(c.Dir)
		}
	})
}

// HTTPClient returns a client that trusts the cluster's CA and sends its
// token: for tests that talk to the server without the library under test.
func (c *Cluster) HTTPClient() (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.CAData) {
		return nil, fmt.Errorf("testcluster: bad CA data")
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: bearer{token: c.Token, next: base}}, nil
}

// Processes returns the pids of the cluster's processes by name (etcd,
// kube-apiserver, and for a Workloads cluster kube-controller-manager,
// kube-scheduler and kwok), for tests that check they are gone after Stop.
func (c *Cluster) Processes() map[string]int {
	procs := map[string]int{}
	all := []*process{c.etcd, c.apiserver}
	if c.workloads != nil {
		all = append(all, c.workloads.processes()...)
	}
	for _, p := range all {
		if p != nil {
			procs[p.name] = p.cmd.Process.Pid
		}
	}
	return procs
}

// APIServerLogTail returns the last n lines of kube-apiserver's log, for
// test failure messages.
func (c *Cluster) APIServerLogTail(n int) string {
	if c.apiserver == nil {
		return ""
	}
	return c.apiserver.logTail(n)
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// writeKubeconfig writes a kubeconfig for the cluster into its directory.
func (c *Cluster) writeKubeconfig() (string, error) {
	path := filepath.Join(c.Dir, "kubeconfig")
	content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: anykube-testcluster
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: anykube-admin
  user:
    token: %s
contexts:
- name: anykube-testcluster
  context:
    cluster: anykube-testcluster
    user: anykube-admin
    namespace: default
current-context: anykube-testcluster
`, c.Host, base64.StdEncoding.EncodeToString(c.CAData), c.Token)
	return path, os.WriteFile(path, []byte(content), 0o600)
}

// freePorts asks the kernel for n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}
