package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Limits of the result store: Redis runs with noeviction, so what paging keeps
// must be bounded. A result over MaxResultBytes is refused with
// ErrResultTooLarge; a result that would take all kept results past
// MaxResultsBytes is refused with ErrResultsFull until older ones expire.
const (
	MaxResultBytes  = 1 << 20  // one result
	MaxResultsBytes = 64 << 20 // all results kept at once
)

var (
	// ErrResultTooLarge: one result is larger than MaxResultBytes.
	ErrResultTooLarge = errors.New("result too large to keep")
	// ErrResultsFull: the results kept already hold MaxResultsBytes.
	ErrResultsFull = errors.New("too many results kept")
)

// resultLimits are the limits PutResult applies (tests lower them).
var resultLimits = struct{ one, all int64 }{MaxResultBytes, MaxResultsBytes}

// putResultScript is putresult.lua (with lib.lua in front).
var putResultScript = redis.NewScript(mustRead("lib") + mustRead("putresult"))

// PutResult keeps a long command result (serialised by the caller) for
// Options.ResultTTL (default 1h) so Prev / Next buttons can page it, and
// returns its opaque ID. It refuses results past the limits above.
func (s *Store) PutResult(ctx context.Context, payload []byte) (string, error) {
	if int64(len(payload)) > resultLimits.one {
		return "", fmt.Errorf("put result of %d bytes: %w", len(payload), ErrResultTooLarge)
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	status, _, err := s.runStatus(ctx, putResultScript, id, payload, s.opts.ResultTTL.Milliseconds(), resultLimits.all)
	if err != nil {
		return "", fmt.Errorf("put result: %w", err)
	}
	if status == "full" {
		return "", fmt.Errorf("put result of %d bytes: %w", len(payload), ErrResultsFull)
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
