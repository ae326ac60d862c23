package slacktest

import (
	"encoding/json"
	"fmt"
)

// InputOption changes what a pushed payload claims about where it comes from.
type InputOption func(*input)

type input struct {
	team, app, enterprise string
}

// WithTeamID sets the payload's team ID (default Options.TeamID), to test that
// the app refuses another workspace.
func WithTeamID(id string) InputOption { return func(in *input) { in.team = id } }

// WithAppID sets the payload's api_app_id (default Options.AppID), to test that
// the app refuses payloads meant for another app.
func WithAppID(id string) InputOption { return func(in *input) { in.app = id } }

// WithEnterpriseID sets an Enterprise Grid org ID on the payload (default none).
func WithEnterpriseID(id string) InputOption { return func(in *input) { in.enterprise = id } }

func (s *Server) input(opts []InputOption) input {
	in := input{team: s.opts.TeamID, app: s.opts.AppID}
	for _, o := range opts {
		o(&in)
	}
	return in
}

// verificationToken is the deprecated token field of payloads; apps ignore it.
const verificationToken = "slacktest-verification-token"

// SlashCommand sends a slash_commands envelope as if userID typed "command
// text" in channelID (a channel, or a DM ID from DMChannel) and waits for its
// ack. The payload has a fresh trigger_id and a response_url served by this
// Server. An ack payload with text or blocks is recorded as the invoker's
// ephemeral reply (or in the channel when its response_type is "in_channel").
func (s *Server) SlashCommand(userID, channelID, command, text string, opts ...InputOption) (Ack, error) {
	in := s.input(opts)
	s.mu.Lock()
	u, ok := s.users[userID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slash command by %s: no such user", userID)
	}
	ch, ok := s.channels[channelID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slash command in %s: no such channel", channelID)
	}
	ru := s.newResponseURLLocked(userID, channelID, nil, false)
	p := map[string]any{
		"token": verificationToken, "team_id": in.team, "team_domain": s.opts.TeamDomain,
		"channel_id": ch.id, "channel_name": channelName(ch), "user_id": u.id, "user_name": u.name,
		"command": command, "text": text, "api_app_id": in.app, "is_enterprise_install": "false",
		"response_url": s.responseURL(ru), "trigger_id": s.newTriggerLocked(userID),
	}
	if in.enterprise != "" {
		p["enterprise_id"], p["enterprise_name"] = in.enterprise, in.enterprise
	}
	env, err := s.envelopeLocked("slash_commands", "slash_command", true, p)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	env.user, env.channel, env.response = userID, channelID, ru.id
	s.mu.Unlock()
	return s.push(env)
}

// Click sends a block_actions envelope as if userID clicked the button with
// actionID (and value, unless value is "") on the message at messageTS in
// channelID, or on an ephemeral message userID saw there. The button's block_id,
// the message, the container, a trigger_id and a response_url (whose
// replace_original and delete_original act on that message) go in the payload.
// It fails when the message has no such button.
func (s *Server) Click(userID, channelID, messageTS, actionID, value string, opts ...InputOption) (Ack, error) {
	in := s.input(opts)
	s.mu.Lock()
	u, ok := s.users[userID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("click by %s: no such user", userID)
	}
	ch, ok := s.channels[channelID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("click in %s: no such channel", channelID)
	}
	m, ephemeral := findMsg(ch, messageTS), false
	if m == nil {
		for _, e := range s.ephemerals[userID] {
			if e.Channel == channelID && e.TS == messageTS {
				m, ephemeral = e, true
			}
		}
	}
	if m == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("click in %s: no message %s", channelID, messageTS)
	}
	btn := findButton(m.Buttons(), actionID, value)
	if btn == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("click in %s on %s: no button %q with value %q", channelID, messageTS, actionID, value)
	}

	ru := s.newResponseURLLocked(userID, channelID, m, ephemeral)
	container := map[string]any{"type": "message", "message_ts": m.TS, "channel_id": ch.id, "is_ephemeral": ephemeral}
	if m.ThreadTS != "" {
		container["thread_ts"] = m.ThreadTS
	}
	action := s.buttonActionLocked(btn)
	p := map[string]any{
		"type": "block_actions", "token": verificationToken, "api_app_id": in.app,
		"user":      map[string]any{"id": u.id, "username": u.name, "name": u.name, "team_id": in.team},
		"team":      map[string]any{"id": in.team, "domain": s.opts.TeamDomain},
		"container": container, "trigger_id": s.newTriggerLocked(userID),
		"channel":      map[string]any{"id": ch.id, "name": channelName(ch)},
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": s.responseURL(ru), "actions": []any{action},
		"enterprise": enterprise(in), "is_enterprise_install": false,
	}
	if !ephemeral {
		p["message"] = s.msgJSON(m)
	}
	env, err := s.envelopeLocked("interactive", "block_actions", false, p)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	env.user, env.channel, env.response = userID, channelID, ru.id
	s.mu.Unlock()
	return s.push(env)
}

// SubmitView sends a view_submission envelope for userID's newest open modal
// with callbackID (opened by the app with views.open), with its private_metadata
// and values as typed: block_id → action_id → text of a plain_text_input. The
// ack's response_action decides what happens to the modal: none or "clear"
// closes it, "errors" keeps it open, "update" and "push" change it (see Views).
func (s *Server) SubmitView(userID, callbackID string, values map[string]map[string]string, opts ...InputOption) (Ack, error) {
	in := s.input(opts)
	s.mu.Lock()
	u, ok := s.users[userID]
	v := s.openViewLocked(userID, callbackID)
	if !ok || v == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("submit view %q by %s: no such open view", callbackID, userID)
	}
	state := map[string]any{}
	for block, actions := range values {
		a := map[string]any{}
		for id, text := range actions {
			a[id] = map[string]any{"type": "plain_text_input", "value": text}
		}
		state[block] = a
	}
	vj := s.viewJSON(v)
	vj["state"] = map[string]any{"values": state}
	p := map[string]any{
		"type": "view_submission", "token": verificationToken, "api_app_id": in.app,
		"team":       map[string]any{"id": in.team, "domain": s.opts.TeamDomain},
		"user":       map[string]any{"id": u.id, "username": u.name, "name": u.name, "team_id": in.team},
		"trigger_id": s.newTriggerLocked(userID), "view": vj, "response_urls": []any{},
		"enterprise": enterprise(in), "is_enterprise_install": false,
	}
	env, err := s.envelopeLocked("interactive", "view_submission", true, p)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	env.user, env.view = userID, v.ID
	s.mu.Unlock()
	return s.push(env)
}

// Event sends an events_api envelope wrapping event (the inner event object,
// e.g. map[string]any{"type": "app_home_opened", …}) in an event_callback with a
// fresh event_id, and waits for its ack.
func (s *Server) Event(event any, opts ...InputOption) (Ack, error) {
	raw, err := json.Marshal(event)
	if err != nil {
		return Ack{}, fmt.Errorf("encode event: %w", err)
	}
	in := s.input(opts)
	s.mu.Lock()
	now := s.opts.Now()
	p := map[string]any{
		"token": verificationToken, "team_id": in.team, "api_app_id": in.app,
		"event": json.RawMessage(raw), "type": "event_callback",
		"event_id": fmt.Sprintf("Ev%08d", s.nextIDLocked()), "event_time": now.Unix(),
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": in.team, "user_id": s.opts.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
	}
	if in.enterprise != "" {
		p["enterprise_id"] = in.enterprise
	}
	env, err := s.envelopeLocked("events_api", "event", false, p)
	s.mu.Unlock()
	if err != nil {
		return Ack{}, err
	}
	return s.push(env)
}

// AppHomeOpened sends an app_home_opened event for userID (Home tab).
func (s *Server) AppHomeOpened(userID string, opts ...InputOption) (Ack, error) {
	s.mu.Lock()
	ch, err := s.dmLocked(userID)
	var ts string
	if err == nil {
		ts = s.nextTSLocked()
	}
	s.mu.Unlock()
	if err != nil {
		return Ack{}, err
	}
	return s.Event(map[string]any{"type": "app_home_opened", "user": userID, "channel": ch.id, "tab": "home", "event_ts": ts}, opts...)
}

func (s *Server) envelopeIDLocked() string {
	n := s.nextIDLocked()
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", n, n&0xffff, s.opts.Now().UnixNano()&0xffffffffffff)
}

func (s *Server) envelopeLocked(typ, kind string, accepts bool, payload map[string]any) (*envelope, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", kind, err)
	}
	return &envelope{id: s.envelopeIDLocked(), typ: typ, kind: kind, accepts: accepts, payload: raw}, nil
}

func channelName(ch *channel) string {
	if ch.im {
		return "directmessage"
	}
	return ch.name
}

// findButton is the first of buttons with actionID and, unless value is "", that value; nil if
// there is none.
func findButton(buttons []Button, actionID, value string) *Button {
	for _, b := range buttons {
		if b.ActionID == actionID && (value == "" || b.Value == value) {
			return &b
		}
	}
	return nil
}

// buttonActionLocked is the element of a block_actions payload's actions for a click on btn.
// s.mu must be held.
func (s *Server) buttonActionLocked(btn *Button) map[string]any {
	action := map[string]any{
		"type": "button", "block_id": btn.BlockID, "action_id": btn.ActionID, "value": btn.Value,
		"text": map[string]any{"type": "plain_text", "text": btn.Text, "emoji": true}, "action_ts": s.nextTSLocked(),
	}
	if btn.Style != "" {
		action["style"] = btn.Style
	}
	return action
}

func enterprise(in input) any {
	if in.enterprise == "" {
		return nil
	}
	return map[string]any{"id": in.enterprise, "name": in.enterprise}
}
