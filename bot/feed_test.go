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
