package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"modbot/store"
)

// handleDecisionClick handles Approve, Deny, Cancel and Retry failed on a root message. The
// store decides atomically (role at this moment, not the requester, distinct approvers, expiry,
// state); a refusal is answered only to the clicker and audited. Cancel needs only that the
// clicker is the requester, whatever their role now (the store checks it): withdrawing a request
// acts on no one, and a requester who lost their role must still be able to take it back.
func (b *Bot) handleDecisionClick(ctx context.Context, inv *invocation, action, value string) {
	id := value
	b.roleOnRequest(ctx, inv, id) // scope.go: the effective role on the request's target
	if inv.Role == store.RoleNone && action != actionCancel {
		b.refuseClick(ctx, inv, id, action, store.ErrForbidden)
		return
	}
	switch action {
	case actionApprove:
		b.approve(ctx, inv, id)
	case actionDeny:
		b.askDenyReason(ctx, inv, id)
	case actionCancel:
		req, err := b.store.Cancel(ctx, id, inv.User, inv.OpID)
		if errors.Is(err, store.ErrNotRequester) && inv.Role == store.RoleNone && b.stranger(ctx, inv) { // scope.go
			err = store.ErrForbidden // a stranger hears that they are not on the allowlist
		}
		if err != nil {
			b.refuseClick(ctx, inv, id, action, err)
			return
		}
		if !req.Repeat { // a repeat (the same click delivered twice) was counted the first time
			b.o.Metrics.Decision("cancelled")
			if req.ThreadTS == "" && req.NeedsConfirm { // no root to show it on: answer the click
				b.tell(ctx, inv, note(fmt.Sprintf(":leftwards_arrow_with_hook: Cancelled: %s #%d was not confirmed. Nothing was sent to Tencent.", wordsOf(req).noun, req.Number)))
			}
		}
		b.ex.start(ctx, req.ID) // shows it on the root and in the thread
	case actionRetry:
		req, err := b.store.Retry(ctx, id, inv.User, inv.OpID)
		if err != nil {
			b.refuseClick(ctx, inv, id, action, err)
			return
		}
		if !req.Repeat {
			b.ex.postNote(ctx, req, retryNote(req, inv.User))
		}
		b.ex.start(ctx, req.ID)
	}
}

// handleDenyView denies the request named by the modal's private_metadata, with the reason typed.
func (b *Bot) handleDenyView(ctx context.Context, inv *invocation, view slack.View) {
	var reason string
	if view.State != nil {
		reason = view.State.Values[denyReasonID][denyReasonID].Value
	}
	b.roleOnRequest(ctx, inv, view.PrivateMetadata)
	b.deny(ctx, inv, view.PrivateMetadata, Truncate(strings.TrimSpace(reason), MaxReasonBytes))
}

// approve counts inv.User's approval; the approval that makes the quorum starts the execution.
func (b *Bot) approve(ctx context.Context, inv *invocation, id string) {
	req, err := b.store.Approve(ctx, id, inv.User, inv.OpID)
	if err != nil {
		b.refuseClick(ctx, inv, id, actionApprove, err)
		return
	}
	// A repeat (the same click delivered twice, or the script re-sent) was noted the first time;
	// refreshing the root and starting the execution are safe to do again.
	if !req.Repeat {
		b.ex.postNote(ctx, req, approvalNote(req, inv.User))
	}
	if req.State == store.Pending {
		b.refreshRoot(ctx, id)
		return
	}
	// Quorum, or a cancel because the requester lost their role when it formed: the execution shows
	// it on the root (only the lease holder updates it from now on) and tells the requester.
	if !req.Repeat {
		if req.State == store.Cancelled {
			b.o.Metrics.Decision("cancelled")
		} else {
			b.o.Metrics.Decision("approved")
		}
	}
	b.ex.start(ctx, id)
}

// askDenyReason opens the deny modal, after checking what can be checked now so that a refused
// clicker gets an answer at once instead of a modal. If the modal cannot open, it denies without a
// reason.
func (b *Bot) askDenyReason(ctx context.Context, inv *invocation, id string) {
	if inv.Role < store.RoleApprover {
		b.refuseClick(ctx, inv, id, actionDeny, store.ErrForbidden)
		return
	}
	req, err := b.store.Request(ctx, id)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	switch {
	case req.Requester == inv.User:
		b.refuseClick(ctx, inv, id, actionDeny, store.ErrSelfApproval)
		return
	case req.State != store.Pending:
		b.tell(ctx, inv, b.errorMessage(&store.DecidedError{ID: id, State: req.State, By: req.DecidedBy, At: req.DecidedAt}))
		return
	}
	if _, err := b.api.OpenViewContext(ctx, inv.TriggerID, denyModal(req)); err != nil {
		b.log.Warn("open deny modal; denying without a reason", "request_id", id, "slack_user", inv.User, "err", redactURL(err))
		b.deny(ctx, inv, id, "")
	}
}

// deny vetoes the request; the execution path shows it and tells the requester.
func (b *Bot) deny(ctx context.Context, inv *invocation, id, reason string) {
	req, err := b.store.Deny(ctx, id, inv.User, inv.OpID, reason)
	if err != nil {
		b.refuseClick(ctx, inv, id, actionDeny, err)
		return
	}
	if !req.Repeat {
		b.o.Metrics.Decision("denied")
	}
	b.ex.start(ctx, req.ID)
}

// refuseClick answers a decision the store (or the role check) refused, only to the clicker.
// Refusals by role, self-decisions and other people's cancels are audited; the store audits only
// the transitions it makes.
func (b *Bot) refuseClick(ctx context.Context, inv *invocation, id, action string, err error) {
	inv.outcome = store.OutcomeRefused
	label := buttonLabel(action)
	switch {
	case errors.Is(err, store.ErrForbidden):
		b.auditRefusal(ctx, inv, id, fmt.Sprintf("%s needs %s, has %s", label, neededRole(action), roleWhere(inv)))
		b.o.Metrics.Decision("refused")
		b.tell(ctx, inv, b.refusalMessage(ctx, inv, neededRole(action), label))
	case errors.Is(err, store.ErrSelfApproval), errors.Is(err, store.ErrNotRequester):
		b.auditRefusal(ctx, inv, id, label+": "+err.Error())
		b.o.Metrics.Decision("refused")
		b.tell(ctx, inv, b.errorMessage(err))
	case errors.Is(err, store.ErrExpired):
		if errors.Is(err, store.ErrExpiredHere) { // the sweep will not see this expiry: count it here
			b.o.Metrics.Decision("expired")
		}
		b.tell(ctx, inv, b.errorMessage(err))
		b.ex.start(ctx, id) // this click may have expired it: show that on the root
	default:
		if unexpected(err) {
			b.log.Error("decision failed", "request_id", id, "slack_user", inv.User, "cmd", action, "err", err)
		}
		b.tell(ctx, inv, b.errorMessage(err))
	}
}

// auditRefusal records a refused click with the request it was about (its account count, never
// its accounts; see auditRefused).
func (b *Bot) auditRefusal(ctx context.Context, inv *invocation, id, detail string) {
	b.auditRefused(ctx, inv, store.AuditEntry{Action: store.ActionRefused, RequestID: id, Detail: detail})
}

// tell answers the invoker privately: through the response_url, or in a DM where there is none
// (modal submissions).
func (b *Bot) tell(ctx context.Context, inv *invocation, m message) {
	if inv.ResponseURL != "" {
		b.reply(ctx, inv, m)
		return
	}
	if err := b.dm(ctx, inv.User, m); err != nil {
		b.log.Warn("reply by DM", "slack_user", inv.User, "cmd", inv.Command, "err", err)
	}
}

// refreshRoot shows the request's state as it is now on its root message.
func (b *Bot) refreshRoot(ctx context.Context, id string) {
	req, err := b.store.Request(ctx, id)
	if err == nil && req.State != store.Pending {
		return // decided meanwhile: the lease holder shows it, and a pending view must not win
	}
	if err == nil {
		err = b.ex.updateRoot(ctx, req)
	}
	if err != nil {
		b.log.Warn("update root", "request_id", id, "err", err)
	}
}

func buttonLabel(action string) string {
	switch action {
	case actionApprove:
		return "Approve"
	case actionDeny:
		return "Deny"
	case actionCancel:
		return "Cancel"
	case actionRetry:
		return "Retry failed"
	case actionUndo:
		return "Undo"
	case actionConfirm:
		return "Confirm"
	}
	return action
}

// neededRole is the least role that may press a decision button (Cancel needs no role, only
// to be the requester; Retry failed also lets the requester who is still a moderator).
func neededRole(action string) store.Role {
	switch action {
	case actionCancel:
		return store.RoleNone
	case actionUndo, actionConfirm:
		return store.RoleModerator
	}
	return store.RoleApprover
}
