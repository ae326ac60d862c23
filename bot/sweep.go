package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"modbot/store"
)

// sweepBatch bounds the requests one sweep expires and picks up.
const sweepBatch = 50

// sweep runs every Options.Sweep: it expires requests past their deadline and hands every request
// that needs a replica (approved and unclaimed, executing with a lapsed lease, owing Slack
// messages) to startExecution, which shows expiries and completes owed messages under the
// request's lease. With nothing to do it costs two small Redis calls.
func (b *executor) sweep(ctx context.Context) {
	expired, err := b.store.ExpireDue(ctx, sweepBatch)
	if err != nil && ctx.Err() == nil {
		b.log.Warn("expire requests", "err", err)
	}
	for _, r := range expired {
		b.o.Metrics.Decision("expired")
		b.start(ctx, r.ID)
	}
	b.closeUndoWindows(ctx)
	work, err := b.store.NeedsWork(ctx, sweepBatch)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("find requests needing work", "err", err)
		}
		return
	}
	for _, w := range work {
		b.start(ctx, w.RequestID)
	}
}

// closeUndoWindows closes the Undo windows that have passed and takes their buttons away.
func (b *executor) closeUndoWindows(ctx context.Context) {
	closed, err := b.store.CloseUndoWindows(ctx, sweepBatch)
	if err != nil && ctx.Err() == nil {
		b.log.Warn("close undo windows", "err", err)
	}
	for _, id := range closed {
		b.start(ctx, id) // its root loses the Undo button
	}
}

// completeOwed delivers the Slack side effects req still owes, in order, each marked done only
// after Slack accepted it. Before each, the lease is renewed: a replica that lost it sends nothing.
// It stops at the first failure (the caller lets the lease lapse, so another attempt follows).
func (b *executor) completeOwed(ctx context.Context, l store.Lease, req *store.Request) error {
	for _, e := range []store.Effect{store.EffectRoot, store.EffectResult, store.EffectExpiry, store.EffectRequester, store.EffectUndo} {
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
func (b *executor) deliver(ctx context.Context, l store.Lease, req *store.Request, e store.Effect) (*store.Request, error) {
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
				if err := b.slack.update(ctx, req.Channel, req.ProgressTS, progressMessage(req, len(req.Accounts), outcomeCounts(req))); err != nil {
					b.log.Warn("final progress", "request_id", req.ID, "err", err)
				}
			}
			if _, err := b.slack.post(ctx, req.Channel, req.ThreadTS, resultMessage(req)); b.settle(req, e, err) != nil {
				return nil, err
			}
		default: // denied, cancelled
			if req.ThreadTS == "" {
				break // cancelled before Confirm: no root, the click was answered
			}
			if _, err := b.slack.post(ctx, req.Channel, req.ThreadTS, decisionNote(req)); b.settle(req, e, err) != nil {
				return nil, err
			}
		}
	case store.EffectUndo:
		if err := b.settle(req, e, b.updateRoot(ctx, req)); err != nil {
			return nil, err
		}
		// The Undo request may have finished while the root was updated: its "undone" was owed
		// again and cleared here, so show what the request is now.
		now, err := b.store.ClearOwed(ctx, l, e)
		if err != nil {
			return nil, err
		}
		if now.State != req.State || now.UndoneBy != req.UndoneBy {
			if err := b.settle(now, e, b.updateRoot(ctx, now)); err != nil {
				b.log.Warn("update root after undo", "request_id", req.ID, "err", err)
			}
		}
		return now, nil
	case store.EffectExpiry:
		if err := b.settle(req, e, b.updateRoot(ctx, req)); err != nil {
			return nil, err
		}
		if req.ThreadTS == "" {
			break // a Confirm never given: no root; the requester is told
		}
		if _, err := b.slack.post(ctx, req.Channel, req.ThreadTS, decisionNote(req)); b.settle(req, e, err) != nil {
			return nil, err
		}
	case store.EffectRequester:
		// Told once is enough: the effect is done when the DM or the thread mention went out, so
		// a failing one never makes the other repeat.
		errDM := b.slack.dm(ctx, req.Requester, requesterNotice(req, false))
		var errThread error
		if req.ThreadTS != "" {
			_, errThread = b.slack.post(ctx, req.Channel, req.ThreadTS, requesterNotice(req, true))
		} else if errDM != nil {
			errThread = errDM
		}
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
func (b *executor) settle(req *store.Request, e store.Effect, err error) error {
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

// updateRoot shows req's current state on its root message. An Undo request shares the root of
// the request it undoes, which shows the Undo itself (EffectUndo): it leaves the root alone.
func (b *executor) updateRoot(ctx context.Context, req *store.Request) error {
	if req.ThreadTS == "" || req.UndoOf != "" {
		return nil
	}
	return b.slack.update(ctx, req.Channel, req.ThreadTS, rootMessage(req))
}

// postNote posts a short note in the request's thread.
func (b *executor) postNote(ctx context.Context, req *store.Request, m message) {
	if req.ThreadTS == "" {
		return
	}
	if _, err := b.slack.post(ctx, req.Channel, req.ThreadTS, storageNote(ctx, m)); err != nil {
		b.log.Warn("post thread note", "request_id", req.ID, "err", err)
	}
}

// postRoot posts a new request's root message under the lease CreateRequest gave this replica,
// records it and releases the lease. It first asks the store whether that lease is still this
// replica's (renewing it): a lease that lapsed and was taken over means another replica posts the
// root. The post then runs on the renewed lease's local clock, so it cannot outlive the lease.
func (b *executor) postRoot(ctx context.Context, req *store.Request) error {
	if req.Lease.Owner != b.o.ReplicaID {
		return nil // created under another replica's lease (a duplicate delivery): it posts the root
	}
	clock := newLeaseClock(b.o.LeaseTTL)
	asked := time.Now()
	l, err := b.store.RenewLease(ctx, req.Lease, b.o.LeaseTTL)
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		return nil // taken over: the new owner posts the root
	case err != nil:
		return fmt.Errorf("renew lease before posting the root: %w", err)
	}
	clock.renewed(asked)
	if _, err := b.postRootMessage(withLeaseClock(ctx, clock), l, req); err != nil {
		return err
	}
	if err := b.store.ReleaseLease(ctx, l); err != nil && !errors.Is(err, store.ErrLeaseLost) {
		b.log.Warn("release lease", "request_id", req.ID, "err", err)
	}
	return nil
}

// postRootMessage posts req's root message in the approval channel and records it under the
// lease. A root posted but not recorded would be an orphan whose buttons still work while another
// gets posted later: recording is retried, and if it still fails (or the lease was taken over,
// so another replica posts or posted its own) the orphan is deleted.
func (b *executor) postRootMessage(ctx context.Context, l store.Lease, req *store.Request) (*store.Request, error) {
	ts, err := b.slack.post(ctx, req.Channel, "", rootMessage(req))
	if err != nil {
		return nil, err
	}
	var now *store.Request
	for attempt := range 3 {
		if now, err = b.store.SetRoot(ctx, l, req.Channel, ts); err == nil {
			b.catchUpRoot(ctx, now)
			return now, nil
		}
		if errors.Is(err, store.ErrLeaseLost) {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if derr := b.slack.deleteMessage(dctx, req.Channel, ts); derr != nil {
		b.log.Error("root message posted but neither recorded nor deleted", "request_id", req.ID, "err", derr)
	}
	return nil, fmt.Errorf("record root message: %w", err)
}

// catchUpRoot shows on a just-recorded root message the decisions clicked while it was being
// posted: a click that lands before SetRoot finds no root to update and no thread to note in.
func (b *executor) catchUpRoot(ctx context.Context, req *store.Request) {
	if req.State == store.Pending && len(req.Approvals) == 0 {
		return
	}
	if err := b.updateRoot(ctx, req); err != nil {
		b.log.Warn("update root", "request_id", req.ID, "err", err)
	}
	for i, a := range req.Approvals {
		soFar := *req
		soFar.Approvals = req.Approvals[:i+1]
		if i < len(req.Approvals)-1 || len(soFar.Approvals) < req.ApprovalsNeeded {
			soFar.State = store.Pending
		}
		b.postNote(ctx, &soFar, approvalNote(&soFar, a.By))
	}
}
