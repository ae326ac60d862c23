package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Slack's response_url limits.
const (
	responseURLTTL   = 30 * time.Minute
	responseURLPosts = 5
)

// responseURL is the state behind one response_url.
type responseURL struct {
	id      string
	user    string // who acted: ephemeral posts are theirs
	channel string
	issued  time.Time
	posts   int

	// original is what replace_original and delete_original act on: the clicked
	// message for a block action, the latest ephemeral reply for a slash command.
	original  *Message
	ephemeral bool // original lives in Server.ephemerals[user]
	command   bool // a slash command's: each ephemeral reply becomes the original
}

// newResponseURLLocked issues a response_url for user's action in channelID.
// original is nil for a slash command.
func (s *Server) newResponseURLLocked(user, channelID string, original *Message, ephemeral bool) *responseURL {
	id := fmt.Sprintf("%s/%d/%d", s.opts.TeamID, s.nextIDLocked(), s.opts.Now().UnixNano())
	ru := &responseURL{id: id, user: user, channel: channelID, issued: s.opts.Now(),
		original: original, ephemeral: ephemeral, command: original == nil}
	s.responses[id] = ru
	return ru
}

func (s *Server) responseURL(ru *responseURL) string { return s.base + "response/" + ru.id }

// serveResponse takes posts to a response_url, with Slack's 30-minute and
// 5-post limits.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/response/")

	s.mu.Lock()
	defer s.mu.Unlock()
	status, code := s.respondLocked(id, body)
	s.calls = append(s.calls, Call{Method: "response_url", Status: status, Error: code})
	s.notifyLocked()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if code == "" {
		_, _ = io.WriteString(w, `{"ok":true}`)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
}

// respondLocked applies one response_url post; it returns the HTTP status and
// the Slack error code ("" when ok).
func (s *Server) respondLocked(id string, body []byte) (int, string) {
	ru, ok := s.responses[id]
	switch {
	case !ok:
		return http.StatusNotFound, "no_such_url"
	case s.opts.Now().Sub(ru.issued) > responseURLTTL:
		return http.StatusNotFound, "expired_url"
	case ru.posts >= responseURLPosts:
		return http.StatusNotFound, "used_url"
	}
	var p struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		ThreadTS        string          `json:"thread_ts"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return http.StatusBadRequest, "invalid_payload"
	}
	blocks := nullToNil(p.Blocks)

	if p.DeleteOriginal {
		if ru.original == nil {
			return http.StatusNotFound, "message_not_found"
		}
		s.deleteLocked(ru)
		ru.posts++
		return http.StatusOK, ""
	}
	if code := checkMessage(p.Text, blocks, blocks != nil); code != "" {
		return http.StatusBadRequest, code
	}
	ru.posts++
	if p.ReplaceOriginal {
		if ru.original == nil {
			return http.StatusNotFound, "message_not_found"
		}
		ru.original.Text, ru.original.Blocks, ru.original.Edited = p.Text, blocks, true
		return http.StatusOK, ""
	}
	inChannel := p.ResponseType == "in_channel"
	m := s.reply(ru.user, ru.channel, inChannel, p.ThreadTS, p.Text, blocks, "response_url")
	if !inChannel && ru.command {
		ru.original, ru.ephemeral = m, true
	}
	return http.StatusOK, ""
}

// deleteLocked removes ru's original message from where it lives.
func (s *Server) deleteLocked(ru *responseURL) {
	m := ru.original
	if ru.ephemeral {
		s.ephemerals[ru.user] = removeMsg(s.ephemerals[ru.user], m)
	} else if ch, ok := s.channels[m.Channel]; ok {
		ch.msgs = removeMsg(ch.msgs, m)
	}
	ru.original = nil
}

// applyAckLocked records what an ack payload shows the person who acted.
func (s *Server) applyAckLocked(env *envelope, a Ack) {
	if a.Payload == nil {
		if env.kind == "view_submission" {
			s.closeViewLocked(env.view)
		}
		return
	}
	switch env.kind {
	case "slash_command":
		var p struct {
			Text         string          `json:"text"`
			Blocks       json.RawMessage `json:"blocks"`
			ResponseType string          `json:"response_type"`
		}
		if json.Unmarshal(a.Payload, &p) != nil || (p.Text == "" && len(p.Blocks) == 0) {
			return
		}
		m := s.reply(env.user, env.channel, p.ResponseType == "in_channel", "", p.Text, nullToNil(p.Blocks), "ack")
		if ru := s.responses[env.response]; ru != nil && p.ResponseType != "in_channel" {
			ru.original, ru.ephemeral = m, true
		}
	case "view_submission":
		s.applyViewResponseLocked(env, a.Payload)
	}
}

// reply records a message to user in channelID: ephemeral (only they see it) or
// in the channel, where no membership is needed (ack and response_url replies).
func (s *Server) reply(user, channelID string, inChannel bool, threadTS, text string, blocks []byte, via string) *Message {
	if inChannel {
		if ch, ok := s.channels[channelID]; ok {
			m, _ := s.postLocked(ch, s.opts.BotUserID, threadTS, text, blocks, via)
			return m
		}
	}
	m := &Message{Channel: channelID, TS: s.nextTSLocked(), User: s.opts.BotUserID, Text: text, Blocks: blocks, Via: via}
	s.ephemerals[user] = append(s.ephemerals[user], m)
	s.notifyLocked()
	return m
}

func nullToNil(raw json.RawMessage) []byte {
	if p := strings.TrimSpace(string(raw)); p == "" || p == "null" {
		return nil
	}
	return raw
}
