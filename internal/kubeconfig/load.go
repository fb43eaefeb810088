package kubeconfig

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v2"
)

// LoadFile reads and parses one kubeconfig file. Relative file references
// (certificate-authority, client-certificate, client-key, tokenFile, and an
// exec command containing a path separator) are made absolute against the
// file's directory, and *-data fields are decoded.
//
// It returns the os error when the file cannot be read, a *ParseError when
// it is not valid YAML, and a *FieldError when a *-data field is not base64.
// Unknown fields are ignored.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return Parse(path, data)
}

// Parse is LoadFile for bytes already read from path.
func Parse(path string, data []byte) (*File, error) {
	f := &File{}
	// yaml.v2 rather than a YAML-to-JSON conversion: its errors carry the
	// line, also for fields of the wrong type.
	if err := yaml.Unmarshal(data, f); err != nil {
		return nil, newParseError(path, err)
	}
	f.Path = path
	var err error
	dir := filepath.Dir(path)
	if abs, aerr := filepath.Abs(dir); aerr == nil {
		dir = abs
	}
	for i := range f.Clusters {
		c := &f.Clusters[i]
		cl := &c.Cluster
		cl.Origin = path
		cl.CertificateAuthority = resolve(dir, cl.CertificateAuthority)
		if cl.CAData, err = decode(cl.CertificateAuthorityData); err != nil {
			return nil, &FieldError{Path: path, Kind: "cluster", Name: c.Name, Field: "certificate-authority-data", Err: err}
		}
		for j := range cl.Extensions {
			cl.Extensions[j].Extension = stringKeys(cl.Extensions[j].Extension)
		}
	}
	for i := range f.Users {
		n := &f.Users[i]
		u := &n.User
		u.Origin = path
		u.ClientCertificate = resolve(dir, u.ClientCertificate)
		u.ClientKey = resolve(dir, u.ClientKey)
		u.TokenFile = resolve(dir, u.TokenFile)
		if u.CertData, err = decode(u.ClientCertificateData); err != nil {
			return nil, &FieldError{Path: path, Kind: "user", Name: n.Name, Field: "client-certificate-data", Err: err}
		}
		if u.KeyData, err = decode(u.ClientKeyData); err != nil {
			return nil, &FieldError{Path: path, Kind: "user", Name: n.Name, Field: "client-key-data", Err: err}
		}
		if u.Exec != nil && strings.ContainsRune(u.Exec.Command, filepath.Separator) {
			// A bare name is looked up in PATH; anything with a separator
			// is a path, relative to the file like every other path in it.
			u.Exec.Command = resolve(dir, u.Exec.Command)
		}
	}
	for i := range f.Contexts {
		f.Contexts[i].Context.Origin = path
	}
	return f, nil
}

func resolve(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// errNotBase64 deliberately carries no detail: the position of a bad byte
// says nothing useful and the bytes around it may be key material.
var errNotBase64 = errors.New("not valid base64")

func decode(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errNotBase64
	}
	return b, nil
}

// stringKeys turns yaml.v2's map[interface{}]interface{} into
// map[string]any, recursively, so the value can be marshalled as JSON for
// an exec plugin.
func stringKeys(v any) any {
	switch t := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = stringKeys(e)
		}
		return m
	case []any:
		for i := range t {
			t[i] = stringKeys(t[i])
		}
		return t
	default:
		return v
	}
}
