package disk

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// This file knows the cache directory's layout and how files are read and
// written. The layout is kubectl's, so each side starts warm from the
// other's cache:
//
//	<dir>/servergroups.json                     APIGroupList
//	<dir>/<group>/<version>/serverresources.json  APIResourceList (core: <dir>/v1/...)
//
// plus one file of anykube's own, snapshotFile, holding the whole view with
// the entity tags it was served with, so that a cache past its TTL can be
// revalidated with two conditional requests and read back in one parse.

const (
	groupsFile    = "servergroups.json"
	resourcesFile = "serverresources.json"
	snapshotFile  = "anykube-discovery.json"

	filePerm = 0o600
	dirPerm  = 0o700
)

// illegalHostChars matches what kubectl replaces in a host to name its
// per-server directory (everything but word characters, "/", "." and
// parentheses).
var illegalHostChars = regexp.MustCompile(`[^(\w/.)]`)

// CacheDirForHost returns the per-server directory under parent that kubectl
// uses for host: the scheme is dropped and characters that are unsafe in
// file names become "_" ("https://10.0.0.1:6443" → "10.0.0.1_6443").
func CacheDirForHost(parent, host string) string {
	h := strings.Replace(host, "https://", "", 1)
	h = strings.Replace(h, "http://", "", 1)
	return filepath.Join(parent, illegalHostChars.ReplaceAllString(h, "_"))
}

// DefaultCacheDir returns kubectl's cache directory: $KUBECACHEDIR, or
// ~/.kube/cache. It returns an error when neither is set and the home
// directory is unknown.
func DefaultCacheDir() (string, error) {
	if dir := os.Getenv("KUBECACHEDIR"); dir != "" {
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("discovery cache: %w", err)
	}
	return filepath.Join(home, ".kube", "cache"), nil
}

// DefaultDiscoveryCacheDir returns the directory kubectl keeps host's
// discovery in: DefaultCacheDir()/discovery/<host>.
func DefaultDiscoveryCacheDir(host string) (string, error) {
	base, err := DefaultCacheDir()
	if err != nil {
		return "", err
	}
	return CacheDirForHost(filepath.Join(base, "discovery"), host), nil
}

// resourcesPath is where a group-version's list lives. ok is false when
// the group or version (which come from the server or the caller) could
// not be a file name inside dir: "..", a path separator or a NUL would let
// a hostile or garbled answer read or write files outside the cache.
func resourcesPath(dir string, gv schema.GroupVersion) (path string, ok bool) {
	if !safeName(gv.Version) || gv.Group != "" && !safeName(gv.Group) {
		return "", false
	}
	if gv.Group == "" {
		return filepath.Join(dir, gv.Version, resourcesFile), true
	}
	return filepath.Join(dir, gv.Group, gv.Version, resourcesFile), true
}

// safeName reports whether name can be used as one path element.
func safeName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\\\x00")
}

// snapshotDoc is snapshotFile's content.
type snapshotDoc struct {
	Kind      string                    `json:"kind"`
	ETags     discovery.ETags           `json:"etags"`
	Groups    *metav1.APIGroupList      `json:"groups"`
	Resources []*metav1.APIResourceList `json:"resources"`
	// Stale lists the group-versions the server marked Stale.
	Stale []string `json:"stale,omitempty"`
}

const snapshotKind = "AnykubeDiscoverySnapshot/v1"

// errExpired says a file is older than the TTL.
var errExpired = errors.New("cache file expired")

// maxPresize caps the buffer readFile allocates from a file's reported size,
// so that a bogus size (a special file) cannot ask for gigabytes up front.
const maxPresize = 1 << 30

// readFile returns a file's bytes and modification time.
func readFile(path string) ([]byte, time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	// Sized from Stat so that a large snapshot is read into one buffer
	// instead of one that doubles; the extra byte lets the read see EOF
	// without growing, and a file that grew meanwhile is still read whole.
	size := info.Size()
	if size < 0 || size > maxPresize {
		size = 0
	}
	data := make([]byte, 0, size+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, info.ModTime(), nil
		}
		if err != nil {
			return nil, time.Time{}, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// writeFile replaces path with data atomically: the data goes to a
// temporary file in the same directory, which is renamed over path, so a
// reader (in this process or another) sees the old file or the new one,
// never a mix. Files are 0600 and new directories 0700: discovery tells
// what a cluster runs, which is not everyone's business.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(filePerm); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
