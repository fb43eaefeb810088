package anykube

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// serviceAccountDir is where the kubelet mounts a pod's service-account
// token, CA bundle and namespace. A variable so tests can point elsewhere.
var serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// InClusterConfig returns the Config a pod uses to reach its own cluster:
// the API server from KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT,
// the service-account token as BearerTokenFile (re-read when the kubelet
// rotates it), and the service-account ca.crt as CAFile when present
// (re-read when it changes, as when the cluster's CA rotates).
//
// It returns an error wrapping ErrNotInCluster when either variable is
// unset or the token file does not exist, and the os error when the token
// file exists but cannot be read.
func InClusterConfig() (*Config, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, fmt.Errorf("%w: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set", ErrNotInCluster)
	}
	token := filepath.Join(serviceAccountDir, "token")
	// Read, not just opened, so an unreadable token fails here rather than
	// at the first request.
	if _, err := os.ReadFile(token); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: service-account token %s does not exist", ErrNotInCluster, token)
		}
		return nil, fmt.Errorf("in-cluster config: %w", err)
	}
	cfg := &Config{
		// JoinHostPort brackets an IPv6 address: https://[fd00::1]:443.
		Host:            "https://" + net.JoinHostPort(host, port),
		BearerTokenFile: token,
	}
	// Without ca.crt the system roots are used, as client-go does; the
	// TLS error at the first request then says what is wrong.
	ca := filepath.Join(serviceAccountDir, "ca.crt")
	if _, err := os.Stat(ca); err == nil {
		cfg.TLSClientConfig.CAFile = ca
	}
	return cfg, nil
}

// InClusterNamespace returns the namespace a pod runs in: POD_NAMESPACE when
// set (the downward API's usual name), else the service-account namespace
// file, else "default". It fails only when the namespace file exists but
// cannot be read.
func InClusterNamespace() (string, error) {
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns, nil
	}
	b, err := os.ReadFile(filepath.Join(serviceAccountDir, "namespace"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "default", nil
		}
		return "", fmt.Errorf("in-cluster namespace: %w", err)
	}
	if ns := strings.TrimSpace(string(b)); ns != "" {
		return ns, nil
	}
	return "default", nil
}
