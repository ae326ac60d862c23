package slacktest

import (
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// params are a request's arguments, form-encoded or JSON.
type params struct {
	form url.Values
	json map[string]json.RawMessage
}

func (p params) has(k string) bool {
	if p.json != nil {
		_, ok := p.json[k]
		return ok
	}
	_, ok := p.form[k]
	return ok
}

// get returns a string argument; a JSON non-string comes back as its JSON text.
func (p params) get(k string) string {
	if p.json == nil {
		return p.form.Get(k)
	}
	raw := p.json[k]
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// raw returns a JSON-valued argument (a form field holding JSON, or a JSON member).
func (p params) raw(k string) json.RawMessage {
	if p.json == nil {
		if v := p.form.Get(k); v != "" {
			return json.RawMessage(v)
		}
		return nil
	}
	var s string
	if json.Unmarshal(p.json[k], &s) == nil {
		return json.RawMessage(s) // some clients send JSON as a string
	}
	return p.json[k]
}

// answer is a Web API answer.
type answer struct {
	status     int
	retryAfter time.Duration
	code       string         // "" when ok
	fields     map[string]any // merged into {"ok":true}
}

// serveAPI answers /api/<method>. Tokens are accepted as Authorization: Bearer
// or as a token= argument, as slack-go sends them.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	p, err := readParams(r)
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" && err == nil {
		token = p.get("token")
	}

	s.mu.Lock()
	var rep answer
	if err != nil {
		rep = answer{status: http.StatusOK, code: "invalid_form_data"}
	} else {
		rep = s.callLocked(method, token, p)
	}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	s.calls = append(s.calls, Call{Method: method, Status: rep.status, Error: rep.code})
	s.notifyLocked()
	s.mu.Unlock()

	body := map[string]any{"ok": rep.code == ""}
	if rep.code != "" {
		body["error"] = rep.code
	}
	maps.Copy(body, rep.fields)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if rep.status == http.StatusTooManyRequests {
		secs := int64((rep.retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	w.WriteHeader(rep.status)
	_ = json.NewEncoder(w).Encode(body)
}

func readParams(r *http.Request) (params, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			return params{}, err
		}
		p := params{json: map[string]json.RawMessage{}}
		if len(strings.TrimSpace(string(b))) == 0 {
			return p, nil
		}
		return p, json.Unmarshal(b, &p.json)
	}
	if err := r.ParseForm(); err != nil {
		return params{}, err
	}
	return params{form: r.Form}, nil
}

// callLocked checks the token, applies queued faults and runs the method.
func (s *Server) callLocked(method, token string, p params) answer {
	want, other := s.opts.BotToken, s.opts.AppToken
	if method == "apps.connections.open" {
		want, other = other, want
	}
	switch token {
	case want:
	case "":
		return answer{code: "not_authed"}
	case other:
		return answer{code: "not_allowed_token_type"}
	default:
		return answer{code: "invalid_auth"}
	}
	if q := s.faults[method]; len(q) > 0 {
		f := q[0]
		s.faults[method] = q[1:]
		if f.limited {
			return answer{status: http.StatusTooManyRequests, retryAfter: f.retryAfter, code: "ratelimited"}
		}
		return answer{code: f.code}
	}

	var fields map[string]any
	var code string
	switch method {
	case "apps.connections.open":
		fields = s.openConnectionLocked()
	case "auth.test":
		fields = map[string]any{
			"url": "https://" + s.opts.TeamDomain + ".slack.com/", "team": s.opts.TeamDomain,
			"user": s.opts.BotName, "team_id": s.opts.TeamID, "user_id": s.opts.BotUserID,
			"bot_id": s.opts.BotID, "is_enterprise_install": false,
		}
	case "chat.postMessage":
		fields, code = s.postMessageLocked(p)
	case "chat.update":
		fields, code = s.updateLocked(p)
	case "chat.delete":
		fields, code = s.deleteMessageLocked(p)
	case "chat.postEphemeral":
		fields, code = s.postEphemeralLocked(p)
	case "conversations.open":
		fields, code = s.conversationsOpenLocked(p)
	case "conversations.info":
		fields, code = s.conversationsInfoLocked(p)
	case "conversations.replies":
		fields, code = s.repliesLocked(p)
	case "users.info":
		u, ok := s.users[p.get("user")]
		if !ok {
			return answer{code: "user_not_found"}
		}
		fields = map[string]any{"user": s.userJSON(u)}
	case "views.open", "views.push":
		var v any
		v, code = s.viewsOpenLocked(p)
		fields, _ = v.(map[string]any)
	case "views.publish": // home.go
		fields, code = s.viewsPublishLocked(p)
	case "views.update":
		var v any
		v, code = s.viewsUpdateLocked(p)
		fields, _ = v.(map[string]any)
	default:
		code = "unknown_method"
	}
	if code != "" {
		return answer{code: code}
	}
	return answer{fields: fields}
}

// channelLocked resolves a channel argument: a channel or DM ID, a channel name
// ("#name" or "name"), or a user ID (their DM with the bot).
func (s *Server) channelLocked(arg string) (*channel, string) {
	if ch, ok := s.channels[arg]; ok {
		return ch, ""
	}
	if u, ok := s.users[arg]; ok && !u.bot {
		ch, _ := s.dmLocked(arg)
		return ch, ""
	}
	name := strings.TrimPrefix(arg, "#")
	for _, id := range s.corder {
		if ch := s.channels[id]; !ch.im && ch.name == name && name != "" {
			return ch, ""
		}
	}
	return nil, "channel_not_found"
}

func (s *Server) botIn(ch *channel) bool { return ch.im || ch.members[s.opts.BotUserID] }

func (s *Server) postMessageLocked(p params) (map[string]any, string) {
	ch, code := s.channelLocked(p.get("channel"))
	if code != "" {
		return nil, code
	}
	if !s.botIn(ch) {
		return nil, "not_in_channel"
	}
	text, blocks := p.get("text"), nullToNil(p.raw("blocks"))
	if code := checkMessage(text, blocks, blocks != nil); code != "" {
		return nil, code
	}
	m, code := s.postLocked(ch, s.opts.BotUserID, p.get("thread_ts"), text, blocks, "chat.postMessage")
	if code != "" {
		return nil, code
	}
	return map[string]any{"channel": ch.id, "ts": m.TS, "message": s.msgJSON(m)}, ""
}

func (s *Server) updateLocked(p params) (map[string]any, string) {
	ch, ok := s.channels[p.get("channel")]
	if !ok {
		return nil, "channel_not_found"
	}
	m := findMsg(ch, p.get("ts"))
	if m == nil {
		return nil, "message_not_found"
	}
	if m.User != s.opts.BotUserID {
		return nil, "cant_update_message"
	}
	text, blocks := m.Text, m.Blocks
	if p.has("text") {
		text = p.get("text")
	}
	if p.has("blocks") {
		blocks = nullToNil(p.raw("blocks"))
	}
	if code := checkMessage(text, blocks, blocks != nil); code != "" {
		return nil, code
	}
	if strings.TrimSpace(string(blocks)) == "[]" {
		blocks = nil
	}
	m.Text, m.Blocks, m.Edited = text, blocks, true
	s.notifyLocked()
	return map[string]any{"channel": ch.id, "ts": m.TS, "text": m.Text, "message": s.msgJSON(m)}, ""
}

func (s *Server) deleteMessageLocked(p params) (map[string]any, string) {
	ch, ok := s.channels[p.get("channel")]
	if !ok {
		return nil, "channel_not_found"
	}
	m := findMsg(ch, p.get("ts"))
	if m == nil {
		return nil, "message_not_found"
	}
	if m.User != s.opts.BotUserID {
		return nil, "cant_delete_message"
	}
	ch.msgs = removeMsg(ch.msgs, m)
	s.notifyLocked()
	return map[string]any{"channel": ch.id, "ts": m.TS}, ""
}

func (s *Server) postEphemeralLocked(p params) (map[string]any, string) {
	ch, code := s.channelLocked(p.get("channel"))
	if code != "" {
		return nil, code
	}
	userID := p.get("user")
	if _, ok := s.users[userID]; !ok {
		return nil, "user_not_found"
	}
	if !s.botIn(ch) {
		return nil, "not_in_channel"
	}
	if !ch.members[userID] {
		return nil, "user_not_in_channel"
	}
	text, blocks := p.get("text"), nullToNil(p.raw("blocks"))
	if code := checkMessage(text, blocks, blocks != nil); code != "" {
		return nil, code
	}
	m := s.reply(userID, ch.id, false, "", text, blocks, "chat.postEphemeral")
	m.ThreadTS = p.get("thread_ts")
	return map[string]any{"message_ts": m.TS}, ""
}

func (s *Server) conversationsOpenLocked(p params) (map[string]any, string) {
	if id := p.get("channel"); id != "" {
		ch, ok := s.channels[id]
		if !ok {
			return nil, "channel_not_found"
		}
		return map[string]any{"channel": map[string]any{"id": ch.id}, "no_op": true, "already_open": true}, ""
	}
	users := strings.Split(p.get("users"), ",")
	switch {
	case p.get("users") == "":
		return nil, "users_list_not_supplied"
	case len(users) > 1:
		return nil, "mpim_not_supported" // the fake opens DMs with one person only
	}
	_, already := s.dms[users[0]]
	ch, err := s.dmLocked(users[0])
	if err != nil {
		return nil, "user_not_found"
	}
	if !already {
		s.notifyLocked()
	}
	return map[string]any{"channel": map[string]any{"id": ch.id}, "no_op": already, "already_open": already}, ""
}

func (s *Server) conversationsInfoLocked(p params) (map[string]any, string) {
	ch, ok := s.channels[p.get("channel")]
	if !ok {
		return nil, "channel_not_found"
	}
	c := map[string]any{"id": ch.id, "name": ch.name, "is_channel": !ch.im, "is_im": ch.im, "is_member": s.botIn(ch)}
	if ch.im {
		c["user"] = ch.imUser
	}
	return map[string]any{"channel": c}, ""
}

func (s *Server) repliesLocked(p params) (map[string]any, string) {
	ch, ok := s.channels[p.get("channel")]
	if !ok {
		return nil, "channel_not_found"
	}
	if !s.botIn(ch) {
		return nil, "not_in_channel"
	}
	root := findMsg(ch, p.get("ts"))
	if root == nil {
		return nil, "thread_not_found"
	}
	if root.ThreadTS != "" {
		root = findMsg(ch, root.ThreadTS)
	}
	msgs := []any{s.msgJSON(root)}
	for _, m := range ch.msgs {
		if m.ThreadTS == root.TS {
			msgs = append(msgs, s.msgJSON(m))
		}
	}
	return map[string]any{"messages": msgs, "has_more": false, "response_metadata": map[string]any{"next_cursor": ""}}, ""
}

// msgJSON is a message as the Web API returns it.
func (s *Server) msgJSON(m *Message) map[string]any {
	j := map[string]any{"type": "message", "user": m.User, "text": m.Text, "ts": m.TS, "team": s.opts.TeamID}
	if m.ThreadTS != "" {
		j["thread_ts"] = m.ThreadTS
	}
	if len(m.Blocks) > 0 {
		j["blocks"] = m.Blocks
	}
	if m.User == s.opts.BotUserID {
		j["bot_id"] = s.opts.BotID
		j["app_id"] = s.opts.AppID
	}
	if m.Edited {
		j["edited"] = map[string]any{"user": m.User, "ts": m.TS}
	}
	return j
}

func (s *Server) userJSON(u *user) map[string]any {
	display, real := u.name, u.name
	if u.profile != nil {
		display, real = u.profile.displayName, u.profile.realName
	}
	return map[string]any{
		"id": u.id, "team_id": s.opts.TeamID, "name": u.name, "real_name": real,
		"deleted": false, "is_bot": u.bot, "tz": "UTC",
		"profile": map[string]any{
			"real_name": real, "display_name": display,
			"real_name_normalized": real, "display_name_normalized": display,
		},
	}
}
