package discoverytest

import (
	"io"
	"net/http"
	"testing"
)

// TestChunked checks that a Chunked server sends documents, small ones
// too, without a Content-Length, and the same bytes as a sized one.
func TestChunked(t *testing.T) {
	api := Generate(Spec{Groups: 300, Resources: 3})
	var bodies [2][]byte
	for i, chunked := range []bool{false, true} {
		srv := NewServer(api, ServerOptions{Chunked: chunked})
		for _, path := range []string{"/apis", "/apis/g000.example.com/v1"} {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if sized := resp.ContentLength >= 0; sized == chunked {
				t.Errorf("chunked %v: %s sent with Content-Length %d", chunked, path, resp.ContentLength)
			}
			if path == "/apis" {
				bodies[i] = body
			}
		}
		srv.Close()
	}
	if string(bodies[0]) != string(bodies[1]) {
		t.Errorf("chunked /apis differs from the sized one")
	}
}
