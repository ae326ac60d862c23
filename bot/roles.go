package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"modbot/store"
	"modbot/tim"
)

// codeNoPermission is Tencent's "permission denied" (10007), which get_role_in_group answers for
// AVChatRoom groups.
const codeNoPermission = 10007

// rolesResult is a /roles answer as kept for paging: the accounts grouped by role.
type rolesResult struct {
	Group  string      `json:"group"`
	Groups []roleGroup `json:"groups"` // Owner, Admin, Member, NotMember, then other roles as they came; none empty
}

// roleGroup is the accounts that have one role, in the order they were asked about.
type roleGroup struct {
	Role     string   `json:"role"`
	Accounts []string `json:"accounts"`
}

// handleRoles answers /roles: each account's role in a group, summarised and paged.
func (b *Bot) handleRoles(ctx context.Context, inv *invocation, c *RolesCmd) {
	g := c.Group
	roles, err := b.tim.GetRolesInGroup(ctx, g, c.Accounts)
	if err != nil {
		code := tim.Code(err)
		b.audit(ctx, inv, store.AuditEntry{Action: store.ActionRoles, TargetKind: "group", Target: string(c.Group), Accounts: accountStrings(c.Accounts), Outcome: store.OutcomeFailed, Code: code, Detail: Truncate(tim.Meaning(code), 200)})
		if code == codeNoPermission {
			if info, ierr := b.tim.GroupInfo(ctx, g); ierr == nil && info.Type == tim.AVChatRoom {
				b.reply(ctx, inv, avChatRoomRoles(string(c.Group)))
				return
			}
		}
		b.fail(ctx, inv, err)
		return
	}
	res := newRolesResult(string(c.Group), roles)
	id := ""
	if len(rolesPageStarts(res)) > 1 {
		if id, err = b.putResult(ctx, result{Roles: &res}); err != nil {
			b.fail(ctx, inv, err)
			return
		}
	}
	b.audit(ctx, inv, store.AuditEntry{Action: store.ActionRoles, TargetKind: "group", Target: string(c.Group), Accounts: accountStrings(c.Accounts), Outcome: store.OutcomeOK, Detail: res.counts()})
	b.reply(ctx, inv, renderRoles(res, id, 0))
}

// newRolesResult groups Tencent's answer by role.
func newRolesResult(group string, roles []tim.MemberRole) rolesResult {
	res := rolesResult{Group: group}
	index := map[string]int{}
	for _, r := range roles {
		i, ok := index[r.Role]
		if !ok {
			i = len(res.Groups)
			index[r.Role] = i
			res.Groups = append(res.Groups, roleGroup{Role: r.Role})
		}
		res.Groups[i].Accounts = append(res.Groups[i].Accounts, string(r.Account))
	}
	slices.SortStableFunc(res.Groups, func(a, b roleGroup) int { return roleRank(a.Role) - roleRank(b.Role) })
	return res
}

// roleRank orders Tencent's roles: Owner, Admin, Member, NotMember, then any other.
func roleRank(role string) int {
	switch role {
	case "Owner":
		return 0
	case "Admin":
		return 1
	case "Member":
		return 2
	case "NotMember":
		return 3
	}
	return 4
}

// total is the number of accounts looked up.
func (r rolesResult) total() int {
	n := 0
	for _, g := range r.Groups {
		n += len(g.Accounts)
	}
	return n
}

// counts is a plain summary, e.g. "1 Owner, 5 Admin, 600 Member, 594 NotMember".
func (r rolesResult) counts() string {
	var parts []string
	for _, g := range r.Groups {
		parts = append(parts, fmt.Sprintf("%s %s", withCommas(len(g.Accounts)), g.Role))
	}
	return strings.Join(parts, ", ")
}

// avChatRoomRoles explains why roles cannot be read in a live group.
func avChatRoomRoles(group string) message {
	s := fmt.Sprintf(":information_source: %s is an *AVChatRoom* (live-stream) group. Tencent keeps no member roles "+
		"for live groups, so its role lookup (`get_role_in_group`) answers 10007 there and modbot cannot show roles. "+
		"A live group's admins are listed by a separate Tencent API (`group_open_avchatroom_http_svc/get_admin_list`, "+
		"Ultimate edition), which modbot does not call.", Code(group))
	return notice(s)
}
