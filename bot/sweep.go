package bot

import (
	"context"
	"fmt"

	"modbot/store"
)

// sweepBatch bounds the requests one sweep expires and picks up.
const sweepBatch = 50

// sweep runs every Options.Sweep: it expires requests past their deadline and hands every request
// that needs a replica (approved and unclaimed, executing with a lapsed lease, owing Slack
// messages) to startExecution, which shows expiries and completes owed messages under the
// request's lease. With nothing to do it costs two small Redis calls.
func (b *Bot) sweep(ctx context.Context) {
	expired, err := b.store.ExpireDue(ctx, sweepBatch)
	if err != nil && ctx.Err() == nil {
		b.log.Warn("expire requests", "err", err)
	}
	for _, r := range expired {
		b.o.Metrics.Decision("expired")
		b.startExecution(ctx, r.ID)
	}
	work, err := b.store.NeedsWork(ctx, sweepBatch)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("find requests needing work", "err", err)
		}
		return
	}
	for _, w := range work {
		b.startExecution(ctx, w.RequestID)
	}
}

// completeOwed delivers the Slack side effects req still owes, in order, each marked done only
// after Slack accepted it. Before each, the lease is renewed: a replica that lost it sends nothing.
// It stops at the first failure (the caller lets the lease lapse, so another attempt follows).
func (b *Bot) completeOwed(ctx context.Context, l store.Lease, req *store.Request) error {
	for _, e := range []store.Effect{store.EffectRoot, store.EffectResult, store.EffectExpiry, store.EffectRequester} {
		if !req.Owes(e) {
			continue
		}
		if _, err := b.store.RenewLease(ctx, l, b.o.LeaseTTL); err != nil {
			return fmt.Errorf("renew lease before %s: %w", e, err)
		}
		next, err := b.deliver(ctx, req, e)
		if err != nil {
			return fmt.Errorf("deliver %s: %w", e, err)
		}
		req = next
	}
	return nil
}

// deliver sends one owed effect and marks it done, returning the request as it is then.
func (b *Bot) deliver(ctx context.Context, req *store.Request, e store.Effect) (*store.Request, error) {
	switch e {
	case store.EffectRoot:
		ts, err := b.post(ctx, req.Channel, "", rootMessage(req))
		if err != nil {
			return nil, err
		}
		now, err := b.store.SetRoot(ctx, req.ID, req.Channel, ts)
		if err == nil {
			b.catchUpRoot(ctx, now)
		}
		return now, err
	case store.EffectResult:
		if err := b.updateRoot(ctx, req); err != nil {
			return nil, err
		}
		switch req.State {
		case store.Done, store.Partial, store.Failed:
			if req.ProgressTS != "" {
				done, failed := outcomeCounts(req)
				if err := b.update(ctx, req.Channel, req.ProgressTS, progressMessage(len(req.Accounts), done, failed)); err != nil {
					b.log.Warn("final progress", "request_id", req.ID, "err", err)
				}
			}
			if _, err := b.post(ctx, req.Channel, req.ThreadTS, resultMessage(req)); err != nil {
				return nil, err
			}
		default: // denied, cancelled
			if _, err := b.post(ctx, req.Channel, req.ThreadTS, decisionNote(req)); err != nil {
				return nil, err
			}
		}
	case store.EffectExpiry:
		if err := b.updateRoot(ctx, req); err != nil {
			return nil, err
		}
		if _, err := b.post(ctx, req.Channel, req.ThreadTS, decisionNote(req)); err != nil {
			return nil, err
		}
	case store.EffectRequester:
		if err := b.dm(ctx, req.Requester, requesterNotice(req, false)); err != nil {
			return nil, err
		}
		if _, err := b.post(ctx, req.Channel, req.ThreadTS, requesterNotice(req, true)); err != nil {
			return nil, err
		}
	}
	return b.store.ClearOwed(ctx, req.ID, e)
}

// updateRoot shows req's current state on its root message.
func (b *Bot) updateRoot(ctx context.Context, req *store.Request) error {
	if req.ThreadTS == "" {
		return nil
	}
	return b.update(ctx, req.Channel, req.ThreadTS, rootMessage(req))
}
