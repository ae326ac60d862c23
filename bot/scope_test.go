package bot_test

import (
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

// People with scoped roles only (issue 13).
const (
	sam  = "U0SAM"  // moderator on group A
	sara = "U0SARA" // approver on group A
	ben  = "U0BEN"  // approver on group B
)

// scopedEnv is an env with two groups and sam, sara and ben scoped to them.
func scopedEnv(t *testing.T) (e *env, groupA, groupB string) {
	t.Helper()
	e = newEnv(t)
	groupA, groupB = e.tim.CreateGroup(timtest.AVChatRoom), e.tim.CreateGroup(timtest.AVChatRoom)
	for _, g := range []struct {
		user, group string
		role        store.Role
	}{{sam, groupA, store.RoleModerator}, {sara, groupA, store.RoleApprover}, {ben, groupB, store.RoleApprover}} {
		e.slack.AddUser(g.user, strings.ToLower(g.user[3:]))
		if _, err := e.store.SetScopedRole(t.Context(), carol, g.user, g.role, store.Scope{Kind: store.KindGroup, ID: g.group}); err != nil {
			t.Fatal(err)
		}
	}
	return e, groupA, groupB
}

// TestScoped_Commands: a command on a target uses the effective role there; off-scope it is
// refused with the reason and nothing reaches Tencent; views across targets need a global role.
func TestScoped_Commands(t *testing.T) {
	e, groupA, groupB := scopedEnv(t)
	calls := e.timCalls()
	e.command(sam, moderation, "/unban", groupB+" u1 -- appeal")
	e.waitEphemeral(sam, "`/unban` on group `"+groupB+"` needs the *moderator* role there; yours there is none. Your *moderator* role is for group `"+groupA+"`.")
	e.command(sam, moderation, "/roles", groupB+" u1")
	e.waitEphemeral(sam, "`/roles` on group `"+groupB+"` needs the *viewer* role there")
	e.command(sam, moderation, "/banned", "group "+groupB)
	e.waitEphemeral(sam, "`/banned` on group `"+groupB+"` needs the *viewer* role there")
	e.command(ben, moderation, "/unban", groupA+" u1 -- appeal")
	e.waitEphemeral(ben, "Your *approver* role is for group `"+groupB+"`")
	if !strings.Contains(e.ephemeralText(sam), "`/modbot allow @you moderator group:"+groupB+"`") {
		t.Errorf("the refusal does not say how to get the role there:\n%s", e.ephemeralText(sam))
	}
	for _, sub := range []string{"pending", "log", "who"} {
		e.command(sam, moderation, "/modbot", sub)
		e.waitEphemeral(sam, "`/modbot "+sub+"` covers every group and room, so it needs a global *viewer* role; yours are scoped: *moderator* for group `"+groupA+"`.")
	}
	if got := e.timCalls(); got != calls {
		t.Fatalf("tencent calls = %d after refused commands, want %d", got, calls)
	}

	e.command(sam, moderation, "/modbot", "whoami")
	e.waitEphemeral(sam, "*moderator* on group `"+groupA+"`")
	e.command(sam, moderation, "/roles", groupA+" u1")
	e.waitEphemeral(sam, "is an *AVChatRoom*")
	e.tim.Ban(groupA, "u1", time.Hour)
	root := unbanOpen(t, e, sam, groupA+" u1 -- appeal")
	if !strings.Contains(root.VisibleText(), "<@"+sam+">") {
		t.Fatalf("root does not name sam:\n%s", root.VisibleText())
	}
	// vic is a global viewer and an approver on group A: the higher role counts there.
	if _, err := e.store.SetScopedRole(t.Context(), carol, vic, store.RoleApprover, store.Scope{Kind: store.KindGroup, ID: groupA}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.Click(vic, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "done")
	// and only there: vic stays a viewer on group B.
	e.command(vic, moderation, "/unban", groupB+" u1 -- appeal")
	e.waitEphemeral(vic, "`/unban` on group `"+groupB+"` needs the *moderator* role there; yours there is *viewer*.")
}

// TestScoped_Buttons: Approve, Deny, Retry failed and Cancel use the clicker's effective role on
// the request's target at the click, in the thread and on the Home tab; ben (an approver of group
// B) is refused on group A with the reason and 0 Tencent calls, sara (approver of A) decides.
func TestScoped_Buttons(t *testing.T) {
	e, groupA, groupB := scopedEnv(t)
	e.tim.Ban(groupA, "u1", time.Hour)
	e.tim.Ban(groupA, "bad", time.Hour)
	e.tim.FailAccount(cmdUnbanGroup, "bad", 10004)
	failed := unbanOpen(t, e, alice, groupA+" bad -- appeal")
	if _, err := e.slack.Click(sara, approvals, failed.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	failed = unbanWaitRoot(t, e, failed.TS, "failed")
	pending := unbanOpen(t, e, alice, groupA+" u1 -- appeal")
	req := unbanRequest(t, e, 2)
	calls := e.timCalls()

	for _, click := range []struct{ ts, action string }{
		{pending.TS, "approve"}, {pending.TS, "deny"}, {failed.TS, "retry"}, {pending.TS, "cancel"},
	} {
		if _, err := e.slack.Click(ben, approvals, click.ts, click.action, ""); err != nil {
			t.Fatal(err)
		}
	}
	e.waitFor("three refusals with the reason", func(s *slacktest.Server) bool {
		return strings.Count(e.ephemeralText(ben), "Your *approver* role is for group `"+groupB+"`") == 3
	})
	for _, want := range []string{"`Approve` on group `" + groupA + "` needs the *approver* role there", "`Deny` on group", "`Retry failed` on group"} {
		if !strings.Contains(e.ephemeralText(ben), want) {
			t.Errorf("ben was not told %q:\n%s", want, e.ephemeralText(ben))
		}
	}
	e.waitEphemeral(ben, "Only the person who opened the request can cancel it")
	if got := e.slack.Views(ben); len(got) != 0 {
		t.Fatalf("ben got a modal: %+v", got)
	}

	// The Home tab's buttons are the thread's, checked at the click: bob saw Approve there as a
	// global approver, then became an approver of group B only.
	openHome(t, e, bob)
	if _, err := e.store.RemoveRole(t.Context(), carol, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetScopedRole(t.Context(), carol, bob, store.RoleApprover, store.Scope{Kind: store.KindGroup, ID: groupB}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.ClickHome(bob, "approve", req.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("bob's DM refusal", func(s *slacktest.Server) bool {
		for _, m := range s.DMs(bob) {
			if strings.Contains(m.VisibleText(), "Your *approver* role is for group `"+groupB+"`") {
				return true
			}
		}
		return false
	})
	if got := e.timCalls(); got != calls {
		t.Fatalf("tencent calls = %d after refused clicks, want %d", got, calls)
	}
	if r := unbanRequest(t, e, 2); r.State != store.Pending || len(r.Approvals) != 0 {
		t.Fatalf("request #2 = %s with %d approvals, want pending with none", r.State, len(r.Approvals))
	}
	if r := unbanRequest(t, e, 1); r.State != store.Failed || r.Retries != 0 {
		t.Fatalf("request #1 = %s after %d retries", r.State, r.Retries)
	}

	// sara, approver on group A, retries and approves there.
	if _, err := e.slack.Click(sara, approvals, failed.TS, "retry", ""); err != nil {
		t.Fatal(err)
	}
	e.eventually("retried", func() bool { return unbanRequest(t, e, 1).Retries == 1 })
	if _, err := e.slack.Click(sara, approvals, pending.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, pending.TS, "done")
	if e.tim.IsBanned(groupA, "u1") {
		t.Fatal("u1 still banned")
	}
}

// TestScoped_DenyModal: the deny modal's submission checks the role on the request's target when
// it arrives: sara opens it as approver of group A, loses that role, and her submission is refused
// with nothing denied; given it back, her next submission denies.
func TestScoped_DenyModal(t *testing.T) {
	e, groupA, _ := scopedEnv(t)
	root := unbanOpen(t, e, alice, groupA+" u1 -- appeal")
	if _, err := e.slack.Click(sara, approvals, root.TS, "deny", ""); err != nil {
		t.Fatal(err)
	}
	e.waitFor("deny modal", func(s *slacktest.Server) bool { return len(s.Views(sara)) == 1 })
	onA := store.Scope{Kind: store.KindGroup, ID: groupA}
	if _, err := e.store.RemoveScopedRole(t.Context(), carol, sara, onA); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetScopedRole(t.Context(), carol, sara, store.RoleApprover, store.Scope{Kind: store.KindRoom, ID: "r9"}); err != nil {
		t.Fatal(err)
	}
	calls := e.timCalls()
	if _, err := e.slack.SubmitView(sara, "deny_reason", map[string]map[string]string{"reason": {"reason": "no"}}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("sara's DM refusal", func(s *slacktest.Server) bool {
		for _, m := range s.DMs(sara) {
			if strings.Contains(m.VisibleText(), "`Deny` on group `"+groupA+"` needs the *approver* role there; yours there is none. Your *approver* role is for room `r9`.") {
				return true
			}
		}
		return false
	})
	if r := unbanRequest(t, e, 1); r.State != store.Pending {
		t.Fatalf("request = %s, want pending", r.State)
	}
	if got := e.timCalls(); got != calls {
		t.Fatalf("tencent calls = %d, want %d", got, calls)
	}
}

// TestScoped_AllowRevoke: /modbot allow and revoke with a target; who and whoami show it; a
// scoped admin cannot manage the allowlist; the last-admin rule ignores scoped admins.
func TestScoped_AllowRevoke(t *testing.T) {
	e, groupA, _ := scopedEnv(t)
	e.command(carol, moderation, "/modbot", "allow <@"+dave+"|dave> approver room:standup-42")
	e.waitEphemeral(carol, "<@"+dave+"> is now *approver* on room `standup-42`.")
	e.command(carol, moderation, "/modbot", "allow <@"+dave+"|dave> admin group:"+groupA)
	e.waitEphemeral(carol, "<@"+dave+"> is now *admin* on group `"+groupA+"`.")
	e.command(carol, moderation, "/modbot", "who")
	e.waitEphemeral(carol, "Room `standup-42`: <@"+dave+"> (approver)")
	e.command(dave, moderation, "/modbot", "whoami")
	e.waitEphemeral(dave, "*admin* on group `"+groupA+"`")

	// dave, a scoped admin, cannot grant, not even on his own group.
	e.command(dave, moderation, "/modbot", "allow <@"+vic+"|vic> moderator group:"+groupA)
	e.waitEphemeral(dave, "`/modbot allow` covers every group and room, so it needs a global *admin* role")
	if r, _ := e.store.RoleOn(t.Context(), vic, store.Scope{Kind: store.KindGroup, ID: groupA}); r != store.RoleViewer {
		t.Fatalf("vic on group A is %v after a scoped admin's allow, want viewer", r)
	}
	// carol is the only global admin: dave's scoped admin role does not let her step down.
	e.command(carol, moderation, "/modbot", "revoke <@"+carol+"|carol>")
	e.waitEphemeral(carol, "admin")
	if r, _ := e.store.Role(t.Context(), carol); r != store.RoleAdmin {
		t.Fatalf("carol is %v, want still admin", r)
	}
	e.command(carol, moderation, "/modbot", "revoke <@"+dave+"|dave> room:standup-42")
	e.waitEphemeral(carol, "<@"+dave+"> no longer has a role on room `standup-42` (was approver)")
	e.command(carol, moderation, "/modbot", "revoke <@"+dave+"|dave> room:standup-42")
	e.waitEphemeral(carol, "has no role on room `standup-42`, so there was nothing to revoke there")
	e.command(carol, moderation, "/modbot", "revoke <@"+dave+"|dave>")
	e.waitEphemeral(carol, "<@"+dave+"> has no global role, so there was nothing to revoke everywhere. Their roles on single targets (*admin* for group `"+groupA+"`) stay")
	e.eventually("audited with the scope", func() bool {
		for _, a := range e.auditEntries() {
			if a.Action == "revoke" && a.Target == dave && a.Detail == "approver ->  on room:standup-42" {
				return true
			}
		}
		return false
	})
}

// TestScoped_Home: someone with scoped roles only sees them on the Home tab, and why the lists
// are not shown; a global viewer sees the scoped lines under their global role.
func TestScoped_Home(t *testing.T) {
	e, groupA, groupB := scopedEnv(t)
	unbanOpen(t, e, alice, groupA+" u1 -- appeal")
	openHome(t, e, sara)
	text := homeText(e, sara)
	for _, want := range []string{"*approver* on group `" + groupA + "`", "need a global role"} {
		if !strings.Contains(text, want) {
			t.Errorf("sara's Home lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "not on modbot's allowlist") || strings.Contains(text, "#1") {
		t.Errorf("sara's Home:\n%s", text)
	}
	if _, err := e.store.SetScopedRole(t.Context(), carol, vic, store.RoleModerator, store.Scope{Kind: store.KindRoom, ID: "r1"}); err != nil {
		t.Fatal(err)
	}
	openHome(t, e, vic)
	if text := homeText(e, vic); !strings.Contains(text, "*viewer* everywhere") || !strings.Contains(text, "*moderator* on room `r1`") || strings.Contains(text, "Waiting for your decision") {
		t.Errorf("vic's Home:\n%s", text)
	}

	// A global viewer who approves on group A waits for the requests on A only, and decides
	// them from the Home tab.
	if _, err := e.store.SetScopedRole(t.Context(), carol, vic, store.RoleApprover, store.Scope{Kind: store.KindGroup, ID: groupA}); err != nil {
		t.Fatal(err)
	}
	unbanOpen(t, e, alice, groupB+" u2 -- appeal")
	reqA := unbanRequest(t, e, 1)
	h := openHome(t, e, vic)
	text = homeText(e, vic)
	if !strings.Contains(text, "Waiting for your decision (1)") || !strings.Contains(text, "#1") {
		t.Errorf("vic's Home does not list the request on group A:\n%s", text)
	}
	var ids []string
	for _, b := range h.Buttons() {
		ids = append(ids, b.ActionID+"="+b.Value)
	}
	if got, want := strings.Join(ids, " "), "approve="+reqA.ID+" deny="+reqA.ID; got != want {
		t.Fatalf("vic's Home buttons = %s, want %s (group B's request is not hers to decide)", got, want)
	}
	if _, err := e.slack.ClickHome(vic, "approve", reqA.ID); err != nil {
		t.Fatal(err)
	}
	e.eventually("approved from the Home tab", func() bool { return unbanRequest(t, e, 1).State != store.Pending })
	if r := unbanRequest(t, e, 2); r.State != store.Pending {
		t.Fatalf("group B's request = %s, want pending", r.State)
	}
}

// TestScoped_Undo: Undo checks the effective role on the request's target at the click. An
// approver scoped to another group is refused with nothing sent to Tencent; a viewer who is an
// approver on this group may undo it.
func TestScoped_Undo(t *testing.T) {
	e := newActionEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	other := e.tim.CreateGroup(timtest.AVChatRoom)
	for who, scope := range map[string]string{erin: other, vic: g} {
		if who == erin {
			if _, err := e.store.RemoveRole(t.Context(), carol, erin); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.store.SetScopedRole(t.Context(), carol, who, store.RoleApprover, store.Scope{Kind: store.KindGroup, ID: scope}); err != nil {
			t.Fatal(err)
		}
	}
	root := actionOpen(t, e, alice, "/ban", g+" u1 for 1d -- spam: links")
	unbanWaitRoot(t, e, root.TS, "done")
	e.waitFor("undo button", func(s *slacktest.Server) bool {
		m, _ := s.Message(approvals, root.TS)
		return hasButton(m, "undo")
	})

	calls := e.timCalls()
	if _, err := e.slack.Click(erin, approvals, root.TS, "undo", ""); err != nil {
		t.Fatal(err)
	}
	e.waitFor("erin refused with the reason", func(s *slacktest.Server) bool {
		return strings.Contains(e.ephemeralText(erin), "Your *approver* role is for group `"+other+"`")
	})
	if got := e.timCalls(); got != calls {
		t.Fatalf("an off-scope Undo made %d Tencent calls", got-calls)
	}
	if !e.tim.IsBanned(g, "u1") {
		t.Fatal("u1 unbanned by an off-scope Undo")
	}

	if _, err := e.slack.Click(vic, approvals, root.TS, "undo", ""); err != nil {
		t.Fatal(err)
	}
	waitRoot(t, e, root.TS, "Undone by", "")
	e.eventually("u1 unbanned", func() bool { return !e.tim.IsBanned(g, "u1") })
}
