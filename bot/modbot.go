package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"modbot/store"
)

// logResult is one page of /modbot log as kept for the Newer / Older buttons: the query and the
// cursor the page starts after. Each page shown has its own stored result, so a button needs
// only "<resultID>:<page>".
type logResult struct {
	Filter store.AuditFilter `json:"filter"`
	Label  string            `json:"label"`  // the filters as given, for the title
	Count  int               `json:"count"`  // entries a page
	Cursor string            `json:"cursor"` // the page holds entries older than this ("" newest)
	Prev   string            `json:"prev"`   // result ID of the newer page; "" on the first
}

// handleModbot answers /modbot's subcommands (help is answered in the ack), each after the role
// check subcommandTable names.
func (b *Bot) handleModbot(ctx context.Context, inv *invocation, c *ModbotCmd) {
	s, ok := lookupSubcommand(c.Sub)
	if !ok || s.handle == nil {
		b.reply(ctx, inv, helpMessage("", b.parseConfig()))
		return
	}
	if c.Sub == SubWhoami && !b.roleAnywhere(ctx, inv) { // scope.go: a scoped role suffices
		return
	}
	if b.allowed(ctx, inv, s.role, "/modbot "+string(c.Sub)) {
		s.handle(b, ctx, inv, c)
	}
}

func (b *Bot) whoami(ctx context.Context, inv *invocation, _ *ModbotCmd) {
	roles, err := b.store.Roles(ctx, inv.User)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	b.audit(ctx, inv, store.AuditEntry{Action: store.ActionWhoami, Outcome: store.OutcomeOK, Detail: rolesDetail(roles)})
	b.reply(ctx, inv, renderWhoamiRoles(inv.User, roles))
}

func (b *Bot) who(ctx context.Context, inv *invocation, _ *ModbotCmd) {
	members, err := b.store.Members(ctx)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	scoped, err := b.store.ScopedMembers(ctx)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	b.audit(ctx, inv, store.AuditEntry{Action: store.ActionWho, Outcome: store.OutcomeOK})
	if len(members) == 0 && len(scoped) == 0 {
		b.reply(ctx, inv, renderWho(members))
		return
	}
	b.replyList(ctx, inv, whoListScoped(members, scoped))
}

// allowOrRevoke changes the allowlist; the store checks the actor's role again, refuses to leave
// no admin, and audits the change.
func (b *Bot) allowOrRevoke(ctx context.Context, inv *invocation, c *ModbotCmd) {
	var (
		prev store.Role
		err  error
		want store.Role
	)
	if c.Sub == SubAllow {
		want = c.Role
		prev, err = b.store.SetScopedRole(ctx, inv.User, c.User, want, c.Scope)
	} else {
		prev, err = b.store.RemoveScopedRole(ctx, inv.User, c.User, c.Scope)
	}
	if !c.Scope.Global() {
		b.scopedAllowReply(ctx, inv, c, prev, err) // scope.go
		return
	}
	switch {
	case c.Sub == SubRevoke && errors.Is(err, store.ErrNotFound):
		b.reply(ctx, inv, b.revokeNotFound(ctx, c.User)) // scope.go
		return
	case err != nil:
		if !unexpected(err) {
			b.audit(ctx, inv, store.AuditEntry{Action: store.AuditAction(c.Sub), TargetKind: "user", Target: c.User, Outcome: store.OutcomeRefused, Detail: Truncate(err.Error(), 200)})
		}
		b.fail(ctx, inv, err)
		return
	}
	var s string
	switch {
	case c.Sub == SubRevoke:
		s = fmt.Sprintf(":white_check_mark: %s is off modbot's allowlist (was %s).", Mention(c.User), roleName(prev))
	case prev == store.RoleNone:
		s = fmt.Sprintf(":white_check_mark: %s is now on modbot's allowlist as *%s*.", Mention(c.User), want)
	default:
		s = fmt.Sprintf(":white_check_mark: %s is now *%s* (was %s).", Mention(c.User), want, prev)
	}
	b.reply(ctx, inv, notice(s))
}

// maxPendingListed is the most open requests /modbot pending lists (those expiring soonest).
const maxPendingListed = 500

// pending lists the open requests, newest first, read without their account lists.
func (b *Bot) pending(ctx context.Context, inv *invocation, _ *ModbotCmd) {
	reqs, total, err := b.store.PendingSummaries(ctx, maxPendingListed)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	slices.SortStableFunc(reqs, func(x, y store.RequestSummary) int {
		if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
			return c
		}
		return int(y.Number - x.Number)
	})
	b.audit(ctx, inv, store.AuditEntry{Action: store.ActionPending, Outcome: store.OutcomeOK, Detail: fmt.Sprintf("%d open", total)})
	if len(reqs) == 0 {
		b.reply(ctx, inv, renderPending(reqs, total))
		return
	}
	b.replyList(ctx, inv, pendingList(reqs, total))
}

// auditLog answers /modbot log: the newest entries matching every filter, with an Older button.
func (b *Bot) auditLog(ctx context.Context, inv *invocation, c *ModbotCmd) {
	f := c.Log
	lr := logResult{
		Filter: store.AuditFilter{Actor: f.By, Account: f.Account, Group: f.Group, Room: f.Room, Kind: f.Action, ReasonCode: f.Reason},
		Label:  logLabel(f),
		Count:  f.Count,
	}
	if lr.Count <= 0 {
		lr.Count = DefaultLogCount
	}
	if f.Request > 0 {
		r, err := b.store.RequestByNumber(ctx, f.Request)
		if errors.Is(err, store.ErrNotFound) {
			b.reply(ctx, inv, notice(fmt.Sprintf(":warning: modbot has no request #%d (requests are forgotten some time after they end).", f.Request)))
			return
		}
		if err != nil {
			b.fail(ctx, inv, err)
			return
		}
		lr.Filter.RequestID = r.ID
	}
	m, err := b.logPage(ctx, lr, "", 0)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	b.reply(ctx, inv, m)
	b.audit(ctx, inv, store.AuditEntry{Action: store.ActionLog, Outcome: store.OutcomeOK, Detail: lr.Label})
}

// logPage reads and renders page p of a log query. self is the stored result this page was
// read from ("" for a first page not stored yet); the Older button gets a stored result of its
// own, pointing back to this one for Newer.
func (b *Bot) logPage(ctx context.Context, lr logResult, self string, p int) (message, error) {
	page, err := b.store.Audit(ctx, lr.Filter, lr.Cursor, lr.Count)
	if err != nil {
		return message{}, err
	}
	// Show only the entries that fit in one message, and page on from the last one shown, so
	// that long lines never push entries past both this page and the next.
	if n := logFit(page.Entries); n < len(page.Entries) {
		page.Entries, page.Next = page.Entries[:n], page.Entries[n-1].ID
	}
	var newer, older string
	if lr.Prev != "" && p > 0 {
		newer = pageValue(lr.Prev, p-1)
	}
	if page.Next != "" {
		if self == "" {
			if self, err = b.putResult(ctx, result{Log: &lr}); err != nil {
				return message{}, err
			}
		}
		next := lr
		next.Cursor, next.Prev = page.Next, self
		id, err := b.putResult(ctx, result{Log: &next})
		if err != nil {
			return message{}, err
		}
		older = pageValue(id, p+1)
	}
	return renderLog(lr.Label, p, page.Entries, newer, older), nil
}

// logLabel is the filters of a /modbot log as a person would type them.
func logLabel(f LogFilter) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+":"+v)
		}
	}
	add("account", f.Account)
	add("group", f.Group)
	add("room", f.Room)
	if f.By != "" {
		parts = append(parts, "by:"+f.By)
	}
	add("action", string(f.Action))
	add("reason", f.Reason)
	if f.Request > 0 {
		parts = append(parts, fmt.Sprintf("#%d", f.Request))
	}
	return strings.Join(parts, " ")
}

// logFit is how many of entries, newest first, fit in one log message.
func logFit(entries []store.AuditEntry) int {
	const budget = maxMessageText - 2000 // the header, the page buttons and packing slack
	total := 0
	for i, e := range entries {
		total += len(auditLine(e)) + 1
		if total > budget && i > 0 {
			return i
		}
	}
	return len(entries)
}
