package applyset

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestID(t *testing.T) {
	sum := sha256.Sum256([]byte("app.ns.Secret."))
	assert.Equal(t, "applyset-"+base64.RawURLEncoding.EncodeToString(sum[:])+"-v1", ID("app", "ns", schema.GroupKind{Kind: "Secret"}))
	// A label value: alphanumeric at both ends, at most 63 characters.
	id := ID("x", "", schema.GroupKind{Group: "example.com", Kind: "Parent"})
	assert.Regexp(t, regexp.MustCompile(`^[a-z0-9][-A-Za-z0-9_.]{0,61}[a-z0-9]$`), id)
	assert.NotEqual(t, id, ID("x", "", schema.GroupKind{Group: "example.org", Kind: "Parent"}))
}

func TestAnnotationLists(t *testing.T) {
	assert.Equal(t, "Deployment.apps,Namespace", joinSorted(map[string]bool{"Namespace": true, "Deployment.apps": true}, ""))
	assert.Equal(t, "b", joinSorted(map[string]bool{"a": true, "b": true, "": true}, "a"))
	assert.Equal(t, map[string]bool{"a": true, "b": true}, splitList(" a,,b "))
	assert.Empty(t, splitList(""))
}
