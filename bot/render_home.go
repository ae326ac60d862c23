package bot

import (
	"fmt"
	"strings"

	"modbot/store"
)

// maxHomeBlocks is Slack's limit of blocks in a Home tab view.
const maxHomeBlocks = 100

// renderHome renders one person's Home tab within maxHomeBlocks: their roles; the requests
// waiting for their decision with Approve / Deny; their own open requests with Cancel; the last
// actions; counts for the last 7 days; watched targets. Lists that do not fit end with a line
// pointing at /modbot pending and how many were left out.
func renderHome(d homeData) []slackBlock {
	head := []slackBlock{header("modbot")}
	if d.Err != "" {
		return append(head, section(d.Err), contextBlock("Open the tab again to retry."))
	}
	if d.Role == store.RoleNone && len(d.Roles) > 0 {
		return renderHomeScopedOnly(d) // scope.go: scoped roles only, no lists across targets
	}
	if d.Role == store.RoleNone {
		s := fmt.Sprintf("%s, you're not on modbot's allowlist, so there is nothing to show you here.", Mention(d.User))
		if len(d.Admins) > 0 {
			var who []string
			for _, a := range d.Admins[:min(len(d.Admins), 10)] {
				who = append(who, Mention(a))
			}
			s += " An admin (" + strings.Join(who, ", ") + ") can grant access with `/modbot allow @you viewer` (or another role)."
		} else {
			s += " An admin can grant access with `/modbot allow @you viewer` (or another role); nobody is an admin yet, so an operator runs `modbot allow` first."
		}
		return append(head, section(s), contextBlock("`/modbot help` lists what each role may do."))
	}
	head = append(head, section("*Your role*\n"+strings.Join(d.Roles, "\n")))

	tail := homeTail(d)
	room := maxHomeBlocks - len(head) - len(tail)

	var mid []slackBlock
	if d.Role >= store.RoleApprover || d.Access.Highest() >= store.RoleApprover { // an approver anywhere (scope.go)
		mid = append(mid, header(fmt.Sprintf("Waiting for your decision (%d)", len(d.Waiting)+d.WaitingMore)))
		room--
		if len(d.Waiting) == 0 && d.WaitingMore == 0 {
			mid = append(mid, contextBlock("Nothing is waiting for your decision."))
			room--
		}
	} else if d.PendingAll > 0 {
		mid = append(mid, contextBlock(fmt.Sprintf("%s waiting for approvers: `/modbot pending` lists %s.",
			plural(d.PendingAll, "One request is", withCommas(d.PendingAll)+" requests are"), plural(d.PendingAll, "it", "them"))))
		room--
	}
	var own []slackBlock
	if len(d.Own) > 0 || d.Role >= store.RoleModerator {
		own = append(own, header(fmt.Sprintf("Your open requests (%d)", len(d.Own))))
		room--
		if len(d.Own) == 0 {
			own = append(own, contextBlock("You have no open requests."))
			room--
		}
	}
	// Each request takes two blocks (its line and its buttons); a list cut short takes one more
	// for the line that says so. Waiting requests go first: they are what the person must do.
	fit := func(n, extra int) int {
		if n*2 <= room-extra {
			return n
		}
		return max(0, (room-extra-1)/2)
	}
	ownOverflowLine := 0
	if len(d.Own) > 0 {
		ownOverflowLine = 1 // keep room for at least its overflow line
	}
	nw := fit(len(d.Waiting), ownOverflowLine)
	for _, r := range d.Waiting[:nw] {
		mid = append(mid, section(homeRequestLine(r)), actions(blockDecide+":"+r.ID,
			button(actionApprove, "Approve", r.ID, "primary"),
			button(actionDeny, "Deny", r.ID, "danger")))
		room -= 2
	}
	if left := len(d.Waiting) - nw + d.WaitingMore; left > 0 {
		mid = append(mid, contextBlock(fmt.Sprintf("…and %s more waiting for your decision: `/modbot pending` lists every open request.", withCommas(left))))
		room--
	}
	no := fit(len(d.Own), 0)
	for _, r := range d.Own[:no] {
		own = append(own, section(homeRequestLine(r)), actions(blockCancel+":"+r.ID,
			button(actionCancel, "Cancel", r.ID, "")))
		room -= 2
	}
	if left := len(d.Own) - no; left > 0 {
		own = append(own, contextBlock(fmt.Sprintf("…and %s more of yours: `/modbot pending` lists every open request.", withCommas(left))))
	}
	blocks := append(head, mid...)
	blocks = append(blocks, own...)
	return append(blocks, tail...)
}

// blockCancel prefixes the block ID of a Cancel row on the Home tab.
const blockCancel = "cancel"

// homeRequestLine is one request on the Home tab: pendingLine and its approvals.
func homeRequestLine(r store.RequestSummary) string {
	return fmt.Sprintf("%s · %d of %d %s", pendingLine(r), r.Approvals, r.ApprovalsNeeded, plural(r.ApprovalsNeeded, "approval", "approvals"))
}

// homeTail is the part of the Home tab after the requests: the last actions, the 7-day counts,
// watched targets and when the view was made. It takes at most 9 blocks.
func homeTail(d homeData) []slackBlock {
	blocks := []slackBlock{divider(), header(fmt.Sprintf("Last %d actions", homeRecent))}
	if len(d.Stats.Recent) == 0 {
		blocks = append(blocks, contextBlock("No accounts were banned, muted, unmuted or unbanned in the last 7 days."))
	} else {
		var lines []string
		for _, e := range d.Stats.Recent {
			lines = append(lines, "• "+auditLine(e))
		}
		blocks = append(blocks, section(Truncate(strings.Join(lines, "\n"), maxSectionText)))
	}
	blocks = append(blocks, header("Last 7 days"), fields(
		"*By action* (accounts)\n"+actionCountsText(d.Stats, "\n"),
		"*Requests*\n"+requestCountsText(d.Stats, "\n"),
		"*By reason code* (requests)\n"+rankedText(top(d.Stats.Reasons, 8), Code, "\n", "none given"),
		"*By person* (requests and decisions)\n"+rankedText(top(d.Stats.People, 8), Mention, "\n", "nobody"),
	))
	blocks = append(blocks, header("Watched targets"))
	if len(d.Watched) == 0 {
		blocks = append(blocks, contextBlock("None watched yet."))
	} else {
		var lines []string
		for _, w := range d.Watched {
			swept := "not swept yet"
			if !w.LastSweep.IsZero() {
				swept = "swept " + slackDate(w.LastSweep)
			}
			l := fmt.Sprintf("• %s %s, %s", Escape(w.Kind), Code(w.ID), swept)
			if w.Note != "" {
				l += " · " + w.Note
			}
			lines = append(lines, l)
		}
		blocks = append(blocks, section(Truncate(strings.Join(lines, "\n"), maxSectionText)))
	}
	foot := "Updated " + slackDate(d.At) + " · `/modbot pending` lists every open request, `/modbot log` the history."
	if d.Stats.Truncated {
		foot += fmt.Sprintf(" Counts cover the newest %s audit entries only.", withCommas(statsScanMax))
	}
	return append(blocks, contextBlock(foot))
}

// actionCountsText is "unban: 12 done, 1 failed" per action, and outside changes.
func actionCountsText(st teamStats, sep string) string {
	var lines []string
	for _, a := range sortedKeys(st.Actions) {
		c := st.Actions[a]
		var parts []string
		for _, p := range []struct {
			n    int
			what string
		}{{c.Done, "done"}, {c.Skipped, "skipped"}, {c.Failed, "failed"}} {
			if p.n > 0 {
				parts = append(parts, withCommas(p.n)+" "+p.what)
			}
		}
		lines = append(lines, Escape(a)+": "+strings.Join(parts, ", "))
	}
	for _, a := range sortedKeys(st.Outside) {
		lines = append(lines, fmt.Sprintf("%s outside modbot: %s", Escape(a), withCommas(st.Outside[a])))
	}
	if len(lines) == 0 {
		return "none"
	}
	return strings.Join(lines, sep)
}

// requestCountsText is the requests opened and how they ended.
func requestCountsText(st teamStats, sep string) string {
	var parts []string
	for _, k := range []string{"opened", "approved", "denied", "cancelled", "expired", "done", "partial", "failed"} {
		if n := st.Requests[k]; n > 0 {
			parts = append(parts, k+": "+withCommas(n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, sep)
}

// rankedText is "key n" per line, naming keys with name.
func rankedText(rs []ranked, name func(string) string, sep, none string) string {
	if len(rs) == 0 {
		return none
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = name(r.Key) + " " + withCommas(r.N)
	}
	return strings.Join(parts, sep)
}
