package transport

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file that goes missing keeps its last content, and that is logged once
// and reported until the file reads again; so is content its user rejects,
// until the content changes.
func TestWatchedFileReportsWhatItKeeps(t *testing.T) {
	p := writeFile(t, t.TempDir(), "token", []byte("one"), 0o600)
	w := newWatchedFile(p)
	var logged []string
	w.warn = func(s string) { logged = append(logged, s) }
	_, _, err := w.read(false)
	require.NoError(t, err)
	require.NoError(t, w.lastFailure())

	require.NoError(t, os.Remove(p))
	for range 3 {
		b, changed, err := w.read(false)
		require.NoError(t, err)
		assert.Equal(t, "one", string(b))
		assert.False(t, changed)
	}
	assert.True(t, errors.Is(w.lastFailure(), os.ErrNotExist), "got %v", w.lastFailure())
	require.Len(t, logged, 1, "logged once, not per read")
	assert.Contains(t, logged[0], p)
	assert.Contains(t, logged[0], "going on with its content read before")

	require.NoError(t, os.WriteFile(p, []byte("two"), 0o600))
	b, changed, err := w.read(false)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	assert.True(t, changed)
	require.NoError(t, w.lastFailure())

	bad := errors.New("two is no good")
	w.rejected(bad, "one")
	_, _, _ = w.read(true) // the same content: still rejected
	w.rejected(bad, "one")
	assert.ErrorIs(t, w.lastFailure(), bad)
	assert.Equal(t, []string{logged[0], "two is no good; going on with one"}, logged)
	require.NoError(t, os.WriteFile(p, []byte("three"), 0o600))
	_, changed, err = w.read(false)
	require.NoError(t, err)
	assert.True(t, changed)
	require.NoError(t, w.lastFailure(), "new content is not rejected until its user says so")
}
