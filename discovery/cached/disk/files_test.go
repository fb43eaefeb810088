package disk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentWritersNeverTearAFile has writers replace one file with
// documents of different sizes while readers parse it: every read must be
// one whole document.
func TestConcurrentWritersNeverTearAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g", "v1", "serverresources.json")
	docs := make([][]byte, 4)
	for i := range docs {
		items := make([]string, 200*(i+1))
		for j := range items {
			items[j] = fmt.Sprintf("writer-%d-item-%d", i, j)
		}
		data, err := json.Marshal(map[string]any{"writer": i, "items": items})
		require.NoError(t, err)
		docs[i] = data
	}
	require.NoError(t, writeFile(path, docs[0]))

	var wg sync.WaitGroup
	for i := range docs {
		wg.Go(func() {
			for range 50 {
				assert.NoError(t, writeFile(path, docs[i]))
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 200 {
				data, _, err := readFile(path)
				if !assert.NoError(t, err) {
					return
				}
				whole := false
				for _, d := range docs {
					whole = whole || bytes.Equal(d, data)
				}
				assert.True(t, whole, "read a torn file of %d bytes", len(data))
			}
		})
	}
	wg.Wait()

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

// TestReadFileSizes reads files around the buffer's edges back whole,
// with their modification time.
func TestReadFileSizes(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 1 << 20} {
		path := filepath.Join(dir, fmt.Sprintf("f%d", n))
		want := bytes.Repeat([]byte("abcdefg"), n/7+1)[:n]
		require.NoError(t, os.WriteFile(path, want, 0o600))
		info, err := os.Stat(path)
		require.NoError(t, err)
		got, mod, err := readFile(path)
		require.NoError(t, err)
		require.Equal(t, want, got, "size %d", n)
		require.True(t, mod.Equal(info.ModTime()))
	}
	_, _, err := readFile(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
