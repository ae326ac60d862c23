package slacktest

import (
	"encoding/json"
	"fmt"
)

// The App Home tab: an app publishes each person's Home view with views.publish (user_id and a
// view of type "home", at most 100 blocks); Slack sends app_home_opened (AppHomeOpened) when a
// person opens the tab, and a button on it arrives as block_actions with a "view" container and
// the view, but no response_url and no channel (ClickHome).

// maxViewBlocks is Slack's limit of blocks in a modal or Home view.
const maxViewBlocks = 100

// maxViewBytes is the most JSON this Server accepts as one published view. Slack documents no
// figure for it; 250 kB is far above what 100 blocks within their own limits can hold.
const maxViewBytes = 250_000

// HomeView is a person's published Home tab.
type HomeView struct {
	ID      string
	User    string
	Blocks  json.RawMessage
	Hash    string
	Publish int // how many times the app published it
}

// Buttons returns the Home view's buttons in block order.
func (h HomeView) Buttons() []Button { return Message{Blocks: h.Blocks}.Buttons() }

// Home returns the Home view the app published for userID, if any.
func (s *Server) Home(userID string) (HomeView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.homes[userID]
	if !ok {
		return HomeView{}, false
	}
	c := *h
	c.Blocks = append(json.RawMessage(nil), h.Blocks...)
	return c, true
}

// viewsPublishLocked implements views.publish as Slack checks it: a known user_id, a view of
// type "home" with valid blocks (at most 100), within maxViewBytes; a hash, when given, must be
// the current view's.
func (s *Server) viewsPublishLocked(p params) (map[string]any, string) {
	user := p.get("user_id")
	if user == "" {
		return nil, "invalid_arguments"
	}
	u, ok := s.users[user]
	if !ok || u.bot {
		return nil, "user_not_found"
	}
	raw := p.raw("view")
	if len(raw) > maxViewBytes {
		return nil, "view_too_large"
	}
	var v struct {
		Type   string          `json:"type"`
		Blocks json.RawMessage `json:"blocks"`
	}
	var blocks []json.RawMessage
	if json.Unmarshal(raw, &v) != nil || v.Type != "home" || json.Unmarshal(v.Blocks, &blocks) != nil || len(blocks) > maxViewBlocks {
		return nil, "invalid_arguments"
	}
	if s.homes == nil {
		s.homes = map[string]*HomeView{}
	}
	h, ok := s.homes[user]
	if hash := p.get("hash"); hash != "" && (!ok || hash != h.Hash) {
		return nil, "hash_conflict"
	}
	if !ok {
		h = &HomeView{ID: fmt.Sprintf("V%08d", s.nextIDLocked()), User: user}
		s.homes[user] = h
	}
	h.Blocks = append(json.RawMessage(nil), v.Blocks...)
	h.Publish++
	h.Hash = fmt.Sprintf("%s.%d", h.ID, h.Publish)
	s.notifyLocked()
	return map[string]any{"view": s.homeJSON(h)}, ""
}

// homeJSON is a Home view as Slack returns it and puts it in block_actions payloads.
func (s *Server) homeJSON(h *HomeView) map[string]any {
	blocks := h.Blocks
	if len(blocks) == 0 {
		blocks = json.RawMessage("[]")
	}
	return map[string]any{
		"id": h.ID, "team_id": s.opts.TeamID, "type": "home", "blocks": blocks,
		"private_metadata": "", "callback_id": "", "external_id": "",
		"state": map[string]any{"values": map[string]any{}}, "hash": h.Hash,
		"app_id": s.opts.AppID, "bot_id": s.opts.BotID, "root_view_id": h.ID,
	}
}

// ClickHome sends a block_actions envelope as if userID clicked the button with actionID (and
// value, unless "") on their Home tab: the container is the view, the payload carries the view
// and a trigger_id, and, as on Slack, no response_url and no channel. It fails when the app has
// not published a Home view for userID or the view has no such button.
func (s *Server) ClickHome(userID, actionID, value string, opts ...InputOption) (Ack, error) {
	in := s.input(opts)
	s.mu.Lock()
	u, ok := s.users[userID]
	h := s.homes[userID]
	if !ok || h == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("click on the Home tab of %s: no Home view published", userID)
	}
	btn := findButton(h.Buttons(), actionID, value)
	if btn == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("click on the Home tab of %s: no button %q with value %q", userID, actionID, value)
	}
	action := s.buttonActionLocked(btn)
	p := map[string]any{
		"type": "block_actions", "token": verificationToken, "api_app_id": in.app,
		"user":       map[string]any{"id": u.id, "username": u.name, "name": u.name, "team_id": in.team},
		"team":       map[string]any{"id": in.team, "domain": s.opts.TeamDomain},
		"container":  map[string]any{"type": "view", "view_id": h.ID},
		"trigger_id": s.newTriggerLocked(userID), "view": s.homeJSON(h),
		"state": map[string]any{"values": map[string]any{}}, "actions": []any{action},
		"enterprise": enterprise(in), "is_enterprise_install": false,
	}
	env, err := s.envelopeLocked("interactive", "block_actions", false, p)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	env.user = userID
	s.mu.Unlock()
	return s.push(env)
}

// uiHomeOpen opens the app's Home tab for the person in the UI (app_home_opened).
func (s *Server) uiHomeOpen(req uiRequest) error {
	if err := s.knows(req.User, ""); err != nil {
		return err
	}
	return ackErr(s.AppHomeOpened(req.User))
}

// uiHomeClick clicks a button on the person's Home tab.
func (s *Server) uiHomeClick(req uiRequest) error {
	if err := s.knows(req.User, ""); err != nil {
		return err
	}
	return ackErr(s.ClickHome(req.User, req.ActionID, req.Value))
}
