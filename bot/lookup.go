package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"modbot/store"
	"modbot/tim"
)

// Case files (docs/DESIGN.md, "Case files, watched targets and outside changes"): /lookup
// <account> answers from Redis where the account is banned or muted now (the watched targets'
// snapshots, with their age), reads named targets live, and lists what was done to it (the
// audit index by account, newest first, paged), its notes and its 90-day counts. The one-line
// history of a request's root (caseHistoryText, history.go) comes from the same counts.
//
// These handlers are registered by the command table (/lookup, /modbot note).

// LiveReader reads a named target's lists for /lookup. *tim.Client satisfies it.
type LiveReader interface {
	GroupBannedMembers(ctx context.Context, g tim.GroupID) ([]tim.BannedMember, error)
	RoomBannedMembers(ctx context.Context, r tim.RoomID) ([]tim.BannedMember, error)
}

// mutedReader is the optional muted-list read of a LiveReader.
type mutedReader interface {
	GroupMutedMembers(ctx context.Context, g tim.GroupID) ([]tim.MutedMember, error)
}

// Case file sizes.
const (
	caseDays        = 90               // the counts' period
	caseHistory     = 10               // audit entries on the first page
	caseNotes       = 5                // notes shown
	caseLiveTimeout = 10 * time.Second // longest live read of one named target
)

// LookupTarget is a target named in /lookup, read live.
type LookupTarget struct {
	Kind store.TargetKind
	ID   string
}

// LiveState is what a live read of a named target says about the account.
type LiveState struct {
	Target    LookupTarget
	Banned    bool
	BanUntil  time.Time
	MuteRead  bool // the muted list was read (groups)
	Muted     bool
	MuteUntil time.Time
	Err       string // what went wrong, in plain words; "" when read
}

// CaseFile is everything /lookup shows about one account.
type CaseFile struct {
	Account  string
	Now      time.Time
	Presence []store.Presence
	Live     []LiveState
	History  []store.AuditEntry
	Older    string // button value of the next history page ("" when none)
	Notes    []store.Note
	Counts   store.CaseCounts
}

// readCaseFile gathers an account's case file: Redis for the watched part, a live read for each
// named target.
func readCaseFile(ctx context.Context, cs CaseFiles, live LiveReader, account string, targets []LookupTarget) (CaseFile, *store.AuditPage, error) {
	now, err := cs.Now(ctx)
	if err != nil {
		return CaseFile{}, nil, err
	}
	cf := CaseFile{Account: account, Now: now}
	if cf.Presence, err = cs.Presence(ctx, account, now); err != nil {
		return CaseFile{}, nil, err
	}
	page, err := cs.Audit(ctx, store.AuditFilter{Account: account}, "", caseHistory)
	if err != nil {
		return CaseFile{}, nil, err
	}
	cf.History = page.Entries
	if cf.Notes, err = cs.Notes(ctx, account, caseNotes); err != nil {
		return CaseFile{}, nil, err
	}
	if cf.Counts, err = cs.CaseCounts(ctx, account, now.AddDate(0, 0, -caseDays)); err != nil {
		return CaseFile{}, nil, err
	}
	for _, t := range targets {
		cf.Live = append(cf.Live, readLive(ctx, live, account, t))
	}
	return cf, &page, nil
}

// readLive reads one named target's lists and finds the account on them.
func readLive(ctx context.Context, live LiveReader, account string, t LookupTarget) LiveState {
	st := LiveState{Target: t}
	ctx, cancel := context.WithTimeout(ctx, caseLiveTimeout)
	defer cancel()
	var bans []tim.BannedMember
	var err error
	if t.Kind == store.KindRoom {
		bans, err = live.RoomBannedMembers(ctx, tim.RoomID(t.ID))
	} else {
		bans, err = live.GroupBannedMembers(ctx, tim.GroupID(t.ID))
	}
	for _, b := range bans {
		if string(b.Account) == account {
			st.Banned, st.BanUntil = true, b.Until
		}
	}
	if err != nil && !st.Banned {
		st.Err = "could not read its ban list: " + errorNote(err)
		return st
	}
	if mr, ok := live.(mutedReader); ok && t.Kind == store.KindGroup {
		muted, err := mr.GroupMutedMembers(ctx, tim.GroupID(t.ID))
		if err == nil {
			st.MuteRead = true
			for _, m := range muted {
				if string(m.Account) == account {
					st.Muted, st.MuteUntil = true, m.Until
				}
			}
		}
	}
	return st
}

// lookup answers /lookup <account> [group:<id>] [room:<id>] (viewer+, a view across targets).
func (b *Bot) lookup(ctx context.Context, inv *invocation, account string, targets []LookupTarget) {
	if !b.allowed(ctx, inv, store.RoleViewer, "/lookup") {
		return
	}
	cs := CaseFiles(b.store)
	cf, page, err := readCaseFile(ctx, cs, b.tim, account, targets)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	if page.Next != "" {
		lr := logResult{Filter: store.AuditFilter{Account: account}, Label: "account:" + account, Count: caseHistory}
		self, err := b.putResult(ctx, result{Log: &lr})
		if err == nil {
			next := lr
			next.Cursor, next.Prev = page.Next, self
			var id string
			if id, err = b.putResult(ctx, result{Log: &next}); err == nil {
				cf.Older = pageValue(id, 1)
			}
		}
		if err != nil {
			b.log.Warn("lookup: keep the history pages", "err", err)
		}
	}
	b.audit(ctx, inv, store.AuditEntry{Action: store.ActionLookup, Accounts: []string{account}, Outcome: store.OutcomeOK})
	b.reply(ctx, inv, renderCaseFile(cf))
}

// note answers /modbot note <account> -- <text> (moderator+): the store checks the role again
// and audits the note.
func (b *Bot) note(ctx context.Context, inv *invocation, account, text string) {
	if !b.allowed(ctx, inv, store.RoleModerator, "/modbot note") {
		return
	}
	cs := CaseFiles(b.store)
	if _, err := cs.AddNote(ctx, inv.User, account, text, inv.OpID); err != nil {
		b.fail(ctx, inv, err)
		return
	}
	b.reply(ctx, inv, notice(fmt.Sprintf(":memo: Note added to the case file of %s. `/lookup %s` shows it.", Code(account), Escape(account))))
}

// renderCaseFile renders a case file as Block Kit.
func renderCaseFile(cf CaseFile) message {
	blocks := []slackBlock{header("Case file: " + cf.Account)}
	var now []string
	for _, p := range cf.Presence {
		what := "banned"
		if p.List == store.ListMutes {
			what = "muted"
		}
		now = append(now, fmt.Sprintf("• %s in %s %s %s (as of %s)", what, Escape(string(p.Kind)), Code(p.ID), untilText(p.Until), ageText(cf.Now, p.AsOf)))
	}
	for _, l := range cf.Live {
		where := Escape(string(l.Target.Kind)) + " " + Code(l.Target.ID)
		switch {
		case l.Err != "":
			now = append(now, fmt.Sprintf("• %s (live): %s", where, Escape(l.Err)))
			continue
		case l.Banned:
			now = append(now, fmt.Sprintf("• banned in %s %s (live)", where, untilText(l.BanUntil)))
		default:
			now = append(now, fmt.Sprintf("• not banned in %s (live)", where))
		}
		switch {
		case l.Muted:
			now = append(now, fmt.Sprintf("• muted in %s %s (live)", where, untilText(l.MuteUntil)))
		case l.MuteRead:
			now = append(now, fmt.Sprintf("• not muted in %s (live)", where))
		}
	}
	if len(now) == 0 {
		now = append(now, "Not banned or muted in any watched target. (Name a target to read it live: `/lookup "+Escape(cf.Account)+" group:<id>`.)")
	}
	blocks = append(blocks, section("*Now*\n"+strings.Join(now, "\n")))
	counts := fmt.Sprintf("*Last %d days:* %s, %s, %s, %s.", caseDays,
		countText(cf.Counts.Bans, "ban", "bans"), countText(cf.Counts.Mutes, "mute", "mutes"),
		countText(cf.Counts.Unbans, "unban", "unbans"), countText(cf.Counts.Unmutes, "unmute", "unmutes"))
	if cf.Counts.Capped {
		counts += fmt.Sprintf(" (counted over the newest %s entries only)", withCommas(cf.Counts.Scanned))
	}
	blocks = append(blocks, section(counts))
	if len(cf.Notes) > 0 {
		var lines []string
		for _, n := range cf.Notes {
			lines = append(lines, fmt.Sprintf("• %s %s: %s", slackDate(n.At), Mention(n.By), Escape(oneLine(Truncate(n.Text, 500)))))
		}
		blocks = append(blocks, section("*Notes*\n"+strings.Join(lines, "\n")))
	}
	blocks = append(blocks, divider())
	if len(cf.History) == 0 {
		blocks = append(blocks, section("*History:* modbot has no audit entries on this account."))
	} else {
		lines := make([]string, len(cf.History))
		for i, e := range cf.History {
			lines[i] = auditLine(e)
		}
		for i, part := range packItems(lines, "\n", chunkChars) {
			if i == 0 {
				part = "*History*, newest first\n" + part
			}
			blocks = append(blocks, section(part))
		}
	}
	blocks = limitBlocks(blocks)
	if cf.Older != "" {
		blocks = append(blocks, actions("pages", button(actionPageNext, "Older", cf.Older, "")))
	}
	text := fmt.Sprintf("Case file of %s: %d current, %s in %d days", cf.Account, len(cf.Presence), countText(cf.Counts.Bans, "ban", "bans"), caseDays)
	return message{Text: Truncate(Escape(text), maxFallbackText), Blocks: blocks}
}

func untilText(until time.Time) string {
	if tim.IsPermanent(until) {
		return "permanently"
	}
	return "until " + slackDate(until)
}

// ageText says how old a snapshot is: "2 min ago".
func ageText(now, at time.Time) string {
	if at.IsZero() {
		return "an unknown time"
	}
	d := max(now.Sub(at), 0)
	switch {
	case d < time.Minute:
		return "less than a minute ago"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

func countText(n int, one, many string) string {
	return fmt.Sprintf("%s %s", withCommas(n), plural(n, one, many))
}

// historyLine renders an account's line on a request's root (caseHistoryText) from the counts and the last ban's reason, naming
// the last ban's author with who.
func historyLine(account string, c store.CaseCounts, reason string, who func(string) string) string {
	var parts []string
	if c.Bans > 0 {
		p := "banned " + times(c.Bans)
		if c.LastBan.ID != "" {
			if c.LastBan.Actor == store.OutsideActor {
				p += ", last outside modbot"
			} else {
				p += ", last by " + who(c.LastBan.Actor)
			}
			if r := strings.TrimSpace(oneLine(reason)); r != "" {
				p += " for " + Escape(Truncate(r, 80))
			}
		}
		parts = append(parts, p)
	}
	if c.Mutes > 0 {
		parts = append(parts, "muted "+times(c.Mutes))
	}
	if c.Unbans > 0 {
		parts = append(parts, "unbanned "+times(c.Unbans))
	}
	if len(parts) == 0 {
		return ""
	}
	// "banned twice in 90 days, last by …": the period goes after the first count.
	first, rest, _ := strings.Cut(parts[0], ", ")
	line := Code(account) + ": " + first + fmt.Sprintf(" in %d days", caseDays)
	if rest != "" {
		line += ", " + rest
	}
	for _, p := range parts[1:] {
		line += "; " + p
	}
	return line
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return withCommas(n) + " times"
}

// compile-time checks: the real store and client satisfy the interfaces.
var (
	_ CaseFiles  = (*store.Store)(nil)
	_ LiveReader = (*tim.Client)(nil)
)
