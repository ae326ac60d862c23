package slacktest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"modbot/bot/slacktest"
)

func section(text string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}

func TestPostMessage(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	api := newAPI(t, srv)
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = section("x")
	}
	tests := []struct {
		name    string
		channel string
		opts    []slack.MsgOption
		want    string
	}{
		{"OK", "C1", []slack.MsgOption{slack.MsgOptionText("hi", false)}, ""},
		{"ByName", "#general", []slack.MsgOption{slack.MsgOptionText("hi", false)}, ""},
		{"UserDM", "U1", []slack.MsgOption{slack.MsgOptionText("hi", false)}, ""},
		{"BlocksOnly", "C1", []slack.MsgOption{slack.MsgOptionBlocks(section("hi"))}, ""},
		{"NotInChannel", "C2", []slack.MsgOption{slack.MsgOptionText("hi", false)}, "not_in_channel"},
		{"ChannelNotFound", "C9", []slack.MsgOption{slack.MsgOptionText("hi", false)}, "channel_not_found"},
		{"NoText", "C1", nil, "no_text"},
		{"MsgTooLong", "C1", []slack.MsgOption{slack.MsgOptionText(strings.Repeat("x", 40001), false)}, "msg_too_long"},
		{"TooManyBlocks", "C1", []slack.MsgOption{slack.MsgOptionBlocks(many...)}, "invalid_blocks"},
		{"SectionTooLong", "C1", []slack.MsgOption{slack.MsgOptionBlocks(section(strings.Repeat("x", 3001)))}, "invalid_blocks"},
		{"ThreadNotFound", "C1", []slack.MsgOption{slack.MsgOptionText("hi", false), slack.MsgOptionTS("1.000001")}, "thread_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts, err := api.PostMessage(tt.channel, tt.opts...)
			if got := slackErr(err); got != tt.want {
				t.Fatalf("PostMessage(%s) error %q, want %q", tt.channel, got, tt.want)
			}
			if tt.want == "" && ts == "" {
				t.Fatal("no ts")
			}
		})
	}
	if got := len(srv.Messages("C1")); got != 3 {
		t.Fatalf("Messages(C1) has %d, want 3 (OK, ByName, BlocksOnly)", got)
	}
}

func TestPostMessage_Tokens(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	o := srv.Options()
	tests := []struct {
		name   string
		header string
		form   string
		want   string
	}{
		{"Bearer", "Bearer " + o.BotToken, "", ""},
		{"Form", "", o.BotToken, ""},
		{"Missing", "", "", "not_authed"},
		{"Wrong", "Bearer xoxb-wrong", "", "invalid_auth"},
		{"AppToken", "", o.AppToken, "not_allowed_token_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"channel": {"C1"}, "text": {"hi"}}
			if tt.form != "" {
				form.Set("token", tt.form)
			}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"chat.postMessage", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				OK    bool
				Error string
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body.Error != tt.want || body.OK != (tt.want == "") {
				t.Fatalf("answer %+v, want error %q", body, tt.want)
			}
		})
	}
}

func TestAuthTestAndUsersInfo(t *testing.T) {
	srv := newServer(t, slacktest.Options{TeamID: "T9", BotUserID: "U9BOT", BotID: "B9"})
	api := newAPI(t, srv)
	at, err := api.AuthTestContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if at.TeamID != "T9" || at.UserID != "U9BOT" || at.BotID != "B9" {
		t.Fatalf("auth.test=%+v, want T9/U9BOT/B9", at)
	}
	u, err := api.GetUserInfoContext(t.Context(), "U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "U1" || u.Name != "alice" || u.TeamID != "T9" {
		t.Fatalf("users.info=%+v, want alice", u)
	}
	if _, err := api.GetUserInfoContext(t.Context(), "U404"); slackErr(err) != "user_not_found" {
		t.Fatalf("users.info(U404)=%v, want user_not_found", err)
	}
	if !srv.SetProfile("U1", "", "Alice Liddell") || srv.SetProfile("U404", "x", "y") {
		t.Fatal("SetProfile: want true for U1, false for an unknown user")
	}
	u, err = api.GetUserInfoContext(t.Context(), "U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "alice" || u.RealName != "Alice Liddell" || u.Profile.RealName != "Alice Liddell" || u.Profile.DisplayName != "" {
		t.Fatalf("users.info after SetProfile = name %q real %q profile %+v, want alice / Alice Liddell / no display name",
			u.Name, u.RealName, u.Profile)
	}
}

func TestThreadsAndUpdates(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	api := newAPI(t, srv)
	post := func(opts ...slack.MsgOption) string {
		t.Helper()
		_, ts, err := api.PostMessage("C1", opts...)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	root := post(slack.MsgOptionText("root", false), approvalBlocks("req-1"))
	r1 := post(slack.MsgOptionText("reply 1", false), slack.MsgOptionTS(root))
	post(slack.MsgOptionText("reply 2", false), slack.MsgOptionTS(r1)) // a reply to a reply lands in the root's thread
	if !(root < r1) {
		t.Fatalf("timestamps %s then %s, want increasing", root, r1)
	}

	roots := srv.Messages("C1")
	if len(roots) != 1 || roots[0].TS != root || roots[0].ReplyCount != 2 {
		t.Fatalf("Messages(C1)=%+v, want the root with 2 replies", roots)
	}
	thread := srv.Thread("C1", root)
	if len(thread) != 2 || thread[0].Text != "reply 1" || thread[1].Text != "reply 2" || thread[1].ThreadTS != root {
		t.Fatalf("Thread=%+v, want reply 1, reply 2", thread)
	}
	msgs, _, _, err := api.GetConversationRepliesContext(t.Context(), &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: root})
	if err != nil || len(msgs) != 3 {
		t.Fatalf("conversations.replies=%d messages (%v), want 3", len(msgs), err)
	}

	if _, _, _, err := api.UpdateMessage("C1", root, slack.MsgOptionText("approved", false), slack.MsgOptionBlocks(section("approved by bob"))); err != nil {
		t.Fatal(err)
	}
	m, _ := srv.Message("C1", root)
	if !m.Edited || m.Text != "approved" || m.VisibleText() != "approved by bob" || len(m.Buttons()) != 0 {
		t.Fatalf("updated root=%+v, want edited, new text and blocks", m)
	}

	said, err := srv.Say("U1", "C1", "", "hello")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, channel, ts, want string
	}{
		{"MessageNotFound", "C1", "1.000001", "message_not_found"},
		{"NotTheBots", "C1", said.TS, "cant_update_message"},
		{"ChannelNotFound", "C9", root, "channel_not_found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := api.UpdateMessage(tt.channel, tt.ts, slack.MsgOptionText("x", false))
			if got := slackErr(err); got != tt.want {
				t.Fatalf("UpdateMessage error %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDMs(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	api := newAPI(t, srv)
	ch, _, already, err := api.OpenConversationContext(t.Context(), &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch.ID, "D") || already {
		t.Fatalf("conversations.open=%s already_open=%v, want a new D… channel", ch.ID, already)
	}
	if _, _, err := api.PostMessage(ch.ID, slack.MsgOptionText("your request was approved", false)); err != nil {
		t.Fatal(err)
	}
	again, _, already, err := api.OpenConversationContext(t.Context(), &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || again.ID != ch.ID || !already {
		t.Fatalf("second conversations.open=%v already_open=%v (%v), want %s again", again, already, err, ch.ID)
	}
	dms := srv.DMs("U1")
	if len(dms) != 1 || dms[0].Text != "your request was approved" {
		t.Fatalf("DMs(U1)=%+v, want the approval", dms)
	}
	if got := srv.DMs("U2"); len(got) != 0 {
		t.Fatalf("DMs(U2)=%+v, want none", got)
	}
}

func TestPostEphemeral(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	api := newAPI(t, srv)
	if _, err := api.PostEphemeral("C1", "U1", slack.MsgOptionText("psst", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PostEphemeral("C2", "U1", slack.MsgOptionText("psst", false)); slackErr(err) != "not_in_channel" {
		t.Fatalf("PostEphemeral in C2: %v, want not_in_channel", err)
	}
	if eph := srv.Ephemeral("U1"); len(eph) != 1 || eph[0].Via != "chat.postEphemeral" {
		t.Fatalf("Ephemeral(U1)=%+v, want one chat.postEphemeral", eph)
	}
}

func TestRateLimitNext(t *testing.T) {
	srv := newServer(t, slacktest.Options{})

	srv.RateLimitNext("chat.postMessage", 1500*time.Millisecond)
	_, _, err := newAPI(t, srv).PostMessage("C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("PostMessage=%v, want RateLimitedError after 2s", err)
	}

	srv.RateLimitNext("chat.postMessage", time.Second)
	retrying := newAPI(t, srv, slack.OptionRetryConfig(slack.RetryConfig{MaxRetries: 1}))
	if _, _, err := retrying.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("PostMessage with retries: %v", err)
	}
	var got []int
	for _, c := range srv.Calls() {
		if c.Method == "chat.postMessage" {
			got = append(got, c.Status)
		}
	}
	if want := []int{429, 429, 200}; !slices.Equal(got, want) {
		t.Fatalf("chat.postMessage statuses %v, want %v", got, want)
	}
	if len(srv.Messages("C1")) != 1 {
		t.Fatal("the retried post is missing")
	}
}

func TestFailNext(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	srv.FailNext("users.info", "fatal_error")
	api := newAPI(t, srv)
	if _, err := api.GetUserInfo("U1"); slackErr(err) != "fatal_error" {
		t.Fatalf("users.info=%v, want fatal_error", err)
	}
	if _, err := api.GetUserInfo("U1"); err != nil {
		t.Fatalf("second users.info=%v, want ok", err)
	}
}

func TestResponseURL(t *testing.T) {
	clk := newClock()
	srv := newServer(t, slacktest.Options{Now: clk.Now})
	b := connected(t, srv, ackEmpty)
	api := newAPI(t, srv)
	command := func() string {
		t.Helper()
		if _, err := srv.SlashCommand("U1", "C2", "/roles", "g1 u1"); err != nil {
			t.Fatal(err)
		}
		return b.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand).ResponseURL
	}
	respond := func(url, typ, text string) error {
		_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(url, typ), slack.MsgOptionText(text, false))
		return err
	}

	t.Run("FivePosts", func(t *testing.T) {
		url := command()
		if err := respond(url, slack.ResponseTypeInChannel, "for everyone"); err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			if err := respond(url, slack.ResponseTypeEphemeral, "only you"); err != nil {
				t.Fatalf("post %d: %v", i+2, err)
			}
		}
		if err := respond(url, slack.ResponseTypeEphemeral, "sixth"); err == nil {
			t.Fatal("sixth post accepted")
		}
		if c := srv.Calls(); c[len(c)-1].Error != "used_url" {
			t.Fatalf("last call %+v, want used_url", c[len(c)-1])
		}
		if got := srv.Messages("C2"); len(got) != 1 || got[0].Text != "for everyone" || got[0].Via != "response_url" {
			t.Fatalf("Messages(C2)=%+v, want the in_channel post (the bot is not a member, and needs not be)", got)
		}
		if got := srv.Ephemeral("U1"); len(got) != 4 {
			t.Fatalf("Ephemeral(U1) has %d, want 4", len(got))
		}
	})
	t.Run("Expires", func(t *testing.T) {
		url := command()
		clk.Advance(29 * time.Minute)
		if err := respond(url, slack.ResponseTypeEphemeral, "in time"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Minute)
		if err := respond(url, slack.ResponseTypeEphemeral, "late"); err == nil {
			t.Fatal("post after 31 minutes accepted")
		}
		if c := srv.Calls(); c[len(c)-1].Error != "expired_url" {
			t.Fatalf("last call %+v, want expired_url", c[len(c)-1])
		}
	})
	t.Run("ReplaceOriginal", func(t *testing.T) {
		url := command()
		if err := respond(url, slack.ResponseTypeEphemeral, "working…"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := api.PostMessage("", slack.MsgOptionReplaceOriginal(url), slack.MsgOptionText("done", false)); err != nil {
			t.Fatal(err)
		}
		eph := srv.Ephemeral("U1")
		if last := eph[len(eph)-1]; last.Text != "done" || !last.Edited {
			t.Fatalf("last ephemeral %+v, want done, edited", last)
		}
	})
}
