package bot_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim"
	"modbot/tim/timtest"
)

// TestExecute_PartialThenRetry: one bad account among 45 is isolated, named with its code and
// meaning, and "Retry failed" re-sends only it.
func TestExecute_PartialThenRetry(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	accounts := append(unbanAccounts("u", 44), "bad")
	for _, u := range accounts {
		e.tim.Ban(g, u, time.Hour)
	}
	e.tim.FailAccount(cmdUnbanGroup, "bad", 10004)
	root := unbanOpen(t, e, alice, g+" "+strings.Join(accounts, " ")+" -- appeal")
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}

	partial := unbanWaitRoot(t, e, root.TS, "partly done")
	if got, want := strings.Join(partial.ActionIDs(), " "), "retry"; got != want {
		t.Fatalf("partial root buttons = %q, want %q", got, want)
	}
	for _, u := range accounts[:44] {
		if e.tim.IsBanned(g, u) {
			t.Fatalf("%s still banned", u)
		}
	}
	if !e.tim.IsBanned(g, "bad") {
		t.Fatal("bad was unbanned despite the fault")
	}
	e.waitFor("result naming bad", func(s *slacktest.Server) bool {
		th := unbanThread(e, root.TS)
		return strings.Contains(th, "44 of 45 account(s) unbanned") && strings.Contains(th, "*Code 10004:* a parameter is invalid") &&
			strings.Contains(th, "`bad`")
	})
	if r := unbanRequest(t, e, 1); r.State != store.Partial || r.Outcomes["bad"].Code != 10004 {
		t.Fatalf("request = %s, bad = %+v; want partial with 10004", r.State, r.Outcomes["bad"])
	}

	e.tim.ClearFaults()
	before := len(e.tim.Log())
	if _, err := e.slack.Click(bob, approvals, root.TS, "retry", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "done")
	if e.tim.IsBanned(g, "bad") {
		t.Fatal("bad still banned after the retry")
	}
	var sent []string
	for _, c := range e.tim.Log()[before:] {
		if c.Command != cmdUnbanGroup {
			continue
		}
		var body struct {
			Accounts []string `json:"Members_Account"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, body.Accounts...)
	}
	if got, want := strings.Join(sent, " "), "bad"; got != want {
		t.Fatalf("retry sent %q, want only %q", got, want)
	}
	e.waitFor("retry note and second result", func(s *slacktest.Server) bool {
		th := unbanThread(e, root.TS)
		return strings.Contains(th, "asked to retry the 1 failed account(s)") && strings.Contains(th, "Done:* all 45 account(s) unbanned")
	})
	e.eventually("retry audited", func() bool {
		for _, a := range e.auditEntries() {
			if a.Action == "retry" && a.Actor == bob {
				return true
			}
		}
		return false
	})
}

// TestExecute_TransientErrorRetried: Tencent's 10002 on the first unban call is retried by the
// client and the request ends done.
func TestExecute_TransientErrorRetried(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	e.tim.FailNext(cmdUnbanGroup, 10002)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "done")
	if e.tim.IsBanned(g, "u1") {
		t.Fatal("u1 still banned")
	}
	if got, want := e.tim.Calls(cmdUnbanGroup), 2; got != want {
		t.Fatalf("unban calls = %d, want %d (one failed, one retried)", got, want)
	}
}

// TestExecute_AfterReconnect: Slack asks the client to reconnect; the next /unban works end to end.
func TestExecute_AfterReconnect(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	before := e.slack.ConnectionsOpened()
	e.slack.Disconnect()
	e.waitFor("reconnected", func(s *slacktest.Server) bool { return s.ConnectionsOpened() > before && s.Connections() > 0 })

	root := unbanOpen(t, e, alice, g+" u1 -- appeal")
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "done")
	if e.tim.IsBanned(g, "u1") {
		t.Fatal("u1 still banned")
	}
}

// TestExecute_ResumedByAnotherReplica: the bot stops while Tencent calls are in flight; it
// releases the lease, a new replica resumes, and the result and DM are posted exactly once.
func TestExecute_ResumedByAnotherReplica(t *testing.T) {
	e := newEnv(t, withoutBot())
	first := e.startBot()
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	accounts := unbanAccounts("u", 45)
	for _, u := range accounts {
		e.tim.Ban(g, u, time.Hour)
	}
	root := unbanOpen(t, e, alice, g+" "+strings.Join(accounts, " ")+" -- appeal")
	e.tim.SetLatency(time.Minute) // every call hangs until the client gives up
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	e.waitFor("progress message", func(s *slacktest.Server) bool {
		return strings.Contains(unbanThread(e, root.TS), "Unbanning 45 account(s)")
	})
	e.eventually("unban calls in flight", func() bool { return e.tim.Calls(cmdUnbanGroup) > 0 })
	first.stop(t)

	r := unbanRequest(t, e, 1)
	if r.State != store.Executing || r.Lease.Owner != "" {
		t.Fatalf("after stop: state %s, lease owner %q; want executing with the lease released", r.State, r.Lease.Owner)
	}
	if th := unbanThread(e, root.TS); strings.Contains(th, "Done:*") {
		t.Fatalf("the stopped bot posted a result: %q", th)
	}
	e.tim.ClearFaults()
	e.startBot()

	unbanWaitRoot(t, e, root.TS, "done")
	for _, u := range accounts {
		if e.tim.IsBanned(g, u) {
			t.Fatalf("%s still banned", u)
		}
	}
	e.waitFor("result and DM", func(s *slacktest.Server) bool {
		return strings.Contains(unbanThread(e, root.TS), "Done:*") && len(s.DMs(alice)) == 1
	})
	e.eventually("nothing owed", func() bool { return len(unbanRequest(t, e, 1).Owed) == 0 })
	th := unbanThread(e, root.TS)
	for _, c := range []struct {
		what string
		n    int
	}{{"Done:*", 1}, {"Unbanned 45 of 45", 1}, {"Unbanning 45", 0}, {"<@" + alice + "> :white_check_mark:", 1}} {
		if got := strings.Count(th, c.what); got != c.n {
			t.Fatalf("thread has %q %d times, want %d:\n%s", c.what, got, c.n, th)
		}
	}
	if got := len(e.slack.DMs(alice)); got != 1 {
		t.Fatalf("alice got %d DMs, want 1", got)
	}
}

// unbanCallsWith lists the codes Tencent answered to the unban calls (from call from on) that
// carried account.
func unbanCallsWith(t *testing.T, e *env, from int, account string) []int {
	t.Helper()
	var codes []int
	for _, c := range e.tim.Log()[from:] {
		if c.Command != cmdUnbanGroup {
			continue
		}
		var body struct {
			Accounts []string `json:"Members_Account"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(body.Accounts, account) {
			codes = append(codes, c.Code)
		}
	}
	return codes
}

// TestExecute_RetryRefusedAccountStaysFailed: Tencent refuses "ghost" (10004: no such account,
// so it is on no ban list); after "Retry failed" it is sent again, refused again and still
// failed. The thread, the DMs and the audit log never say that every account was unbanned.
func TestExecute_RetryRefusedAccountStaysFailed(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	e.tim.FailAccount(cmdUnbanGroup, "ghost", 10004)
	root := unbanOpen(t, e, alice, g+" u1 ghost -- appeal")
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "partly done")
	e.waitFor("first result and DM", func(s *slacktest.Server) bool {
		return strings.Count(unbanThread(e, root.TS), "Partly done:*") == 1 && len(s.DMs(alice)) == 1
	})
	before := len(e.tim.Log())

	if _, err := e.slack.Click(bob, approvals, root.TS, "retry", ""); err != nil {
		t.Fatal(err)
	}
	e.waitFor("second result and DM", func(s *slacktest.Server) bool {
		return strings.Count(unbanThread(e, root.TS), "Partly done:*") == 2 && len(s.DMs(alice)) == 2
	})
	if got := unbanCallsWith(t, e, before, "ghost"); len(got) == 0 || got[len(got)-1] != 10004 {
		t.Fatalf("after the retry Tencent answered %v to calls carrying ghost, want it sent again and refused (10004)", got)
	}
	e.eventually("nothing owed", func() bool { return len(unbanRequest(t, e, 1).Owed) == 0 })
	r := unbanRequest(t, e, 1)
	if o := r.Outcomes["ghost"]; r.State != store.Partial || !o.Failed() || o.Code != 10004 {
		t.Fatalf("request %s, ghost %+v; want partial with ghost failed 10004", r.State, o)
	}
	th := unbanThread(e, root.TS)
	if strings.Contains(th, "all 2 account(s)") || strings.Contains(th, "Done:*") {
		t.Fatalf("the thread claims success:\n%s", th)
	}
	for _, dm := range e.slack.DMs(alice) {
		if strings.Contains(dm.VisibleText(), "is done") || strings.Contains(dm.VisibleText(), "all 2") {
			t.Fatalf("alice's DM claims success: %q", dm.VisibleText())
		}
	}
	for _, a := range e.auditEntries() {
		if (a.Action == "unban" && a.Outcome == "done" && slices.Contains(a.Accounts, "ghost")) || (a.Action == "finish" && a.Outcome != "partial") {
			t.Fatalf("audit entry %s:%s %v (%s) claims success", a.Action, a.Outcome, a.Accounts, a.Detail)
		}
	}
}

// TestExecute_RetrySendsToTencent: "Retry failed" sends the failed account to Tencent again;
// once Tencent accepts it, it is done, and only then.
func TestExecute_RetrySendsToTencent(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	e.tim.FailAccount(cmdUnbanGroup, "u2", 10004) // u2 is not banned at all: on no ban list
	root := unbanOpen(t, e, alice, g+" u1 u2 -- appeal")
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "partly done")
	e.tim.ClearFaults()
	before := len(e.tim.Log())
	if _, err := e.slack.Click(bob, approvals, root.TS, "retry", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "done")
	if got := unbanCallsWith(t, e, before, "u2"); len(got) != 1 || got[0] != 0 {
		t.Fatalf("after the retry Tencent answered %v to calls carrying u2, want one accepted call", got)
	}
	if got := unbanCallsWith(t, e, before, "u1"); len(got) != 0 {
		t.Fatalf("the retry sent done u1 again: %v", got)
	}
	e.waitFor("result", func(s *slacktest.Server) bool {
		return strings.Contains(unbanThread(e, root.TS), "Done:* all 2 account(s) unbanned")
	})
}

// shortBanList is a Tencent whose group ban-list reads stop after keep entries without an error,
// as if Tencent had answered NextOffset 0 too early.
type shortBanList struct {
	*tim.Client
	keep int
}

func (s shortBanList) GroupBannedMembersUpTo(ctx context.Context, g tim.GroupID, pages int) ([]tim.BannedMember, error) {
	list, err := s.Client.GroupBannedMembersUpTo(ctx, g, pages)
	return list[:min(len(list), s.keep)], err
}

func (s shortBanList) GroupBannedMembers(ctx context.Context, g tim.GroupID) ([]tim.BannedMember, error) {
	list, err := s.Client.GroupBannedMembers(ctx, g)
	return list[:min(len(list), s.keep)], err
}

// TestExecute_ResumeShortReadMarksNothingDone: a resumed execution re-reads the ban list; when
// that read ends early without an error, the still-banned accounts it missed are not recorded
// done (only an accepted Tencent call makes an account done), and the result never says that
// every account was unbanned.
func TestExecute_ResumeShortReadMarksNothingDone(t *testing.T) {
	e := newEnv(t, withoutBot(), withTencent(func(c *tim.Client) bot.Tencent { return shortBanList{Client: c, keep: 100} }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	accounts := unbanAccounts("u", 150)
	for _, u := range accounts[1:] { // u0001 was unbanned by the replica that crashed
		e.tim.Ban(g, u, time.Hour)
	}
	ctx := t.Context()
	r, err := e.store.CreateRequest(ctx, store.NewRequest{
		OpID: "op-create", Target: store.Target{Kind: store.KindGroup, ID: g, GroupType: "AVChatRoom"},
		Accounts: accounts, Reason: "appeal", Requester: alice, Channel: approvals, TTL: time.Hour, Approvals: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Approve(ctx, r.ID, bob, "op-approve"); err != nil {
		t.Fatal(err)
	}
	l, _, err := e.store.ClaimLease(ctx, r.ID, "replica-crashed", 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.RecordOutcomes(ctx, l, []store.Outcome{{Account: "u0001", Done: true}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the crashed replica's lease lapses
	e.startBot()

	e.eventually("resumed and finished", func() bool {
		r := unbanRequest(t, e, 1)
		return r.State.Final() && len(r.Owed) == 0
	})
	r = unbanRequest(t, e, 1)
	for _, u := range accounts {
		if e.tim.IsBanned(g, u) && r.Outcomes[u].Done {
			t.Fatalf("%s is still banned but recorded done", u)
		}
	}
	root := e.rootMessages()[0]
	if th := unbanThread(e, root.TS); strings.Contains(th, "all 150") {
		t.Fatalf("the result claims every account was unbanned:\n%s", th)
	}
	if dm := e.slack.DMs(alice); len(dm) != 1 || strings.Contains(dm[0].VisibleText(), "all 150") {
		t.Fatalf("alice's DMs %v: want one, not claiming every account", dm)
	}
}

// TestExecute_ResumeWithoutRecordsRereads: an owner claimed the request (the claim that started
// the execution survives: it is a write modbot waits for replicas on) and reached Tencent, but
// none of its outcomes or progress survived (a Redis failover lost them). The next owner must not
// take the request for a first execution and send accounts Tencent already accepted: the claim's
// epoch says it is a resume, so it re-reads the ban list and skips them. It failed before: u1 was
// sent to Tencent a second time.
func TestExecute_ResumeWithoutRecordsRereads(t *testing.T) {
	e := newEnv(t, withoutBot())
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u2", time.Hour) // u1 was unbanned by the owner whose records were lost
	ctx := t.Context()
	r, err := e.store.CreateRequest(ctx, store.NewRequest{
		OpID: "op-create", Target: store.Target{Kind: store.KindGroup, ID: g, GroupType: "AVChatRoom"},
		Accounts: []string{"u1", "u2"}, Reason: "appeal", Requester: alice, Channel: approvals, TTL: time.Hour, Approvals: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Approve(ctx, r.ID, bob, "op-approve"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.ClaimLease(ctx, r.ID, "replica-lost", 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // its lease lapses; nothing else of it was recorded
	before := len(e.tim.Log())
	e.startBot()

	e.eventually("resumed and finished", func() bool {
		r := unbanRequest(t, e, 1)
		return r.State.Final() && len(r.Owed) == 0
	})
	if got := unbanCallsWith(t, e, before, "u1"); len(got) != 0 {
		t.Fatalf("u1, already unbanned at Tencent, was sent again (%d calls)", len(got))
	}
	if e.tim.IsBanned(g, "u2") {
		t.Fatal("u2 still banned")
	}
	if o := unbanRequest(t, e, 1).Outcomes["u1"]; o.Done || !o.Skipped {
		t.Fatalf("u1's outcome %+v, want skipped (already unbanned), never done", o)
	}
}
