package bot_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

const cmdUnbanGroup = "group_open_http_svc/unban_group_member"

// TestUnban_ApprovedEndToEnd is the whole happy path: alice asks, bob approves, Tencent unbans,
// the thread, the root, alice's DM and the audit log show it.
func TestUnban_ApprovedEndToEnd(t *testing.T) {
	m := &decisionCounter{}
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.Metrics = m }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	for _, u := range []string{"u1", "u2", "u3"} {
		e.tim.Ban(g, u, time.Hour)
	}

	root := unbanOpen(t, e, alice, g+" u1 u2 u3 -- appeal accepted")
	if got, want := strings.Join(root.ActionIDs(), " "), "approve deny cancel"; got != want {
		t.Fatalf("root buttons = %q, want %q", got, want)
	}
	for _, want := range []string{"Unban request #", g, "AVChatRoom", "`u1`", "appeal accepted", "0 of 1", "<@" + alice + ">"} {
		if !strings.Contains(root.VisibleText(), want) {
			t.Fatalf("root = %q, want it to show %q", root.VisibleText(), want)
		}
	}
	e.waitEphemeral(alice, "opened in <#"+approvals+">")

	if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	done := unbanWaitRoot(t, e, root.TS, "done")
	e.eventually("accounts unbanned", func() bool {
		return !e.tim.IsBanned(g, "u1") && !e.tim.IsBanned(g, "u2") && !e.tim.IsBanned(g, "u3")
	})
	if got := done.ActionIDs(); len(got) != 0 {
		t.Fatalf("done root still has buttons %v", got)
	}
	if !strings.Contains(done.VisibleText(), "Approved by <@"+bob+">") {
		t.Fatalf("root = %q, want who approved", done.VisibleText())
	}
	e.waitFor("result and mention in the thread", func(s *slacktest.Server) bool {
		th := unbanThread(e, root.TS)
		return strings.Contains(th, "Done:* all 3 account(s) unbanned") && strings.Contains(th, "<@"+alice+"> :white_check_mark: Your unban request")
	})
	e.waitFor("alice's DM", func(s *slacktest.Server) bool { return len(s.DMs(alice)) == 1 })
	if got := e.slack.DMs(alice)[0].VisibleText(); !strings.Contains(got, "is done") {
		t.Fatalf("DM = %q, want the outcome", got)
	}
	if got, want := e.tim.Calls(cmdUnbanGroup), 1; got != want {
		t.Fatalf("unban calls = %d, want %d", got, want)
	}
	if got := m.count("approved"); got != 1 {
		t.Fatalf("approved decisions = %d, want 1", got)
	}
	e.eventually("audit of request, approve, unban, finish", func() bool {
		seen := map[string]bool{}
		for _, a := range e.auditEntries() {
			seen[string(a.Action)+":"+string(a.Outcome)] = true
		}
		return seen["request:pending"] && seen["approve:approved"] && seen["unban:done"] && seen["finish:done"]
	})
}

// TestUnban_Refused: a viewer and someone not on the allowlist cannot open requests; Tencent is
// never called and the refusals are audited.
func TestUnban_Refused(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	e.command(vic, moderation, "/unban", g+" u1 -- please")
	e.waitEphemeral(vic, "needs the *moderator* role")
	e.command(dave, elsewhere, "/unban", g+" u1 -- please")
	e.waitEphemeral(dave, "not on modbot's allowlist")
	e.eventually("refusals audited", func() bool {
		n := 0
		for _, a := range e.auditEntries() {
			if a.Action == "refused" && (a.Actor == vic || a.Actor == dave) {
				n++
			}
		}
		return n == 2
	})
	if got := e.timCalls(); got != 0 {
		t.Fatalf("tencent calls = %d, want 0", got)
	}
	if got := len(e.rootMessages()); got != 0 {
		t.Fatalf("root messages = %d, want 0", got)
	}
}

// TestUnban_NoSuchGroup: a group Tencent does not know is named plainly and nothing is stored.
func TestUnban_NoSuchGroup(t *testing.T) {
	e := newEnv(t)
	e.command(alice, moderation, "/unban", "@TGS#nosuchgroup u1 -- please")
	e.waitEphemeral(alice, "has no group `@TGS#nosuchgroup`")
	if _, err := e.store.RequestByNumber(t.Context(), 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("request #1: err = %v, want ErrNotFound", err)
	}
	if got := len(e.rootMessages()); got != 0 {
		t.Fatalf("root messages = %d, want 0", got)
	}
}

// TestUnban_RootPostedLater: when the bot is not in the approval channel, alice is told what the
// operator must do, and once the bot is invited the sweeper posts the root.
func TestUnban_RootPostedLater(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.LeaseTTL = time.Second }))
	g := e.tim.CreateGroup(timtest.Public)
	botUser := e.slack.Options().BotUserID
	if err := e.slack.Leave(approvals, botUser); err != nil {
		t.Fatal(err)
	}
	e.command(alice, moderation, "/unban", g+" u1 -- please")
	e.waitEphemeral(alice, "must invite the bot to that channel")
	if err := e.slack.Join(approvals, botUser); err != nil {
		t.Fatal(err)
	}
	e.waitFor("root posted by the sweeper", func(s *slacktest.Server) bool { return len(e.rootMessages()) == 1 })
	e.eventually("root recorded", func() bool {
		r, err := e.store.RequestByNumber(t.Context(), 1)
		return err == nil && r.ThreadTS == e.rootMessages()[0].TS && !r.Owes(store.EffectRoot)
	})
	if got := len(e.rootMessages()); got != 1 {
		t.Fatalf("root messages = %d, want 1", got)
	}
}

// TestUnban_LargeRequestFitsSlack: a 1,000-account request's root is accepted by the fake Slack,
// which enforces Block Kit's limits, and shows the accounts collapsed.
func TestUnban_LargeRequestFitsSlack(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	root := unbanOpen(t, e, alice, g+" "+strings.Join(unbanAccounts("acct", 1000), " ")+" -- mass appeal")
	for _, want := range []string{"*Accounts*\n1,000", "`acct0001`", "and 980 more"} {
		if !strings.Contains(root.VisibleText(), want) {
			t.Fatalf("root = %q, want %q", root.VisibleText(), want)
		}
	}
}

// TestUnban_DuplicatesAndRacingApprovals: the same slash command delivered three times opens one
// request; bob and erin clicking Approve at once execute it once.
func TestUnban_DuplicatesAndRacingApprovals(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	accounts := unbanAccounts("u", 25)
	for _, u := range accounts {
		e.tim.Ban(g, u, time.Hour)
	}
	ack := e.command(alice, moderation, "/unban", g+" "+strings.Join(accounts, " ")+" -- appeal")
	if _, err := e.slack.Redeliver(ack.EnvelopeID); err != nil { // while the first is handled
		t.Fatal(err)
	}
	e.waitEphemeral(alice, "opened in")
	if _, err := e.slack.Resend(ack.EnvelopeID); err != nil { // after it was handled
		t.Fatal(err)
	}
	e.eventually("late duplicate skipped", func() bool { return strings.Contains(e.logs.String(), "duplicate delivery skipped") })

	root := e.rootMessages()[0]
	errs := make(chan error, 2)
	for _, u := range []string{bob, erin} {
		go func() {
			_, err := e.slack.Click(u, approvals, root.TS, "approve", "")
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	unbanWaitRoot(t, e, root.TS, "done")
	e.waitFor("the other approver told", func(s *slacktest.Server) bool {
		return strings.Contains(e.ephemeralText(bob)+e.ephemeralText(erin), "Already approved by")
	})
	if got, want := e.tim.Calls(cmdUnbanGroup), 2; got != want { // 25 accounts: 20 + 5
		t.Fatalf("unban calls = %d, want %d", got, want)
	}
	for _, u := range accounts {
		if e.tim.IsBanned(g, u) {
			t.Fatalf("%s still banned", u)
		}
	}
	e.waitFor("one result", func(s *slacktest.Server) bool { return strings.Count(unbanThread(e, root.TS), "Done:*") == 1 })
	if got := len(e.rootMessages()); got != 1 {
		t.Fatalf("root messages = %d, want 1", got)
	}
	if _, err := e.store.RequestByNumber(t.Context(), 2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("request #2: err = %v, want ErrNotFound", err)
	}
	if got := strings.Count(e.ephemeralText(alice), "opened in"); got != 1 {
		t.Fatalf("alice was told %d times that the request opened, want once", got)
	}
}

// unbanOpen types /unban as user and returns the new root message in the approval channel.
func unbanOpen(t *testing.T, e *env, user, text string) slacktest.Message {
	t.Helper()
	before := len(e.rootMessages())
	e.command(user, moderation, "/unban", text)
	e.waitFor("root message", func(s *slacktest.Server) bool { return len(e.rootMessages()) > before })
	return e.rootMessages()[before]
}

// unbanWaitRoot waits until the root at ts shows state (as its State field does) and returns it.
func unbanWaitRoot(t *testing.T, e *env, ts, state string) slacktest.Message {
	t.Helper()
	var m slacktest.Message
	e.waitFor("root "+state, func(s *slacktest.Server) bool {
		var ok bool
		m, ok = s.Message(approvals, ts)
		return ok && stateField(m.VisibleText()) == state
	})
	return m
}

// stateField is the state a root's State field shows, without its emoji: "pending", "done"…
func stateField(text string) string {
	_, after, _ := strings.Cut(text, "*State*\n")
	line, _, _ := strings.Cut(after, "\n")
	_, name, _ := strings.Cut(line, " ")
	return name
}

// unbanThread is the visible text of every reply in the thread at ts.
func unbanThread(e *env, ts string) string {
	var b strings.Builder
	for _, m := range e.slack.Thread(approvals, ts) {
		b.WriteString(m.VisibleText())
		b.WriteString("\n")
	}
	return b.String()
}

// unbanAccounts is prefix0001 … prefixNNNN.
func unbanAccounts(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i+1)
	}
	return out
}

// decisionCounter is a bot.Metrics that counts decisions.
type decisionCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *decisionCounter) Decision(result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[result]++
}

func (c *decisionCounter) count(result string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[result]
}

func (c *decisionCounter) Ack(string, time.Duration)             {}
func (c *decisionCounter) Reconnect()                            {}
func (c *decisionCounter) Command(string, string, time.Duration) {}
func (c *decisionCounter) Dropped(kind string)                   { c.Decision("dropped:" + kind) }
func (c *decisionCounter) FeedFailure(class string)              { c.Decision("feed:" + class) }

// TestUnban_SlowRootPostEndsWithLease: Slack rate-limits the root post (Retry-After 3 s) past the
// creating replica's 1 s lease. The other replica takes the request over and posts the root; the
// first one's post ends with its lease instead of landing late as a second root that would
// overwrite the recorded ts (leaving the other root's buttons live forever).
func TestUnban_SlowRootPostEndsWithLease(t *testing.T) {
	e := newEnv(t, withoutBot(), withBotOptions(func(o *botOptions) {
		o.LeaseTTL = time.Second
		o.FeedEvery = time.Hour // the feed posts nothing meanwhile: the 429 is the root's
	}))
	e.startBot()
	e.startBot()
	g := e.tim.CreateGroup(timtest.Public)
	e.slack.RateLimitNext("chat.postMessage", 3*time.Second)
	e.command(alice, moderation, "/unban", g+" u1 -- appeal")
	e.waitFor("a root", func(s *slacktest.Server) bool { return len(e.rootMessages()) == 1 })
	e.eventually("root recorded", func() bool {
		r, err := e.store.RequestByNumber(t.Context(), 1)
		return err == nil && r.ThreadTS != "" && !r.Owes(store.EffectRoot)
	})
	time.Sleep(4500 * time.Millisecond) // past the Retry-After and its jitter
	roots := e.rootMessages()
	if len(roots) != 1 {
		t.Fatalf("%d root messages, want 1", len(roots))
	}
	if r := unbanRequest(t, e, 1); r.ThreadTS != roots[0].TS {
		t.Fatalf("recorded root ts %s, want the posted root %s", r.ThreadTS, roots[0].TS)
	}
	if got := roots[0].ActionIDs(); strings.Join(got, " ") != "approve deny cancel" {
		t.Fatalf("root buttons %v", got)
	}
}
