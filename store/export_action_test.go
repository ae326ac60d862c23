package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// SetRequestField overwrites one field of a request's hash behind the
// store's back, to move its times into the past in tests (the clock is
// Redis's own).
func (s *Store) SetRequestField(ctx context.Context, id, field, value string) error {
	return s.rdb.HSet(ctx, s.key("req", id), field, value).Err()
}

// DeleteRequestField removes one field of a request's hash, as a record
// stored by an older modbot lacks it.
func (s *Store) DeleteRequestField(ctx context.Context, id, field string) error {
	return s.rdb.HDel(ctx, s.key("req", id), field).Err()
}

// ZAdd sets a member's score (a time in ms) in a sorted set under the prefix, if the member is there.
func (s *Store) ZAdd(ctx context.Context, key string, at time.Time, member string) error {
	return s.rdb.ZAddXX(ctx, s.opts.Prefix+key, redis.Z{Score: float64(at.UnixMilli()), Member: member}).Err()
}

// AuditActs lists the act field (the request's action kind) of every audit entry about the
// request, as "action/act", oldest first.
func (s *Store) AuditActs(ctx context.Context, requestID string) ([]string, error) {
	msgs, err := s.rdb.XRange(ctx, s.key("audit"), "-", "+").Result()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range msgs {
		if m.Values["req"] == requestID {
			out = append(out, m.Values["action"].(string)+"/"+m.Values["act"].(string))
		}
	}
	return out, nil
}
