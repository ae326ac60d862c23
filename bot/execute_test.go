package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
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
