package bot

import (
	"context"

	"github.com/slack-go/slack"

	"modbot/store"
)

// notSafelyStored is what an answer adds when a write it reports was not confirmed by Redis's
// replicas (MODBOT_REDIS_MIN_REPLICAS) within a second: it happened, but a failover right now
// could lose it.
const notSafelyStored = ":warning: Done, but not yet safely stored: Redis's replicas did not confirm it within a second. " +
	"If Redis fails over in the next moments this may be lost; check with `/modbot pending` or the request's thread before relying on it."

// storageNote adds notSafelyStored to m when a write made under ctx (store.TrackWrites: every
// command, click and execution has its own) is unconfirmed. The answers to a person — response_url
// replies, DMs and the decision notes in a request's thread — go through it.
func storageNote(ctx context.Context, m message) message {
	if !store.Unconfirmed(ctx) {
		return m
	}
	m.Text += "\n" + notSafelyStored
	if len(m.Blocks) > 0 && len(m.Blocks) < 50 { // Block Kit's limit; the fallback text has it anyway
		m.Blocks = append(m.Blocks[:len(m.Blocks):len(m.Blocks)],
			slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, notSafelyStored, false, false)))
	}
	return m
}
