package transport

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The ExecCredential versions anykube speaks. v1alpha1 was removed from
// Kubernetes in 1.24 and is not accepted.
const (
	execAPIV1      = "client.authentication.k8s.io/v1"
	execAPIV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// execCredential is the object exchanged with a plugin: the spec goes in
// through KUBERNETES_EXEC_INFO, the status comes back on standard output.
// v1 and v1beta1 have the same JSON shape.
type execCredential struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Spec       execSpec    `json:"spec"`
	Status     *execStatus `json:"status,omitempty"`
}

type execSpec struct {
	Cluster     *execCluster `json:"cluster,omitempty"`
	Interactive bool         `json:"interactive"`
}

// execCluster tells a plugin which cluster it is authenticating to, when the
// kubeconfig set provideClusterInfo.
type execCluster struct {
	Server                   string         `json:"server"`
	TLSServerName            string         `json:"tls-server-name,omitempty"`
	InsecureSkipTLSVerify    bool           `json:"insecure-skip-tls-verify,omitempty"`
	CertificateAuthorityData []byte         `json:"certificate-authority-data,omitempty"`
	ProxyURL                 string         `json:"proxy-url,omitempty"`
	DisableCompression       bool           `json:"disable-compression,omitempty"`
	Config                   map[string]any `json:"config,omitempty"`
}

type execStatus struct {
	ExpirationTimestamp   *time.Time `json:"expirationTimestamp,omitempty"`
	Token                 string     `json:"token,omitempty"`
	ClientCertificateData string     `json:"clientCertificateData,omitempty"`
	ClientKeyData         string     `json:"clientKeyData,omitempty"`
}

// credentials is what one plugin run produced.
type credentials struct {
	token string
	cert  *tls.Certificate
	// expiry is zero when the plugin gave none: the credential is then
	// kept until the server rejects it.
	expiry time.Time
}

// parseExecOutput checks and decodes a plugin's standard output. Its errors
// never quote the output, which holds a credential when it is well formed
// and may hold one when it is not.
func parseExecOutput(out []byte, apiVersion string) (*credentials, error) {
	var ec execCredential
	if err := json.Unmarshal(out, &ec); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var tim *time.ParseError
		switch {
		case errors.As(err, &tim):
			return nil, errors.New("output status.expirationTimestamp is not an RFC 3339 time (output not shown)")
		case errors.As(err, &syn):
			return nil, fmt.Errorf("output is not valid JSON (error at byte %d; output not shown)", syn.Offset)
		case errors.As(err, &typ):
			return nil, fmt.Errorf("output field %q has the wrong type (output not shown)", typ.Field)
		default:
			return nil, errors.New("output could not be decoded as an ExecCredential (output not shown)")
		}
	}
	if ec.Kind != "ExecCredential" {
		return nil, errors.New(`output is not of kind "ExecCredential"`)
	}
	if ec.APIVersion != apiVersion {
		return nil, fmt.Errorf("output apiVersion differs from the configured %q", apiVersion)
	}
	st := ec.Status
	if st == nil {
		return nil, errors.New("output has no status")
	}
	c := &credentials{token: st.Token}
	if st.ExpirationTimestamp != nil {
		c.expiry = *st.ExpirationTimestamp
	}
	hasCert, hasKey := st.ClientCertificateData != "", st.ClientKeyData != ""
	switch {
	case hasCert != hasKey:
		return nil, errors.New("output status must set both clientCertificateData and clientKeyData, or neither")
	case hasCert:
		pair, err := tls.X509KeyPair([]byte(st.ClientCertificateData), []byte(st.ClientKeyData))
		if err != nil {
			return nil, fmt.Errorf("output status clientCertificateData and clientKeyData: %w", err)
		}
		c.cert = &pair
	case st.Token == "":
		return nil, errors.New("output status has neither a token nor a client certificate")
	}
	return c, nil
}
