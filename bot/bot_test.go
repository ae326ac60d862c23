package bot_test

import (
	"strings"
	"testing"

	"modbot/bot/slacktest"
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
