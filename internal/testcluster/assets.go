package testcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// KubernetesVersion is the kube-apiserver release the harness builds and
// end-to-end tests expect.
const KubernetesVersion = "v1.37.2"

// AssetsEnv names the environment variable that points at a directory
// holding prebuilt kube-apiserver and etcd binaries.
const AssetsEnv = "ANYKUBE_TEST_ASSETS"

var binaryNames = []string{"kube-apiserver", "etcd"}

// buildPackages maps each binary to the main package that builds it inside
// the binaries module.
var buildPackages = map[string]string{
	"kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
	"etcd":           "go.etcd.io/etcd/server/v3",
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

// EnsureBinaries returns a directory holding kube-apiserver and etcd. It uses
// $ANYKUBE_TEST_ASSETS when set, else the cache, building the binaries into
// the cache first when they are missing. Progress of a build goes to logw.
// Concurrent callers (several test binaries at once) build only once: the
// build holds an exclusive lock on a file beside the cache.
func EnsureBinaries(ctx context.Context, logw io.Writer) (string, error) {
	if dir := os.Getenv(AssetsEnv); dir != "" {
		if err := checkBinaries(dir); err != nil {
			return "", fmt.Errorf("testcluster: %s=%s: %w", AssetsEnv, dir, err)
		}
		return dir, nil
	}
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	if checkBinaries(dir) == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("testcluster: %w", err)
	}
	unlock, err := lockFile(ctx, dir+".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	// Another process may have finished the build while we waited.
	if checkBinaries(dir) == nil {
		return dir, nil
	}
	if err := build(ctx, dir, logw); err != nil {
		return "", err
	}
	return dir, nil
}

// checkBinaries reports whether dir holds every binary, executable.
func checkBinaries(dir string) error {
	for _, name := range binaryNames {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("missing %s: %w", name, err)
		}
		if fi.IsDir() || fi.Mode()&0o111 == 0 {
			return fmt.Errorf("%s is not an executable file", filepath.Join(dir, name))
		}
	}
	return nil
}

// moduleDir finds the binaries module next to this source file. The harness
// is only used from a checkout of the repository, so the path recorded at
// compile time is there.
func moduleDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("testcluster: cannot locate own source file")
	}
	dir := filepath.Join(filepath.Dir(file), "binaries")
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", fmt.Errorf("testcluster: the binaries module is not at %s (set %s to prebuilt binaries): %w", dir, AssetsEnv, err)
	}
	return dir, nil
}

// build compiles both binaries into dir. Each lands under a temporary name
// and is renamed into place, so an interrupted build never leaves a binary
// that looks complete.
func build(ctx context.Context, dir string, logw io.Writer) error {
	src, err := moduleDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("testcluster: %w", err)
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	// The version stamp makes /version report the release, as an official
	// build does, instead of v0.0.0-master.
	ldflags := "-s -w" +
		" -X k8s.io/component-base/version.gitVersion=" + KubernetesVersion +
		" -X k8s.io/component-base/version.gitMajor=1" +
		" -X k8s.io/component-base/version.gitMinor=37" +
		" -X k8s.io/component-base/version.gitTreeState=clean" +
		" -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
	for _, name := range binaryNames {
		start := time.Now()
		fmt.Fprintf(logw, "testcluster: building %s into %s (first time only; several minutes)\n", buildPackages[name], dir)
		tmp := filepath.Join(dir, "."+name+".tmp")
		cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-ldflags", ldflags, "-o", tmp, buildPackages[name])
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("testcluster: building %s failed: %w\n%s", name, err, tail(out.Bytes(), 40))
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("testcluster: %w", err)
		}
		fmt.Fprintf(logw, "testcluster: built %s in %s\n", name, time.Since(start).Round(time.Second))
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
