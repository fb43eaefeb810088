// Package e2e holds helpers shared by anykube's end-to-end tests against a
// real API server: installing CustomResourceDefinitions and waiting until
// discovery serves them. It speaks raw HTTP, so that tests of the library
// do not set up their cluster with the code under test.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// CRD describes one CustomResourceDefinition to install.
type CRD struct {
	Group string
	// Kind is the kind, such as "Widget"; Plural and Singular default to
	// its lower-case form with and without a trailing "s".
	Kind     string
	Plural   string
	Singular string
	// Versions are served; the first is the storage version.
	Versions   []string
	Namespaced bool
	ShortNames []string
	Categories []string
	// Scale adds a scale subresource on .spec.replicas and
	// .status.replicas; a status subresource is always added.
	Scale bool
}

// Name is the CRD's object name, <plural>.<group>.
func (c CRD) Name() string { return c.plural() + "." + c.Group }

func (c CRD) plural() string {
	if c.Plural != "" {
		return c.Plural
	}
	return strings.ToLower(c.Kind) + "s"
}

func (c CRD) singular() string {
	if c.Singular != "" {
		return c.Singular
	}
	return strings.ToLower(c.Kind)
}

// GenerateCRDs returns n CRDs spread over five groups
// (e2e0.anykube.test ... e2e4.anykube.test): kinds Thing00, Thing01, ...;
// every third one served as v1 and v1beta1, the others as v1 only; even ones
// namespaced; each with a short name ("th00") and the category
// "anykube-e2e"; the first with a scale subresource.
func GenerateCRDs(n int) []CRD {
	out := make([]CRD, 0, n)
	for i := range n {
		c := CRD{
			Group:      fmt.Sprintf("e2e%d.anykube.test", i%5),
			Kind:       fmt.Sprintf("Thing%02d", i),
			Versions:   []string{"v1"},
			Namespaced: i%2 == 0,
			ShortNames: []string{fmt.Sprintf("th%02d", i)},
			Categories: []string{"anykube-e2e"},
			Scale:      i == 0,
		}
		if i%3 == 0 {
			c.Versions = []string{"v1", "v1beta1"}
		}
		out = append(out, c)
	}
	return out
}

// manifest returns the CRD object as JSON.
func (c CRD) manifest() ([]byte, error) {
	schema := map[string]any{"openAPIV3Schema": map[string]any{
		"type": "object", "x-kubernetes-preserve-unknown-fields": true,
	}}
	subresources := map[string]any{"status": map[string]any{}}
	if c.Scale {
		subresources["scale"] = map[string]any{
			"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
		}
	}
	var versions []any
	for i, v := range c.Versions {
		versions = append(versions, map[string]any{
			"name": v, "served": true, "storage": i == 0, "schema": schema, "subresources": subresources,
		})
	}
	scope := "Cluster"
	if c.Namespaced {
		scope = "Namespaced"
	}
	return json.Marshal(map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": c.Name()},
		"spec": map[string]any{
			"group": c.Group,
			"scope": scope,
			"names": map[string]any{
				"kind": c.Kind, "listKind": c.Kind + "List", "plural": c.plural(), "singular": c.singular(),
				"shortNames": c.ShortNames, "categories": c.Categories,
			},
			"versions": versions,
		},
	})
}

const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"

// InstallCRDs creates crds (eight at a time) through hc on the server at
// host, then waits until each is Established and the aggregated /apis
// document lists every version of every one. A CRD that already exists is
// left as it is. It returns the first error, or ctx's.
func InstallCRDs(ctx context.Context, hc *http.Client, host string, crds []CRD) error {
	host = strings.TrimSuffix(host, "/")
	sem := make(chan struct{}, 8)
	errs := make(chan error, len(crds))
	var wg sync.WaitGroup
	for _, c := range crds {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- install(ctx, hc, host, c)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return WaitDiscovered(ctx, hc, host, crds)
}

func install(ctx context.Context, hc *http.Client, host string, c CRD) error {
	body, err := c.manifest()
	if err != nil {
		return err
	}
	code, resp, err := do(ctx, hc, http.MethodPost, host+crdPath, body, "")
	if err != nil {
		return fmt.Errorf("creating CRD %s: %w", c.Name(), err)
	}
	if code != http.StatusCreated && code != http.StatusConflict {
		return fmt.Errorf("creating CRD %s: HTTP %d: %s", c.Name(), code, resp)
	}
	return poll(ctx, func() (bool, error) {
		code, resp, err := do(ctx, hc, http.MethodGet, host+crdPath+"/"+c.Name(), nil, "")
		if err != nil || code != http.StatusOK {
			return false, err
		}
		var crd struct {
			Status struct {
				Conditions []struct{ Type, Status string } `json:"conditions"`
			} `json:"status"`
		}
		if err := json.Unmarshal(resp, &crd); err != nil {
			return false, err
		}
		for _, cond := range crd.Status.Conditions {
			if cond.Type == "Established" && cond.Status == "True" {
				return true, nil
			}
		}
		return false, nil
	})
}

// WaitDiscovered polls the aggregated /apis document until it lists every
// version of every CRD with the CRD's plural, or ctx ends.
func WaitDiscovered(ctx context.Context, hc *http.Client, host string, crds []CRD) error {
	host = strings.TrimSuffix(host, "/")
	want := make(map[string]bool)
	for _, c := range crds {
		for _, v := range c.Versions {
			want[c.Group+"/"+v+"/"+c.plural()] = true
		}
	}
	return poll(ctx, func() (bool, error) {
		code, body, err := do(ctx, hc, http.MethodGet, host+"/apis", nil,
			"application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
		if err != nil || code != http.StatusOK {
			return false, err
		}
		var list struct {
			Items []struct {
				Metadata struct{ Name string } `json:"metadata"`
				Versions []struct {
					Version   string `json:"version"`
					Resources []struct {
						Resource string `json:"resource"`
					} `json:"resources"`
				} `json:"versions"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			return false, err
		}
		have := make(map[string]bool)
		for _, g := range list.Items {
			for _, v := range g.Versions {
				for _, r := range v.Resources {
					have[g.Metadata.Name+"/"+v.Version+"/"+r.Resource] = true
				}
			}
		}
		for k := range want {
			if !have[k] {
				return false, nil
			}
		}
		return true, nil
	})
}

// DeleteCRDs deletes crds; ones already gone are not an error. It does not
// wait for the deletion to finish.
func DeleteCRDs(ctx context.Context, hc *http.Client, host string, crds []CRD) error {
	host = strings.TrimSuffix(host, "/")
	for _, c := range crds {
		code, body, err := do(ctx, hc, http.MethodDelete, host+crdPath+"/"+c.Name(), nil, "")
		if err != nil {
			return fmt.Errorf("deleting CRD %s: %w", c.Name(), err)
		}
		if code != http.StatusOK && code != http.StatusAccepted && code != http.StatusNotFound {
			return fmt.Errorf("deleting CRD %s: HTTP %d: %s", c.Name(), code, body)
		}
	}
	return nil
}

func do(ctx context.Context, hc *http.Client, method, url string, body []byte, accept string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// poll calls cond every 100ms until it returns true or an error, or ctx
// ends.
func poll(ctx context.Context, cond func() (bool, error)) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for CRDs: %w", ctx.Err())
		case <-t.C:
		}
	}
}
