package bot_test

import (
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

func TestBot_HelpInAck(t *testing.T) {
	e := newEnv(t)
	ack := e.command(dave, elsewhere, "/modbot", "help")
	if !strings.Contains(string(ack.Payload), "moderates Tencent Chat") {
		t.Fatalf("ack = %s, want the help", ack.Payload)
	}
	if got := e.timCalls(); got != 0 {
		t.Fatalf("tencent calls = %d, want 0", got)
	}
}

func TestBot_UsageErrorInAck(t *testing.T) {
	e := newEnv(t)
	ack := e.command(alice, moderation, "/unban", "")
	for _, want := range []string{"/unban", "Say which group", "reason"} {
		if !strings.Contains(strings.ToLower(string(ack.Payload)), strings.ToLower(want)) {
			t.Fatalf("ack = %s, want it to mention %q", ack.Payload, want)
		}
	}
}

func TestBot_ForeignWorkspaceRefused(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.TeamID = "T0TESTTEAM" }))
	ack, err := e.slack.SlashCommand(alice, moderation, "/roles", "@TGS#1abc u1", slacktest.WithTeamID("T0EVIL"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "does not serve this workspace") {
		t.Fatalf("ack = %s, want a refusal", ack.Payload)
	}
	e.eventually("refusal audited", func() bool {
		for _, a := range e.auditEntries() {
			if a.Action == "refused" && strings.Contains(a.Detail, "T0EVIL") {
				return true
			}
		}
		return false
	})
	if got := e.timCalls(); got != 0 {
		t.Fatalf("tencent calls = %d, want 0", got)
	}
}

func TestBot_ForeignAppRefused(t *testing.T) {
	e := newEnv(t)
	ack, err := e.slack.SlashCommand(alice, moderation, "/roles", "@TGS#1abc u1", slacktest.WithAppID("A0OTHER"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "does not serve this app") {
		t.Fatalf("ack = %s, want a refusal", ack.Payload)
	}
}

// TestBot_EmptyAppIDRefused is the regression test of issue 10 item 8: once Socket Mode's hello
// has named the app, a payload without an api_app_id is refused and audited like another app's.
func TestBot_EmptyAppIDRefused(t *testing.T) {
	e := newEnv(t)
	ack, err := e.slack.SlashCommand(alice, moderation, "/roles", "@TGS#1abc u1", slacktest.WithAppID(""))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "does not serve") {
		t.Fatalf("ack = %s, want a refusal", ack.Payload)
	}
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")
	calls := e.timCalls()
	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", "", slacktest.WithAppID("")); err != nil {
		t.Fatal(err)
	}
	e.eventually("both refusals audited", func() bool {
		n := 0
		for _, a := range e.auditEntries() {
			if a.Action == "refused" && strings.Contains(a.Detail, "no api_app_id") {
				n++
			}
		}
		return n == 2
	})
	if got := e.timCalls(); got != calls {
		t.Fatalf("tencent calls = %d, want %d", got, calls)
	}
	if r := unbanRequest(t, e, 1); r.State != store.Pending || len(r.Approvals) != 0 {
		t.Fatalf("request = %s with %d approvals, want pending with none", r.State, len(r.Approvals))
	}
}
