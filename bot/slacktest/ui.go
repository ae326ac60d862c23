package slacktest

import (
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// UI configures the web UI the Server serves under /ui/ (GET / redirects there):
// a Slack-like client in which a person is picked, channels, threads and DMs are
// read with their Block Kit rendered, slash commands are typed, buttons clicked
// and modals submitted, with live updates. Ephemeral replies are shown only to
// the person they were for. Everything is embedded: no build step, nothing
// fetched from the internet. The UI is meant for a loopback listener.
type UI struct {
	Title       string            // page title; default "slacktest"
	Notes       map[string]string // a note shown beside a person in the picker, by user ID (their role, say)
	Panels      []Panel           // extra panels beside the conversation, in order
	Suggestions []Suggestion      // example commands the composer offers, in order
	// EscapeCommands are the slash commands whose manifest sets should_escape: in them, as in
	// messages, a typed "@name" of someone in the workspace reaches the app as "<@ID|name>".
	// Typed text is always entity-escaped (&amp; &lt; &gt;), as Slack does.
	EscapeCommands []string
}

// Panel is an extra panel of the web UI. Its URL (usually a path mounted with
// Server.Handle) answers GET with a PanelView as JSON; the UI fetches it again
// after every change of the Server and every two seconds.
type Panel struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// PanelView is what a panel shows: tables, then forms.
type PanelView struct {
	Sections []PanelSection `json:"sections,omitempty"`
	Forms    []PanelForm    `json:"forms,omitempty"`
}

// PanelSection is a titled table (or only a note). Long tables are collapsed
// to their first rows, with a control to show all.
type PanelSection struct {
	Title   string     `json:"title"`
	Note    string     `json:"note,omitempty"`
	Columns []string   `json:"columns,omitempty"`
	Rows    [][]string `json:"rows,omitempty"`
}

// PanelForm is a form that POSTs its fields to Action as a JSON object (name →
// value, Content-Type application/json). Action answers 2xx with a short plain
// text the UI shows, or an error status with the error's text.
type PanelForm struct {
	Title   string       `json:"title"`
	Action  string       `json:"action"`
	Submit  string       `json:"submit"`            // the button's label
	Confirm string       `json:"confirm,omitempty"` // asked before submitting, when set
	Fields  []PanelField `json:"fields,omitempty"`
}

// PanelField is one input of a PanelForm: a text input, or a choice when it
// has Options.
type PanelField struct {
	Name    string        `json:"name"`
	Label   string        `json:"label"`
	Value   string        `json:"value,omitempty"` // initial value
	Options []PanelOption `json:"options,omitempty"`
}

// PanelOption is one choice of a PanelField.
type PanelOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Suggestion is an example command the UI offers: clicking it picks the person
// and channel and fills the composer with "Command Text".
type Suggestion struct {
	User    string `json:"user"`
	Channel string `json:"channel"`
	Command string `json:"command"` // e.g. "/unban"
	Text    string `json:"text"`
	Note    string `json:"note,omitempty"` // what it shows, in a few words
}

// SetUI sets what the web UI shows besides the workspace.
func (s *Server) SetUI(ui UI) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ui = ui
	s.notifyLocked()
}

//go:embed ui
var uiFiles embed.FS

// mountUI registers the web UI and its JSON and Server-Sent Events endpoints.
func (s *Server) mountUI() {
	static, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		panic(fmt.Sprintf("slacktest: embedded ui: %v", err)) // cannot happen: the directory is embedded
	}
	files := http.StripPrefix("/ui/", http.FileServerFS(static))
	index, err := fs.ReadFile(static, "index.html")
	if err != nil {
		panic(fmt.Sprintf("slacktest: embedded ui: %v", err)) // cannot happen: the file is embedded
	}
	s.mux.Handle("GET /ui/", guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		if r.URL.Path == "/ui/" || r.URL.Path == "/ui/index.html" {
			// The page carries UI.Title from the start (a tab, a bookmark, curl), not only once
			// app.js has run.
			s.mu.Lock()
			title := s.ui.Title
			s.mu.Unlock()
			page := string(index)
			if title != "" {
				page = strings.ReplaceAll(page, ">slacktest<", ">"+html.EscapeString(title)+"<")
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, page)
			return
		}
		files.ServeHTTP(w, r)
	})))
	s.mux.Handle("GET /{$}", http.RedirectHandler("/ui/", http.StatusFound))
	s.mux.Handle("GET /ui/api/state", guard(http.HandlerFunc(s.serveUIState)))
	s.mux.Handle("GET /ui/api/events", guard(http.HandlerFunc(s.serveUIEvents)))
	s.mux.Handle("POST /ui/api/send", guard(uiAction(s.uiSend)))
	s.mux.Handle("POST /ui/api/click", guard(uiAction(s.uiClick)))
	s.mux.Handle("POST /ui/api/submit", guard(uiAction(s.uiSubmit)))
	s.mux.Handle("POST /ui/api/close", guard(uiAction(s.uiClose)))
	s.mux.Handle("POST /ui/api/home", guard(uiAction(s.uiHomeOpen)))       // home.go
	s.mux.Handle("POST /ui/api/homeclick", guard(uiAction(s.uiHomeClick))) // home.go
}

// guard refuses requests a web page elsewhere could make through the browser
// of someone running the Server: a Host that is not loopback (DNS rebinding),
// and POSTs that are not JSON from this origin (a cross-origin JSON POST needs
// a CORS preflight, which the Server never grants).
func guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "slacktest: the UI answers only on a loopback address", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			ct := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
			if ct != "application/json" {
				http.Error(w, "slacktest: POST needs Content-Type application/json", http.StatusUnsupportedMediaType)
				return
			}
			if o := r.Header.Get("Origin"); o != "" {
				if u, err := url.Parse(o); err != nil || u.Host != r.Host {
					http.Error(w, "slacktest: cross-origin request refused", http.StatusForbidden)
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// uiState is what the UI shows one person.
type uiState struct {
	Title       string                 `json:"title"`
	Team        string                 `json:"team"`
	Bot         string                 `json:"bot"`
	Users       []uiUser               `json:"users"`
	Channels    []uiChannel            `json:"channels"`
	Messages    map[string][]uiMessage `json:"messages"` // by channel: roots, replies and ephemerals, by ts
	Views       []uiView               `json:"views"`    // open modals, bottom of the stack first
	Panels      []Panel                `json:"panels"`
	Suggestions []Suggestion           `json:"suggestions"`
	Connections int                    `json:"connections"`
	Home        json.RawMessage        `json:"home,omitempty"` // the person's Home tab blocks, once the app published it
}

type uiUser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Bot  bool   `json:"bot,omitempty"`
	Note string `json:"note,omitempty"`
}

type uiChannel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	IM   bool   `json:"im,omitempty"`
}

type uiMessage struct {
	TS         string          `json:"ts"`
	ThreadTS   string          `json:"thread_ts,omitempty"`
	User       string          `json:"user"`
	Text       string          `json:"text"`
	Blocks     json.RawMessage `json:"blocks,omitempty"`
	Edited     bool            `json:"edited,omitempty"`
	Ephemeral  bool            `json:"ephemeral,omitempty"`
	ReplyCount int             `json:"reply_count,omitempty"`
}

type uiView struct {
	ID         string          `json:"id"`
	CallbackID string          `json:"callback_id"`
	Title      string          `json:"title"`
	Submit     string          `json:"submit,omitempty"`
	Close      string          `json:"close,omitempty"`
	Blocks     json.RawMessage `json:"blocks"`
}

// serveUIState answers what the person ?user= sees: every channel, their DM
// with the bot, and only their own ephemeral replies and modals.
func (s *Server) serveUIState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.uiState(r.URL.Query().Get("user")))
}

func (s *Server) uiState(me string) uiState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := uiState{
		Title: s.ui.Title, Team: s.opts.TeamDomain, Bot: s.opts.BotUserID,
		Messages: map[string][]uiMessage{}, Panels: s.ui.Panels, Suggestions: s.ui.Suggestions,
		Views: []uiView{}, Connections: len(s.conns),
	}
	if st.Title == "" {
		st.Title = "slacktest"
	}
	for _, id := range s.uorder {
		u := s.users[id]
		st.Users = append(st.Users, uiUser{ID: u.id, Name: u.name, Bot: u.bot, Note: s.ui.Notes[u.id]})
	}
	for _, id := range s.corder {
		ch := s.channels[id]
		if ch.im && ch.imUser != me {
			continue
		}
		st.Channels = append(st.Channels, uiChannel{ID: ch.id, Name: ch.name, IM: ch.im})
		msgs := []uiMessage{}
		for _, m := range ch.msgs {
			v := s.viewLocked(ch, m)
			msgs = append(msgs, uiMessage{TS: v.TS, ThreadTS: v.ThreadTS, User: v.User, Text: v.Text,
				Blocks: v.Blocks, Edited: v.Edited, ReplyCount: v.ReplyCount})
		}
		st.Messages[ch.id] = msgs
	}
	for _, m := range s.ephemerals[me] {
		if _, ok := st.Messages[m.Channel]; ok {
			st.Messages[m.Channel] = append(st.Messages[m.Channel], uiMessage{TS: m.TS, User: m.User,
				Text: m.Text, Blocks: m.Blocks, Edited: m.Edited, Ephemeral: true})
		}
	}
	for id, msgs := range st.Messages {
		slices.SortStableFunc(msgs, func(a, b uiMessage) int { return strings.Compare(a.TS, b.TS) })
		st.Messages[id] = msgs
	}
	if h, ok := s.homes[me]; ok {
		st.Home = append(json.RawMessage(nil), h.Blocks...)
	}
	for _, id := range s.vorder {
		if v := s.views[id]; v.open && v.User == me {
			st.Views = append(st.Views, uiView{ID: v.ID, CallbackID: v.CallbackID, Title: v.Title,
				Submit: v.Submit, Close: v.Close, Blocks: v.Blocks})
		}
	}
	return st
}

// serveUIEvents streams Server-Sent Events: one "change" event, carrying the
// Version, after state changes (at most ten a second), and a comment every 15 s
// to keep the connection alive. It ends when the client goes or the Server closes.
func (s *Server) serveUIEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "slacktest: streaming unsupported", http.StatusInternalServerError)
		return
	}
	changes, stop := s.Subscribe()
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	send := func() bool {
		_, err := fmt.Fprintf(w, "event: change\ndata: %d\n\n", s.Version())
		flusher.Flush()
		return err == nil
	}
	if _, err := io.WriteString(w, "retry: 1000\n\n"); err != nil || !send() {
		return
	}
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-keepAlive.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
		case <-changes:
			if !send() {
				return
			}
			select { // fold a burst of changes into one event
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails
}
