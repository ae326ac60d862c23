package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Backlog is what waits in Redis for some replica, as /metrics exports it for alerts.
type Backlog struct {
	// Stalled counts approved or executing requests whose lease is free or lapsed: no replica
	// works on them at this moment. A replica's sweep takes them within seconds; one that stays
	// above 0 for minutes is an execution stuck past its lease.
	Stalled int
	// FeedLag is the age of the oldest audit entry the audit channel has not shown yet (0 when
	// the feed is caught up).
	FeedLag time.Duration
}

// Backlog reads the stalled executions and the audit feed's lag.
func (s *Store) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	work, err := s.NeedsWork(ctx, 1000)
	if err != nil {
		return b, err
	}
	for _, w := range work {
		if w.Reason == WorkApproved || w.Reason == WorkExecuting {
			b.Stalled++
		}
	}
	cursor, err := s.rdb.HGet(ctx, s.key("audit", "feed"), "cursor").Result()
	switch {
	case errors.Is(err, redis.Nil):
		cursor = "0-0"
	case err != nil:
		return b, fmt.Errorf("audit feed cursor: %w", err)
	}
	next, err := s.rdb.XRangeN(ctx, s.key("audit"), "("+cursor, "+", 1).Result()
	if err != nil {
		return b, fmt.Errorf("audit feed: %w", err)
	}
	if len(next) == 0 {
		return b, nil
	}
	ms, err := strconv.ParseInt(strings.SplitN(next[0].ID, "-", 2)[0], 10, 64)
	if err != nil {
		return b, fmt.Errorf("audit entry ID %q: %w", next[0].ID, err)
	}
	now, err := s.Now(ctx)
	if err != nil {
		return b, err
	}
	b.FeedLag = max(0, now.Sub(time.UnixMilli(ms)))
	return b, nil
}
