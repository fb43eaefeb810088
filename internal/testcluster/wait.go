package testcluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// waitHTTP polls url until it answers 200, one of procs exits, ctx ends or
// timeout passes. A dead process is reported with its log's tail.
func waitHTTP(ctx context.Context, client *http.Client, url string, timeout time.Duration, procs ...*process) error {
	if client == nil {
		client = http.DefaultClient
	}
	return waitFor(ctx, timeout, "GET "+url, procs[0], procs, func(ctx context.Context) (bool, string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			return false, err.Error(), nil
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return true, "", nil
		}
		return false, fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body))), nil
	})
}

// waitFor polls cond until it holds, one of procs exits, ctx ends or
// timeout passes. A timeout is blamed on blame, with its log's tail.
func waitFor(ctx context.Context, timeout time.Duration, what string, blame *process, procs []*process, cond func(context.Context) (bool, string, error)) error {
	deadline := time.Now().Add(timeout)
	var last string
	for {
		for _, p := range procs {
			if p.exited() {
				return p.failure()
			}
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, detail, err := cond(rctx)
		cancel()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		last = detail
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready: timed out after %s waiting for %s (%s)\n--- last lines of %s ---\n%s", blame.name, timeout, what, last, blame.logPath, blame.logTail(30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
