package disk_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/discovery/cached/disk"
	"github.com/anykube/anykube/discovery/fake"
)

// A server (or caller) naming a group or version ".." must not make the
// cache read or write files outside its directory.
func TestGroupVersionNamesCannotEscapeTheDirectory(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "cache")
	hostile := &metav1.APIResourceList{GroupVersion: "../..", APIResources: []metav1.APIResource{{Name: "pods", Kind: "Pod", Verbs: []string{"get"}}}}
	good := &metav1.APIResourceList{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Kind: "Pod", Verbs: []string{"get"}}}}
	c := disk.NewCachedDiscoveryClient(&fake.FakeDiscovery{Resources: []*metav1.APIResourceList{good, hostile}}, dir, 0)

	_, lists, err := c.ServerGroupsAndResources()
	require.NoError(t, err)
	assert.Len(t, lists, 2, "the answer itself is still given")
	_, err = c.ServerResourcesForGroupVersion("../..")
	require.NoError(t, err)

	for _, p := range []string{filepath.Join(root, "a", "serverresources.json"), filepath.Join(root, "a", "b", "serverresources.json")} {
		_, err := os.Stat(p)
		assert.True(t, os.IsNotExist(err), "%s was written outside the cache directory", p)
	}
	_, err = os.Stat(filepath.Join(dir, "v1", "serverresources.json"))
	assert.NoError(t, err, "ordinary group-versions are still cached")

}

func TestPlantedFilesOutsideTheDirectoryAreNotRead(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "cache")
	served := &metav1.APIResourceList{GroupVersion: "../..", APIResources: []metav1.APIResource{{Name: "pods", Kind: "Pod", Verbs: []string{"get"}}}}
	core := &metav1.APIResourceList{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Kind: "Pod", Verbs: []string{"get"}}}}
	// kubectl's layout names the hostile group-version, whose list would be
	// dir/../../serverresources.json.
	writeJSON(t, filepath.Join(dir, "servergroups.json"), &metav1.APIGroupList{Groups: []metav1.APIGroup{
		{Versions: []metav1.GroupVersionForDiscovery{{GroupVersion: "v1", Version: "v1"}}},
		{Name: "..", Versions: []metav1.GroupVersionForDiscovery{{GroupVersion: "../..", Version: ".."}}},
	}})
	writeJSON(t, filepath.Join(dir, "v1", "serverresources.json"), core)
	writeJSON(t, filepath.Join(root, "a", "serverresources.json"),
		&metav1.APIResourceList{GroupVersion: "../..", APIResources: []metav1.APIResource{{Name: "planted", Kind: "Planted"}}})

	c := disk.NewCachedDiscoveryClient(&fake.FakeDiscovery{Resources: []*metav1.APIResourceList{core, served}}, dir, 0)
	list, err := c.ServerResourcesForGroupVersion("../..")
	require.NoError(t, err)
	require.Len(t, list.APIResources, 1)
	assert.Equal(t, "pods", list.APIResources[0].Name, "the list came from outside the cache directory")
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, data, 0o600))
}
