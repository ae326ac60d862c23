package bot_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

var _ bot.TeamView = (*store.Store)(nil)

// homeText is the visible text of user's published Home tab ("" when none).
func homeText(e *env, user string) string {
	h, ok := e.slack.Home(user)
	if !ok {
		return ""
	}
	return slacktest.Message{Blocks: h.Blocks}.VisibleText()
}

// openHome sends app_home_opened for user and waits for a publish after it.
func openHome(t *testing.T, e *env, user string) slacktest.HomeView {
	t.Helper()
	before := 0
	if h, ok := e.slack.Home(user); ok {
		before = h.Publish
	}
	ack, err := e.slack.AppHomeOpened(user)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Elapsed > 3*time.Second {
		t.Errorf("app_home_opened acked after %v", ack.Elapsed)
	}
	e.waitFor(user+"'s Home published", func(s *slacktest.Server) bool {
		h, ok := s.Home(user)
		return ok && h.Publish > before
	})
	h, _ := e.slack.Home(user)
	return h
}

// TestHome_ApproveFromHome: bob's Home lists alice's request with the thread's Approve / Deny;
// approving there decides it, updates the thread's root, and publishes bob's Home again without
// it. alice's Home lists it as her own with Cancel; dave's says who can grant access.
func TestHome_ApproveFromHome(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.Reasons = []bot.ReasonCode{{Code: "spam", Label: "Spam"}} }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	root := unbanOpen(t, e, alice, g+" u1 -- spam: appeal accepted")
	req := unbanRequest(t, e, 1)

	h := openHome(t, e, bob)
	text := homeText(e, bob)
	for _, want := range []string{"*approver* everywhere", "Waiting for your decision (1)", "#1", "Last 7 days", "None watched yet."} {
		if !strings.Contains(text, want) {
			t.Errorf("bob's Home lacks %q:\n%s", want, text)
		}
	}
	var ids []string
	for _, b := range h.Buttons() {
		ids = append(ids, b.ActionID+"="+b.Value)
	}
	if got, want := strings.Join(ids, " "), "approve="+req.ID+" deny="+req.ID; got != want {
		t.Fatalf("bob's Home buttons = %s, want %s (the thread's own)", got, want)
	}

	openHome(t, e, alice)
	if got := homeText(e, alice); !strings.Contains(got, "Your open requests (1)") || strings.Contains(got, "Waiting for your decision") {
		t.Errorf("alice's Home:\n%s", got)
	}
	if h, _ := e.slack.Home(alice); len(h.Buttons()) != 1 || h.Buttons()[0].ActionID != "cancel" {
		t.Errorf("alice's Home buttons = %+v, want one Cancel", h.Buttons())
	}
	openHome(t, e, dave)
	if got := homeText(e, dave); !strings.Contains(got, "not on modbot's allowlist") || !strings.Contains(got, "<@"+carol+">") {
		t.Errorf("dave's Home does not say who can grant access:\n%s", got)
	}

	before := h.Publish
	if _, err := e.slack.ClickHome(bob, "approve", req.ID); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "done")
	e.waitFor("bob's Home published again", func(s *slacktest.Server) bool {
		h, ok := s.Home(bob)
		return ok && h.Publish > before && len(h.Buttons()) == 0
	})
	if e.tim.IsBanned(g, "u1") {
		t.Fatal("u1 still banned")
	}
	openHome(t, e, bob)
	text = homeText(e, bob)
	for _, want := range []string{"Waiting for your decision (0)", "*unban*", "unban: 1 done", "`spam` 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("bob's Home after the approval lacks %q:\n%s", want, text)
		}
	}
}

// TestHome_ClickRacesThreadClick: bob approving from Home while erin approves in the thread
// counts one decision: one execution, one result.
func TestHome_ClickRacesThreadClick(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")
	req := unbanRequest(t, e, 1)
	openHome(t, e, bob)

	errs := make(chan error, 2)
	go func() { _, err := e.slack.ClickHome(bob, "approve", req.ID); errs <- err }()
	go func() { _, err := e.slack.Click(erin, approvals, root.TS, "approve", ""); errs <- err }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	unbanWaitRoot(t, e, root.TS, "done")
	e.waitFor("one result", func(s *slacktest.Server) bool { return strings.Count(unbanThread(e, root.TS), "Done:*") == 1 })
	r := unbanRequest(t, e, 1)
	if len(r.Approvals) != 1 {
		t.Fatalf("approvals = %+v, want exactly one", r.Approvals)
	}
	if got := e.tim.Calls(cmdUnbanGroup); got != 1 {
		t.Fatalf("unban calls = %d, want 1", got)
	}
	loser := erin
	if r.Approvals[0].By == erin {
		loser = bob
	}
	// The loser hears it was decided: erin in the thread through her response_url, bob (no
	// response_url on Home) by DM.
	e.waitFor("the other approver told", func(s *slacktest.Server) bool {
		var seen string
		if loser == bob {
			for _, m := range s.DMs(bob) {
				seen += m.VisibleText()
			}
		} else {
			seen = e.ephemeralText(erin)
		}
		return strings.Contains(seen, "Already approved by")
	})
}

// TestHome_DuplicateEventPublishesOnce: an app_home_opened delivered twice publishes once.
func TestHome_DuplicateEventPublishesOnce(t *testing.T) {
	e := newEnv(t)
	ack, err := e.slack.AppHomeOpened(vic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.Resend(ack.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("vic's Home", func(s *slacktest.Server) bool { _, ok := s.Home(vic); return ok })
	e.eventually("duplicate handled", func() bool { return strings.Count(e.logs.String(), "cmd=app_home_opened") >= 1 })
	time.Sleep(300 * time.Millisecond)
	if h, _ := e.slack.Home(vic); h.Publish != 1 {
		t.Fatalf("published %d times, want once", h.Publish)
	}
	if got := homeText(e, vic); !strings.Contains(got, "*viewer* everywhere") || strings.Contains(got, "Your open requests") {
		t.Errorf("vic's Home:\n%s", got)
	}
}

// TestSlacktest_ViewsPublishChecks: the fake refuses what Slack refuses.
func TestSlacktest_ViewsPublishChecks(t *testing.T) {
	e := newEnv(t, withoutBot())
	so := e.slack.Options()
	blocks := make([]map[string]any, 101)
	for i := range blocks {
		blocks[i] = map[string]any{"type": "divider"}
	}
	for _, c := range []struct {
		user string
		view any
		want string
	}{
		{"", map[string]any{"type": "home", "blocks": []any{}}, "invalid_arguments"},
		{"U0NOBODY", map[string]any{"type": "home", "blocks": []any{}}, "user_not_found"},
		{bob, map[string]any{"type": "modal", "blocks": []any{}}, "invalid_arguments"},
		{bob, map[string]any{"type": "home", "blocks": blocks}, "invalid_arguments"},
		{bob, map[string]any{"type": "home", "blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": strings.Repeat("x", 300_000)}}}}, "view_too_large"},
		{bob, map[string]any{"type": "home", "blocks": blocks[:100]}, ""},
	} {
		body, _ := json.Marshal(map[string]any{"user_id": c.user, "view": c.view})
		got := apiCall(t, e.slack.URL+"views.publish", so.BotToken, body)
		if got != c.want {
			t.Errorf("views.publish(%q, …) = %q, want %q", c.user, got, c.want)
		}
	}
	if h, ok := e.slack.Home(bob); !ok || h.Publish != 1 {
		t.Fatalf("bob's Home = %+v, %v", h, ok)
	}
}

// apiCall posts a JSON body to a Web API method and returns its error code ("" when ok).
func apiCall(t *testing.T, url, token string, body []byte) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.Error
}

// TestHome_DenyFromHome: Deny on the Home tab opens the same modal; submitting it denies the
// request, the root shows it, and the Home tab is published again without it.
func TestHome_DenyFromHome(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", time.Hour)
	root := unbanOpen(t, e, alice, g+" u1 -- appeal")
	req := unbanRequest(t, e, 1)
	h := openHome(t, e, bob)
	if _, err := e.slack.ClickHome(bob, "deny", req.ID); err != nil {
		t.Fatal(err)
	}
	// The click publishes the Home tab again at once (the request still pending, the modal open).
	e.waitFor("the deny modal and the click's publish", func(s *slacktest.Server) bool {
		now, _ := s.Home(bob)
		return len(s.Views(bob)) == 1 && now.Publish == h.Publish+1
	})
	h, _ = e.slack.Home(bob)
	if _, err := e.slack.SubmitView(bob, "deny_reason", map[string]map[string]string{"reason": {"reason": "not yet"}}); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "denied")
	e.waitFor("bob's Home without the request", func(s *slacktest.Server) bool {
		now, ok := s.Home(bob)
		return ok && now.Publish > h.Publish && len(now.Buttons()) == 0 && strings.Contains(homeText(e, bob), "Waiting for your decision (0)")
	})
	if !e.tim.IsBanned(g, "u1") {
		t.Fatal("a denied request unbanned u1")
	}
}
