package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"modbot/store"
)

// TestParse_ScopedAllowRevoke: /modbot allow and revoke take an optional group:<id> | room:<id>
// (also "group: <id>" as phones type it); anything else after them is named in the error.
func TestParse_ScopedAllowRevoke(t *testing.T) {
	cfg := ParseConfig{RequireReason: true}
	for _, tt := range []struct {
		text string
		want *ModbotCmd
	}{
		{"allow <@U1AB|bob> approver group:@TGS#1abc", &ModbotCmd{Sub: SubAllow, User: "U1AB", Role: store.RoleApprover, Scope: store.Scope{Kind: store.KindGroup, ID: "@TGS#1abc"}}},
		{"allow U1AB moderator ROOM:standup-42", &ModbotCmd{Sub: SubAllow, User: "U1AB", Role: store.RoleModerator, Scope: store.Scope{Kind: store.KindRoom, ID: "standup-42"}}},
		{"allow U1AB viewer group: g1", &ModbotCmd{Sub: SubAllow, User: "U1AB", Role: store.RoleViewer, Scope: store.Scope{Kind: store.KindGroup, ID: "g1"}}},
		{"allow U1AB admin", &ModbotCmd{Sub: SubAllow, User: "U1AB", Role: store.RoleAdmin}},
		{"revoke <@U1AB|bob> room:r1", &ModbotCmd{Sub: SubRevoke, User: "U1AB", Scope: store.Scope{Kind: store.KindRoom, ID: "r1"}}},
		{"revoke U1AB", &ModbotCmd{Sub: SubRevoke, User: "U1AB"}},
	} {
		got, err := Parse(CmdModbot, tt.text, cfg)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.text, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ text, want string }{
		{"allow U1AB approver channel:x", `"channel:x" is not a target`},
		{"allow U1AB approver account:x", `"account:x" is not a target`},
		{"allow U1AB approver group:", "the group ID is empty"},
		{"allow U1AB approver group:gr\u00fcn", `group ID "grün"`},
		{"allow U1AB approver room:" + strings.Repeat("r", 49), "49 bytes"},
		{"allow U1AB approver group:g1 room:r1", `unexpected "room:r1" after /modbot allow`},
		{"revoke U1AB group:<@U2CD|x>", "Slack user"},
	} {
		_, err := Parse(CmdModbot, tt.text, cfg)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(ue.Problem, tt.want) {
			t.Errorf("Parse(%q) = %v; want a usage error naming %q", tt.text, err, tt.want)
		}
	}
}

// TestRender_ScopedGolden: who and whoami with scoped roles.
func TestRender_ScopedGolden(t *testing.T) {
	members := []store.Member{{User: "U0CAROL", Role: store.RoleAdmin}, {User: "U0VIC", Role: store.RoleViewer}}
	scoped := []store.ScopedMember{
		{User: "U0SAM", Scope: store.Scope{Kind: store.KindGroup, ID: "@TGS#1A<b>"}, Role: store.RoleModerator},
		{User: "U0SARA", Scope: store.Scope{Kind: store.KindGroup, ID: "@TGS#1A<b>"}, Role: store.RoleApprover},
		{User: "U0VIC", Scope: store.Scope{Kind: store.KindRoom, ID: "standup-42"}, Role: store.RoleApprover},
	}
	scopedOnly := store.Roles{Scoped: []store.ScopedRole{{Scope: store.Scope{Kind: store.KindGroup, ID: "@TGS#1A<b>"}, Role: store.RoleApprover}}}
	mixed := store.Roles{Global: store.RoleModerator, Scoped: []store.ScopedRole{
		{Scope: store.Scope{Kind: store.KindGroup, ID: "g1"}, Role: store.RoleViewer},
		{Scope: store.Scope{Kind: store.KindRoom, ID: "standup-42"}, Role: store.RoleApprover}}}
	for _, tc := range []struct {
		name string
		m    message
	}{
		{"read_who_scoped", renderList(whoListScoped(members, scoped), "", 0)},
		{"read_whoami_scoped_only", renderWhoamiRoles("U0SARA", scopedOnly)},
		{"read_whoami_scoped_mixed", renderWhoamiRoles("U0VIC", mixed)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkReadLimits(t, tc.m)
			if s := tc.m.Text + blocksText(tc.m.Blocks); strings.Contains(s, "<b>") {
				t.Fatalf("a target ID is not escaped:\n%s", s)
			}
			checkGolden(t, tc.name, tc.m)
		})
	}
	// A person without scopes reads exactly what they read before scopes existed.
	if got, want := renderWhoamiRoles("U0VIC", store.Roles{Global: store.RoleViewer}), renderWhoami("U0VIC", store.RoleViewer); !reflect.DeepEqual(got, want) {
		t.Fatalf("whoami without scopes changed:\n%+v\n%+v", got, want)
	}
}
