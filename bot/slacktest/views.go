package slacktest

import (
	"encoding/json"
	"fmt"
	"time"
)

// triggerTTL is how long a trigger_id may open a view.
const triggerTTL = 3 * time.Second

// View is a modal open in front of a person.
type View struct {
	ID              string
	User            string
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	Title           string
	Submit          string // the submit button's label; "" when the modal has none
	Close           string // the close button's label; "" for Slack's default ("Cancel")
	Blocks          json.RawMessage
}

type view struct {
	View
	open bool
}

// trigger is an issued trigger_id: one views.open within 3 s.
type trigger struct {
	user   string
	issued time.Time
	used   bool
}

// Views returns the modals open in front of userID, oldest (bottom of the stack) first.
func (s *Server) Views(userID string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []View
	for _, id := range s.vorder {
		if v := s.views[id]; v.open && v.User == userID {
			c := v.View
			c.Blocks = append(json.RawMessage(nil), v.Blocks...)
			out = append(out, c)
		}
	}
	return out
}

// newTriggerLocked issues a trigger_id for user.
func (s *Server) newTriggerLocked(user string) string {
	now := s.opts.Now()
	id := fmt.Sprintf("%d.%d.%x", s.nextIDLocked(), now.Unix(), now.UnixNano())
	s.triggers[id] = &trigger{user: user, issued: now}
	return id
}

// modal is a view as apps send it in views.open, views.push and views.update.
type modal struct {
	Type  string `json:"type"`
	Title struct {
		Text string `json:"text"`
	} `json:"title"`
	Submit struct {
		Text string `json:"text"`
	} `json:"submit"`
	Close struct {
		Text string `json:"text"`
	} `json:"close"`
	Blocks          json.RawMessage `json:"blocks"`
	PrivateMetadata string          `json:"private_metadata"`
	CallbackID      string          `json:"callback_id"`
	ExternalID      string          `json:"external_id"`
}

func (m modal) check() string {
	var blocks []json.RawMessage
	if m.Type != "modal" || m.Title.Text == "" || json.Unmarshal(m.Blocks, &blocks) != nil || len(blocks) > 100 {
		return "invalid_arguments"
	}
	return ""
}

// viewsOpenLocked implements views.open and views.push.
func (s *Server) viewsOpenLocked(p params) (any, string) {
	tr, ok := s.triggers[p.get("trigger_id")]
	switch {
	case !ok:
		return nil, "invalid_trigger_id"
	case tr.used:
		return nil, "exchanged_trigger_id"
	case s.opts.Now().Sub(tr.issued) > triggerTTL:
		return nil, "expired_trigger_id"
	}
	var m modal
	if err := json.Unmarshal(p.raw("view"), &m); err != nil {
		return nil, "invalid_arguments"
	}
	if code := m.check(); code != "" {
		return nil, code
	}
	tr.used = true
	v := &view{open: true, View: View{ID: fmt.Sprintf("V%08d", s.nextIDLocked()), User: tr.user}}
	v.set(m)
	s.views[v.ID] = v
	s.vorder = append(s.vorder, v.ID)
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v)}, ""
}

// viewsUpdateLocked implements views.update.
func (s *Server) viewsUpdateLocked(p params) (any, string) {
	var v *view
	if id := p.get("view_id"); id != "" {
		v = s.views[id]
	} else if ext := p.get("external_id"); ext != "" {
		for _, x := range s.views {
			if x.ExternalID == ext {
				v = x
			}
		}
	}
	if v == nil || !v.open {
		return nil, "not_found"
	}
	var m modal
	if err := json.Unmarshal(p.raw("view"), &m); err != nil {
		return nil, "invalid_arguments"
	}
	if code := m.check(); code != "" {
		return nil, code
	}
	v.set(m)
	s.notifyLocked()
	return map[string]any{"view": s.viewJSON(v)}, ""
}

func (v *view) set(m modal) {
	v.CallbackID, v.PrivateMetadata, v.ExternalID, v.Title = m.CallbackID, m.PrivateMetadata, m.ExternalID, m.Title.Text
	v.Submit, v.Close = m.Submit.Text, m.Close.Text
	v.Blocks = append(json.RawMessage(nil), m.Blocks...)
}

// viewJSON is a view as Slack returns it and puts it in view_submission payloads.
func (s *Server) viewJSON(v *view) map[string]any {
	blocks := v.Blocks
	if len(blocks) == 0 {
		blocks = json.RawMessage("[]")
	}
	return map[string]any{
		"id":               v.ID,
		"team_id":          s.opts.TeamID,
		"type":             "modal",
		"title":            map[string]any{"type": "plain_text", "text": v.Title},
		"blocks":           blocks,
		"private_metadata": v.PrivateMetadata,
		"callback_id":      v.CallbackID,
		"external_id":      v.ExternalID,
		"state":            map[string]any{"values": map[string]any{}},
		"hash":             fmt.Sprintf("%s.hash", v.ID),
		"app_id":           s.opts.AppID,
		"bot_id":           s.opts.BotID,
		"root_view_id":     v.ID,
	}
}

// openViewLocked returns userID's newest open view with callbackID.
func (s *Server) openViewLocked(userID, callbackID string) *view {
	for i := len(s.vorder) - 1; i >= 0; i-- {
		if v := s.views[s.vorder[i]]; v.open && v.User == userID && v.CallbackID == callbackID {
			return v
		}
	}
	return nil
}

func (s *Server) closeViewLocked(id string) {
	if v, ok := s.views[id]; ok {
		v.open = false
	}
}

// applyViewResponseLocked acts on a view_submission ack's response_action.
func (s *Server) applyViewResponseLocked(env *envelope, payload json.RawMessage) {
	var r struct {
		ResponseAction string          `json:"response_action"`
		View           json.RawMessage `json:"view"`
	}
	_ = json.Unmarshal(payload, &r) // a payload we cannot read closes the view, as Slack does
	var m modal
	switch r.ResponseAction {
	case "errors":
		return // the view stays open, showing the errors
	case "update":
		if json.Unmarshal(r.View, &m) == nil && m.check() == "" {
			s.views[env.view].set(m)
			return
		}
	case "push":
		if json.Unmarshal(r.View, &m) == nil && m.check() == "" {
			v := &view{open: true, View: View{ID: fmt.Sprintf("V%08d", s.nextIDLocked()), User: env.user}}
			v.set(m)
			s.views[v.ID] = v
			s.vorder = append(s.vorder, v.ID)
			return
		}
	case "clear":
		for _, v := range s.views {
			if v.User == env.user {
				v.open = false
			}
		}
		return
	}
	s.closeViewLocked(env.view)
}

// CloseView dismisses userID's open modal viewID, as its close button does.
// Slack tells the app only when the view asked for notify_on_close; this
// Server never does.
func (s *Server) CloseView(userID, viewID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.views[viewID]
	if !ok || !v.open || v.User != userID {
		return fmt.Errorf("close view %s by %s: no such open view", viewID, userID)
	}
	v.open = false
	s.notifyLocked()
	return nil
}
