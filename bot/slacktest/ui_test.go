package slacktest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"modbot/bot/slacktest"
)

// uiState is the part of /ui/api/state these tests read.
type uiState struct {
	Title    string `json:"title"`
	Channels []struct {
		ID string `json:"id"`
		IM bool   `json:"im"`
	} `json:"channels"`
	Users []struct {
		ID   string `json:"id"`
		Note string `json:"note"`
	} `json:"users"`
	Messages map[string][]struct {
		TS        string          `json:"ts"`
		ThreadTS  string          `json:"thread_ts"`
		Text      string          `json:"text"`
		Blocks    json.RawMessage `json:"blocks"`
		Ephemeral bool            `json:"ephemeral"`
	} `json:"messages"`
	Views []struct {
		ID         string `json:"id"`
		CallbackID string `json:"callback_id"`
		Submit     string `json:"submit"`
	} `json:"views"`
	Panels      []slacktest.Panel      `json:"panels"`
	Suggestions []slacktest.Suggestion `json:"suggestions"`
}

func base(srv *slacktest.Server) string { return strings.TrimSuffix(srv.URL, "api/") }

func getState(t *testing.T, srv *slacktest.Server, user string) uiState {
	t.Helper()
	resp, err := http.Get(base(srv) + "ui/api/state?user=" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st uiState
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("decode state: %v", err)
	}
	return st
}

// uiPost posts body as JSON to a UI endpoint and returns the status and the answer's error.
func uiPost(t *testing.T, srv *slacktest.Server, path string, body any) (int, string) {
	t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(base(srv)+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("decode answer of %s: %v", path, err)
	}
	if a.OK != (resp.StatusCode == http.StatusOK) {
		t.Fatalf("%s: ok=%v with HTTP %d", path, a.OK, resp.StatusCode)
	}
	return resp.StatusCode, a.Error
}

func TestUI_Assets(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name, path, host string
		status           int
		contains         string
	}{
		{"RootRedirects", "", "", http.StatusFound, ""},
		{"Index", "ui/", "", http.StatusOK, `<script src="app.js">`},
		{"Script", "ui/app.js", "", http.StatusOK, "EventSource"},
		{"Style", "ui/style.css", "", http.StatusOK, ".b-header"},
		{"Localhost", "ui/", "localhost:80", http.StatusOK, "app.js"},
		{"ForeignHost", "ui/", "evil.example:80", http.StatusForbidden, "loopback"},
		{"ForeignHostState", "ui/api/state", "rebind.example", http.StatusForbidden, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, base(srv)+tt.path, nil)
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("GET /%s: HTTP %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Fatalf("GET /%s: body lacks %q", tt.path, tt.contains)
			}
			if tt.status == http.StatusFound {
				if got, want := resp.Header.Get("Location"), "/ui/"; got != want {
					t.Fatalf("Location=%q, want %q", got, want)
				}
			}
		})
	}
}

// The page's <title> is UI.Title before any script runs.
func TestUI_Title(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	get := func() string {
		t.Helper()
		resp, err := http.Get(base(srv) + "ui/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if page := get(); !strings.Contains(page, "<title>slacktest</title>") {
		t.Fatalf("default page lacks <title>slacktest</title>:\n%s", page)
	}
	srv.SetUI(slacktest.UI{Title: "modbot <sandbox>"})
	page := get()
	for _, want := range []string{"<title>modbot &lt;sandbox&gt;</title>", `<span id="title">modbot &lt;sandbox&gt;</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
}

func TestUI_State(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	srv.SetUI(slacktest.UI{
		Title:       "sandbox",
		Notes:       map[string]string{"U1": "moderator"},
		Panels:      []slacktest.Panel{{Title: "Emulator", URL: "/emu/state"}},
		Suggestions: []slacktest.Suggestion{{User: "U1", Channel: "C1", Command: "/unban", Text: "g u -- r"}},
	})
	connected(t, srv, func(c *socketmode.Client, evt socketmode.Event) {
		_ = c.Ack(*evt.Request, map[string]any{"text": "only for you"})
	})
	api := newAPI(t, srv)
	_, root, err := api.PostMessage("C1", slack.MsgOptionText("root", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(root)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("U2", slack.MsgOptionText("a DM to bob", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != nil {
		t.Fatal(err)
	}

	alice := getState(t, srv, "U1")
	if got, want := alice.Title, "sandbox"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if len(alice.Panels) != 1 || len(alice.Suggestions) != 1 {
		t.Errorf("panels %v, suggestions %v: want the UI's", alice.Panels, alice.Suggestions)
	}
	notes := map[string]string{}
	for _, u := range alice.Users {
		notes[u.ID] = u.Note
	}
	if got, want := notes["U1"], "moderator"; got != want {
		t.Errorf("note of U1 %q, want %q", got, want)
	}
	var texts []string
	for _, m := range alice.Messages["C1"] {
		texts = append(texts, m.Text)
	}
	if got, want := strings.Join(texts, ","), "root,reply,only for you"; got != want {
		t.Errorf("alice sees in C1 %q, want %q", got, want)
	}
	if m := alice.Messages["C1"]; len(m) == 3 && (m[1].ThreadTS != root || !m[2].Ephemeral || m[0].Ephemeral) {
		t.Errorf("C1 for alice: %+v; want the reply in root's thread and only the ack ephemeral", m)
	}
	for _, c := range alice.Channels {
		if c.IM {
			t.Errorf("alice sees DM %s, which is bob's", c.ID)
		}
	}

	bob := getState(t, srv, "U2")
	if got := len(bob.Messages["C1"]); got != 2 {
		t.Errorf("bob sees %d messages in C1, want 2 (not alice's ephemeral)", got)
	}
	dm, err := srv.DMChannel("U2")
	if err != nil {
		t.Fatal(err)
	}
	if got := bob.Messages[dm]; len(got) != 1 || got[0].Text != "a DM to bob" {
		t.Errorf("bob's DM %+v, want the bot's message", got)
	}
}

func TestUI_SendClickSubmit(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, func(c *socketmode.Client, evt socketmode.Event) {
		switch data := evt.Data.(type) {
		case slack.SlashCommand:
			_ = c.Ack(*evt.Request, map[string]any{"text": "got " + data.Command})
		case slack.InteractionCallback:
			_ = c.Ack(*evt.Request)
			if data.Type != slack.InteractionTypeBlockActions {
				return
			}
			_, err := c.OpenView(data.TriggerID, slack.ModalViewRequest{
				Type: slack.VTModal, CallbackID: "deny_reason",
				Title:  slack.NewTextBlockObject(slack.PlainTextType, "Deny", false, false),
				Submit: slack.NewTextBlockObject(slack.PlainTextType, "Deny", false, false),
				Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("reason",
					slack.NewTextBlockObject(slack.PlainTextType, "Reason", false, false), nil,
					slack.NewPlainTextInputBlockElement(nil, "text"))}},
			})
			if err != nil {
				t.Errorf("OpenView: %v", err)
			}
		default:
			_ = c.Ack(*evt.Request)
		}
	})

	t.Run("SlashCommand", func(t *testing.T) {
		if status, msg := uiPost(t, srv, "ui/api/send", map[string]string{"user": "U1", "channel": "C1", "text": "  /unban\t@TGS#1 u1 -- spam "}); status != http.StatusOK {
			t.Fatalf("send: HTTP %d %s", status, msg)
		}
		sc := b.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand)
		if sc.Command != "/unban" || sc.Text != "@TGS#1 u1 -- spam" || sc.UserID != "U1" {
			t.Fatalf("command %q text %q by %s, want /unban %q by U1", sc.Command, sc.Text, sc.UserID, "@TGS#1 u1 -- spam")
		}
		if e := srv.Ephemeral("U1"); len(e) != 1 || e[0].Text != "got /unban" {
			t.Fatalf("U1's ephemerals %+v, want the ack", e)
		}
	})

	t.Run("Typed", func(t *testing.T) {
		srv.SetUI(slacktest.UI{EscapeCommands: []string{"/modbot"}})
		tests := []struct{ name, typed, command, text string }{
			{"Escaped", "/modbot allow @bob viewer -- <!channel> & co", "/modbot", "allow <@U2|bob> viewer -- &lt;!channel&gt; &amp; co"},
			{"UnknownName", "/modbot allow @nobody viewer", "/modbot", "allow @nobody viewer"},
			{"NotAfterSpace", "/modbot x@bob à@bob", "/modbot", "x@bob à@bob"},
			{"NotEscaping", "/unban @TGS#1 @bob -- a<b", "/unban", "@TGS#1 @bob -- a&lt;b"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if status, msg := uiPost(t, srv, "ui/api/send", map[string]string{"user": "U1", "channel": "C1", "text": tt.typed}); status != http.StatusOK {
					t.Fatalf("send: HTTP %d %s", status, msg)
				}
				sc := b.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand)
				if sc.Command != tt.command || sc.Text != tt.text {
					t.Fatalf("got %s %q, want %s %q", sc.Command, sc.Text, tt.command, tt.text)
				}
			})
		}
	})

	t.Run("Say", func(t *testing.T) {
		if status, msg := uiPost(t, srv, "ui/api/send", map[string]string{"user": "U2", "channel": "C1", "text": "hello *all* & @alice"}); status != http.StatusOK {
			t.Fatalf("send: HTTP %d %s", status, msg)
		}
		if m := srv.Messages("C1"); len(m) != 1 || m[0].User != "U2" || m[0].Text != "hello *all* &amp; <@U1|alice>" {
			t.Fatalf("C1 %+v, want bob's message", m)
		}
	})

	t.Run("ClickAndModal", func(t *testing.T) {
		_, ts, err := newAPI(t, srv).PostMessage("C1", slack.MsgOptionText("request", false), approvalBlocks("req-1"))
		if err != nil {
			t.Fatal(err)
		}
		if status, msg := uiPost(t, srv, "ui/api/click", map[string]string{"user": "U2", "channel": "C1", "ts": ts, "action_id": "deny", "value": "req-1"}); status != http.StatusOK {
			t.Fatalf("click: HTTP %d %s", status, msg)
		}
		cb := b.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
		if got := cb.ActionCallback.BlockActions[0].ActionID; got != "deny" || cb.User.ID != "U2" {
			t.Fatalf("action %q by %s, want deny by U2", got, cb.User.ID)
		}
		waitFor(t, srv, "the modal", func(s *slacktest.Server) bool { return len(s.Views("U2")) == 1 })
		st := getState(t, srv, "U2")
		if len(st.Views) != 1 || st.Views[0].CallbackID != "deny_reason" || st.Views[0].Submit != "Deny" {
			t.Fatalf("bob's views %+v, want the deny modal", st.Views)
		}
		if got := len(getState(t, srv, "U1").Views); got != 0 {
			t.Fatalf("alice sees %d of bob's modals", got)
		}
		body := map[string]any{"user": "U2", "callback_id": "deny_reason", "values": map[string]map[string]string{"reason": {"text": "not enough"}}}
		if status, msg := uiPost(t, srv, "ui/api/submit", body); status != http.StatusOK {
			t.Fatalf("submit: HTTP %d %s", status, msg)
		}
		for cb.Type != slack.InteractionTypeViewSubmission {
			cb = b.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
		}
		if got := cb.View.State.Values["reason"]["text"].Value; got != "not enough" {
			t.Fatalf("submitted reason %q, want %q", got, "not enough")
		}
		if got := len(srv.Views("U2")); got != 0 {
			t.Fatalf("%d views open after submission, want 0", got)
		}

		// Open it again and close it with its close button.
		if status, msg := uiPost(t, srv, "ui/api/click", map[string]string{"user": "U2", "channel": "C1", "ts": ts, "action_id": "deny"}); status != http.StatusOK {
			t.Fatalf("click: HTTP %d %s", status, msg)
		}
		waitFor(t, srv, "the modal again", func(s *slacktest.Server) bool { return len(s.Views("U2")) == 1 })
		id := srv.Views("U2")[0].ID
		if status, _ := uiPost(t, srv, "ui/api/close", map[string]string{"user": "U1", "view_id": id}); status != http.StatusBadRequest {
			t.Fatalf("alice closing bob's modal: HTTP %d, want 400", status)
		}
		if status, msg := uiPost(t, srv, "ui/api/close", map[string]string{"user": "U2", "view_id": id}); status != http.StatusOK {
			t.Fatalf("close: HTTP %d %s", status, msg)
		}
		if got := len(srv.Views("U2")); got != 0 {
			t.Fatalf("%d views open after close, want 0", got)
		}
	})

	t.Run("BadRequests", func(t *testing.T) {
		tests := []struct {
			name string
			path string
			body map[string]string
			want string
		}{
			{"UnknownPerson", "ui/api/send", map[string]string{"user": "U9", "channel": "C1", "text": "/modbot help"}, "no such person"},
			{"TheBot", "ui/api/send", map[string]string{"user": "U0TESTBOT", "channel": "C1", "text": "/modbot help"}, "no such person"},
			{"UnknownChannel", "ui/api/send", map[string]string{"user": "U1", "channel": "C9", "text": "/modbot help"}, "no such channel"},
			{"Empty", "ui/api/send", map[string]string{"user": "U1", "channel": "C1", "text": "  "}, "nothing to send"},
			{"SlashInThread", "ui/api/send", map[string]string{"user": "U1", "channel": "C1", "thread_ts": "1.1", "text": "/modbot help"}, "thread"},
			{"NoSuchButton", "ui/api/click", map[string]string{"user": "U1", "channel": "C1", "ts": "1.1", "action_id": "approve"}, "no message"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, msg := uiPost(t, srv, tt.path, tt.body)
				if status == http.StatusOK || !strings.Contains(msg, tt.want) {
					t.Fatalf("HTTP %d %q, want an error containing %q", status, msg, tt.want)
				}
			})
		}
	})
}

func TestUI_Guard(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	srv.Handle("/extra/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "extra "+r.Method) }))
	tests := []struct {
		name, method, path, contentType, origin string
		status                                  int
	}{
		{"MountedGet", http.MethodGet, "extra/x", "", "", http.StatusOK},
		{"MountedPostJSON", http.MethodPost, "extra/x", "application/json", "", http.StatusOK},
		{"MountedPostSameOrigin", http.MethodPost, "extra/x", "application/json; charset=utf-8", "SELF", http.StatusOK},
		{"MountedPostForm", http.MethodPost, "extra/x", "application/x-www-form-urlencoded", "", http.StatusUnsupportedMediaType},
		{"MountedPostCrossOrigin", http.MethodPost, "extra/x", "application/json", "http://evil.example", http.StatusForbidden},
		{"SendTextPlain", http.MethodPost, "ui/api/send", "text/plain", "", http.StatusUnsupportedMediaType},
		{"SendCrossOrigin", http.MethodPost, "ui/api/send", "application/json", "http://evil.example", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base(srv)+tt.path, strings.NewReader(`{}`))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.origin == "SELF" {
				tt.origin = strings.TrimSuffix(base(srv), "/")
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("HTTP %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestUI_Events(t *testing.T) {
	srv := newServer(t, slacktest.Options{PingInterval: -1})
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base(srv)+"ui/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got, want := resp.Header.Get("Content-Type"), "text/event-stream"; got != want {
		t.Fatalf("Content-Type %q, want %q", got, want)
	}
	lines := bufio.NewScanner(resp.Body)
	// nextChange returns the data of the next change event.
	nextChange := func() string {
		t.Helper()
		event := ""
		for lines.Scan() {
			line := lines.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				event = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok && event == "change" {
				return v
			}
		}
		t.Fatalf("event stream ended: %v", lines.Err())
		return ""
	}
	first := nextChange() // sent at once: the version when the stream opened
	if _, err := srv.Say("U1", "C1", "", "hi"); err != nil {
		t.Fatal(err)
	}
	if second := nextChange(); second == first {
		t.Fatalf("change event carries version %s again after a post", second)
	}
}

func TestReset(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	connected(t, srv, func(c *socketmode.Client, evt socketmode.Event) {
		_ = c.Ack(*evt.Request, map[string]any{"text": "ack"})
	})
	if _, err := srv.Say("U1", "C1", "", "hi"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := newAPI(t, srv).PostMessage("U2", slack.MsgOptionText("dm", false)); err != nil {
		t.Fatal(err)
	}
	before := srv.Version()

	srv.Reset()
	if srv.Version() == before {
		t.Error("Reset did not count as a change")
	}
	if got := len(srv.Messages("C1")) + len(srv.Ephemeral("U1")) + len(srv.DMs("U2")) + len(srv.Calls()); got != 0 {
		t.Fatalf("after Reset: %d messages, ephemerals, DMs and calls left", got)
	}
	if got, want := len(srv.Users()), 3; got != want {
		t.Fatalf("after Reset: %d users, want %d (bot, alice, bob)", got, want)
	}
	if got := srv.Channels(); len(got) < 2 || len(got[0].Members) != 3 {
		t.Fatalf("after Reset: channels %+v, want C1 and C2 with their members", got)
	}
	// Still connected and usable.
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Ephemeral("U1")); got != 1 {
		t.Fatalf("after Reset: %d ephemerals, want the new ack", got)
	}
}
