package bot

import (
	"fmt"
	"strings"
	"time"

	"modbot/store"
)

// Block Kit of the action pipeline beyond the approval flow's: titles and durations, the Undo
// state on a root, the Confirm prompt and the requester's answers. Everything a person typed is
// escaped or an inert code span.

// requestTitle names a request on its root: "Unban request #3" when it needs approvals, "Ban #4"
// when it ran at once, "Undo #5 of ban #4".
func requestTitle(r *store.Request) string {
	w := wordsOf(r)
	switch {
	case r.UndoOf != "":
		return fmt.Sprintf("Undo #%d of #%d", r.Number, r.UndoOfNumber)
	case r.ApprovalsNeeded > 0:
		return fmt.Sprintf("%s request #%d", w.noun, r.Number)
	}
	return fmt.Sprintf("%s #%d", w.noun, r.Number)
}

// requestWord is how a request is named in a sentence: "unban request", "ban", "undo".
func requestWord(r *store.Request) string {
	w := wordsOf(r)
	if r.ApprovalsNeeded > 0 {
		return strings.ToLower(w.noun) + " request"
	}
	return strings.ToLower(w.noun)
}

// durationText is "for 7 days", "for 90 minutes" or "permanently".
func durationText(secs uint32) string {
	if secs == store.PermanentDuration {
		return "permanently"
	}
	type unit struct {
		s    uint32
		name string
	}
	for _, u := range []unit{{604800, "week"}, {86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}} {
		if secs%u.s == 0 {
			n := secs / u.s
			if n == 1 {
				return "for 1 " + u.name
			}
			return fmt.Sprintf("for %s %ss", withCommas(int(n)), u.name)
		}
	}
	return ""
}

// reasonText is the reason section: its code as a code span, then the text.
func reasonText(r *store.Request) string {
	s := "*Reason:*"
	if r.ReasonCode != "" {
		s = "*Reason* (" + Code(r.ReasonCode) + "):"
	}
	if r.Reason != "" {
		s += "\n" + Prose(r.Reason, maxReasonText)
	}
	return s
}

// undoOffered reports whether the root shows an Undo button at now.
func undoOffered(r *store.Request, now time.Time) bool {
	return r.UndoWindow > 0 && r.UndoOf == "" && r.UndoneBy == "" &&
		(r.State == store.Done || r.State == store.Partial) && !r.UndoUntil.IsZero() && now.Before(r.UndoUntil)
}

// undoLine is the root's sentence about Undo: offered until when, asked, done, or closed.
func undoLine(r *store.Request, now time.Time) string {
	switch {
	case r.UndoOf != "" || r.UndoWindow == 0:
		return ""
	case r.UndoneBy != "" && r.State == store.Undone:
		return fmt.Sprintf(":leftwards_arrow_with_hook: Undone by %s %s: every account it changed was put back as it was (see the thread).", Mention(r.UndoActor), slackDate(r.UndoAt))
	case r.UndoneBy != "":
		return fmt.Sprintf(":leftwards_arrow_with_hook: Undo asked by %s %s; restoring each account as it was (see the thread).", Mention(r.UndoActor), slackDate(r.UndoAt))
	case r.State != store.Done && r.State != store.Partial || r.UndoUntil.IsZero():
		return ""
	case now.Before(r.UndoUntil):
		return "The requester or an approver can *Undo* it until " + slackDate(r.UndoUntil) + "."
	}
	return "The Undo window closed " + slackDate(r.UndoUntil) + "."
}

// skippedShort is why accounts were skipped, in a few words ("already unbanned").
func skippedShort(r *store.Request) string {
	for _, a := range r.Accounts {
		if o := r.Outcomes[a]; o.Skipped {
			why, _, _ := strings.Cut(o.Info, ":")
			why, _, _ = strings.Cut(why, ",")
			return escapeWithin(why, 120)
		}
	}
	return "already " + wordsOf(r).past
}

// actionSummary is "ban 120 account(s) in group `g1` (Public) for 7 days".
func actionSummary(r *store.Request) string {
	w := wordsOf(r)
	s := fmt.Sprintf("%s %s account(s) in %s", w.verb, withCommas(len(r.Accounts)), targetText(r.Target))
	if r.Duration > 0 {
		s += " " + durationText(r.Duration)
	}
	return s
}

// confirmPrompt asks the requester to confirm an immediate action on many accounts, with the
// preview; nothing is posted or sent before Confirm.
func confirmPrompt(r *store.Request) message {
	head := fmt.Sprintf(":raised_hand: *%s?* (#%d)", upperFirst(actionSummary(r)), r.Number)
	blocks := []slackBlock{
		section(head),
		section("*Accounts:* " + accountList(r.Accounts, shownAccounts)),
	}
	if r.Reason != "" || r.ReasonCode != "" {
		blocks = append(blocks, section(reasonText(r)))
	}
	pv := r.Preview
	if pv == "" {
		pv = "not checked"
	}
	blocks = append(blocks,
		section("*Live state now:* "+escapeWithin(pv, 600)),
		contextBlock(fmt.Sprintf("Nothing is sent to Tencent before you Confirm. This runs at once, with an Undo button for a while afterwards. Valid until %s.", slackDate(r.ExpiresAt))),
		actions(blockDecide,
			button(actionConfirm, "Confirm", r.ID, "danger"),
			button(actionCancel, "Cancel", r.ID, ""),
		))
	text := fmt.Sprintf("%s? Confirm or Cancel (#%d)", upperFirst(actionSummary(r)), r.Number)
	return message{Text: Truncate(text, maxFallbackText), Blocks: blocks}
}

// startedMessage tells the requester that their immediate action runs now.
func startedMessage(r *store.Request) message {
	return note(fmt.Sprintf(":zap: %s #%d: %s, running now in <#%s>. You'll get the outcome in a DM; you or an approver can *Undo* it on its message for a while afterwards.",
		wordsOf(r).noun, r.Number, actionSummary(r), r.Channel))
}

// confirmedMessage answers the Confirm click.
func confirmedMessage(r *store.Request) message {
	return note(fmt.Sprintf(":white_check_mark: Confirmed: %s #%d runs now in <#%s>. You'll get the outcome in a DM.",
		strings.ToLower(wordsOf(r).noun), r.Number, r.Channel))
}
