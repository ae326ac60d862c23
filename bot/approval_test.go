package bot_test

import (
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

// TestApproval_SelfApprovalRefused: alice cannot approve her own request (nor deny it: she is a
// moderator); it stays pending, Tencent is not called, the refusals are audited.
func TestApproval_SelfApprovalRefused(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")

	for _, action := range []string{"approve", "deny"} {
		if _, err := e.slack.Click(alice, approvals, root.TS, action, ""); err != nil {
			t.Fatal(err)
		}
	}
	e.waitEphemeral(alice, "can't decide your own request")
	e.waitEphemeral(alice, "`Deny` needs the *approver* role; yours is *moderator*")
	if got := e.slack.Views(alice); len(got) != 0 {
		t.Fatalf("alice got a modal: %+v", got)
	}
	r := unbanRequest(t, e, 1)
	if r.State != store.Pending || len(r.Approvals) != 0 {
		t.Fatalf("request = %s with %d approvals, want pending with none", r.State, len(r.Approvals))
	}
	if got := e.tim.Calls(cmdUnbanGroup); got != 0 {
		t.Fatalf("unban calls = %d, want 0", got)
	}
	e.eventually("refusals audited", func() bool { return unbanRefusals(e, alice) == 2 })
}

// TestApproval_NotAllowlistedRefused: dave, not on the allowlist, is refused for every button
// with nothing done; a viewer cannot approve either.
func TestApproval_NotAllowlistedRefused(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	e.tim.Ban(g, "bad", time.Hour)
	e.tim.FailAccount(cmdUnbanGroup, "bad", 10004)

	failed := unbanOpen(t, e, alice, g+" bad -- appeal")
	if _, err := e.slack.Click(bob, approvals, failed.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	failed = unbanWaitRoot(t, e, failed.TS, "failed")
	pending := unbanOpen(t, e, alice, g+" u1 -- appeal")
	calls := e.timCalls()

	for _, click := range []struct{ ts, action string }{
		{pending.TS, "approve"}, {pending.TS, "deny"}, {pending.TS, "cancel"}, {failed.TS, "retry"},
	} {
		if _, err := e.slack.Click(dave, approvals, click.ts, click.action, ""); err != nil {
			t.Fatal(err)
		}
	}
	e.waitFor("four refusals", func(s *slacktest.Server) bool {
		return strings.Count(e.ephemeralText(dave), "not on modbot's allowlist") == 4
	})
	if _, err := e.slack.Click(vic, approvals, pending.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(vic, "needs the *approver* role")
	// dave is not on the allowlist: his four refusals within a minute are audited once.
	e.eventually("refusals audited", func() bool { return unbanRefusals(e, dave) == 1 && unbanRefusals(e, vic) == 1 })

	if got := e.timCalls(); got != calls {
		t.Fatalf("tencent calls = %d, want %d (none for refused clicks)", got, calls)
	}
	if got := e.slack.Views(dave); len(got) != 0 {
		t.Fatalf("dave got a modal: %+v", got)
	}
	if r := unbanRequest(t, e, 2); r.State != store.Pending {
		t.Fatalf("request #2 = %s, want pending", r.State)
	}
	if r := unbanRequest(t, e, 1); r.State != store.Failed || r.Retries != 0 {
		t.Fatalf("request #1 = %s after %d retries, want failed, never retried", r.State, r.Retries)
	}
}

// TestApproval_DenyWithReason: bob denies through the modal; the reason stays inert, the root
// loses its buttons, alice is told in the thread and by DM.
func TestApproval_DenyWithReason(t *testing.T) {
	m := &decisionCounter{}
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.Metrics = m }))
	g := e.tim.CreateGroup(timtest.Public)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")

	if _, err := e.slack.Click(bob, approvals, root.TS, "deny", ""); err != nil {
		t.Fatal(err)
	}
	e.waitFor("deny modal", func(s *slacktest.Server) bool { return len(s.Views(bob)) == 1 })
	if v := e.slack.Views(bob)[0]; v.CallbackID != "deny_reason" || v.PrivateMetadata == "" {
		t.Fatalf("modal = %+v, want the deny reason modal with the request ID", v)
	}
	reason := "<!channel> not convinced & no"
	if _, err := e.slack.SubmitView(bob, "deny_reason", map[string]map[string]string{"reason": {"reason": reason}}); err != nil {
		t.Fatal(err)
	}
	denied := unbanWaitRoot(t, e, root.TS, "denied")
	if got := denied.ActionIDs(); len(got) != 0 {
		t.Fatalf("denied root still has buttons %v", got)
	}
	e.waitFor("thread note and mention", func(s *slacktest.Server) bool {
		th := unbanThread(e, root.TS)
		return strings.Contains(th, "Denied by <@"+bob+">") && strings.Contains(th, "<@"+alice+"> :no_entry:")
	})
	e.waitFor("alice's DM", func(s *slacktest.Server) bool { return len(s.DMs(alice)) == 1 })
	shown := append(e.slack.Thread(approvals, root.TS), e.slack.DMs(alice)[0], denied)
	escaped := 0
	for _, m := range shown {
		if text := m.VisibleText() + m.Text; strings.Contains(text, "<!channel>") {
			t.Fatalf("reason not escaped in %q", text)
		}
		if strings.Contains(m.VisibleText(), "&lt;!channel&gt; not convinced &amp; no") {
			escaped++
		}
	}
	if escaped < 3 { // the thread note, the thread mention, the DM
		t.Fatalf("the escaped reason shows in %d messages, want at least 3", escaped)
	}
	if r := unbanRequest(t, e, 1); r.DenyReason != reason {
		t.Fatalf("deny reason = %q, want %q", r.DenyReason, reason)
	}
	e.eventually("nothing owed", func() bool { return len(unbanRequest(t, e, 1).Owed) == 0 })
	if got := m.count("denied"); got != 1 {
		t.Fatalf("denied decisions = %d, want 1", got)
	}
	if got := e.timCalls(); got != 2 { // get_group_info and the preview's ban-list read only
		t.Fatalf("tencent calls = %d, want 2", got)
	}
}

// TestApproval_DenyWithoutModal: when the modal cannot open, the click denies without a reason.
func TestApproval_DenyWithoutModal(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")
	e.slack.FailNext("views.open", "expired_trigger_id")
	if _, err := e.slack.Click(bob, approvals, root.TS, "deny", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "denied")
	if r := unbanRequest(t, e, 1); r.DecidedBy != bob || r.DenyReason != "" {
		t.Fatalf("request denied by %q with reason %q, want bob without a reason", r.DecidedBy, r.DenyReason)
	}
	e.waitFor("alice's DM", func(s *slacktest.Server) bool { return len(s.DMs(alice)) == 1 })
}

// TestApproval_Cancel: bob cannot cancel alice's request; alice can.
func TestApproval_Cancel(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")

	if _, err := e.slack.Click(bob, approvals, root.TS, "cancel", ""); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(bob, "Only the person who opened the request can cancel it")
	if _, err := e.slack.Click(alice, approvals, root.TS, "cancel", ""); err != nil {
		t.Fatal(err)
	}
	cancelled := unbanWaitRoot(t, e, root.TS, "cancelled")
	if got := cancelled.ActionIDs(); len(got) != 0 {
		t.Fatalf("cancelled root still has buttons %v", got)
	}
	e.waitFor("thread note", func(s *slacktest.Server) bool {
		return strings.Contains(unbanThread(e, root.TS), "Cancelled by <@"+alice+">")
	})
	e.eventually("bob's refusal audited", func() bool { return unbanRefusals(e, bob) == 1 })
}

// TestApproval_Expiry: a request nobody decides expires: its root says so without buttons, and
// alice is told in the thread and by DM.
func TestApproval_Expiry(t *testing.T) {
	m := &decisionCounter{}
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.RequestTTL = 1500 * time.Millisecond; o.Metrics = m }))
	g := e.tim.CreateGroup(timtest.Public)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")

	expired := unbanWaitRoot(t, e, root.TS, "expired")
	if got := expired.ActionIDs(); len(got) != 0 {
		t.Fatalf("expired root still has buttons %v", got)
	}
	e.waitFor("alice told", func(s *slacktest.Server) bool {
		dms := s.DMs(alice)
		return len(dms) == 1 && strings.Contains(dms[0].VisibleText(), "expired") &&
			strings.Contains(unbanThread(e, root.TS), "<@"+alice+"> :hourglass:")
	})
	if got := e.tim.Calls(cmdUnbanGroup); got != 0 {
		t.Fatalf("unban calls = %d, want 0", got)
	}
	if got := m.count("expired"); got != 1 {
		t.Fatalf("expired decisions = %d, want 1", got)
	}
}

// TestApproval_ExpiredByClick: a request past its expiry that a click (not the sweep) expires is
// counted in the expired metric once, like one the sweep expires.
func TestApproval_ExpiredByClick(t *testing.T) {
	m := &decisionCounter{}
	e := newEnv(t, withBotOptions(func(o *botOptions) {
		o.RequestTTL = 500 * time.Millisecond
		o.Sweep = time.Hour // the click, not the sweep, finds it overdue
		o.Metrics = m
	}))
	g := e.tim.CreateGroup(timtest.Public)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")
	time.Sleep(600 * time.Millisecond)
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "expired")
	e.waitEphemeral(bob, "expired")
	e.waitFor("alice told", func(s *slacktest.Server) bool { return len(s.DMs(alice)) == 1 })
	if got := m.count("expired"); got != 1 {
		t.Fatalf("expired decisions = %d, want 1", got)
	}
}

// TestApproval_Quorum: with two approvals needed, bob's shows "1 of 2", bob cannot count twice,
// erin's executes.
func TestApproval_Quorum(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.Approvals = 2 }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")

	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	e.waitFor("1 of 2 on the root", func(s *slacktest.Server) bool {
		m, _ := s.Message(approvals, root.TS)
		return strings.Contains(m.VisibleText(), "1 of 2: <@"+bob+">")
	})
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(bob, "You have already approved this request")
	if got := e.tim.Calls(cmdUnbanGroup); got != 0 {
		t.Fatalf("unban calls after one approval = %d, want 0", got)
	}
	if _, err := e.slack.Click(erin, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	done := unbanWaitRoot(t, e, root.TS, "done")
	if !strings.Contains(done.VisibleText(), "2 of 2: <@"+bob+">, <@"+erin+">") {
		t.Fatalf("root = %q, want both approvers", done.VisibleText())
	}
	if e.tim.IsBanned(g, "u1") {
		t.Fatal("u1 still banned")
	}
	e.waitFor("thread notes", func(s *slacktest.Server) bool {
		th := unbanThread(e, root.TS)
		return strings.Contains(th, "Approved by <@"+bob+"> (1 of 2)") && strings.Contains(th, "Approved by <@"+erin+"> (2 of 2)")
	})
}

// TestApproval_QuorumRechecksRoles is issue 10's scenario: 2 approvals needed; bob approves; bob
// loses the approver role (and, in the second case, alice the moderator role); erin approves. The
// request is not executed: bob's approval no longer counts, and a requester who lost her role
// cancels the request ("requester no longer allowed"), which the root, the thread and her DM say.
func TestApproval_QuorumRechecksRoles(t *testing.T) {
	for _, tc := range []struct {
		name          string
		demoteAlice   bool
		wantState     string
		wantInThread  string
		wantDecisions string
	}{
		{"ApproverRevoked", false, "pending", "No longer counted: the approval of <@" + bob + ">", ""},
		{"ApproverAndRequesterRevoked", true, "cancelled", "requester no longer allowed", "cancelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &decisionCounter{}
			e := newEnv(t, withBotOptions(func(o *botOptions) { o.Approvals = 2; o.Metrics = m }))
			g := e.tim.CreateGroup(timtest.AVChatRoom)
			e.tim.Ban(g, "u1", time.Hour)
			root := unbanOpen(t, e, alice, g+" u1 -- appeal")
			if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
				t.Fatal(err)
			}
			e.waitFor("1 of 2 on the root", func(s *slacktest.Server) bool {
				m, _ := s.Message(approvals, root.TS)
				return strings.Contains(m.VisibleText(), "1 of 2: <@"+bob+">")
			})
			if _, err := e.store.RemoveRole(t.Context(), carol, bob); err != nil {
				t.Fatal(err)
			}
			if tc.demoteAlice {
				if _, err := e.store.SetRole(t.Context(), carol, alice, store.RoleViewer); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.slack.Click(erin, approvals, root.TS, "approve", ""); err != nil {
				t.Fatal(err)
			}
			e.waitFor("the thread says why", func(s *slacktest.Server) bool {
				return strings.Contains(unbanThread(e, root.TS), tc.wantInThread)
			})
			var now slacktest.Message
			e.waitFor("the root says why", func(s *slacktest.Server) bool {
				now, _ = s.Message(approvals, root.TS)
				return stateField(now.VisibleText()) == tc.wantState && (tc.demoteAlice || strings.Contains(now.VisibleText(), "1 of 2: <@"+erin+">"))
			})
			if r := unbanRequest(t, e, 1); string(r.State) != tc.wantState {
				t.Fatalf("request is %s, want %s", r.State, tc.wantState)
			}
			if tc.demoteAlice {
				e.waitFor("alice told by DM", func(s *slacktest.Server) bool {
					dms := s.DMs(alice)
					return len(dms) == 1 && strings.Contains(dms[0].VisibleText(), "cancelled by modbot: requester no longer allowed")
				})
				if got := now.ActionIDs(); len(got) != 0 {
					t.Fatalf("cancelled root still has buttons %v", got)
				}
				if !strings.Contains(now.VisibleText(), "Cancelled by modbot") {
					t.Fatalf("root = %q, want it to say modbot cancelled it", now.VisibleText())
				}
			} else if !strings.Contains(now.VisibleText(), "1 of 2: <@"+erin+">") || !strings.Contains(now.VisibleText(), "no longer counted: <@"+bob+">") {
				t.Fatalf("root = %q, want 1 of 2 (erin) and bob's approval no longer counted", now.VisibleText())
			}
			if tc.wantDecisions != "" {
				e.eventually("decision counted", func() bool { return m.count(tc.wantDecisions) == 1 })
			}
			if m.count("approved") != 0 {
				t.Fatal("counted as approved")
			}
			time.Sleep(300 * time.Millisecond) // a sweep or two: nothing may pick it up for execution
			if got := e.tim.Calls(cmdUnbanGroup); got != 0 {
				t.Fatalf("unban calls = %d, want 0", got)
			}
			if !e.tim.IsBanned(g, "u1") {
				t.Fatal("u1 was unbanned")
			}
		})
	}
}

// TestApproval_CancelByDemotedRequester: Cancel needs only that the clicker is the requester, so
// alice can withdraw her request after losing the moderator role, or her place on the allowlist.
func TestApproval_CancelByDemotedRequester(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	first := unbanOpen(t, e, alice, g+" u1 -- appeal")
	second := unbanOpen(t, e, alice, g+" u2 -- appeal")
	if _, err := e.store.SetRole(t.Context(), carol, alice, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.Click(alice, approvals, first.TS, "cancel", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, first.TS, "cancelled")
	if _, err := e.store.RemoveRole(t.Context(), carol, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.Click(alice, approvals, second.TS, "cancel", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, second.TS, "cancelled")
	// Someone else, on the allowlist or not, still cannot.
	third := unbanOpen(t, e, erin, g+" u3 -- appeal")
	if _, err := e.slack.Click(dave, approvals, third.TS, "cancel", ""); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(dave, "not on modbot's allowlist")
	if _, err := e.slack.Click(bob, approvals, third.TS, "cancel", ""); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(bob, "Only the person who opened the request can cancel it")
	if r := unbanRequest(t, e, 3); r.State != store.Pending {
		t.Fatalf("request #3 = %s, want pending", r.State)
	}
}

// unbanRequest reads request #n from the store.
func unbanRequest(t *testing.T, e *env, n int64) *store.Request {
	t.Helper()
	r, err := e.store.RequestByNumber(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// unbanRefusals counts the audited refusals of user.
func unbanRefusals(e *env, user string) int {
	n := 0
	for _, a := range e.auditEntries() {
		if a.Action == "refused" && a.Actor == user {
			n++
		}
	}
	return n
}

// TestApproval_DenyReasonTooLong: a reason over Tencent's 1,000 bytes keeps the modal open with
// an error instead of being cut; a shorter one then denies.
func TestApproval_DenyReasonTooLong(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")
	if _, err := e.slack.Click(bob, approvals, root.TS, "deny", ""); err != nil {
		t.Fatal(err)
	}
	e.waitFor("deny modal", func(s *slacktest.Server) bool { return len(s.Views(bob)) == 1 })

	long := strings.Repeat("中", 400) // 1,200 bytes
	ack, err := e.slack.SubmitView(bob, "deny_reason", map[string]map[string]string{"reason": {"reason": long}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), `"response_action":"errors"`) || !strings.Contains(string(ack.Payload), "1200") {
		t.Fatalf("ack = %s, want the modal kept open with the byte count", ack.Payload)
	}
	if r := unbanRequest(t, e, 1); r.State != store.Pending {
		t.Fatalf("state = %s after a refused reason, want pending", r.State)
	}
	if _, err := e.slack.SubmitView(bob, "deny_reason", map[string]map[string]string{"reason": {"reason": "不"}}); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "denied")
}

// TestApproval_ClickDeliveredTwice: Slack delivering the same Approve twice counts it once and
// notes it once in the thread.
func TestApproval_ClickDeliveredTwice(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.Approvals = 2 }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")

	ack, err := e.slack.Click(bob, approvals, root.TS, "approve", "")
	if err != nil {
		t.Fatal(err)
	}
	e.waitFor("bob's approval noted", func(s *slacktest.Server) bool {
		return strings.Contains(unbanThread(e, root.TS), "Approved by <@"+bob+"> (1 of 2)")
	})
	if _, err := e.slack.Redeliver(ack.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.Click(erin, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "done")
	th := unbanThread(e, root.TS)
	if got := strings.Count(th, "Approved by <@"+bob+">"); got != 1 {
		t.Fatalf("bob's approval noted %d times, want 1:\n%s", got, th)
	}
	if got := strings.Count(th, "Approved by <@"+erin+"> (2 of 2)"); got != 1 {
		t.Fatalf("erin's approval noted %d times, want 1:\n%s", got, th)
	}
}
