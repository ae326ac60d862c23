package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// Block Kit limits (Slack's): a message holds at most 50 blocks and about 12,000 characters of
// block text; a section's text at most 3,000 characters, a section at most 10 fields of 2,000;
// a header 150; a button's value 2,000. An ack payload must stay under 20 KB.
const (
	maxBlocks       = 50
	maxMessageText  = 12000
	maxSectionText  = 3000
	maxFieldText    = 2000
	maxFields       = 10
	maxHeaderText   = 150
	maxFallbackText = 3000
)

// slackBlock is a Block Kit block.
type slackBlock = slack.Block

// section is a mrkdwn section; text must already be escaped. It is cut to Slack's limit.
func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(Truncate(text, maxSectionText)), nil, nil)
}

// fields is a section of up to ten short mrkdwn fields (escaped by the caller).
func fields(texts ...string) *slack.SectionBlock {
	var fs []*slack.TextBlockObject
	for _, t := range texts {
		if len(fs) == maxFields {
			break
		}
		fs = append(fs, mrkdwn(Truncate(t, maxFieldText)))
	}
	return slack.NewSectionBlock(nil, fs, nil)
}

// header is a plain-text header; plain text needs no mrkdwn escaping.
func header(text string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, Truncate(text, maxHeaderText), false, false))
}

// contextBlock is a small grey line of mrkdwn (escaped by the caller).
func contextBlock(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", mrkdwn(Truncate(text, maxSectionText)))
}

func divider() *slack.DividerBlock { return slack.NewDividerBlock() }

// button is a button whose value carries only an ID; style is "", "primary" or "danger".
func button(actionID, label, value, style string) *slack.ButtonBlockElement {
	btn := slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	if style != "" {
		btn.Style = slack.Style(style)
	}
	return btn
}

// actions is a row of buttons. blockID must be unique within the message.
func actions(blockID string, buttons ...*slack.ButtonBlockElement) *slack.ActionBlock {
	els := make([]slack.BlockElement, len(buttons))
	for i, b := range buttons {
		els[i] = b
	}
	return slack.NewActionBlock(blockID, els...)
}

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

// ackPayload is the body of a slash command's ack: shown at once, only to the invoker.
type ackPayload struct {
	ResponseType string       `json:"response_type"`
	Text         string       `json:"text"`
	Blocks       []slackBlock `json:"blocks,omitempty"`
}

func ackText(text string) ackPayload {
	return ackPayload{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

func ackMessage(m message) ackPayload {
	return ackPayload{ResponseType: slack.ResponseTypeEphemeral, Text: Truncate(m.Text, maxFallbackText), Blocks: m.Blocks}
}

// workingMessage is the ack of a command that a worker is handling.
func workingMessage(command, text string) message {
	s := fmt.Sprintf(":hourglass_flowing_sand: Working on %s…", Code(strings.TrimSpace(command+" "+Truncate(text, 200))))
	return message{Text: s, Blocks: []slackBlock{contextBlock(s)}}
}

// helpMessage is /modbot help (all commands) or the help of one command.
func helpMessage(topic string, cfg ParseConfig) message {
	text := Help(cfg)
	if topic != "" {
		text = Usage(topic, cfg)
	}
	var blocks []slackBlock
	for _, part := range splitText(text, maxSectionText) {
		blocks = append(blocks, section(part))
	}
	return message{Text: "modbot help", Blocks: blocks}
}

// splitText cuts mrkdwn into parts of at most max bytes at line ends, so no part breaks a line.
func splitText(s string, max int) []string {
	var parts []string
	for len(s) > max {
		cut := strings.LastIndex(s[:max], "\n")
		if cut <= 0 {
			cut = max
		}
		parts = append(parts, s[:cut])
		s = strings.TrimPrefix(s[cut:], "\n")
	}
	if s != "" {
		parts = append(parts, s)
	}
	return parts
}
