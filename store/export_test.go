package store

import (
	"context"
	"time"
)

// WaitSent is Limiter.Wait also returning when the granting Redis call was
// sent (zero when the local fallback granted), for the limiter's tests.
func WaitSent(ctx context.Context, l *Limiter) (time.Time, error) { return l.wait(ctx) }

// Key exposes the key schema to tests.
func (s *Store) Key(parts ...string) string { return s.key(parts...) }

// XLen is the audit stream's length.
func (s *Store) XLen(ctx context.Context) (int64, error) {
	return s.rdb.XLen(ctx, s.key("audit")).Result()
}

// ZCard is the size of a sorted set under the prefix.
func (s *Store) ZCard(ctx context.Context, key string) (int64, error) {
	return s.rdb.ZCard(ctx, s.opts.Prefix+key).Result()
}

// Exists reports whether a key (full name) exists.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	n, err := s.rdb.Exists(ctx, key).Result()
	return n == 1, err
}

// TTL is a key's (full name) time to live.
func (s *Store) TTL(ctx context.Context, key string) (time.Duration, error) {
	return s.rdb.PTTL(ctx, key).Result()
}

// SetResultLimits lowers PutResult's limits for one test (not parallel ones).
func SetResultLimits(t interface{ Cleanup(func()) }, one, all int64) {
	old := resultLimits
	resultLimits.one, resultLimits.all = one, all
	t.Cleanup(func() { resultLimits = old })
}

// Keys counts the keys under the prefix matching pattern, and the members of those that are
// sorted sets.
func (s *Store) Keys(ctx context.Context, pattern string) (keys, members int64, err error) {
	iter := s.rdb.Scan(ctx, 0, s.opts.Prefix+pattern, 1000).Iterator()
	for iter.Next(ctx) {
		keys++
		n, err := s.rdb.ZCard(ctx, iter.Val()).Result()
		if err == nil {
			members += n
		}
	}
	return keys, members, iter.Err()
}

// MemoryUsage is the bytes Redis reports for the keys under the prefix matching pattern.
func (s *Store) MemoryUsage(ctx context.Context, pattern string) (int64, error) {
	var total int64
	iter := s.rdb.Scan(ctx, 0, s.opts.Prefix+pattern, 1000).Iterator()
	for iter.Next(ctx) {
		n, err := s.rdb.MemoryUsage(ctx, iter.Val()).Result()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, iter.Err()
}

// DeleteRole takes user off the allowlist behind the store's back, as an
// operator editing Redis by hand would (no last-admin check, no audit).
func (s *Store) DeleteRole(ctx context.Context, user string) error {
	return s.rdb.HDel(ctx, s.key("allow"), user).Err()
}
