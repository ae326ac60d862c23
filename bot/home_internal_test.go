package bot

import "github.com/slack-go/slack"

type (
	slackActionBlock  = slack.ActionBlock
	slackButton       = slack.ButtonBlockElement
	slackContextBlock = slack.ContextBlock
)

func contextText(c *slack.ContextBlock) string {
	if len(c.ContextElements.Elements) == 0 {
		return ""
	}
	if t, ok := c.ContextElements.Elements[0].(*slack.TextBlockObject); ok {
		return t.Text
	}
	return ""
}

type slackSection = slack.SectionBlock
