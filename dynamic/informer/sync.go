package informer

import (
	"context"
	"time"
)

// InformerSynced reports whether something has synced: an
// Informer.HasSynced or a Registration.HasSynced.
type InformerSynced func() bool

// WaitForCacheSync waits until every one of synced reports true, checking
// every 10ms at first and every 100ms after a second. It returns false if
// ctx ends first.
func WaitForCacheSync(ctx context.Context, synced ...InformerSynced) bool {
	all := func() bool {
		for _, s := range synced {
			if !s() {
				return false
			}
		}
		return true
	}
	start := time.Now()
	for !all() {
		d := 10 * time.Millisecond
		if time.Since(start) > time.Second {
			d = 100 * time.Millisecond
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
	return true
}
