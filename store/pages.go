package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// PutResult keeps a long command result (serialised by the caller) for
// Options.ResultTTL (default 1h) so Prev / Next buttons can page it, and
// returns its opaque ID.
func (s *Store) PutResult(ctx context.Context, payload []byte) (string, error) {
	id, err := newID()
	if err != nil {
		return "", err
	}
	if err := s.rdb.Set(ctx, s.key("result", id), payload, s.opts.ResultTTL).Err(); err != nil {
		return "", fmt.Errorf("put result: %w", err)
	}
	return id, nil
}

// GetResult returns a result PutResult kept, or ErrNotFound once it expired.
func (s *Store) GetResult(ctx context.Context, id string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.key("result", id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("result %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("result %s: %w", id, err)
	}
	return b, nil
}
