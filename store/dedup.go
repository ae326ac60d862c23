package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// doneToken marks a delivery handled for good.
const doneToken = "done"

// Claim claims a delivery key (e.g. "cmd:"+trigger_id, "ev:"+event_id) once
// across replicas, for ttl (how long a claimer may take before another may
// try; e.g. 45s). It reports true to exactly one owner; the same owner
// asking again (a retried command whose reply was lost) is told true again.
// It uses SET NX GET with an owner token, so a retried claim never drops
// its own delivery.
func (s *Store) Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if owner == "" || owner == doneToken {
		return false, fmt.Errorf("claim %s: invalid owner %q", key, owner)
	}
	old, err := s.rdb.SetArgs(ctx, s.key("dedup", key), owner, redis.SetArgs{Mode: "NX", Get: true, TTL: ttl}).Result()
	if errors.Is(err, redis.Nil) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, err)
	}
	return old == owner, nil
}

// Done marks a claimed delivery handled, remembered for Options.DoneTTL
// (default 24h) so later redeliveries are refused by Claim.
func (s *Store) Done(ctx context.Context, key string) error {
	if err := s.rdb.Set(ctx, s.key("dedup", key), doneToken, s.opts.DoneTTL).Err(); err != nil {
		return fmt.Errorf("mark %s done: %w", key, err)
	}
	return nil
}

// Release gives a claim back if owner still holds it (compare-and-delete),
// so a redelivery can be handled, e.g. after the handler failed before doing
// anything. It reports whether it released the claim.
func (s *Store) Release(ctx context.Context, key, owner string) (bool, error) {
	v, err := s.run(ctx, s.scripts.rel, s.key("dedup", key), owner)
	if err != nil {
		return false, fmt.Errorf("release %s: %w", key, err)
	}
	n, _ := v.(int64)
	return n == 1, nil
}
