package anykube

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestConfigPrintingMasksSecrets(t *testing.T) {
	cfg := Config{
		Host:        "https://k.example",
		BearerToken: "TOKEN-SECRET",
		Username:    "admin",
		Password:    "PASSWORD-SECRET",
		TLSClientConfig: TLSClientConfig{
			CertData: []byte("CERT"),
			KeyData:  []byte("KEY-SECRET"),
			CAData:   []byte("CA"),
		},
		ExecProvider: &ExecConfig{Command: "plugin", Env: []ExecEnvVar{{Name: "API_KEY", Value: "ENV-SECRET"}}},
	}
	for _, s := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(&cfg),
		fmt.Sprintf("%#v", &cfg), fmt.Sprintf("%v", cfg.TLSClientConfig), fmt.Sprintf("%#v", cfg.TLSClientConfig),
		fmt.Sprintf("%v", cfg.ExecProvider), fmt.Sprintf("%#v", cfg.ExecProvider), fmt.Sprintf("%+v", *cfg.ExecProvider),
	} {
		for _, secret := range []string{"TOKEN-SECRET", "PASSWORD-SECRET", "KEY-SECRET", "ENV-SECRET"} {
			assert.NotContains(t, s, secret)
		}
		assert.Contains(t, s, redacted, s)
	}
	s := fmt.Sprintf("%+v", cfg)
	assert.Contains(t, s, "Host:https://k.example")
	assert.Contains(t, s, "Username:admin")
	assert.Contains(t, s, "API_KEY")
	assert.Contains(t, s, "CertData:<4 bytes>")
	assert.Contains(t, fmt.Sprintf("%#v", cfg), "anykube.Config{")
	assert.Equal(t, "TOKEN-SECRET", cfg.BearerToken, "printing leaves the Config alone")
	assert.Equal(t, "ENV-SECRET", cfg.ExecProvider.Env[0].Value)
}

func TestConfigPrintingMasksUserInfoInHost(t *testing.T) {
	for host, want := range map[string]string{
		"https://admin:PW-SECRET@k.example:6443/prefix": "https://" + redacted + "@k.example:6443/prefix",
		"admin:PW-SECRET@k.example:6443":                redacted + "@k.example:6443",
		"https://TOKEN-SECRET@k.example":                "https://" + redacted + "@k.example",
		"https://a:PW-SECRET%zz@k.example":              "https://" + redacted + "@k.example",
		"https://k.example/path@with-at":                "https://k.example/path@with-at",
		"https://k.example":                             "https://k.example",
	} {
		cfg := Config{Host: host}
		for _, s := range []string{fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(&cfg)} {
			assert.NotContains(t, s, "SECRET", host)
			assert.Contains(t, s, want, host)
		}
		assert.Equal(t, host, cfg.Host, "printing leaves the Config alone")
	}
}
