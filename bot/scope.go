package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"modbot/store"
)

// Scoped roles (issue 13): a role is global or scoped to one target (group:<id> or room:<id>).
// A command on a target and a click on a request use the effective role on that target (the
// higher of the global and the scoped one; inv.Scope says which target); views across targets
// (/modbot pending, log, who, the Home tab's lists) use the global role. Only global admins
// manage the allowlist, scoped entries included.

// commandScope is the target a command acts on, if it has one: its role is checked there.
func commandScope(cmd Command) (store.Scope, bool) {
	switch c := cmd.(type) {
	case *ActionCmd:
		return targetScope(c.Target), true
	case *BannedCmd:
		return targetScope(c.Target), true
	case *RolesCmd:
		return store.Scope{Kind: store.KindGroup, ID: string(c.Group)}, true
	}
	return store.Scope{}, false
}

// targetScope is the scope of a command's target.
func targetScope(t Target) store.Scope {
	if t.Kind == TargetRoom {
		return store.Scope{Kind: store.KindRoom, ID: string(t.Room)}
	}
	return store.Scope{Kind: store.KindGroup, ID: string(t.Group)}
}

// loadCommandRole sets inv.Role for cmd at this moment: the effective role on the command's
// target, or the global role for a command without one.
func (b *Bot) loadCommandRole(ctx context.Context, inv *invocation, cmd Command) error {
	sc, _ := commandScope(cmd)
	inv.Scope = sc
	var err error
	inv.Role, err = b.store.RoleOn(ctx, inv.User, sc)
	return err
}

// roleOnRequest sets inv.Role to the clicker's effective role on the request's target, read now
// (the store checks it again in the same step as the decision). A request that cannot be read
// leaves the global role: the store's own answer (not found, …) is what the clicker hears.
func (b *Bot) roleOnRequest(ctx context.Context, inv *invocation, id string) {
	if inv.Role >= store.RoleApprover {
		return // a global approver is one on every target: no button needs more
	}
	req, err := b.store.Request(ctx, id)
	if err != nil {
		return
	}
	sc := store.ScopeOf(req.Target)
	if role, err := b.store.RoleOn(ctx, inv.User, sc); err == nil {
		inv.Role, inv.Scope = role, sc
	}
}

// scopeLabel names a scope for people: "group `X`", "room `Y`"; "everywhere" for the global one.
func scopeLabel(sc store.Scope) string {
	if sc.Global() {
		return "everywhere"
	}
	return string(sc.Kind) + " " + Code(sc.ID)
}

// scopedRoleList is "*approver* for group `X`, *moderator* for room `Y`".
func scopedRoleList(list []store.ScopedRole) string {
	var parts []string
	for _, s := range list {
		parts = append(parts, fmt.Sprintf("*%s* for %s", s.Role, scopeLabel(s.Scope)))
	}
	return strings.Join(parts, ", ")
}

// scopedRefusal explains a refusal to someone whose roles are scoped to other targets than the
// one they acted on, or who used a view across targets with scoped roles only. ok is false
// when scopes do not explain it (the caller's plain refusal applies).
func (b *Bot) scopedRefusal(ctx context.Context, inv *invocation, need store.Role, what string) (text, grant string, ok bool) {
	roles, err := b.store.Roles(ctx, inv.User)
	if err != nil || len(roles.Scoped) == 0 {
		return "", "", false
	}
	if !inv.Scope.Global() {
		var others []store.ScopedRole
		for _, s := range roles.Scoped {
			if s.Scope != inv.Scope {
				others = append(others, s)
			}
		}
		have := "none"
		if inv.Role != store.RoleNone {
			have = "*" + inv.Role.String() + "*"
		}
		text = fmt.Sprintf(":no_entry: %s on %s needs the *%s* role there; yours there is %s.", Code(what), scopeLabel(inv.Scope), need, have)
		if len(others) == 1 {
			text += fmt.Sprintf(" Your *%s* role is for %s.", others[0].Role, scopeLabel(others[0].Scope))
		} else if len(others) > 1 {
			text += " Your scoped roles: " + scopedRoleList(others) + "."
		}
		return text + " Nothing was done.", need.String() + " " + inv.Scope.String(), true
	}
	text = fmt.Sprintf(":no_entry: %s covers every group and room, so it needs a global *%s* role; ", Code(what), need)
	if roles.Global == store.RoleNone {
		text += "yours are scoped: " + scopedRoleList(roles.Scoped) + "."
	} else {
		text += fmt.Sprintf("yours is *%s* (and %s).", roles.Global, scopedRoleList(roles.Scoped))
	}
	return text + " Nothing was done.", need.String(), true
}

// roleWhere is the caller's role for an audit detail: "approver", or "none on group:X".
func roleWhere(inv *invocation) string {
	if inv.Scope.Global() {
		return roleName(inv.Role)
	}
	return roleName(inv.Role) + " on " + inv.Scope.String()
}

// parseScopeArg reads the optional group:<id> | room:<id> after /modbot allow and revoke.
func parseScopeArg(c *ModbotCmd, args []cmdToken) ([]cmdToken, error) {
	if len(args) == 0 {
		return nil, nil
	}
	key, v, ok := args[0].cutKey()
	if !ok || (key != "group" && key != "room") {
		return nil, fmt.Errorf("%s is not a target: give group:<id> or room:<id> to limit the role to one group or room, or nothing for everywhere", args[0].quoted())
	}
	rest := args[1:]
	if v.s == "" && len(rest) > 0 { // "group: X", as phones type it
		v, rest = rest[0], rest[1:]
	}
	what, plural := "group ID", "group IDs"
	if key == "room" {
		what, plural = "room ID", "room IDs"
	}
	id, err := checkID(v, what, plural, MaxIDBytes)
	if err != nil {
		return nil, err
	}
	c.Scope = store.Scope{Kind: store.TargetKind(key), ID: id}
	return rest, nil
}

// renderWhoamiRoles tells someone their roles, global and scoped, and what they let them do.
func renderWhoamiRoles(user string, roles store.Roles) message {
	if len(roles.Scoped) == 0 {
		return renderWhoami(user, roles.Global)
	}
	var s string
	if roles.Global != store.RoleNone {
		s = fmt.Sprintf("%s, your modbot role is *%s* everywhere: %s.", Mention(user), roles.Global, roleRights(roles.Global))
	} else {
		s = fmt.Sprintf("%s, you have no global modbot role, so views across groups and rooms (`/modbot pending`, `/modbot log`, `/modbot who`, the Home tab's lists) are closed to you.", Mention(user))
	}
	s += "\nOn one group or room:"
	for _, r := range roles.Scoped {
		if r.Role > roles.Global {
			s += fmt.Sprintf("\n• *%s* on %s: %s there", r.Role, scopeLabel(r.Scope), roleRights(r.Role))
		} else {
			s += fmt.Sprintf("\n• *%s* on %s (your global *%s* counts there)", r.Role, scopeLabel(r.Scope), roles.Global)
		}
	}
	return notice(s)
}

// scopedWhoLines lists the scoped entries of the allowlist for /modbot who, one line per target.
func scopedWhoLines(list []store.ScopedMember) []string {
	if len(list) == 0 {
		return nil
	}
	byScope := map[store.Scope][]string{}
	var order []store.Scope
	for _, m := range list {
		if _, ok := byScope[m.Scope]; !ok {
			order = append(order, m.Scope)
		}
		byScope[m.Scope] = append(byScope[m.Scope], fmt.Sprintf("%s (%s)", Mention(m.User), m.Role))
	}
	slicesSortScopes(order)
	lines := []string{fmt.Sprintf("*On one group or room* (%d):", len(list))}
	for _, sc := range order {
		lines = append(lines, fmt.Sprintf("%s: %s", upperFirst(scopeLabel(sc)), strings.Join(byScope[sc], ", ")))
	}
	return lines
}

func slicesSortScopes(s []store.Scope) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].Kind < s[j-1].Kind || (s[j].Kind == s[j-1].Kind && s[j].ID < s[j-1].ID)); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// homeRoleLines are the Home tab's lines for the person's roles: the global one, then each scope.
func homeRoleLines(roles store.Roles) []string {
	var out []string
	if roles.Global != store.RoleNone {
		out = append(out, "*"+roles.Global.String()+"* everywhere: "+roleRights(roles.Global))
	}
	for _, r := range roles.Scoped {
		out = append(out, fmt.Sprintf("*%s* on %s", r.Role, scopeLabel(r.Scope)))
	}
	return out
}

// renderHomeScopedOnly is the Home tab of someone whose roles are all scoped: their roles, and
// why the lists (which span every target) are not shown.
func renderHomeScopedOnly(d homeData) []slackBlock {
	return []slackBlock{
		header("modbot"),
		section("*Your roles*\n" + strings.Join(d.Roles, "\n")),
		contextBlock("Your roles are for single groups or rooms, so the lists here (requests, actions, counts across every target) need a global role: an admin can grant it with `/modbot allow @you viewer`. Commands and buttons on your groups and rooms work as usual."),
	}
}

// roleAnywhere lets someone with any role, global or scoped, through (for /modbot whoami); a
// stranger is refused as by allowed.
func (b *Bot) roleAnywhere(ctx context.Context, inv *invocation) bool {
	roles, err := b.store.Roles(ctx, inv.User)
	if err != nil {
		b.fail(ctx, inv, err)
		return false
	}
	if roles.None() {
		return b.allowed(ctx, inv, store.RoleViewer, "/modbot whoami")
	}
	inv.Role = max(inv.Role, roles.Highest())
	return true
}

// stranger reports whether the person has no role anywhere, global or scoped (an error counts
// as a stranger: they hear that they are not on the allowlist, the safe answer).
func (b *Bot) stranger(ctx context.Context, inv *invocation) bool {
	roles, err := b.store.Roles(ctx, inv.User)
	return err != nil || roles.None()
}

// rolesDetail is a person's roles for the audit log: "approver; moderator on group:X".
func rolesDetail(roles store.Roles) string {
	parts := []string{roleName(roles.Global)}
	for _, r := range roles.Scoped {
		parts = append(parts, r.Role.String()+" on "+r.Scope.String())
	}
	return Truncate(strings.Join(parts, "; "), 300)
}

// whoListScoped is the allowlist as /modbot who pages it: the global roles, then the scoped ones.
func whoListScoped(members []store.Member, scoped []store.ScopedMember) listResult {
	r := whoList(members)
	if len(scoped) == 0 {
		return r
	}
	people := map[string]bool{}
	for _, m := range members {
		people[m.User] = true
	}
	for _, m := range scoped {
		people[m.User] = true
	}
	r.Lines = append(r.Lines, scopedWhoLines(scoped)...)
	r.Title = fmt.Sprintf("modbot allowlist (%d)", len(people))
	r.Text = fmt.Sprintf("modbot allowlist: %d people", len(people))
	return r
}

// scopedAllowReply answers /modbot allow and revoke with a group:<id> or room:<id>; the store
// checked that the caller is a global admin and audited the change with the scope.
func (b *Bot) scopedAllowReply(ctx context.Context, inv *invocation, c *ModbotCmd, prev store.Role, err error) {
	where := scopeLabel(c.Scope)
	switch {
	case c.Sub == SubRevoke && errors.Is(err, store.ErrNotFound):
		b.reply(ctx, inv, notice(fmt.Sprintf("%s has no role on %s, so there was nothing to revoke there. (`/modbot revoke %s` without a target removes their global role.)", Mention(c.User), where, Mention(c.User))))
		return
	case err != nil:
		if !unexpected(err) {
			b.audit(ctx, inv, store.AuditEntry{Action: store.AuditAction(c.Sub), TargetKind: "user", Target: c.User, Outcome: store.OutcomeRefused,
				Detail: Truncate(err.Error()+" on "+c.Scope.String(), 200)})
		}
		b.fail(ctx, inv, err)
		return
	}
	var s string
	switch {
	case c.Sub == SubRevoke:
		s = fmt.Sprintf(":white_check_mark: %s no longer has a role on %s (was %s); any global role stays.", Mention(c.User), where, roleName(prev))
	case prev == store.RoleNone:
		s = fmt.Sprintf(":white_check_mark: %s is now *%s* on %s.", Mention(c.User), c.Role, where)
	default:
		s = fmt.Sprintf(":white_check_mark: %s is now *%s* on %s (was %s).", Mention(c.User), c.Role, where, prev)
	}
	b.reply(ctx, inv, notice(s))
}

// revokeNotFound answers /modbot revoke @user (no target) for someone without a global role:
// not on the allowlist, or on it for single targets only (each revoked with its target).
func (b *Bot) revokeNotFound(ctx context.Context, user string) message {
	roles, err := b.store.Roles(ctx, user)
	if err != nil || len(roles.Scoped) == 0 {
		return notice(fmt.Sprintf("%s is not on modbot's allowlist, so there was nothing to revoke.", Mention(user)))
	}
	ex := "/modbot revoke " + Mention(user) + " " + roles.Scoped[0].Scope.String()
	return notice(fmt.Sprintf("%s has no global role, so there was nothing to revoke everywhere. Their roles on single targets (%s) stay: revoke each with its target, e.g. %s.",
		Mention(user), scopedRoleList(roles.Scoped), Code(ex)))
}
