package memory

import "time"

// Expiring is implemented by delegates whose answers are good only until a
// time, as the disk cache's are until its TTL runs out. After filling from
// such a delegate, the cache asks it Expires and, once that time has
// passed, fills again (with entity tags, revalidating what it had) on the
// next call, so that a long-lived process does not answer from an expired
// cache until Invalidate.
type Expiring interface {
	// Expires returns when the delegate's last answer stops being good;
	// the zero time means never.
	Expires() time.Time
}

// expired reports whether snap is past its delegate's expiry.
func (s *snapshot) expired(now time.Time) bool {
	return !s.expires.IsZero() && now.After(s.expires)
}
