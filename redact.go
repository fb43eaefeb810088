package anykube

import (
	"fmt"
	"strings"
)

// redacted stands in for a secret in printed configs.
const redacted = "--- REDACTED ---"

// plainConfig has Config's fields but not its methods, so that printing it
// does not recurse into String.
type plainConfig Config

// String prints the Config with BearerToken, Password, the client key and
// exec plugin env values masked, so %v and %+v of a Config are safe to log.
func (c Config) String() string {
	return fmt.Sprintf("%+v", plainConfig(c.redact()))
}

// GoString is String for %#v.
func (c Config) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", plainConfig(c.redact())), "anykube.plainConfig", "anykube.Config", 1)
}

// redact returns a copy of c with its secrets replaced. Nested values that
// print themselves (TLSClientConfig, ExecConfig) mask their own.
func (c Config) redact() Config {
	if c.BearerToken != "" {
		c.BearerToken = redacted
	}
	if c.Password != "" {
		c.Password = redacted
	}
	return c
}

// String prints the TLS settings with KeyData masked; certificate and CA
// data, which are public, are shown as their length.
func (t TLSClientConfig) String() string {
	return fmt.Sprintf("{Insecure:%t ServerName:%s CertFile:%s KeyFile:%s CAFile:%s CertData:%s KeyData:%s CAData:%s}",
		t.Insecure, t.ServerName, t.CertFile, t.KeyFile, t.CAFile, dataLen(t.CertData), redactData(t.KeyData), dataLen(t.CAData))
}

// GoString is String for %#v.
func (t TLSClientConfig) GoString() string {
	return fmt.Sprintf("anykube.TLSClientConfig{Insecure:%t, ServerName:%q, CertFile:%q, KeyFile:%q, CAFile:%q, CertData:%s, KeyData:%s, CAData:%s}",
		t.Insecure, t.ServerName, t.CertFile, t.KeyFile, t.CAFile, dataLen(t.CertData), redactData(t.KeyData), dataLen(t.CAData))
}

func dataLen(b []byte) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprintf("<%d bytes>", len(b))
}

func redactData(b []byte) string {
	if b == nil {
		return "nil"
	}
	return redacted
}

// plainExecConfig is ExecConfig without its methods.
type plainExecConfig ExecConfig

// String prints the exec stanza with the values of Env masked: plugins are
// often handed secrets through their environment.
func (e ExecConfig) String() string {
	return fmt.Sprintf("%+v", plainExecConfig(e.redact()))
}

// GoString is String for %#v.
func (e ExecConfig) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", plainExecConfig(e.redact())), "anykube.plainExecConfig", "anykube.ExecConfig", 1)
}

func (e ExecConfig) redact() ExecConfig {
	if len(e.Env) > 0 {
		env := make([]ExecEnvVar, len(e.Env))
		for i, v := range e.Env {
			env[i] = ExecEnvVar{Name: v.Name, Value: redacted}
		}
		e.Env = env
	}
	return e
}
