package tim

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// Outcome is what happened to one account in a bulk call. Err == nil means
// done; otherwise Err says why (Code(Err) gives Tencent's code, and
// ErrNotAttempted marks accounts never sent because the operation stopped).
type Outcome struct {
	Account UserID
	Err     error
}

// Progress is called (serialised, never concurrently) after each chunk of a
// bulk call settles, with that chunk's outcomes. Returning an error stops the
// operation: calls not yet sent are skipped and the bulk call returns that
// error.
type Progress func(settled []Outcome) error

// BulkOptions are what a caller may add to a bulk call (ban, unban, mute,
// unmute). The zero value adds nothing.
type BulkOptions struct {
	// Progress, when set, hears each settled chunk.
	Progress Progress
	// Gate, when set, is asked right before each attempt is sent — after the
	// rate-limit wait, which can be long — and the attempt is not sent when
	// it returns an error: the accounts of that call get the error (wrapped)
	// as their outcome. A caller that works under a lease uses it to send
	// nothing once the lease may have lapsed (say, after the process was
	// paused). It must be safe for concurrent use.
	Gate func() error
}

// Maximum accounts per call, as Tencent documents them.
const (
	MaxBanAccounts  = 20  // ban/unban, group and room
	MaxMuteAccounts = 500 // forbid_send_msg (mute and unmute)
	MaxRoleAccounts = 500 // get_role_in_group
)

// chunkCall sends one call for accounts (at most the API's maximum), asking
// gate (which may be nil) before each attempt.
type chunkCall func(ctx context.Context, accounts []UserID, gate func() error) error

// bulk folds duplicate accounts, splits them into calls of size accounts,
// runs them on the worker pool and returns one outcome per distinct account,
// in order of first appearance. A chunk that fails permanently is bisected to
// find the accounts that cause it. The error is non-nil only when the
// operation stopped early (ctx ended or o.Progress failed).
func (c *Client) bulk(ctx context.Context, accounts []UserID, size int, send chunkCall, o BulkOptions) ([]Outcome, error) {
	p := o.Progress
	uniq := fold(accounts)
	out := make([]Outcome, len(uniq))
	for i, a := range uniq {
		out[i] = Outcome{Account: a, Err: ErrNotAttempted}
	}
	var mu sync.Mutex // serialises p
	n := (len(uniq) + size - 1) / size
	err := c.pool(ctx, n, func(ctx context.Context, i int) error {
		lo, hi := i*size, min((i+1)*size, len(uniq))
		c.settle(ctx, uniq[lo:hi], out[lo:hi], send, o.Gate)
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == nil {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if err := p(slices.Clone(out[lo:hi])); err != nil {
			return fmt.Errorf("tim: progress: %w", err)
		}
		return nil
	})
	return out, err
}

// settle sends accounts in one call and records the outcome of each. When
// the call fails permanently for a reason that may lie with some accounts,
// it splits the list in halves and settles each, down to single accounts.
func (c *Client) settle(ctx context.Context, accounts []UserID, out []Outcome, send chunkCall, gate func() error) {
	err := send(ctx, accounts, gate)
	if err != nil && len(accounts) > 1 && ctx.Err() == nil && bisectable(err) {
		mid := len(accounts) / 2
		c.settle(ctx, accounts[:mid], out[:mid], send, gate)
		c.settle(ctx, accounts[mid:], out[mid:], send, gate)
		return
	}
	for i := range out {
		out[i].Err = err
	}
}

// pool runs fn(ctx, i) for i in [0, n) on at most c.workers goroutines. The
// first error cancels the rest and is returned, as is the end of ctx.
func (c *Client) pool(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(c.workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}
