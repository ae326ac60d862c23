package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"modbot/store"
)

// Block Kit for the read-only commands: /roles, /banned and /modbot whoami, who, pending and
// log, and the lines of the audit feed. Every renderer is a pure function of its data, so golden
// files pin its output; everything user-supplied is escaped (Code, Escape, Mention).

// chunkChars is the most characters one section of a list gets, under Slack's 3,000.
const chunkChars = 2800

// renderRoles renders page p of a /roles answer: the counts per role, then the page's accounts
// grouped by role. id is the stored result ("" when everything fits one page).
func renderRoles(r rolesResult, id string, p int) message {
	total := r.total()
	summary := fmt.Sprintf("*%s %s* in group %s: %s.", withCommas(total), plural(total, "account", "accounts"), Code(r.Group), Escape(r.counts()))
	text := fmt.Sprintf("Roles in group %s: %s", Escape(r.Group), Escape(r.counts()))
	blocks := []slackBlock{header("Roles in group " + r.Group), section(summary)}
	if total == 0 {
		return message{Text: text, Blocks: blocks}
	}

	flat := rolesFlat(r)
	starts := rolesPageStarts(r)
	lo, hi, p := pageRange(starts, len(flat), p)
	blocks = append(blocks, divider())
	for i := lo; i < hi; {
		g := flat[i].group
		j := i
		var items []string
		for j < hi && flat[j].group == g {
			items = append(items, Code(flat[j].account))
			j++
		}
		grp := r.Groups[g]
		title := fmt.Sprintf("*%s* (%s)", Escape(grp.Role), rangeOf(flat[i].index, flat[j-1].index, len(grp.Accounts)))
		for k, part := range packItems(items, ", ", chunkChars-len(title)-1) {
			if k == 0 {
				part = title + "\n" + part
			}
			blocks = append(blocks, section(part))
		}
		i = j
	}
	blocks = append(limitBlocks(blocks), pageNav(id, p, len(starts), fmt.Sprintf("accounts %s–%s of %s", withCommas(lo+1), withCommas(hi), withCommas(total)))...)
	return message{Text: Truncate(text, maxFallbackText), Blocks: blocks}
}

// roleEntry is one account of a rolesResult in display order.
type roleEntry struct {
	group   int // index in Groups
	index   int // index in the group's accounts
	account string
}

func rolesFlat(r rolesResult) []roleEntry {
	var out []roleEntry
	for g, grp := range r.Groups {
		for i, a := range grp.Accounts {
			out = append(out, roleEntry{group: g, index: i, account: a})
		}
	}
	return out
}

// rolesPageStarts splits a /roles answer into pages.
func rolesPageStarts(r rolesResult) []int {
	flat := rolesFlat(r)
	sizes := make([]int, len(flat))
	for i, e := range flat {
		sizes[i] = len(Code(e.account)) + 2
	}
	return pageStarts(sizes, pageItems, pageChars)
}

// renderBanned renders page p of a /banned answer: how many are banned, how many bans end
// within 24 hours, then the page's entries, soonest end first.
func renderBanned(r bannedResult, id string, p int) message {
	target := r.Kind + " " + Code(r.ID)
	w := r.words()
	n := len(r.Entries)
	var tail bannedTail
	if r.Omitted != nil {
		tail = *r.Omitted
	}
	var summary, text string
	if n == 0 {
		summary = fmt.Sprintf("Nobody is %s %s %s.", w.adj, w.prep, target)
		text = fmt.Sprintf("Nobody is %s %s %s %s.", w.adj, w.prep, r.Kind, Escape(r.ID))
	} else {
		soon, forever := r.counts()
		soon, forever, n = soon+tail.Soon, forever+tail.Forever, n+tail.Count
		summary = fmt.Sprintf("*%s %s* %s %s %s; %s within 24 hours", withCommas(n), plural(n, "account is", "accounts are"), w.adj, w.prep, target,
			plural(soon, "1 "+w.noun+" ends", withCommas(soon)+" "+w.nouns+" end"))
		if forever > 0 {
			summary += fmt.Sprintf("; %s permanent", plural(forever, "1 is", withCommas(forever)+" are"))
		}
		summary += "."
		text = fmt.Sprintf("%s %s %s %s %s", withCommas(n), w.adj, w.prep, r.Kind, Escape(r.ID))
	}
	blocks := []slackBlock{header(fmt.Sprintf("%s %s %s", w.header, r.Kind, r.ID)), section(summary),
		contextBlock("Read from Tencent " + slackDate(r.At))}
	if r.Note != "" {
		blocks = append(blocks, section(":warning: "+r.Note))
	}
	if tail.Count > 0 {
		blocks = append(blocks, section(fmt.Sprintf(":scissors: The listing is cut: modbot keeps only the %s %s that end soonest for paging, "+
			"so the %s that end last are counted above but not listed. Tencent's console lists them all; "+
			"lifting or letting %s end makes the list shorter.", withCommas(len(r.Entries)), w.nouns, withCommas(tail.Count), w.nouns)))
	}
	if n == 0 {
		return message{Text: text, Blocks: blocks}
	}
	n = len(r.Entries)
	starts := bannedPageStarts(r)
	lo, hi, p := pageRange(starts, n, p)
	lines := make([]string, 0, hi-lo)
	for _, e := range r.Entries[lo:hi] {
		lines = append(lines, bannedLine(e, r.At))
	}
	blocks = append(blocks, divider())
	for _, part := range packItems(lines, "\n", chunkChars) {
		blocks = append(blocks, section(part))
	}
	blocks = append(blocks, pageNav(id, p, len(starts), fmt.Sprintf("entries %s–%s of %s", withCommas(lo+1), withCommas(hi), withCommas(n)))...)
	return message{Text: Truncate(text, maxFallbackText), Blocks: blocks}
}

// maxKeptEntries is the most entries of a /banned answer kept for paging (about 0.4 MB): a room
// can ban 100,000 accounts, and Redis runs with noeviction.
const maxKeptEntries = 10000

// bannedTail counts the entries of a /banned answer that keep left out.
type bannedTail struct {
	Count   int `json:"count"`
	Soon    int `json:"soon"`    // ending within 24 hours of the reading
	Forever int `json:"forever"` // permanent
}

// keep cuts r (sorted, soonest end first) to its first max entries, counting the rest.
func (r *bannedResult) keep(max int) {
	if len(r.Entries) <= max {
		return
	}
	rest := bannedResult{At: r.At, Entries: r.Entries[max:]}
	soon, forever := rest.counts()
	r.Omitted = &bannedTail{Count: len(rest.Entries), Soon: soon, Forever: forever}
	r.Entries = r.Entries[:max:max]
}

// bannedLine is one entry of a ban list.
func bannedLine(e bannedEntry, now time.Time) string {
	if permanent(e.Until, now) {
		return "• " + Code(e.Account) + " permanently"
	}
	return "• " + Code(e.Account) + " until " + slackDate(time.Unix(e.Until, 0))
}

// bannedPageStarts splits a /banned answer into pages of at most 50 entries.
func bannedPageStarts(r bannedResult) []int {
	sizes := make([]int, len(r.Entries))
	for i, e := range r.Entries {
		sizes[i] = len(bannedLine(e, r.At)) + 1
	}
	return pageStarts(sizes, pageItems/2, pageChars)
}

// renderWhoami tells someone on the allowlist their role and what it lets them do.
func renderWhoami(user string, role store.Role) message {
	s := fmt.Sprintf("%s, your modbot role is *%s*: %s.", Mention(user), role, roleRights(role))
	return notice(s)
}

func roleRights(r store.Role) string {
	switch r {
	case store.RoleViewer:
		return "you can read (`/roles`, `/banned`, `/modbot pending`, `/modbot log`)"
	case store.RoleModerator:
		return "you can read and ask for unbans (`/unban`); another person approves them"
	case store.RoleApprover:
		return "you can read, ask for unbans and approve or deny other people's requests"
	case store.RoleAdmin:
		return "you can do everything, including managing the allowlist (`/modbot allow`, `/modbot revoke`)"
	}
	return "nothing"
}

// renderWho lists the allowlist grouped by role, highest first (its first page, unpaged).
func renderWho(members []store.Member) message {
	if len(members) == 0 {
		return notice("Nobody is on modbot's allowlist.")
	}
	return renderList(whoList(members), "", 0)
}

// whoList is the allowlist as a paged list: a line per role, and a long role over several lines.
func whoList(members []store.Member) listResult {
	const perLine = 40
	var lines []string
	for r := store.RoleAdmin; r >= store.RoleViewer; r-- {
		var who []string
		for _, m := range members {
			if m.Role == r {
				who = append(who, Mention(m.User))
			}
		}
		for i := 0; i < len(who); i += perLine {
			more := ""
			if i > 0 {
				more = ", continued"
			}
			lines = append(lines, fmt.Sprintf("*%s* (%d%s): %s", roleTitle(r), len(who), more, strings.Join(who[i:min(i+perLine, len(who))], ", ")))
		}
	}
	return listResult{
		Title: fmt.Sprintf("modbot allowlist (%d)", len(members)),
		Text:  fmt.Sprintf("modbot allowlist: %d people", len(members)),
		Lines: lines,
	}
}

// roleTitle names the people who have role r.
func roleTitle(r store.Role) string {
	switch r {
	case store.RoleAdmin:
		return "Admins"
	case store.RoleApprover:
		return "Approvers"
	case store.RoleModerator:
		return "Moderators"
	}
	return "Viewers"
}

// renderPending lists open requests, newest first, each with a link to its thread (its first
// page, unpaged). total is how many are open, of which reqs are those read.
func renderPending(reqs []store.RequestSummary, total int) message {
	if len(reqs) == 0 {
		return notice("No unban requests are waiting for a decision.")
	}
	return renderList(pendingList(reqs, total), "", 0)
}

// pendingList is the open requests as a paged list.
func pendingList(reqs []store.RequestSummary, total int) listResult {
	lines := make([]string, len(reqs))
	for i, r := range reqs {
		lines[i] = pendingLine(r)
	}
	title := fmt.Sprintf("Open unban requests (%d)", len(reqs))
	if total > len(reqs) {
		title = fmt.Sprintf("Open unban requests (%d of %d, those expiring soonest)", len(reqs), total)
	}
	return listResult{
		Title: title,
		Text:  fmt.Sprintf("%d open unban %s", max(total, len(reqs)), plural(max(total, len(reqs)), "request", "requests")),
		Lines: lines,
	}
}

// pageStarts splits the list into pages.
func (r listResult) pageStarts() []int {
	sizes := make([]int, len(r.Lines))
	for i, l := range r.Lines {
		sizes[i] = len(l) + 1
	}
	return pageStarts(sizes, pageItems, pageChars)
}

// renderList renders page p of a list; id is its stored result ("" when it is not stored, and
// then no page buttons are shown).
func renderList(r listResult, id string, p int) message {
	starts := r.pageStarts()
	lo, hi, p := pageRange(starts, len(r.Lines), p)
	blocks := []slackBlock{header(r.Title)}
	for _, part := range packItems(r.Lines[lo:hi], "\n", chunkChars) {
		blocks = append(blocks, section(part))
	}
	blocks = append(blocks, pageNav(id, p, len(starts), fmt.Sprintf("lines %s–%s of %s", withCommas(lo+1), withCommas(hi), withCommas(len(r.Lines))))...)
	return message{Text: Truncate(r.Text, maxFallbackText), Blocks: blocks}
}

// pendingLine is "#N group `G`, N accounts, by @x, expires …, thread".
func pendingLine(r store.RequestSummary) string {
	n := r.AccountCount
	s := fmt.Sprintf("• *#%d* %s %s, %s %s, by %s, expires %s", r.Number, Escape(string(r.Target.Kind)), Code(r.Target.ID),
		withCommas(n), plural(n, "account", "accounts"), Mention(r.Requester), slackDate(r.ExpiresAt))
	if link := threadLink(r.Channel, r.ThreadTS); link != "" {
		return s + ", <" + link + "|thread>"
	}
	return s + ", _not posted yet_"
}

// threadLink is the permalink of a message: https://slack.com/archives/<channel>/p<ts without
// the dot>; "" when the message is not posted yet.
func threadLink(channel, ts string) string {
	if channel == "" || ts == "" || !isSlackID(channel) {
		return ""
	}
	return "https://slack.com/archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}

// isSlackID reports whether s is an uppercase-alphanumeric Slack ID, safe inside a link.
func isSlackID(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// renderLog renders one page of /modbot log. label is the filters as given, page counts from
// 0, newer and older are the values of the Newer / Older buttons ("" for none).
func renderLog(label string, page int, entries []store.AuditEntry, newer, older string) message {
	title := "Audit log"
	if label != "" {
		title += ": " + label
	}
	if page > 0 {
		title += fmt.Sprintf(" (page %d)", page+1)
	}
	blocks := []slackBlock{header(title)}
	if len(entries) == 0 {
		blocks = append(blocks, section("No audit entries match."))
		return message{Text: "No audit entries match.", Blocks: blocks}
	}
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = auditLine(e)
	}
	for _, part := range packItems(lines, "\n", chunkChars) {
		blocks = append(blocks, section(part))
	}
	blocks = limitBlocks(blocks)
	var buttons []*slack.ButtonBlockElement
	if newer != "" {
		buttons = append(buttons, button(actionPagePrev, "Newer", newer, ""))
	}
	if older != "" {
		buttons = append(buttons, button(actionPageNext, "Older", older, ""))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, actions("pages", buttons...))
	}
	return message{Text: fmt.Sprintf("%d audit %s", len(entries), plural(len(entries), "entry", "entries")), Blocks: blocks}
}

// maxDetailChars caps the detail shown on one audit line.
const maxDetailChars = 200

// auditLine is one audit entry on one line, as /modbot log and the audit feed show it: time,
// actor, action, target, request, accounts, outcome, code, detail.
func auditLine(e store.AuditEntry) string { return auditLineBy(e, Mention) }

// auditLineBy is auditLine naming people with who (the feed names them without mentions).
func auditLineBy(e store.AuditEntry, who func(string) string) string {
	var b strings.Builder
	b.WriteString(slackDate(e.Time))
	b.WriteString(" " + who(e.Actor))
	b.WriteString(" *" + Escape(oneLine(string(e.Action))) + "*")
	if e.Kind != "" && string(e.Kind) != string(e.Action) { // "request ban", "approve unban"
		b.WriteString(" " + Escape(oneLine(string(e.Kind))))
	}
	switch {
	case e.Target == "":
	case e.TargetKind == "user":
		b.WriteString(" " + who(e.Target))
	default:
		b.WriteString(" " + Escape(oneLine(e.TargetKind)) + " " + Code(e.Target))
	}
	if e.RequestNumber > 0 {
		fmt.Fprintf(&b, " #%d", e.RequestNumber)
	}
	if e.AccountCount > 0 {
		fmt.Fprintf(&b, " · %s %s", withCommas(e.AccountCount), plural(e.AccountCount, "account", "accounts"))
	}
	if e.Outcome != "" {
		b.WriteString(" · " + Escape(oneLine(string(e.Outcome))))
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " · code %d", e.Code)
	}
	if e.ReasonCode != "" {
		b.WriteString(" · reason " + Code(e.ReasonCode))
	}
	if d := strings.TrimSpace(oneLine(e.Detail)); d != "" {
		b.WriteString(" · " + Code(Truncate(d, maxDetailChars)))
	}
	return b.String()
}

// oneLine replaces line breaks with spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// limitBlocks keeps a message within Slack's block and character limits, dropping the blocks
// that do not fit and saying so.
func limitBlocks(blocks []slackBlock) []slackBlock {
	const reserve = 2 // room for the note and an actions row
	total := 0
	for i, bl := range blocks {
		total += blockChars(bl)
		if i >= maxBlocks-reserve || total > maxMessageText-1000 {
			return append(blocks[:i:i], contextBlock(fmt.Sprintf("…and more that does not fit in one message (%d parts left out).", len(blocks)-i)))
		}
	}
	return blocks
}

// blockChars counts the text of the blocks this file builds.
func blockChars(bl slackBlock) int {
	switch b := bl.(type) {
	case *slack.SectionBlock:
		n := 0
		if b.Text != nil {
			n += len(b.Text.Text)
		}
		for _, f := range b.Fields {
			n += len(f.Text)
		}
		return n
	case *slack.HeaderBlock:
		return len(b.Text.Text)
	}
	return 0
}

// rangeOf describes entries lo..hi (0-based) of n: "1–100 of 600", "all 3" or "3 of 3".
func rangeOf(lo, hi, n int) string {
	switch {
	case lo == 0 && hi == n-1:
		return "all " + withCommas(n)
	case lo == hi:
		return fmt.Sprintf("%s of %s", withCommas(lo+1), withCommas(n))
	}
	return fmt.Sprintf("%s–%s of %s", withCommas(lo+1), withCommas(hi+1), withCommas(n))
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
