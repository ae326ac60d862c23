package bot

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// handlerEnv is a Bot whose answers go to a response_url this test reads, with the real store
// and the emulator, for calling the watch and case-file handlers directly (the command table
// registers them).
type handlerEnv struct {
	b   *Bot
	st  *store.Store
	srv *timtest.Server
	mu  sync.Mutex
	got []string // texts of the answers, in order
	url string
}

func newHandlerEnv(t *testing.T) *handlerEnv {
	t.Helper()
	h := &handlerEnv{st: storetest.New(t), srv: timtest.NewServer(t, timtest.Options{Rate: -1, BanAnyGroupType: true})}
	resp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m struct {
			Text   string            `json:"text"`
			Blocks []json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(body, &m)
		h.mu.Lock()
		h.got = append(h.got, m.Text+"\n"+string(body))
		h.mu.Unlock()
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(resp.Close)
	h.url = resp.URL + "/response/1"
	tc, err := tim.New(tim.Options{SDKAppID: h.srv.SDKAppID(), SecretKey: h.srv.SecretKey(), Admin: h.srv.Admin(), BaseURL: h.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	h.b, err = New(Options{AppToken: "xapp-test", BotToken: "xoxb-test", APIURL: resp.URL + "/api/", ApprovalChannel: "CAPPROVE",
		Logger: slog.New(slog.DiscardHandler)}, tc, h.st)
	if err != nil {
		t.Fatal(err)
	}
	for user, role := range map[string]store.Role{"UADMIN": store.RoleAdmin, "UMOD": store.RoleModerator, "UVIEW": store.RoleViewer} {
		if _, err := h.st.SetRole(t.Context(), store.SystemActor, user, role); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func (h *handlerEnv) inv(user string, role store.Role) *invocation {
	return &invocation{User: user, Role: role, ResponseURL: h.url, OpID: "op-" + user + time.Now().String(), start: time.Now()}
}

// last is the latest answer's text and body.
func (h *handlerEnv) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) == 0 {
		return ""
	}
	return h.got[len(h.got)-1]
}

func TestWatchHandlers(t *testing.T) {
	h := newHandlerEnv(t)
	ctx := t.Context()
	g := h.srv.CreateGroup(timtest.Public)

	h.b.watchCmd(ctx, h.inv("UMOD", store.RoleModerator), store.KindGroup, g, 1000)
	if !strings.Contains(h.last(), "admin") {
		t.Fatalf("a moderator's watch: %s", h.last())
	}
	h.b.watchCmd(ctx, h.inv("UADMIN", store.RoleAdmin), store.KindGroup, "@TGS#missing", 1000)
	if !strings.Contains(h.last(), "does not exist") {
		t.Fatalf("watching a missing group: %s", h.last())
	}
	h.b.watchCmd(ctx, h.inv("UADMIN", store.RoleAdmin), store.KindGroup, g, 1)
	if !strings.Contains(h.last(), "Watching group") {
		t.Fatalf("watch: %s", h.last())
	}
	h.srv.CreateRoom("room-2")
	h.b.watchCmd(ctx, h.inv("UADMIN", store.RoleAdmin), store.KindRoom, "room-2", 1)
	if !strings.Contains(h.last(), "MODBOT_MAX_WATCHED") {
		t.Fatalf("watch past the cap: %s", h.last())
	}
	h.b.watchedCmd(ctx, h.inv("UVIEW", store.RoleViewer), 5*time.Minute)
	if !strings.Contains(h.last(), "Watched targets (1)") || !strings.Contains(h.last(), "not swept yet") {
		t.Fatalf("watched: %s", h.last())
	}
	h.b.unwatchCmd(ctx, h.inv("UADMIN", store.RoleAdmin), store.KindGroup, g)
	h.b.unwatchCmd(ctx, h.inv("UADMIN", store.RoleAdmin), store.KindGroup, g)
	if !strings.Contains(h.last(), "was not watched") {
		t.Fatalf("unwatch twice: %s", h.last())
	}
	page, _ := h.st.Audit(ctx, store.AuditFilter{Group: g}, "", 10)
	var actions []string
	for _, e := range page.Entries {
		actions = append(actions, string(e.Action)+"/"+string(e.Outcome))
	}
	if got := strings.Join(actions, " "); got != "unwatch/ok watch/ok" {
		t.Fatalf("audit on the group: %s", got)
	}
}

func TestLookupAndNoteHandlers(t *testing.T) {
	h := newHandlerEnv(t)
	ctx := t.Context()
	g := h.srv.CreateGroup(timtest.Public)
	h.srv.Ban(g, "u7", time.Hour)
	h.b.note(ctx, h.inv("UVIEW", store.RoleViewer), "u7", "should not stick")
	h.b.note(ctx, h.inv("UMOD", store.RoleModerator), "u7", "warned in DM <!channel>")
	if !strings.Contains(h.last(), "Note added") {
		t.Fatalf("note: %s", h.last())
	}
	h.b.lookup(ctx, h.inv("UVIEW", store.RoleViewer), "u7", []LookupTarget{{store.KindGroup, g}})
	got := h.last()
	for _, want := range []string{"Case file: u7", "(live)", `warned in DM \u0026lt;!channel\u0026gt;`, "*note*"} {
		if !strings.Contains(got, want) {
			t.Fatalf("lookup lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, `\u003c!channel`) {
		t.Fatal("a note's <!channel> reached the answer unescaped")
	}
	if strings.Contains(got, "should not stick") {
		t.Fatal("a viewer's note was stored")
	}
}
