package slacktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// uiRequest is the body of every UI action.
type uiRequest struct {
	User       string                       `json:"user"`
	Channel    string                       `json:"channel"`
	ThreadTS   string                       `json:"thread_ts"`
	Text       string                       `json:"text"`
	TS         string                       `json:"ts"`
	ActionID   string                       `json:"action_id"`
	Value      string                       `json:"value"`
	CallbackID string                       `json:"callback_id"`
	ViewID     string                       `json:"view_id"`
	Values     map[string]map[string]string `json:"values"`
}

// errBadRequest marks a UI request that names nothing valid.
var errBadRequest = errors.New("bad request")

// uiAction turns an action into a handler: the JSON body in; {"ok":true}, or
// {"ok":false,"error":…} with 400 for a bad request and 502 when the app did
// not answer, out.
func uiAction(act func(uiRequest) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req uiRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "read request: " + err.Error()})
			return
		}
		if err := act(req); err != nil {
			status := http.StatusBadGateway
			if errors.Is(err, errBadRequest) {
				status = http.StatusBadRequest
			}
			writeJSON(w, status, map[string]any{"ok": false, "error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	})
}

// uiSend runs what a person typed in the composer: a slash command ("/unban
// …"), or a message posted as them.
func (s *Server) uiSend(req uiRequest) error {
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return fmt.Errorf("%w: nothing to send", errBadRequest)
	}
	if !strings.HasPrefix(text, "/") {
		if _, err := s.Say(req.User, req.Channel, req.ThreadTS, s.typed(text, true)); err != nil {
			return fmt.Errorf("%w: %w", errBadRequest, err)
		}
		return nil
	}
	if req.ThreadTS != "" {
		return fmt.Errorf("%w: slash commands typed in a thread never reach an app (Slack's rule)", errBadRequest)
	}
	command, args, _ := strings.Cut(text, " ")
	if i := strings.IndexAny(command, "\t\n"); i >= 0 {
		command, args = text[:i], text[i+1:]
	}
	if err := s.knows(req.User, req.Channel); err != nil {
		return err
	}
	s.mu.Lock()
	mentions := slices.Contains(s.ui.EscapeCommands, command)
	s.mu.Unlock()
	args = s.typed(strings.TrimLeft(args, " \t\n"), mentions)
	return ackErr(s.SlashCommand(req.User, req.Channel, command, args))
}

func (s *Server) uiClick(req uiRequest) error {
	if err := s.knows(req.User, req.Channel); err != nil {
		return err
	}
	return ackErr(s.Click(req.User, req.Channel, req.TS, req.ActionID, req.Value))
}

func (s *Server) uiSubmit(req uiRequest) error {
	if err := s.knows(req.User, ""); err != nil {
		return err
	}
	return ackErr(s.SubmitView(req.User, req.CallbackID, req.Values))
}

func (s *Server) uiClose(req uiRequest) error {
	if err := s.CloseView(req.User, req.ViewID); err != nil {
		return fmt.Errorf("%w: %w", errBadRequest, err)
	}
	return nil
}

// typed is what Slack sends of text a person typed: &, < and > entity-escaped and, when mentions
// is set, "@name" of a member of the workspace turned into "<@ID|name>".
func (s *Server) typed(text string, mentions bool) string {
	text = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
	if !mentions {
		return text
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := map[string]string{}
	for _, u := range s.users {
		ids[u.name] = u.id
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if prev, _ := utf8.DecodeLastRuneInString(text[:i]); text[i] != '@' || i > 0 && !unicode.IsSpace(prev) {
			b.WriteByte(text[i])
			continue
		}
		end := i + 1
		for end < len(text) && isNameByte(text[end]) {
			end++
		}
		if id, ok := ids[text[i+1:end]]; ok && end > i+1 {
			b.WriteString("<@" + id + "|" + text[i+1:end] + ">")
			i = end - 1
			continue
		}
		b.WriteByte(text[i])
	}
	return b.String()
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// knows checks that the person (and the channel, unless "") exist, so that a
// mistake in the UI reads as a bad request, not as the app failing.
func (s *Server) knows(userID, channelID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; !ok || u.bot {
		return fmt.Errorf("%w: no such person %q", errBadRequest, userID)
	}
	if _, ok := s.channels[channelID]; channelID != "" && !ok {
		return fmt.Errorf("%w: no such channel %q", errBadRequest, channelID)
	}
	return nil
}

// ackErr is an input method's error, said for the person in the UI. What the
// ack carried is already recorded where the person sees it.
func ackErr(_ Ack, err error) error {
	if err != nil {
		return fmt.Errorf("the app did not acknowledge: %w", err)
	}
	return nil
}
