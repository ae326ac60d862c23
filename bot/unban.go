package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"modbot/store"
	"modbot/tim"
)

// handleUnban opens an unban request: it checks the caller's role and that the group exists,
// stores the request (pending), posts its root message in the approval channel and tells the
// requester where it waits. If the root cannot be posted the request stays owed and the sweeper
// posts it later.
func (b *Bot) handleUnban(ctx context.Context, inv *invocation, c *UnbanCmd) {
	if !b.allowed(ctx, inv, store.RoleModerator, CmdUnban) {
		return
	}
	target := store.Target{Kind: store.KindGroup, ID: c.Target.ID}
	if c.Target.Kind == TargetRoom {
		target.Kind = store.KindRoom
	} else {
		info, err := b.tim.GroupInfo(ctx, tim.GroupID(c.Target.ID))
		if err != nil {
			b.audit(ctx, inv, "request", string(target.Kind), target.ID, c.Accounts, "failed", tim.Code(err), Truncate(err.Error(), 300))
			if tim.Code(err) == 10010 {
				s := fmt.Sprintf(":warning: Tencent Chat has no group %s (code 10010: %s). Check the ID; nothing was stored.",
					Code(c.Target.ID), Escape(tim.Meaning(10010)))
				b.reply(ctx, inv, note(s))
				return
			}
			b.fail(ctx, inv, err)
			return
		}
		target.GroupType = string(info.Type)
	}
	req, err := b.store.CreateRequest(ctx, store.NewRequest{
		OpID:       inv.OpID,
		Target:     target,
		Accounts:   c.Accounts,
		Reason:     c.Reason,
		Requester:  inv.User,
		Channel:    b.o.ApprovalChannel,
		TTL:        b.o.RequestTTL,
		Approvals:  b.o.Approvals,
		LeaseOwner: b.o.ReplicaID,
		LeaseTTL:   b.o.LeaseTTL,
		MaxOpen:    b.o.MaxOpenRequests,
	})
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	// The same command delivered again (to this replica, while the first delivery is handled, or
	// re-sent by go-redis) gets the same request: only one delivery posts the root and answers.
	if !b.ex.hold(req.ID) {
		return
	}
	defer b.ex.end(req.ID)
	if req, err = b.store.Request(ctx, req.ID); err != nil {
		b.fail(ctx, inv, err)
		return
	}
	if req.ThreadTS != "" || !req.Owes(store.EffectRoot) {
		return // another delivery posted it and answered
	}
	if err := b.postRoot(ctx, req); err != nil {
		b.log.Warn("post root message", "request_id", req.ID, "err", err)
		b.reply(ctx, inv, rootFailedMessage(req, slackError(err)))
		return // the lease lapses and the sweeper posts the root
	}
	b.reply(ctx, inv, openedMessage(req))
}

// postRoot posts a new request's root message under the lease CreateRequest gave this replica,
// records it and releases the lease. It first asks the store whether that lease is still this
// replica's (renewing it): a lease that lapsed and was taken over means another replica posts the
// root. The post then runs on the renewed lease's local clock, so it cannot outlive the lease.
func (b *Bot) postRoot(ctx context.Context, req *store.Request) error {
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
func (b *Bot) postRootMessage(ctx context.Context, l store.Lease, req *store.Request) (*store.Request, error) {
	ts, err := b.post(ctx, req.Channel, "", rootMessage(req))
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
	if _, _, derr := b.api.DeleteMessageContext(dctx, req.Channel, ts); derr != nil {
		b.log.Error("root message posted but neither recorded nor deleted", "request_id", req.ID, "err", derr)
	}
	return nil, fmt.Errorf("record root message: %w", err)
}

// slackError is the error code of a Web API answer ("not_in_channel"), or "an error".
func slackError(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return "an error"
}

// catchUpRoot shows on a just-recorded root message the decisions clicked while it was being
// posted: a click that lands before SetRoot finds no root to update and no thread to note in.
func (b *Bot) catchUpRoot(ctx context.Context, req *store.Request) {
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
