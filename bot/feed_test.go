package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
)

func TestFeed_BatchedEachLineOnce(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.FeedEvery = 300 * time.Millisecond }))
	markers := feedCommands(e, 30)
	checkFeed(t, e, markers)
	if n := len(e.slack.Messages(auditCh)); n >= 30 {
		t.Fatalf("%d feed messages for 30 quick commands, want them batched", n)
	}
}

func TestFeed_TwoReplicas(t *testing.T) {
	e := newEnv(t)
	e.startBot()
	checkFeed(t, e, feedCommands(e, 30))
}

// TestFeed_FailedPostsLoseNothing: a post Slack refuses (an error, or a 429 that slack-go waits
// out) is not acknowledged, so its lines come again and none is lost or doubled.
func TestFeed_FailedPostsLoseNothing(t *testing.T) {
	e := newEnv(t)
	e.slack.FailNext("chat.postMessage", "ratelimited")
	e.slack.FailNext("chat.postMessage", "internal_error")
	e.slack.RateLimitNext("chat.postMessage", time.Second)
	checkFeed(t, e, feedCommands(e, 10))
	refused := 0
	for _, c := range e.slack.Calls() {
		if c.Method == "chat.postMessage" && c.Error != "" {
			refused++
		}
	}
	if refused != 3 {
		t.Fatalf("%d refused posts, want the 3 injected", refused)
	}
}

// TestFeed_Escaped: text a person typed reaches the audit channel inert.
func TestFeed_Escaped(t *testing.T) {
	e := newEnv(t)
	if _, err := e.store.Append(t.Context(), store.AuditEntry{Actor: alice, Action: "request", TargetKind: "group",
		Target: "@TGS#<x>", Outcome: "pending", Detail: "<!channel> <@U0ZED> & <https://evil|ok>"}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the line", func(s *slacktest.Server) bool { return strings.Contains(feedText(s), "&lt;!channel&gt;") })
	text := feedText(e.slack)
	for _, raw := range []string{"<!channel>", "<@U0ZED>", "<https://evil", "@TGS#<x>"} {
		if strings.Contains(text, raw) {
			t.Errorf("feed shows %q live:\n%s", raw, text)
		}
	}
}

// feedCommands runs n distinct commands quickly (each audited with its own marker) and waits
// until all were answered.
func feedCommands(e *env, n int) []string {
	e.t.Helper()
	var markers []string
	for i := range n {
		m := fmt.Sprintf("feedmark%02d", i)
		markers = append(markers, m)
		e.command(vic, moderation, "/modbot", "log account:"+m)
	}
	e.eventually("all commands audited", func() bool {
		page, err := e.store.Audit(e.t.Context(), store.AuditFilter{Actor: vic}, "", 100)
		return err == nil && len(page.Entries) == n
	})
	return markers
}

// checkFeed waits until the audit channel shows every marker and then checks that it shows every
// audit entry exactly once.
func checkFeed(t *testing.T, e *env, markers []string) {
	t.Helper()
	e.waitFor("every marker in the feed", func(s *slacktest.Server) bool {
		text := feedText(s)
		for _, m := range markers {
			if !strings.Contains(text, m) {
				return false
			}
		}
		return true
	})
	sentinel := "sentinel-" + fmt.Sprint(time.Now().UnixNano())
	if _, err := e.store.Append(t.Context(), store.AuditEntry{Actor: store.SystemActor, Action: "test", Detail: sentinel}); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the sentinel in the feed", func(s *slacktest.Server) bool { return strings.Contains(feedText(s), sentinel) })
	text := feedText(e.slack)
	for _, m := range append(markers, sentinel) {
		if got := strings.Count(text, m+"`"); got != 1 {
			t.Errorf("%s appears %d times in the feed, want 1", m, got)
		}
	}
	entries := e.auditEntries()
	if got, want := len(dateLine.FindAllString(text, -1)), len(entries); got != want {
		t.Errorf("feed has %d lines for %d audit entries:\n%s", got, want, text)
	}
}

// feedText is everything the audit channel shows, one line per audit entry.
func feedText(s *slacktest.Server) string {
	var b strings.Builder
	for _, m := range s.Messages(auditCh) {
		b.WriteString(m.VisibleText())
		b.WriteString("\n")
	}
	return b.String()
}

// TestFeed_NamesNotMentions is a regression test of issue 10 item 9: the feed names people by
// display name as plain text (users.info, cached), never as a mention that would notify them;
// someone users.info cannot find is shown by ID, as plain text too.
func TestFeed_NamesNotMentions(t *testing.T) {
	e := newEnv(t, withoutBot())
	e.slack.SetProfile(alice, "Alice L.", "Alice Liddell")
	e.slack.SetProfile(bob, "", "Bob *Builder*") // no display name: the real name, inert
	e.startBot()
	ctx := t.Context()
	for _, entry := range []store.AuditEntry{
		{Actor: alice, Action: "whoami", Outcome: "ok", Detail: "one"},
		{Actor: alice, Action: "whoami", Outcome: "ok", Detail: "two"},
		{Actor: carol, Action: "allow", TargetKind: "user", Target: bob, Outcome: "ok", Detail: "approver"},
		{Actor: "U0GHOST", Action: "refused", Outcome: "refused", Detail: "ghost"},
	} {
		if _, err := e.store.Append(ctx, entry); err != nil {
			t.Fatal(err)
		}
	}
	e.waitFor("the ghost's line", func(s *slacktest.Server) bool { return strings.Contains(feedText(s), "ghost") })
	text := feedText(e.slack)
	if strings.Contains(text, "<@") {
		t.Errorf("the feed mentions someone:\n%s", text)
	}
	for _, want := range []string{"Alice L. *whoami*", "carol *allow* Bob ∗Builder∗", "`U0GHOST` *refused*"} {
		if !strings.Contains(text, want) {
			t.Errorf("feed lacks %q:\n%s", want, text)
		}
	}
	lookups := 0
	for _, c := range e.slack.Calls() {
		if c.Method == "users.info" {
			lookups++
		}
	}
	// Once per person (alice's second line and the allowlist lines of the harness's setup come
	// from the cache): alice, bob, carol, erin, vic and the ghost.
	if lookups != 6 {
		t.Errorf("users.info calls = %d, want 6", lookups)
	}
}

// TestFeed_BlockedChannelBacksOff is a regression test of issue 10 item 9: an audit channel
// Slack says does not exist does not make the feed retry every tick or warn every tick; the
// lines are kept and posted once the channel works.
func TestFeed_BlockedChannelBacksOff(t *testing.T) {
	const missing = "C0MISSING"
	m := &decisionCounter{}
	e := newEnv(t, withBotOptions(func(o *botOptions) {
		o.AuditChannel, o.FeedEvery, o.FeedRetryMax, o.Metrics = missing, 20*time.Millisecond, 400*time.Millisecond, m
	}))
	markers := feedCommands(e, 3)
	time.Sleep(1500 * time.Millisecond) // 75 ticks
	// The metric is counted after Slack's answer arrives, so read it before the calls: at most
	// the one post in flight separates the two.
	counted := m.count("feed:blocked")
	attempts := 0
	for _, c := range e.slack.Calls() {
		if c.Method == "chat.postMessage" && c.Error == "channel_not_found" {
			attempts++
		}
	}
	// Backoff 40, 80, 160, 320, 400, 400… ms: about 6 attempts in 1.5 s, not 75.
	if attempts < 2 || attempts > 10 {
		t.Errorf("%d posts to a missing channel in 1.5 s, want a handful (backing off)", attempts)
	}
	if counted > attempts || attempts-counted > 1 {
		t.Errorf("metric counted %d blocked posts, want %d (or one fewer, in flight)", counted, attempts)
	}
	if n := strings.Count(e.logs.String(), "audit feed: Slack refuses the posts"); n != 1 {
		t.Errorf("the blocked state was logged %d times, want once", n)
	}
	e.slack.AddChannel(missing, "late-audit", true)
	e.waitFor("every marker in the feed", func(s *slacktest.Server) bool {
		var b strings.Builder
		for _, msg := range s.Messages(missing) {
			b.WriteString(msg.VisibleText())
		}
		for _, mk := range markers {
			if !strings.Contains(b.String(), mk) {
				return false
			}
		}
		return true
	})
	e.eventually("recovery logged", func() bool { return strings.Contains(e.logs.String(), "audit feed: posting again") })
}
