package testcluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// KubernetesVersion is the kube-apiserver release the harness builds and
// end-to-end tests expect.
const KubernetesVersion = "v1.37.2"

// AssetsEnv names the environment variable that points at a directory
// holding prebuilt binaries (all of Components, or at least etcd and
// kube-apiserver for a cluster without workloads).
const AssetsEnv = "ANYKUBE_TEST_ASSETS"

// component is one binary of the control plane and where it is built from.
type component struct {
	name    string // file name in the binary directory
	module  string // nested module directory next to this package
	pkg     string // main package inside that module
	ldflags string // version stamps, so the binary reports its release
	// ownSource marks a binary built from this repository's code rather
	// than a release: its cached file carries a hash of that code, so that
	// a change to it builds it again.
	ownSource bool
}

// k8sVersionFlags stamp a Kubernetes component so that /version (and the
// version it reports to the API server) say the release, as an official
// build does, instead of v0.0.0-master.
const k8sVersionFlags = " -X k8s.io/component-base/version.gitVersion=" + KubernetesVersion +
	" -X k8s.io/component-base/version.gitMajor=1" +
	" -X k8s.io/component-base/version.gitMinor=37" +
	" -X k8s.io/component-base/version.gitTreeState=clean" +
	" -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"

// components lists every binary in build order: the two a bare cluster
// needs come first, so that an interrupted first build leaves them usable.
var components = []component{
	{name: "etcd", module: "binaries", pkg: "go.etcd.io/etcd/server/v3"},
	{name: "kube-apiserver", module: "binaries", pkg: "k8s.io/kubernetes/cmd/kube-apiserver", ldflags: k8sVersionFlags},
	{name: "kube-controller-manager", module: "binaries", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager", ldflags: k8sVersionFlags},
	{name: "kube-scheduler", module: "binaries", pkg: "k8s.io/kubernetes/cmd/kube-scheduler", ldflags: k8sVersionFlags},
	{name: "kwok", module: "kwok", pkg: "sigs.k8s.io/kwok/cmd/kwok"},
	{name: "fakekubelet", module: "fakekubelet", pkg: ".", ownSource: true},
	// Not run by the cluster: tests compare the library with kubectl's
	// behaviour (apply sets, tables, exec) through it.
	{name: "kubectl", module: "binaries", pkg: "k8s.io/kubernetes/cmd/kubectl", ldflags: k8sVersionFlags},
}

// bareNames are the binaries of a cluster without workloads, and
// workloadNames those of a cluster whose pods run.
var (
	bareNames     = []string{"etcd", "kube-apiserver"}
	workloadNames = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "fakekubelet"}
)

// Components returns the names of every binary the harness builds: those
// it runs and the kubectl that tests compare against.
func Components() []string {
	names := make([]string, len(components))
	for i, c := range components {
		names[i] = c.name
	}
	return names
}

// CacheDir returns the directory where built binaries are kept:
// $XDG_CACHE_HOME/anykube/bin/<version> (or the platform's user cache dir).
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("testcluster: no cache directory: %w", err)
	}
	return filepath.Join(base, "anykube", "bin", KubernetesVersion), nil
}

// EnsureBinaries returns a directory holding every binary of Components.
// It uses $ANYKUBE_TEST_ASSETS when set, else the cache, building what is
// missing into the cache first. Progress of a build goes to logw.
// Concurrent callers (several test binaries at once) build only once: the
// build holds an exclusive lock on a file beside the cache.
func EnsureBinaries(ctx context.Context, logw io.Writer) (string, error) {
	b, err := ensureBinaries(ctx, logw, Components())
	return b.dir, err
}

// binaries is a directory of built binaries.
type binaries struct {
	dir    string
	assets bool // from $ANYKUBE_TEST_ASSETS: plain names, never built
}

// path returns where the named binary is.
func (b binaries) path(name string) string {
	for _, c := range components {
		if c.name == name {
			return filepath.Join(b.dir, c.file(b.assets))
		}
	}
	return filepath.Join(b.dir, name)
}

// file is the component's file name: its name, followed in the cache by
// the hash of its source when it is built from this repository.
func (c component) file(assets bool) string {
	if !c.ownSource || assets {
		return c.name
	}
	if h := sourceHash(c.module); h != "" {
		return c.name + "-" + h
	}
	return c.name
}

// sourceHash digests a nested module's go.mod, go.sum and Go files; "" when
// they cannot be read.
func sourceHash(module string) string {
	dir, err := moduleDir(module)
	if err != nil {
		return ""
	}
	h := sha256.New()
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if name := d.Name(); name != "go.mod" && name != "go.sum" && !strings.HasSuffix(name, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", strings.TrimPrefix(path, dir), len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// ensureBinaries is EnsureBinaries for the named binaries only: a directory
// given by $ANYKUBE_TEST_ASSETS needs to hold only those a cluster runs.
func ensureBinaries(ctx context.Context, logw io.Writer, names []string) (binaries, error) {
	if dir := os.Getenv(AssetsEnv); dir != "" {
		b := binaries{dir: dir, assets: true}
		if err := b.check(names); err != nil {
			return b, fmt.Errorf("testcluster: %s=%s: %w", AssetsEnv, dir, err)
		}
		return b, nil
	}
	dir, err := CacheDir()
	if err != nil {
		return binaries{}, err
	}
	b := binaries{dir: dir}
	if b.check(names) == nil {
		return b, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return b, fmt.Errorf("testcluster: %w", err)
	}
	unlock, err := lockFile(ctx, dir+".lock")
	if err != nil {
		return b, err
	}
	defer unlock()
	// Another process may have finished the build while we waited.
	if b.check(names) == nil {
		return b, nil
	}
	return b, build(ctx, b, names, logw)
}

// check reports whether every named binary is there, executable.
func (b binaries) check(names []string) error {
	for _, name := range names {
		if err := checkBinary(b.path(name)); err != nil {
			return err
		}
	}
	return nil
}

func checkBinary(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("missing %s: %w", filepath.Base(path), err)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

// moduleDir finds a nested module next to this source file. The harness is
// only used from a checkout of the repository, so the path recorded at
// compile time is there.
func moduleDir(module string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("testcluster: cannot locate own source file")
	}
	dir := filepath.Join(filepath.Dir(file), module)
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", fmt.Errorf("testcluster: the %s module is not at %s (set %s to prebuilt binaries): %w", module, dir, AssetsEnv, err)
	}
	return dir, nil
}

// build compiles the named binaries that dir lacks. Each lands under a
// temporary name and is renamed into place, so an interrupted build never
// leaves a binary that looks complete.
func build(ctx context.Context, b binaries, names []string, logw io.Writer) error {
	dir := b.dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("testcluster: %w", err)
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	for _, c := range components {
		target := b.path(c.name)
		if !slices.Contains(names, c.name) || checkBinary(target) == nil {
			continue
		}
		src, err := moduleDir(c.module)
		if err != nil {
			return err
		}
		start := time.Now()
		what := c.pkg
		if c.ownSource {
			what = "the " + c.module + " module"
		}
		fmt.Fprintf(logw, "testcluster: building %s into %s (first time only; several minutes)\n", what, dir)
		tmp := filepath.Join(dir, "."+c.name+".tmp")
		cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-ldflags", "-s -w"+c.ldflags, "-o", tmp, c.pkg)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("testcluster: building %s (%s in module %s) failed: %w\n%s", c.name, c.pkg, src, err, tail(out.Bytes(), 40))
		}
		if err := os.Rename(tmp, target); err != nil {
			return fmt.Errorf("testcluster: %w", err)
		}
		fmt.Fprintf(logw, "testcluster: built %s in %s\n", c.name, time.Since(start).Round(time.Second))
	}
	return nil
}

// lockFile takes an exclusive flock on path, polling so that ctx can end the
// wait. The returned function releases it.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testcluster: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("testcluster: locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("testcluster: waiting for another build: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	b = bytes.TrimRight(b, "\n")
	idx := len(b)
	for i := 0; i < n && idx > 0; i++ {
		j := bytes.LastIndexByte(b[:idx], '\n')
		if j < 0 {
			idx = 0
			break
		}
		idx = j
	}
	if idx > 0 {
		idx++
	}
	return string(b[idx:])
}
