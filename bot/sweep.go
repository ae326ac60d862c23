package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

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
		if err := b.renewForSlack(ctx, l); err != nil {
			return fmt.Errorf("renew lease before %s: %w", e, err)
		}
		next, err := b.deliver(ctx, l, req, e)
		if err != nil {
			return fmt.Errorf("deliver %s: %w", e, err)
		}
		req = next
	}
	return nil
}

// deliver sends one owed effect and marks it done under the lease, returning the request as it is
// then.
func (b *Bot) deliver(ctx context.Context, l store.Lease, req *store.Request, e store.Effect) (*store.Request, error) {
	switch e {
	case store.EffectRoot:
		return b.postRootMessage(ctx, l, req)
	case store.EffectResult:
		if err := b.settle(req, e, b.updateRoot(ctx, req)); err != nil {
			return nil, err
		}
		switch req.State {
		case store.Done, store.Partial, store.Failed:
			if req.ProgressTS != "" {
				if err := b.update(ctx, req.Channel, req.ProgressTS, progressMessage(len(req.Accounts), outcomeCounts(req))); err != nil {
					b.log.Warn("final progress", "request_id", req.ID, "err", err)
				}
			}
			if _, err := b.post(ctx, req.Channel, req.ThreadTS, resultMessage(req)); b.settle(req, e, err) != nil {
				return nil, err
			}
		default: // denied, cancelled
			if _, err := b.post(ctx, req.Channel, req.ThreadTS, decisionNote(req)); b.settle(req, e, err) != nil {
				return nil, err
			}
		}
	case store.EffectExpiry:
		if err := b.settle(req, e, b.updateRoot(ctx, req)); err != nil {
			return nil, err
		}
		if _, err := b.post(ctx, req.Channel, req.ThreadTS, decisionNote(req)); b.settle(req, e, err) != nil {
			return nil, err
		}
	case store.EffectRequester:
		// Told once is enough: the effect is done when the DM or the thread mention went out, so
		// a failing one never makes the other repeat.
		errDM := b.dm(ctx, req.Requester, requesterNotice(req, false))
		_, errThread := b.post(ctx, req.Channel, req.ThreadTS, requesterNotice(req, true))
		switch {
		case errDM != nil && errThread != nil:
			if err := b.settle(req, e, errThread); err != nil {
				return nil, err
			}
		case errDM != nil || errThread != nil:
			b.log.Warn("requester told one way only", "request_id", req.ID, "dm_err", errDM, "thread_err", errThread)
		}
	}
	return b.store.ClearOwed(ctx, l, e)
}

// settle decides what a failed Slack step of an owed effect means: an error that retrying cannot
// fix (the channel archived, the message or user gone, the blocks refused) is logged and the step
// counts as done, so a request never retries it forever; any other error is returned, and the
// effect is retried under a later lease.
func (b *Bot) settle(req *store.Request, e store.Effect, err error) error {
	if !permanentSlackError(err) {
		return err
	}
	b.log.Error("owed slack message cannot be delivered; giving up on it", "request_id", req.ID, "effect", string(e), "err", err)
	return nil
}

// permanentSlackError reports whether a Web API error will be the same however often it is
// retried.
func permanentSlackError(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "channel_not_found", "is_archived", "message_not_found", "thread_not_found", "cant_update_message",
		"user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot",
		"invalid_blocks", "msg_too_long", "msg_blocks_too_long", "no_text":
		return true
	}
	return false
}

// updateRoot shows req's current state on its root message.
func (b *Bot) updateRoot(ctx context.Context, req *store.Request) error {
	if req.ThreadTS == "" {
		return nil
	}
	return b.update(ctx, req.Channel, req.ThreadTS, rootMessage(req))
}
