package bot_test

import (
	"slices"
	"strings"
	"testing"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

// TestBadInput types malformed and awkward commands into the real bot. A rejected command is
// answered in the ack with the problem named and the usage, is audited, and never reaches
// Tencent; the awkward-but-valid ones are accepted and read right.
func TestBadInput(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.MaxAccounts = 5 }))
	g := e.tim.CreateGroup(timtest.Public)
	for _, a := range []string{"a1", "b2", "c3", "d4", "e5"} {
		e.tim.SetRole(g, a, timtest.RoleMember)
	}
	rejected := []struct {
		name                string
		user, command, text string
		want                []string // in what the ack shows
	}{
		{"NoArguments", alice, "/roles", "",
			[]string{"Say which group and which accounts to look up", "/roles &lt;group-id&gt; &lt;account&gt;..."}},
		{"NonASCIIGroupID", alice, "/roles", "@TGS#é u1",
			[]string{"byte 0xc3 at position 6", "not ASCII", "/roles &lt;group-id&gt;"}},
		{"LongAccount", alice, "/roles", g + " " + strings.Repeat("x", 33),
			[]string{"is 33 bytes; accounts are at most 32 bytes", "/roles &lt;group-id&gt;"}},
		{"OverTheCap", alice, "/roles", g + " a1 b2 c3 d4 e5 f6",
			[]string{"6 different accounts given; one command takes at most 5", "/roles &lt;group-id&gt;"}},
		{"UnbanWithoutReason", alice, "/unban", g + " u1",
			[]string{"A reason is required", "/unban &lt;group-id&gt; &lt;account&gt;... -- &lt;reason&gt;"}},
		{"BanUnknownUnit", alice, "/ban", g + " u1 for 7y -- r",
			[]string{`"7y" has an unknown unit "y"`, "for 30m, for 12h, for 7d, for 2w or for permanent", "/ban &lt;group-id&gt; &lt;account&gt;... [for &lt;duration&gt;]"}},
		{"BanForWithoutDuration", alice, "/ban", g + " u1 for -- r",
			[]string{`"for" needs a duration after it`, "/ban room &lt;room-id&gt;"}},
		{"MuteUnderAMinute", alice, "/mute", g + " u1 for 0m -- r", []string{"0m is under a minute", "/mute &lt;group-id&gt;"}},
		{"MuteOverTencentMax", alice, "/mute", g + " u1 for 7102w -- r", []string{"longer than Tencent allows", "/mute &lt;group-id&gt;"}},
		{"MuteRoom", alice, "/mute", "room r1 u1 -- r", []string{"/mute works on groups only", "/mute &lt;group-id&gt;"}},
		{"UnmuteDuration", alice, "/unmute", g + " u1 for 1h", []string{"/unmute takes no duration", "/unmute &lt;group-id&gt;"}},
		{"BannedRoomMuted", vic, "/banned", "room r1 muted", []string{"Rooms have no mutes", "/banned group &lt;group-id&gt; muted"}},
		{"PlainAtName", carol, "/modbot", "allow @bob viewer",
			[]string{`"@bob" is plain text, not a mention`, "/modbot allow @user &lt;role&gt;"}},
		{"UnknownSubcommand", vic, "/modbot", "frobnicate",
			[]string{`Unknown subcommand "frobnicate"`, "/modbot whoami"}},
	}
	// Invalid commands are audited once per person and minute (the gate counts the others).
	invalidBy := map[string]bool{}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			calls := e.timCalls()
			e.command(tc.user, moderation, tc.command, tc.text)
			ack := lastAck(e, tc.user)
			for _, w := range append(tc.want, ":warning:") {
				if !strings.Contains(ack, w) {
					t.Errorf("ack lacks %q:\n%s", w, ack)
				}
			}
			invalidBy[tc.user] = true
			e.eventually("refusal audited", func() bool { return countAction(e, "invalid") == len(invalidBy) })
			if got := e.timCalls(); got != calls {
				t.Errorf("tencent calls went from %d to %d", calls, got)
			}
		})
	}

	t.Run("EmDashBeforeReason", func(t *testing.T) {
		ack := e.command(alice, moderation, "/unban", g+" u1 — appeal accepted")
		if strings.Contains(string(ack.Payload), ":warning:") {
			t.Fatalf("refused: %s", ack.Payload)
		}
		req := waitRequest(e, func(r *store.Request) bool { return r.Reason == "appeal accepted" })
		if !slices.Equal(req.Accounts, []string{"u1"}) {
			t.Fatalf("accounts = %q, want [u1]", req.Accounts)
		}
		answer(e, alice, "opened in") // so that this answer cannot pass for the next command's

	})

	t.Run("PastedList", func(t *testing.T) {
		text := reply(e, alice, moderation, "/roles", g+" a1\tb2\u00a0c3,d4\n e5,\u200ba1").VisibleText()
		got := rolesOnPage(text)
		want := map[string]string{"a1": "Member", "b2": "Member", "c3": "Member", "d4": "Member", "e5": "Member"}
		if len(got) != len(want) || !strings.Contains(text, "5 accounts") {
			t.Fatalf("accounts read = %v, want %v:\n%s", got, want, text)
		}
		for a, r := range want {
			if got[a] != r {
				t.Errorf("%s = %q, want %q", a, got[a], r)
			}
		}
	})

	t.Run("ChannelMentionInReason", func(t *testing.T) {
		e.command(alice, moderation, "/unban", g+" u2 -- spam wave <!channel> over")
		if ack := lastAck(e, alice); strings.Contains(ack, "<!channel>") {
			t.Errorf("ack shows <!channel> live: %s", ack)
		}
		req := waitRequest(e, func(r *store.Request) bool { return strings.Contains(r.Reason, "<!channel>") })
		e.waitFor("root posted and reason in the feed", func(s *slacktest.Server) bool {
			_, ok := s.Message(approvals, req.ThreadTS)
			return req.ThreadTS != "" && ok && strings.Contains(feedText(s), "spam wave &lt;!channel&gt; over")
		})
		root, _ := e.slack.Message(approvals, req.ThreadTS)
		if !strings.Contains(root.VisibleText(), "&lt;!channel&gt;") {
			t.Errorf("root message does not show the reason escaped:\n%s", root.VisibleText())
		}
		var shown []slacktest.Message
		for _, ch := range []string{approvals, auditCh} {
			shown = append(shown, e.slack.Messages(ch)...)
		}
		shown = append(shown, e.slack.Thread(approvals, req.ThreadTS)...)
		shown = append(shown, e.slack.Ephemeral(alice)...)
		shown = append(shown, e.slack.DMs(alice)...)
		for _, m := range shown {
			if strings.Contains(m.Text+"\n"+m.VisibleText(), "<!channel>") {
				t.Errorf("%s message %s shows <!channel> live:\n%s", m.Channel, m.TS, m.Text)
			}
		}
	})
}

// lastAck is what the newest ack showed user.
func lastAck(e *env, user string) string {
	e.t.Helper()
	ms := e.slack.Ephemeral(user)
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Via == "ack" {
			return ms[i].VisibleText()
		}
	}
	e.t.Fatalf("%s saw no ack", user)
	return ""
}

func countAction(e *env, action store.AuditAction) int {
	n := 0
	for _, a := range e.auditEntries() {
		if a.Action == action {
			n++
		}
	}
	return n
}

// waitRequest waits for a pending request that ok accepts, with its root message recorded.
func waitRequest(e *env, ok func(*store.Request) bool) *store.Request {
	e.t.Helper()
	var found *store.Request
	e.eventually("the request", func() bool {
		reqs, err := e.store.PendingRequests(e.t.Context())
		if err != nil {
			return false
		}
		for _, r := range reqs {
			if ok(r) && r.ThreadTS != "" {
				found = r
				return true
			}
		}
		return false
	})
	return found
}
