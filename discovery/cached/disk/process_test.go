package disk_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery/cached/disk"
	"github.com/anykube/anykube/discovery/discoverytest"
)

// TestHelperProcessFill is not a test: TestTwoProcessesShareADirectory runs
// the test binary with this test selected and the environment set, to get
// a second process filling the same cache directory.
func TestHelperProcessFill(t *testing.T) {
	host, dir := os.Getenv("ANYKUBE_DISK_HELPER_HOST"), os.Getenv("ANYKUBE_DISK_HELPER_DIR")
	if host == "" || dir == "" {
		t.Skip("helper process only")
	}
	c, err := disk.NewCachedDiscoveryClientForConfig(&anykube.Config{Host: host}, dir, "", 0)
	require.NoError(t, err)
	for range 30 {
		c.Invalidate()
		_, _, err := c.ServerGroupsAndResources()
		require.NoError(t, err)
	}
}

func TestTwoProcessesShareADirectory(t *testing.T) {
	small := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	large := discoverytest.Generate(discoverytest.Spec{Groups: 8, Versions: 2, Resources: 4})
	srv := discoverytest.NewServer(small, discoverytest.ServerOptions{})
	defer srv.Close()
	dir := t.TempDir()

	var procs []*exec.Cmd
	var outputs []*bytes.Buffer
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcessFill$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ANYKUBE_DISK_HELPER_HOST="+srv.URL, "ANYKUBE_DISK_HELPER_DIR="+dir)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		require.NoError(t, cmd.Start())
		procs = append(procs, cmd)
		outputs = append(outputs, out)
	}
	// The server changes under the processes, so that they write different
	// views over each other.
	stop := make(chan struct{})
	flipped := make(chan struct{})
	go func() {
		defer close(flipped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if i%2 == 0 {
				srv.SetAPI(large)
			} else {
				srv.SetAPI(small)
			}
		}
	}()
	for i, p := range procs {
		assert.NoError(t, p.Wait(), "helper output:\n%s", outputs[i])
	}
	close(stop)
	<-flipped
	require.NoError(t, filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		require.NoError(t, err)
		if !info.IsDir() {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, json.Valid(data), "%s is whole", path)
			assert.NotContains(t, info.Name(), ".tmp-")
		}
		return nil
	}))
	assert.Greater(t, srv.Requests(), 60, "both processes filled through the server")
}
