package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// runSweeps sweeps the env's watched targets every interval until the test ends, as a replica of
// `modbot run` does beside its bot.
func (e *env) runSweeps(interval time.Duration) {
	e.t.Helper()
	tc, err := tim.New(tim.Options{SDKAppID: e.tim.SDKAppID(), SecretKey: e.tim.SecretKey(), Admin: e.tim.Admin(),
		BaseURL: e.tim.URL, Limiter: tim.NewLocalLimiter(1000)})
	if err != nil {
		e.t.Fatal(err)
	}
	rec, err := bot.NewReconciler(bot.ReconcileOptions{Interval: interval, Tick: interval / 4, LeaseTTL: 3 * time.Second, ReplicaID: "sweeper"}, tc, e.store)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// feedText is everything the audit channel shows.
func (e *env) feedText() string {
	var b strings.Builder
	for _, m := range e.slack.Messages(auditCh) {
		b.WriteString(m.VisibleText() + "\n")
	}
	return b.String()
}

// TestCaseFilesEndToEnd: through Socket Mode, an admin watches a group; a ban made in the app
// (straight on the emulator) is found by the next sweep, posted in the audit channel as outside
// modbot, and shown by /lookup (as banned, from the snapshot, and in the history); a note is
// added and shown; the root of a new request on that account carries its history in one line;
// /modbot watched lists the group with its sweep. Each command is refused below its role.
func TestCaseFilesEndToEnd(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.ReconcileInterval = 300 * time.Millisecond }))
	e.runSweeps(300 * time.Millisecond)
	g := e.tim.CreateGroup(timtest.AVChatRoom) // where group bans live
	e.tim.SetRole(g, "u7", timtest.RoleMember)

	// Refusals by role: the command runs nothing and says which role it needs.
	for _, c := range []struct{ user, command, text, want string }{
		{alice, "/modbot", "watch group " + g, "admin"},
		{vic, "/modbot", "unwatch group " + g, "admin"},
		{vic, "/modbot", "note u7 -- should not stick", "moderator"},
		{dave, "/lookup", "u7", "allowlist"},
		{dave, "/modbot", "watched", "allowlist"},
	} {
		before := len(e.slack.Ephemeral(c.user))
		e.command(c.user, moderation, c.command, c.text)
		e.waitFor(c.user+" refused "+c.text, func(s *slacktest.Server) bool {
			m := s.Ephemeral(c.user)
			return len(m) > before && strings.Contains(m[len(m)-1].VisibleText(), c.want) && strings.Contains(m[len(m)-1].VisibleText(), ":no_entry")
		})
	}

	// Malformed commands are answered in the ack with the problem and the usage; nothing runs.
	for _, c := range []struct {
		user, command, text string
		want                []string
	}{
		{vic, "/lookup", "u7 chan:x", []string{`Unknown option "chan:x"`, "/lookup &lt;account&gt; [group:&lt;id&gt;] [room:&lt;id&gt;]"}},
		{alice, "/modbot", "note u7", []string{`The note goes after " -- "`, "/modbot note &lt;account&gt; -- &lt;text&gt;"}},
		{carol, "/modbot", "watch channel c1", []string{`"channel" is not group or room`, "/modbot watch group|room &lt;id&gt;"}},
	} {
		e.command(c.user, moderation, c.command, c.text)
		ack := lastAck(e, c.user)
		for _, w := range append(c.want, ":warning:") {
			if !strings.Contains(ack, w) {
				t.Errorf("%s %s: the ack lacks %q:\n%s", c.command, c.text, w, ack)
			}
		}
	}

	// The admin watches the group; the first sweep records the baseline.
	e.command(carol, moderation, "/modbot", "watch group "+g)
	e.waitEphemeral(carol, "Watching group")
	e.eventually("the group swept", func() bool {
		e.command(vic, moderation, "/modbot", "watched")
		time.Sleep(300 * time.Millisecond)
		return strings.Contains(e.ephemeralText(vic), "swept less than a minute ago")
	})
	if !strings.Contains(e.ephemeralText(vic), "every 300ms") {
		t.Errorf("/modbot watched does not say the interval:\n%s", e.ephemeralText(vic))
	}

	// A group admin bans u7 in the app.
	e.tim.Ban(g, "u7", 2*time.Hour)
	e.waitFor("the outside ban in the audit channel", func(*slacktest.Server) bool {
		f := e.feedText()
		return strings.Contains(f, "u7") && strings.Contains(f, "outside")
	})

	e.command(alice, moderation, "/modbot", "note u7 -- warned in DM, twice")
	e.waitEphemeral(alice, "Note added")
	e.command(vic, moderation, "/lookup", "u7")
	e.waitEphemeral(vic, "Case file: u7")
	got := e.ephemeralText(vic)
	for _, want := range []string{"banned in group `" + g + "`", "as of", "1 ban", "outside modbot", "warned in DM, twice"} {
		if !strings.Contains(got, want) {
			t.Errorf("/lookup lacks %q:\n%s", want, got)
		}
	}
	if notes, err := e.store.Notes(t.Context(), "u7", 0); err != nil || len(notes) != 1 || notes[0].By != alice {
		t.Errorf("notes on u7: %+v, %v; want only alice's (the viewer's was refused)", notes, err)
	}

	// A new request on u7 shows its history on the root.
	e.command(alice, moderation, "/unban", g+" u7 u8 -- appeal")
	e.waitFor("the root with the history", func(s *slacktest.Server) bool {
		for _, m := range s.Messages(approvals) {
			if strings.Contains(m.VisibleText(), "`u7`: banned once in 90 days, last outside modbot") {
				return true
			}
		}
		return false
	})
	for _, m := range e.rootMessages() {
		if strings.Contains(m.VisibleText(), "`u8`:") {
			t.Errorf("u8 has no history, but the root gives it a line:\n%s", m.VisibleText())
		}
	}
}
