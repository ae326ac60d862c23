package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"modbot/store"
	"modbot/tim"
)

// The action pipeline's entry points: a command (/ban, /mute, /unmute, /unban) opens a request
// after a look at the live state; Confirm and Undo are buttons. See docs/DESIGN.md, "Actions".

// Action IDs of the pipeline's own buttons; their values are a request ID only.
const (
	actionUndo    = "undo"
	actionConfirm = "confirm"
)

// policy is how action a is run: Options.Policies' entry, else DefaultPolicy's, with
// Options.Approvals for unban when Policies has no unban entry; a ban or mute without a duration
// takes DefaultPolicy's.
func (b *Bot) policy(a store.ActionKind) Policy {
	p, ok := b.o.Policies[a]
	if !ok {
		p = DefaultPolicy(a)
		if a == store.UnbanAction && b.o.Approvals > 0 {
			p.Approvals = b.o.Approvals
		}
	}
	if p.Duration <= 0 {
		p.Duration = DefaultPolicy(a).Duration
	}
	return p
}

// durationSeconds is what a request stores for a ban or mute of d: whole seconds, rounded up,
// at most store.PermanentDuration (tim.Permanent and longer are for ever).
func durationSeconds(d time.Duration) uint32 {
	if d >= tim.Permanent {
		return store.PermanentDuration
	}
	s := math.Ceil(d.Seconds())
	return uint32(max(s, 1))
}

// handleAction opens an action request: it checks that a group exists, reads the target's live
// state (the preview), stores the request with each account's prior state, and then
//   - with approvals needed: posts its root message (Approve / Deny / Cancel) and tells the
//     requester where it waits;
//   - immediate, on more than Options.ConfirmOver accounts: shows the requester the preview with
//     Confirm / Cancel; nothing is posted or sent before Confirm;
//   - immediate: posts its root and executes at once; the root offers Undo.
//
// If the root cannot be posted the request stays owed and the sweeper posts it later.
func (b *Bot) handleAction(ctx context.Context, inv *invocation, c *ActionCmd) {
	kind, ok := actionKinds[c.Action]
	if !ok {
		b.fail(ctx, inv, fmt.Errorf("unknown action %q", c.Action))
		return
	}
	accounts := accountStrings(c.Accounts)
	target := store.Target{Kind: store.KindGroup, ID: c.Target.ID()}
	if c.Target.Kind == TargetRoom {
		target.Kind = store.KindRoom
		if kind.mutes {
			inv.outcome = store.OutcomeRefused
			b.reply(ctx, inv, note(fmt.Sprintf(":warning: Only groups have mutes: %s is a room, so it cannot be %s. To keep someone out of a room, `/ban room %s <account>`. Nothing was stored.",
				Code(c.Target.ID()), kind.past, Escape(c.Target.ID()))))
			return
		}
	} else {
		info, err := b.tim.GroupInfo(ctx, c.Target.Group)
		if err != nil {
			b.audit(ctx, inv, store.AuditEntry{Action: store.ActionRequest, TargetKind: string(target.Kind), Target: target.ID, Accounts: accounts, Outcome: store.OutcomeFailed, Code: tim.Code(err), Detail: Truncate(err.Error(), 300)})
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
	p := b.policy(c.Action)
	var secs uint32
	if !kind.lifts {
		d := c.Duration
		if d <= 0 {
			d = p.Duration
		}
		secs = durationSeconds(d)
	}
	prior, summary := preview(ctx, b.tim, c.Action, target, c.Accounts, b.o.PreviewPages)
	nr := store.NewRequest{
		OpID:       inv.OpID,
		Action:     c.Action,
		Target:     target,
		Accounts:   accounts,
		Reason:     c.Reason,
		ReasonCode: c.ReasonCode,
		Duration:   secs,
		Preview:    summary,
		History:    b.caseHistory(ctx, accounts),
		Prior:      prior,
		Requester:  inv.User,
		Channel:    b.o.ApprovalChannel,
		TTL:        b.o.RequestTTL,
		Approvals:  p.Approvals,
		LeaseOwner: b.o.ReplicaID,
		LeaseTTL:   b.o.LeaseTTL,
		MaxOpen:    b.o.MaxOpenRequests,
	}
	if p.Approvals == 0 {
		nr.UndoWindow = b.o.UndoWindow
		nr.Confirm = len(accounts) > b.o.ConfirmOver
	}
	if nr.Confirm {
		// Nothing is owed before the Confirm, so no lease: the replica the Confirm reaches claims
		// the request at once instead of waiting for this one's lease to lapse and a sweep.
		nr.LeaseOwner = ""
	}
	req, err := b.store.CreateRequest(ctx, nr)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	// The same command delivered again (to this replica, while the first delivery is handled, or
	// re-sent by go-redis) gets the same request: only one delivery posts the root and answers.
	if !b.ex.hold(req.ID) {
		return
	}
	id := req.ID
	if req, err = b.store.Request(ctx, id); err != nil {
		b.ex.end(id)
		b.fail(ctx, inv, err)
		return
	}
	if req.State == store.Confirming {
		b.ex.end(req.ID)
		if req.Repeat {
			return
		}
		b.reply(ctx, inv, confirmPrompt(req))
		return
	}
	if req.ThreadTS != "" || !req.Owes(store.EffectRoot) {
		b.ex.end(req.ID)
		return // another delivery posted it and answered
	}
	err = b.ex.postRoot(ctx, req)
	b.ex.end(req.ID)
	if err != nil {
		b.log.Warn("post root message", "request_id", req.ID, "err", err)
		b.reply(ctx, inv, rootFailedMessage(req, slackError(err)))
		return // the lease lapses and the sweeper posts the root (and executes an immediate one)
	}
	if req.ApprovalsNeeded == 0 {
		b.ex.start(ctx, req.ID)
		b.reply(ctx, inv, startedMessage(req))
		return
	}
	b.reply(ctx, inv, openedMessage(req))
}

// handleConfirm starts an immediate action that waits for its requester's Confirm: the store
// checks at this moment that the clicker is the requester, still a moderator, within
// store.ConfirmWindow; then the root is posted and it executes.
func (b *Bot) handleConfirm(ctx context.Context, inv *invocation, id string) {
	if !b.moderatorClick(ctx, inv, id, actionConfirm) {
		return
	}
	req, err := b.store.Confirm(ctx, id, inv.User, inv.OpID)
	if err != nil {
		if errors.Is(err, store.ErrConfirmExpired) {
			b.tell(ctx, inv, note(":hourglass: This confirmation has expired (a Confirm is valid for 10 minutes). Nothing was sent to Tencent; type the command again to see the state as it is now."))
			return
		}
		b.refuseClick(ctx, inv, id, actionConfirm, err)
		return
	}
	b.ex.start(ctx, req.ID)
	if !req.Repeat {
		b.tell(ctx, inv, confirmedMessage(req))
	}
}

// handleUndo undoes an immediate action: the store checks at this moment that the clicker is
// the requester (still a moderator) or an approver, that the window is open and that nobody
// undid it before; the Undo request it creates runs at once in the same thread.
func (b *Bot) handleUndo(ctx context.Context, inv *invocation, id string) {
	if !b.moderatorClick(ctx, inv, id, actionUndo) {
		return
	}
	undo, err := b.store.Undo(ctx, id, inv.User, inv.OpID)
	if err != nil {
		var ue *store.UndoneError
		switch {
		case errors.As(err, &ue):
			b.tell(ctx, inv, note(fmt.Sprintf(":information_source: Already undone by %s %s (request #%s). Nothing more was done.",
				Mention(ue.By), slackDate(ue.At), undoNumber(ctx, b, ue.UndoID))))
		case errors.Is(err, store.ErrUndoWindowClosed):
			b.tell(ctx, inv, note(":hourglass: The Undo window of this action has closed; nothing was changed. To reverse it now, use the opposite command (`/unban`, `/unmute`, `/ban` or `/mute`)."))
			b.ex.closeUndoWindows(ctx) // take the button away if the sweep has not yet
		case errors.Is(err, store.ErrNothingToUndo):
			b.tell(ctx, inv, note(":information_source: Nothing to undo: no account was changed by this action."))
		case errors.Is(err, store.ErrNotUndoable):
			b.tell(ctx, inv, note(":information_source: Only a finished immediate action can be undone; this one cannot. Nothing was changed."))
		default:
			b.refuseClick(ctx, inv, id, actionUndo, err)
		}
		return
	}
	b.ex.start(ctx, undo.ID) // the Undo request executes in the original's thread
	b.ex.start(ctx, id)      // the original's root shows the Undo was asked
}

// moderatorClick settles inv's role on the request's target (scope.go) and refuses the click
// (action) unless that role is moderator or more; it reports whether the click may go on.
func (b *Bot) moderatorClick(ctx context.Context, inv *invocation, id, action string) bool {
	b.roleOnRequest(ctx, inv, id)
	if inv.Role < store.RoleModerator {
		b.refuseClick(ctx, inv, id, action, store.ErrForbidden)
		return false
	}
	return true
}

// undoNumber names an Undo request by its number, or "?" if it cannot be read.
func undoNumber(ctx context.Context, b *Bot, id string) string {
	if r, err := b.store.Request(ctx, id); err == nil {
		return fmt.Sprint(r.Number)
	}
	return "?"
}
