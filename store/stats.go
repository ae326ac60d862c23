package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The team's view (App Home tab, daily digest) reads the audit log by time and asks small
// questions about requests; the digest's day key makes "once a day" hold across replicas.

// scanBatch is how many audit entries ScanAudit reads per round trip.
const scanBatch = 500

// ScanAudit calls fn with the audit entries written since since, newest first, reading the
// stream in batches, until fn returns false, the entries run out or max entries were read
// (max <= 0: 20,000). It reports whether it stopped at max with older entries left unread.
func (s *Store) ScanAudit(ctx context.Context, since time.Time, max int, fn func(AuditEntry) bool) (bool, error) {
	if max <= 0 {
		max = 20000
	}
	lo := strconv.FormatInt(since.UnixMilli(), 10) + "-0"
	hi := "+"
	read := 0
	for {
		n := min(scanBatch, max-read)
		if n <= 0 {
			more, err := s.rdb.XRevRangeN(ctx, s.key("audit"), hi, lo, 1).Result()
			if err != nil {
				return false, fmt.Errorf("scan audit: %w", err)
			}
			return len(more) > 0, nil
		}
		msgs, err := s.rdb.XRevRangeN(ctx, s.key("audit"), hi, lo, int64(n)).Result()
		if err != nil {
			return false, fmt.Errorf("scan audit: %w", err)
		}
		for _, m := range msgs {
			read++
			if !fn(decodeEntry(m.ID, stringValues(m.Values))) {
				return false, nil
			}
		}
		if len(msgs) < n {
			return false, nil
		}
		hi = "(" + msgs[len(msgs)-1].ID
	}
}

// ApprovedBy reports which of the requests ids user has approved (their approval is counted
// now), in one round trip; it reads no account lists.
func (s *Store) ApprovedBy(ctx context.Context, user string, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	if len(ids) == 0 || user == "" {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.BoolCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HExists(ctx, s.key("req", id, "approvals"), user)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("approvals of %s: %w", user, err)
	}
	for i, id := range ids {
		if cmds[i].Val() {
			out[id] = true
		}
	}
	return out, nil
}

// digestPosted is the value of a day key once that day's digest was posted.
const digestPosted = "posted"

// DigestKeep is how long a day key is kept once its digest was posted: longer than any day in
// any zone (25 hours on a daylight-saving change), so a day's key outlives the day.
const DigestKeep = 72 * time.Hour

// ClaimDigest claims the digest of day (the local date in the digest's zone, "2026-11-29") for
// owner, for ttl (how long posting may take before another replica may try; e.g. 5m). It
// reports true to one owner only, and false once the day's digest was posted (DigestDone) or
// while another owner holds the claim: a second replica, or a restart, does nothing.
func (s *Store) ClaimDigest(ctx context.Context, day, owner string, ttl time.Duration) (bool, error) {
	if owner == "" || owner == digestPosted || day == "" {
		return false, fmt.Errorf("claim digest %q: invalid owner %q", day, owner)
	}
	old, err := s.rdb.SetArgs(ctx, s.key("digest", day), owner, redis.SetArgs{Mode: "NX", Get: true, TTL: ttl}).Result()
	if errors.Is(err, redis.Nil) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim digest %s: %w", day, err)
	}
	return old == owner, nil
}

// digestCAS sets KEYS[1] to ARGV[2] for ARGV[3] ms if it holds ARGV[1] (or deletes it when
// ARGV[2] is empty); replies 1 when it did.
var digestCAS = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`)

// DigestDone marks day's digest posted (kept DigestKeep) if owner still holds the claim; it
// reports whether it did (false: the claim had lapsed and another replica may have taken it).
func (s *Store) DigestDone(ctx context.Context, day, owner string) (bool, error) {
	n, err := digestCAS.Run(ctx, s.rdb, []string{s.key("digest", day)}, owner, digestPosted, DigestKeep.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("digest %s done: %w", day, err)
	}
	return n == 1, nil
}

// ReleaseDigest gives day's claim back if owner holds it (the post failed), so that a later
// tick, here or on another replica, tries again.
func (s *Store) ReleaseDigest(ctx context.Context, day, owner string) error {
	if _, err := digestCAS.Run(ctx, s.rdb, []string{s.key("digest", day)}, owner, "", 0).Int(); err != nil {
		return fmt.Errorf("release digest %s: %w", day, err)
	}
	return nil
}
