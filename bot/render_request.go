package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"modbot/store"
)

// Block Kit of the approval flow: the root message of a request, thread notes, the requester's
// notices and the deny modal (the progress and result messages are in render_result.go).
// Everything a person typed (reason, IDs, accounts) is escaped or rendered as an inert code span.

const (
	shownAccounts = 20 // accounts listed on a root message or per failure code
	shownCodes    = 8  // failure codes listed in a result, each with its accounts
	maxReasonText = 1500
)

// Block IDs of the root message's button rows.
const (
	blockDecide = "decide"
	blockRetry  = "retry"
)

// rootMessage is the request's root message in the approval channel, as its state is now.
func rootMessage(r *store.Request) message { return rootMessageAt(r, time.Now()) }

// rootMessageAt is rootMessage with the Undo window judged at now.
func rootMessageAt(r *store.Request, now time.Time) message {
	title := requestTitle(r)
	fs := []string{
		"*Target*\n" + targetText(r.Target),
		"*Requested by*\n" + Mention(r.Requester),
		"*Accounts*\n" + withCommas(len(r.Accounts)),
	}
	if r.Duration > 0 {
		fs = append(fs, "*Duration*\n"+durationText(r.Duration))
	}
	if r.ApprovalsNeeded > 0 {
		fs = append(fs, "*Approvals*\n"+approvalsText(r), "*Expires*\n"+slackDate(r.ExpiresAt))
	}
	fs = append(fs, "*State*\n"+stateName(r.State))
	blocks := []slackBlock{
		header(title),
		fields(fs...),
		section("*Accounts:* " + accountList(r.Accounts, shownAccounts)),
	}
	if r.Reason != "" || r.ReasonCode != "" {
		blocks = append(blocks, section(reasonText(r)))
	}
	if r.Preview != "" {
		blocks = append(blocks, contextBlock("*Live state when asked:* "+escapeWithin(r.Preview, 600)))
	}
	blocks = append(blocks, historyBlocks(r)...) // the accounts' case history (history.go)
	line := stateLine(r)
	if u := undoLine(r, now); u != "" {
		line += " " + u
	}
	blocks = append(blocks, contextBlock(line))
	var buttons []*slack.ButtonBlockElement
	switch r.State {
	case store.Pending:
		blocks = append(blocks, actions(blockDecide,
			button(actionApprove, "Approve", r.ID, "primary"),
			button(actionDeny, "Deny", r.ID, "danger"),
			button(actionCancel, "Cancel (requester)", r.ID, ""),
		))
	case store.Partial, store.Failed:
		if r.UndoneBy == "" {
			buttons = append(buttons, button(actionRetry, "Retry failed", r.ID, ""))
		}
	}
	if undoOffered(r, now) {
		buttons = append(buttons, button(actionUndo, "Undo", r.ID, "danger"))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, actions(blockRetry, buttons...))
	}
	text := fmt.Sprintf("%s: %d account(s) in %s, requested by %s: %s", title, len(r.Accounts),
		targetText(r.Target), Mention(r.Requester), stateName(r.State))
	return message{Text: Truncate(text, maxFallbackText), Blocks: blocks}
}

// approvalNote is the thread note of one approval.
func approvalNote(r *store.Request, by string) message {
	w := wordsOf(r)
	s := fmt.Sprintf(":white_check_mark: Approved by %s (%d of %d).", Mention(by), len(r.Approvals), r.ApprovalsNeeded)
	if len(r.DroppedApprovals) > 0 {
		s += " " + droppedText(r) + "."
	}
	switch r.State {
	case store.Pending:
	case store.Cancelled:
		s += " " + systemCancelText(r) + " Nothing was " + w.past + "."
	default:
		s += " " + w.doing + " now."
	}
	return note(s)
}

// droppedText names the approvals that stopped counting when the quorum formed.
func droppedText(r *store.Request) string {
	who := make([]string, len(r.DroppedApprovals))
	for i, u := range r.DroppedApprovals {
		who[i] = Mention(u)
	}
	return "No longer counted: the approval of " + strings.Join(who, ", ") + " (no longer an approver when the approvals were counted)"
}

// systemCancelText says why modbot cancelled a request itself.
func systemCancelText(r *store.Request) string {
	why := r.CancelReason
	if why == "" {
		why = "no reason recorded"
	}
	return fmt.Sprintf("Cancelled by modbot %s: %s (%s lost the moderator role before the approvals were complete).",
		slackDate(r.DecidedAt), Escape(why), Mention(r.Requester))
}

// retryNote is the thread note of a "Retry failed".
func retryNote(r *store.Request, by string) message {
	return note(fmt.Sprintf(":repeat: %s asked to retry the %s failed account(s).", Mention(by), withCommas(len(r.Remaining()))))
}

// decisionNote is the thread note of a final decision without execution: denied, cancelled or
// expired.
func decisionNote(r *store.Request) message {
	w := wordsOf(r)
	switch r.State {
	case store.Denied:
		s := fmt.Sprintf(":no_entry: Denied by %s %s.", Mention(r.DecidedBy), slackDate(r.DecidedAt))
		if r.DenyReason != "" {
			s += "\n*Reason:*\n" + Prose(r.DenyReason, maxReasonText)
		}
		return note(s)
	case store.Cancelled:
		if r.DecidedBy == store.SystemActor {
			return note(":leftwards_arrow_with_hook: " + systemCancelText(r) + " Nothing was " + w.past + ".")
		}
		return note(fmt.Sprintf(":leftwards_arrow_with_hook: Cancelled by %s %s. Nothing was "+w.past+".", Mention(r.DecidedBy), slackDate(r.DecidedAt)))
	default:
		return note(fmt.Sprintf(":hourglass: Expired %s without a decision. Nothing was "+w.past+".", slackDate(r.DecidedAt)))
	}
}

// requesterNotice tells the requester how their request ended: mentioned in the thread, and in a
// DM (where inThread is false, the channel is named).
func requesterNotice(r *store.Request, inThread bool) message {
	w := wordsOf(r)
	what := fmt.Sprintf("Your %s #%d (%s)", requestWord(r), r.Number, targetText(r.Target))
	if r.Duration > 0 {
		what = fmt.Sprintf("Your %s #%d (%s, %s)", requestWord(r), r.Number, targetText(r.Target), durationText(r.Duration))
	}
	if !inThread {
		what += fmt.Sprintf(" in <#%s>", r.Channel)
	}
	c := outcomeCounts(r)
	done, failed := c.done, c.failed
	var s string
	switch {
	case r.State == store.Done && c.skipped == 0:
		s = fmt.Sprintf(":white_check_mark: %s is done: all %s account(s) were "+w.past+".", what, withCommas(done))
	case r.State == store.Done:
		s = fmt.Sprintf(":white_check_mark: %s is done: %s account(s) "+w.past+", %s skipped ("+skippedShort(r)+").", what, withCommas(done), withCommas(c.skipped))
	case r.State == store.Partial:
		s = fmt.Sprintf(":warning: %s is partly done: %s "+w.past+", %s failed. The thread lists why; you or an approver can *Retry failed*.", what, withCommas(done), withCommas(failed))
		if c.skipped > 0 {
			s = fmt.Sprintf(":warning: %s is partly done: %s "+w.past+", %s skipped ("+skippedShort(r)+"), %s failed. The thread lists why; you or an approver can *Retry failed*.",
				what, withCommas(done), withCommas(c.skipped), withCommas(failed))
		}
	case r.State == store.Failed:
		s = fmt.Sprintf(":x: %s failed: none of the %s account(s) could be "+w.past+". The thread lists why; you or an approver can *Retry failed*.", what, withCommas(failed))
	case r.State == store.Denied:
		s = fmt.Sprintf(":no_entry: %s was denied by %s.", what, Mention(r.DecidedBy))
		if r.DenyReason != "" {
			s += " Reason:\n" + Prose(r.DenyReason, maxReasonText)
		}
	case r.State == store.Expired && r.NeedsConfirm:
		s = fmt.Sprintf(":hourglass: %s was not confirmed within 10 minutes, so nothing was sent to Tencent. Type `/"+w.verb+"` again if it is still needed.", what)
	case r.State == store.Expired:
		s = fmt.Sprintf(":hourglass: %s expired %s without a decision. Open a new one with `/"+w.verb+"` if it is still needed.", what, slackDate(r.DecidedAt))
	case r.State == store.Cancelled:
		if r.DecidedBy == store.SystemActor {
			s = fmt.Sprintf(":leftwards_arrow_with_hook: %s was cancelled by modbot: %s. You no longer have the moderator role, so it cannot run; nothing was "+w.past+".",
				what, Escape(r.CancelReason))
			break
		}
		s = fmt.Sprintf("%s is %s.", what, stateName(r.State))
	default:
		s = fmt.Sprintf("%s is %s.", what, stateName(r.State))
	}
	if (r.State == store.Done || r.State == store.Partial) && r.UndoOf == "" && r.UndoneBy == "" && !r.UndoUntil.IsZero() {
		s += " You or an approver can *Undo* it on its message until " + slackDate(r.UndoUntil) + "."
	}
	if inThread {
		s = Mention(r.Requester) + " " + s
	}
	return note(s)
}

// openedMessage tells the requester where their request waits.
func openedMessage(r *store.Request) message {
	need := "an approver"
	if r.ApprovalsNeeded > 1 {
		need = fmt.Sprintf("%d approvers", r.ApprovalsNeeded)
	}
	s := fmt.Sprintf(":inbox_tray: Request #%d opened in <#%s>, waiting for %s. It expires %s if nobody decides; you'll get the outcome in a DM.",
		r.Number, r.Channel, need, slackDate(r.ExpiresAt))
	return note(s)
}

// rootFailedMessage tells the requester that their request is stored but its root message could
// not be posted, and what the operator must do.
func rootFailedMessage(r *store.Request, slackErr string) message {
	s := fmt.Sprintf(":warning: Request #%d is stored, but modbot could not post it in <#%s> (Slack said %s). ",
		r.Number, r.Channel, Code(slackErr))
	switch slackErr {
	case "not_in_channel":
		s += "Whoever runs modbot must invite the bot to that channel (`/invite @modbot` there)."
	case "channel_not_found", "is_archived":
		s += "Whoever runs modbot must set `MODBOT_APPROVAL_CHANNEL` to a channel that exists and invite the bot to it."
	default:
		s += "Whoever runs modbot can find the details in its log."
	}
	s += " modbot keeps trying; approvers can decide once it appears."
	return note(s)
}

// denyModal asks an approver for an optional reason before denying.
func denyModal(r *store.Request) slack.ModalViewRequest {
	w := wordsOf(r)
	input := slack.NewPlainTextInputBlockElement(
		slack.NewTextBlockObject(slack.PlainTextType, "Why? The requester will see this.", false, false), denyReasonID)
	input.Multiline = true
	input.MaxLength = MaxReasonBytes
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, Truncate(fmt.Sprintf("Deny request #%d", r.Number), 24), false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Deny", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Back", false, false),
		CallbackID:      viewDeny,
		PrivateMetadata: r.ID,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("Deny "+strings.ToLower(w.noun)+" request #%d by %s: %s account(s) in %s?",
				r.Number, Mention(r.Requester), withCommas(len(r.Accounts)), targetText(r.Target))),
			slack.NewInputBlock(denyReasonID,
				slack.NewTextBlockObject(slack.PlainTextType, "Reason", false, false), nil, input).WithOptional(true),
		}},
	}
}

// denyReasonID is the block ID and action ID of the deny modal's reason input.
const denyReasonID = "reason"

// note is a one-section message whose fallback text is the same mrkdwn.
func note(s string) message {
	return message{Text: Truncate(s, maxFallbackText), Blocks: []slackBlock{section(s)}}
}

// targetText names a request's target: group `@TGS#…` (AVChatRoom), or room `r1`.
func targetText(t store.Target) string {
	if t.Kind == store.KindRoom {
		return "room " + Code(t.ID)
	}
	s := "group " + Code(t.ID)
	if t.GroupType != "" {
		s += " (" + Escape(t.GroupType) + ")"
	}
	return s
}

// approvalsText is "1 of 2: @bob".
func approvalsText(r *store.Request) string {
	s := fmt.Sprintf("%d of %d", len(r.Approvals), r.ApprovalsNeeded)
	if len(r.Approvals) > 0 {
		var who []string
		for _, a := range r.Approvals {
			who = append(who, Mention(a.By))
		}
		s += ": " + strings.Join(who, ", ")
	}
	if len(r.DroppedApprovals) > 0 {
		who := make([]string, len(r.DroppedApprovals))
		for i, u := range r.DroppedApprovals {
			who[i] = Mention(u)
		}
		s += "\nno longer counted: " + strings.Join(who, ", ")
	}
	return s
}

func stateName(st store.State) string {
	switch st {
	case store.Pending:
		return ":hourglass_flowing_sand: pending"
	case store.Approved:
		return ":white_check_mark: approved"
	case store.Executing:
		return ":gear: executing"
	case store.Done:
		return ":white_check_mark: done"
	case store.Partial:
		return ":warning: partly done"
	case store.Failed:
		return ":x: failed"
	case store.Denied:
		return ":no_entry: denied"
	case store.Cancelled:
		return ":leftwards_arrow_with_hook: cancelled"
	case store.Expired:
		return ":hourglass: expired"
	case store.Confirming:
		return ":raised_hand: waiting for Confirm"
	case store.Undone:
		return ":leftwards_arrow_with_hook: undone"
	}
	return Escape(string(st))
}

// stateLine says what is happening to the request and who decided it, when.
func stateLine(r *store.Request) string {
	w := wordsOf(r)
	approved := fmt.Sprintf("Approved by %s %s", Mention(r.DecidedBy), slackDate(r.DecidedAt))
	if r.ApprovalsNeeded == 0 {
		approved = fmt.Sprintf("Asked by %s %s, run at once", Mention(r.DecidedBy), slackDate(r.DecidedAt))
		if !r.ConfirmedAt.IsZero() {
			approved += " (confirmed " + slackDate(r.ConfirmedAt) + ")"
		}
	}
	c := outcomeCounts(r)
	done, failed := c.done, c.failed
	switch r.State {
	case store.Pending:
		return "An approver other than the requester can Approve or Deny; the requester can Cancel."
	case store.Confirming:
		return "Waiting for the requester to Confirm; nothing is sent before."
	case store.Undone:
		return fmt.Sprintf("%s. %s account(s) %s, then undone.", approved, withCommas(done), w.past)
	case store.Approved:
		return approved + "; " + strings.ToLower(w.doing) + " starts now."
	case store.Executing:
		return approved + "; " + strings.ToLower(w.doing) + " now (progress in the thread)."
	case store.Done:
		if c.skipped > 0 {
			return fmt.Sprintf("%s. Done %s: %s account(s) "+w.past+", %s skipped ("+skippedShort(r)+").", approved, slackDate(r.FinishedAt), withCommas(done), withCommas(c.skipped))
		}
		return fmt.Sprintf("%s. Done %s: %s account(s) "+w.past+".", approved, slackDate(r.FinishedAt), withCommas(done))
	case store.Partial:
		return fmt.Sprintf("%s. Finished %s: %s "+w.past+", %s failed (see the thread).", approved, slackDate(r.FinishedAt), withCommas(done), withCommas(failed))
	case store.Failed:
		return fmt.Sprintf("%s. Failed %s: %s account(s) could not be "+w.past+" (see the thread).", approved, slackDate(r.FinishedAt), withCommas(failed))
	case store.Denied:
		return fmt.Sprintf("Denied by %s %s. Nothing was "+w.past+".", Mention(r.DecidedBy), slackDate(r.DecidedAt))
	case store.Cancelled:
		if r.DecidedBy == store.SystemActor {
			return systemCancelText(r) + " Nothing was " + w.past + "."
		}
		return fmt.Sprintf("Cancelled by %s %s. Nothing was "+w.past+".", Mention(r.DecidedBy), slackDate(r.DecidedAt))
	case store.Expired:
		return fmt.Sprintf("Expired %s without a decision. Nothing was "+w.past+".", slackDate(r.DecidedAt))
	}
	return ""
}

// accountList shows up to max accounts as code spans, then "and N more".
func accountList(accounts []string, max int) string {
	shown := accounts[:min(len(accounts), max)]
	parts := make([]string, len(shown))
	for i, a := range shown {
		parts[i] = Code(a)
	}
	s := strings.Join(parts, ", ")
	if rest := len(accounts) - len(shown); rest > 0 {
		s += fmt.Sprintf(" and %s more", withCommas(rest))
	}
	return s
}
