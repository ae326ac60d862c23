package slacktest

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"
)

// Message is a message as a person sees it now: a channel message, a thread
// reply, a DM, or something only one person saw (see Server.Ephemeral).
type Message struct {
	Channel    string
	TS         string
	ThreadTS   string          // the root's TS for a thread reply; "" for a root
	User       string          // author: the bot's user ID or a person's
	Text       string          // top-level text (the notification fallback when there are blocks)
	Blocks     json.RawMessage // nil when the message has none
	Edited     bool            // changed by chat.update or a response_url replace_original
	Via        string          // how it came: "chat.postMessage", "chat.postEphemeral", "ack", "response_url", "user"
	ReplyCount int             // replies in its thread (roots in channels and DMs only)
}

// Button is a button element found in a message's blocks.
type Button struct {
	BlockID  string
	ActionID string
	Value    string
	Text     string
	Style    string // "", "primary" or "danger"
	URL      string
}

// Buttons returns the message's buttons in block order.
func (m Message) Buttons() []Button {
	var blocks []map[string]any
	if json.Unmarshal(m.Blocks, &blocks) != nil {
		return nil
	}
	var out []Button
	for _, b := range blocks {
		blockID, _ := b["block_id"].(string)
		var elems []any
		if e, ok := b["elements"].([]any); ok {
			elems = append(elems, e...)
		}
		if a, ok := b["accessory"]; ok {
			elems = append(elems, a)
		}
		for _, e := range elems {
			el, ok := e.(map[string]any)
			if !ok || el["type"] != "button" {
				continue
			}
			btn := Button{BlockID: blockID}
			btn.ActionID, _ = el["action_id"].(string)
			btn.Value, _ = el["value"].(string)
			btn.Style, _ = el["style"].(string)
			btn.URL, _ = el["url"].(string)
			if t, ok := el["text"].(map[string]any); ok {
				btn.Text, _ = t["text"].(string)
			}
			out = append(out, btn)
		}
	}
	return out
}

// ActionIDs returns the action_id of every button, in block order.
func (m Message) ActionIDs() []string {
	var out []string
	for _, b := range m.Buttons() {
		out = append(out, b.ActionID)
	}
	return out
}

// VisibleText returns what a reader sees, one text object a line: the text of
// every block (sections, fields, headers, context, buttons) when the message has
// blocks, otherwise its top-level text.
func (m Message) VisibleText() string {
	if len(m.Blocks) == 0 || bytes.Equal(bytes.TrimSpace(m.Blocks), []byte("[]")) {
		return m.Text
	}
	var v any
	if json.Unmarshal(m.Blocks, &v) != nil {
		return m.Text
	}
	var texts []string
	collectText(v, &texts)
	return strings.Join(texts, "\n")
}

func (m *Message) clone() Message {
	c := *m
	c.Blocks = bytes.Clone(m.Blocks)
	return c
}

// keyOrder lists the keys whose text is read first, in reading order.
var keyOrder = []string{"title", "text", "fields", "elements", "accessory"}

// collectText appends, in reading order, the text of every text object in v.
func collectText(v any, out *[]string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectText(e, out)
		}
	case map[string]any:
		if t, ok := x["text"].(string); ok {
			switch x["type"] {
			case "plain_text", "mrkdwn", "text":
				*out = append(*out, t)
				return
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, rj := rank(keys[i]), rank(keys[j])
			if ri != rj {
				return ri < rj
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			switch k {
			case "confirm", "placeholder", "initial_option", "options", "option_groups":
				continue // not shown until the reader acts
			}
			collectText(x[k], out)
		}
	}
}

func rank(key string) int {
	for i, k := range keyOrder {
		if k == key {
			return i
		}
	}
	return len(keyOrder)
}

// Slack's documented message and Block Kit limits (spec/slack.md §5).
const (
	maxTextChars       = 40000
	maxBlocks          = 50
	maxSectionText     = 3000
	maxFields          = 10
	maxFieldText       = 2000
	maxHeaderText      = 150
	maxContextElements = 10
	maxActionElements  = 25
	maxBlockID         = 255
	maxButtonText      = 75
	maxActionID        = 255
	maxButtonValue     = 2000
	maxButtonURL       = 3000
	maxBlocksTextChars = 12000 // undocumented cumulative limit (msg_blocks_too_long)
)

// checkMessage validates top-level text and blocks the way Slack does for
// chat.postMessage and chat.update; it returns "" or a Slack error code.
func checkMessage(text string, blocks []byte, haveBlocks bool) string {
	if utf8.RuneCountInString(text) > maxTextChars {
		return "msg_too_long"
	}
	if !haveBlocks {
		if strings.TrimSpace(text) == "" {
			return "no_text"
		}
		return ""
	}
	var list []map[string]any
	if err := json.Unmarshal(blocks, &list); err != nil {
		return "invalid_blocks_format"
	}
	if len(list) == 0 && strings.TrimSpace(text) == "" {
		return "no_text"
	}
	if len(list) > maxBlocks {
		return "invalid_blocks"
	}
	seen := make(map[string]bool)
	total := 0
	for _, b := range list {
		if code := checkBlock(b, seen); code != "" {
			return code
		}
		var texts []string
		collectText(b, &texts)
		for _, t := range texts {
			total += utf8.RuneCountInString(t)
		}
	}
	if total > maxBlocksTextChars {
		return "msg_blocks_too_long"
	}
	return ""
}

func checkBlock(b map[string]any, seenBlockIDs map[string]bool) string {
	const bad = "invalid_blocks"
	typ, _ := b["type"].(string)
	if typ == "" {
		return bad
	}
	if id, ok := b["block_id"].(string); ok {
		if id == "" || len(id) > maxBlockID || seenBlockIDs[id] {
			return bad
		}
		seenBlockIDs[id] = true
	}
	switch typ {
	case "section":
		text, hasText := textOf(b["text"])
		fields, _ := b["fields"].([]any)
		if !hasText && len(fields) == 0 {
			return bad
		}
		if hasText && (text == "" || utf8.RuneCountInString(text) > maxSectionText) {
			return bad
		}
		if len(fields) > maxFields {
			return bad
		}
		for _, f := range fields {
			if t, ok := textOf(f); !ok || utf8.RuneCountInString(t) > maxFieldText {
				return bad
			}
		}
		if a, ok := b["accessory"].(map[string]any); ok {
			if code := checkElement(a, map[string]bool{}); code != "" {
				return code
			}
		}
	case "header":
		t, ok := b["text"].(map[string]any)
		if !ok || t["type"] != "plain_text" {
			return bad
		}
		if s, _ := t["text"].(string); s == "" || utf8.RuneCountInString(s) > maxHeaderText {
			return bad
		}
	case "context":
		elems, _ := b["elements"].([]any)
		if len(elems) == 0 || len(elems) > maxContextElements {
			return bad
		}
	case "actions":
		elems, _ := b["elements"].([]any)
		if len(elems) == 0 || len(elems) > maxActionElements {
			return bad
		}
		ids := make(map[string]bool)
		for _, e := range elems {
			el, ok := e.(map[string]any)
			if !ok {
				return bad
			}
			if code := checkElement(el, ids); code != "" {
				return code
			}
		}
	}
	return ""
}

func checkElement(el map[string]any, actionIDs map[string]bool) string {
	const bad = "invalid_blocks"
	if id, ok := el["action_id"].(string); ok {
		if len(id) > maxActionID || actionIDs[id] {
			return bad
		}
		actionIDs[id] = true
	}
	if el["type"] != "button" {
		return ""
	}
	t, ok := textOf(el["text"])
	if !ok || t == "" || utf8.RuneCountInString(t) > maxButtonText {
		return bad
	}
	if v, _ := el["value"].(string); utf8.RuneCountInString(v) > maxButtonValue {
		return bad
	}
	if u, _ := el["url"].(string); len(u) > maxButtonURL {
		return bad
	}
	return ""
}

// textOf returns the text of a text object.
func textOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m["text"].(string)
	return s, ok
}
