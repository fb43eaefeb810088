package testcluster

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
)

// shared is the one cluster a test package's tests share, started on first
// use by Shared and stopped by Main.
var shared struct {
	mu      sync.Mutex
	inMain  bool
	opts    Options
	cluster *Cluster
	err     error
}

// Main runs a package's tests with a shared cluster: call it from TestMain.
// The cluster is started lazily by the first Shared call and stopped after
// the tests, and also on SIGINT or SIGTERM so an interrupted run leaves
// nothing behind.
func Main(m *testing.M) { MainWith(m, Options{}) }

// MainWith is Main with the options the shared cluster starts with, for
// packages whose tests need pods to run (Options.Workloads). Options.Log
// defaults to standard error.
func MainWith(m *testing.M, opts Options) {
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	shared.mu.Lock()
	shared.inMain = true
	shared.opts = opts
	shared.mu.Unlock()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		stopShared()
		fmt.Fprintf(os.Stderr, "testcluster: stopped on %v\n", s)
		os.Exit(1)
	}()

	code := m.Run()
	stopShared()
	os.Exit(code)
}

// Shared returns the package's shared cluster, starting it on first use. It
// fails the test when the package's TestMain calls neither Main nor
// MainWith (the cluster would never be stopped) or when the cluster cannot
// start; a start failure is remembered so that later tests fail fast with
// the same error.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.inMain {
		t.Fatal("testcluster: Shared needs TestMain to call testcluster.Main(m)")
	}
	if shared.cluster == nil && shared.err == nil {
		shared.cluster, shared.err = StartCluster(context.Background(), shared.opts)
	}
	if shared.err != nil {
		t.Fatalf("testcluster: %v", shared.err)
	}
	return shared.cluster
}

func stopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster != nil {
		shared.cluster.Stop()
	}
}
