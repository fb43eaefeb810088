package transport

import (
	"bytes"
	"os"
	"sync"
	"time"

	"k8s.io/klog/v2"
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
	// warn logs a failure the file's users do not see (klog.Warning
	// unless a test replaces it).
	warn func(string)

	mu sync.Mutex // guards the fields below
	// data is the content last read; loaded says whether there is one.
	data   []byte
	loaded bool
	// info is the stat taken just before data was read; racy says the
	// stat cannot be trusted to detect the next change.
	info os.FileInfo
	racy bool
	// readErr is why the file could not be read last time (nil when it
	// could); rejectErr why its user found the content read last unusable
	// (nil when it did not, or the content has changed since). warned is
	// the text last logged for either.
	readErr, rejectErr error
	warned             string
}

func newWatchedFile(path string) *watchedFile {
	return &watchedFile{path: path, now: time.Now, warn: func(s string) { klog.Warning(s) }}
}

// read returns the file's content and whether it differs from what the
// previous call returned. force skips the stat check. When the file cannot
// be read but was read before, the old content is returned: a file briefly
// missing mid-rotation must not fail requests. That is not kept silent: it
// is logged once per distinct cause, and lastFailure reports it until the file
// reads again. The error, from the os package, names the path.
func (w *watchedFile) read(force bool) (data []byte, changed bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fi, err := os.Stat(w.path)
	if err != nil {
		if w.loaded {
			w.readErr = err
			w.warnLocked(err, "its content read before")
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
			w.readErr = err
			w.warnLocked(err, "its content read before")
			return w.data, false, nil
		}
		return nil, false, err
	}
	changed = !w.loaded || !bytes.Equal(b, w.data)
	w.data, w.loaded, w.info = b, true, fi
	w.racy = w.now().Sub(fi.ModTime()) < racyWindow
	w.readErr = nil
	if changed {
		w.rejectErr = nil
	}
	if w.rejectErr == nil {
		w.warned = ""
	}
	return b, changed, nil
}

// rejected is told by the file's user that the content read last is
// unusable (err says why) and that it goes on with what it had, which
// kept names. It is logged once and reported by lastFailure until the
// content changes.
func (w *watchedFile) rejected(err error, kept string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rejectErr = err
	w.warnLocked(err, kept)
}

// warnLocked logs that err keeps the file's users on older content, unless
// the same cause was logged last.
func (w *watchedFile) warnLocked(err error, kept string) {
	if msg := err.Error(); msg != w.warned {
		w.warned = msg
		w.warn(msg + "; going on with " + kept)
	}
}

// lastFailure returns why the content last served is not the file's
// current one, or nil when it is.
func (w *watchedFile) lastFailure() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.readErr != nil {
		return w.readErr
	}
	return w.rejectErr
}

func sameFileState(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
