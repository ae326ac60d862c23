package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"modbot/store"
	"modbot/tim"
)

// handleUnban opens an unban request: it checks the caller's role and that the group exists,
// stores the request (pending), posts its root message in the approval channel and tells the
// requester where it waits. If the root cannot be posted the request stays owed and the sweeper
// posts it later.
func (b *Bot) handleUnban(ctx context.Context, inv *invocation, c *UnbanCmd) {
	target := store.Target{Kind: store.KindGroup, ID: c.Target.ID()}
	if c.Target.Kind == TargetRoom {
		target.Kind = store.KindRoom
	} else {
		info, err := b.tim.GroupInfo(ctx, c.Target.Group)
		if err != nil {
			b.audit(ctx, inv, store.AuditEntry{Action: store.ActionRequest, TargetKind: string(target.Kind), Target: target.ID, Accounts: accountStrings(c.Accounts), Outcome: store.OutcomeFailed, Code: tim.Code(err), Detail: Truncate(err.Error(), 300)})
			if tim.Code(err) == 10010 {
				s := fmt.Sprintf(":warning: Tencent Chat has no group %s (code 10010: %s). Check the ID; nothing was stored.",
					Code(c.Target.ID()), Escape(tim.Meaning(10010)))
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
		Accounts:   accountStrings(c.Accounts),
		Reason:     c.Reason,
		Requester:  inv.User,
		Channel:    b.o.ApprovalChannel,
		TTL:        b.o.RequestTTL,
		Approvals:  b.o.Approvals,
		LeaseOwner: b.o.ReplicaID,
		LeaseTTL:   b.o.LeaseTTL,
		MaxOpen:    b.o.MaxOpenRequests,
		History:    b.caseHistory(ctx, accountStrings(c.Accounts)),
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
	if err := b.ex.postRoot(ctx, req); err != nil {
		b.log.Warn("post root message", "request_id", req.ID, "err", err)
		b.reply(ctx, inv, rootFailedMessage(req, slackError(err)))
		return // the lease lapses and the sweeper posts the root
	}
	b.reply(ctx, inv, openedMessage(req))
}

// slackError is the error code of a Web API answer ("not_in_channel"), or "an error".
func slackError(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return "an error"
}
