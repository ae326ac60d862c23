package tim

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces calls to Tencent. Wait blocks until one call may be sent or
// ctx ends. Every attempt, retries included, takes its own permit. The
// in-process NewLocalLimiter and store's Redis-backed limiter satisfy it.
//
// A Limiter should grant a permit at the moment the call may go, not reserve
// a slot in the future: waiters that wake late (a busy machine, a paused
// process) would otherwise all send at once and crowd one second.
type Limiter interface {
	Wait(ctx context.Context) error
}

// NewLocalLimiter returns an in-process Limiter that never lets more than
// callsPerSecond calls start in any one-second window: a token bucket with a
// burst of callsPerSecond/40 (between 1 and 10) and a rate of callsPerSecond
// minus twice the burst, so that rate plus burst leaves a burst's worth of
// room for delays between a permit and Tencent's count (at 200: burst 5,
// rate 190, at most 195 a second). A callsPerSecond of 0 or less means no
// limit.
func NewLocalLimiter(callsPerSecond int) Limiter {
	return &localLimiter{bucket: newBucket(callsPerSecond), turn: make(chan struct{}, 1)}
}

// localLimiter lets one waiter at a time take tokens, at the time it
// actually goes; the others queue for their turn.
type localLimiter struct {
	bucket *rate.Limiter
	turn   chan struct{}
}

func (l *localLimiter) Wait(ctx context.Context) error {
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()
	for {
		now := time.Now()
		r := l.bucket.ReserveN(now, 1)
		d := r.DelayFrom(now)
		if d == 0 {
			return nil
		}
		r.CancelAt(now) // take the token when it is there, not now
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// newBucket sizes the token bucket for n calls per second.
func newBucket(n int) *rate.Limiter {
	if n <= 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	burst := min(max(n/40, 1), 10)
	margin := burst
	switch {
	case n == 1: // one call, then the next a little over a second later
		return rate.NewLimiter(rate.Every(time.Second+time.Millisecond), 1)
	case n-burst-margin < 1:
		margin = 0
	}
	return rate.NewLimiter(rate.Limit(n-burst-margin), burst)
}
