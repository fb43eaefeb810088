package transport

import (
	"bytes"
	"os"
	"sync"
	"time"
)

// racyWindow is how close to the moment it was read a file's modification
// time may be before the stat can no longer prove the file unchanged: a
// rewrite of the same size within one timestamp tick leaves size and mtime
// as they were. Files that recent are re-read on every use until they age
// (git's "racily clean" rule).
const racyWindow = 2 * time.Second

// watchedFile caches a small file and re-reads it only when a stat says it
// may have changed. One stat per use costs about a microsecond, so rotation
// (kubelet swaps service-account tokens through a symlink) is seen by the
// very next request.
type watchedFile struct {
	path string
	now  func() time.Time

	mu sync.Mutex // guards the fields below
	// data is the content last read; loaded says whether there is one.
	data   []byte
	loaded bool
	// info is the stat taken just before data was read; racy says the
	// stat cannot be trusted to detect the next change.
	info os.FileInfo
	racy bool
}

func newWatchedFile(path string) *watchedFile {
	return &watchedFile{path: path, now: time.Now}
}

// read returns the file's content and whether it differs from what the
// previous call returned. force skips the stat check. When the file cannot
// be read but was read before, the old content is returned: a file briefly
// missing mid-rotation must not fail requests. The error, from the os
// package, names the path.
func (w *watchedFile) read(force bool) (data []byte, changed bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fi, err := os.Stat(w.path)
	if err != nil {
		if w.loaded {
			return w.data, false, nil
		}
		return nil, false, err
	}
	if w.loaded && !force && !w.racy && sameFileState(fi, w.info) {
		return w.data, false, nil
	}
	b, err := os.ReadFile(w.path)
	if err != nil {
		if w.loaded {
			return w.data, false, nil
		}
		return nil, false, err
	}
	changed = !w.loaded || !bytes.Equal(b, w.data)
	w.data, w.loaded, w.info = b, true, fi
	w.racy = w.now().Sub(fi.ModTime()) < racyWindow
	return b, changed, nil
}

func sameFileState(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
