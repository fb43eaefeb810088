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

// String prints the Config with BearerToken, Password, the client key,
// exec plugin env values and any user info in Host masked, so %v and %+v of
// a Config are safe to log.
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
	if before, _, after, ok := splitUserInfo(c.Host); ok {
		c.Host = before + redacted + "@" + after
	}
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

// splitUserInfo finds the user info of a server address ("user:password@"
// after the scheme, before the host), which the REST client refuses but a
// hand-built Config may still hold. It works on the text, not on a parsed
// URL, so that an address that does not parse is masked too. ok is false
// when there is none; otherwise host == before + userinfo + "@" + after.
func splitUserInfo(host string) (before, userinfo, after string, ok bool) {
	start := 0
	if i := strings.Index(host, "://"); i >= 0 {
		start = i + len("://")
	}
	end := len(host)
	if i := strings.IndexAny(host[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(host[start:end], "@")
	if at < 0 {
		return "", "", "", false
	}
	at += start
	return host[:start], host[start:at], host[at+1:], true
}
