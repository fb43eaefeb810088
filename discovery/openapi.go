package discovery

import (
	"context"
	"fmt"
	"net/url"

	"k8s.io/kube-openapi/pkg/spec3"
	"sigs.k8s.io/json"
)

// OpenAPIV3Client reads the server's OpenAPI v3 documents: an index at
// /openapi/v3 and one document per group-version.
type OpenAPIV3Client interface {
	// Paths returns the index, keyed by path ("api/v1", "apis/apps/v1").
	// It returns the request or decoding error when the index cannot be
	// read.
	Paths() (map[string]OpenAPIGroupVersion, error)
}

// OpenAPIGroupVersion is one group-version's OpenAPI v3 document.
type OpenAPIGroupVersion interface {
	// Schema returns the document's bytes in contentType
	// ("application/json" or
	// "application/com.github.proto-openapi.spec.v3@v1.0+protobuf"), or
	// the request error.
	Schema(contentType string) ([]byte, error)
	// ServerRelativeURL is where the document is served, with the hash
	// query parameter that makes it cacheable.
	ServerRelativeURL() string
	// Document returns the JSON document parsed with kube-openapi's spec3,
	// or the request or parse error.
	Document() (*spec3.OpenAPI, error)
}

// openAPIIndex is the body of /openapi/v3.
type openAPIIndex struct {
	Paths map[string]struct {
		ServerRelativeURL string `json:"serverRelativeURL"`
	} `json:"paths"`
}

// openAPIV3Client reads through a DiscoveryClient bound to a context.
type openAPIV3Client struct {
	d   *DiscoveryClient
	ctx context.Context
}

func (c openAPIV3Client) Paths() (map[string]OpenAPIGroupVersion, error) {
	res, err := c.d.get(c.ctx, "/openapi/v3", nil, AcceptV1, "", requestLimits{timeout: c.d.rootTimeout, retries: rootRetries})
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var index openAPIIndex
	if err := json.UnmarshalCaseSensitivePreserveInts(res.body, &index); err != nil {
		return nil, fmt.Errorf("discovery: decoding /openapi/v3: %w", err)
	}
	out := make(map[string]OpenAPIGroupVersion, len(index.Paths))
	for path, p := range index.Paths {
		out[path] = openAPIGroupVersion{c: c, path: path, url: p.ServerRelativeURL}
	}
	return out, nil
}

type openAPIGroupVersion struct {
	c    openAPIV3Client
	path string
	url  string
}

func (g openAPIGroupVersion) ServerRelativeURL() string { return g.url }

func (g openAPIGroupVersion) Schema(contentType string) ([]byte, error) {
	u, err := url.Parse(g.url)
	if err != nil {
		return nil, fmt.Errorf("discovery: OpenAPI v3 document %s has a bad URL: %w", g.path, err)
	}
	res, err := g.c.d.get(g.c.ctx, u.Path, u.Query(), contentType, "", requestLimits{timeout: g.c.d.rootTimeout, retries: rootRetries})
	if err != nil {
		return nil, fmt.Errorf("discovery: GET OpenAPI v3 document %s: %w", g.path, err)
	}
	return res.body, nil
}

func (g openAPIGroupVersion) Document() (*spec3.OpenAPI, error) {
	data, err := g.Schema("application/json")
	if err != nil {
		return nil, err
	}
	doc := &spec3.OpenAPI{}
	if err := doc.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("discovery: parsing OpenAPI v3 document %s: %w", g.path, err)
	}
	return doc, nil
}
