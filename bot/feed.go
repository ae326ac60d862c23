package bot

import (
	"context"
	"errors"
	"fmt"

	"modbot/store"
)

// The audit feed: every replica calls postFeed every Options.FeedEvery, and the store hands
// entries only to the replica holding the feed lease. Each call posts at most one message to the
// audit channel, so the feed keeps Slack's pace of about one message a second per channel, and
// entries that arrived faster are batched into that message. The cursor moves only after Slack
// accepted the post: a crash or a failed post loses nothing (the same lines are posted again).
const (
	feedRead  = 50   // entries read per tick
	feedChars = 9000 // most characters of lines in one message, under Slack's 12,000
)

// postFeed posts the audit entries not yet in the audit channel, one line each.
func (b *Bot) postFeed(ctx context.Context) {
	entries, err := b.store.FeedNext(ctx, b.o.ReplicaID, feedRead)
	if errors.Is(err, store.ErrLeaseHeld) {
		return // another replica posts the feed
	}
	if err != nil {
		b.log.Warn("audit feed: read", "err", err)
		return
	}
	if len(entries) == 0 {
		return
	}
	m, n := feedMessage(entries)
	if _, err := b.post(ctx, b.o.AuditChannel, "", m); err != nil {
		b.log.Warn("audit feed: post; retrying next tick", "entries", n, "err", err)
		return
	}
	if err := b.store.FeedAck(ctx, b.o.ReplicaID, entries[n-1].ID); err != nil {
		b.log.Warn("audit feed: ack", "err", err)
	}
}

// feedMessage renders the first entries that fit one message, one line each, and says how many
// it took (at least one).
func feedMessage(entries []store.AuditEntry) (message, int) {
	var lines []string
	chars := 0
	for _, e := range entries {
		l := auditLine(e)
		if len(lines) > 0 && chars+len(l)+1 > feedChars {
			break
		}
		lines = append(lines, l)
		chars += len(l) + 1
	}
	var blocks []slackBlock
	for _, part := range packItems(lines, "\n", chunkChars) {
		blocks = append(blocks, section(part))
	}
	text := lines[0]
	if len(lines) > 1 {
		text = fmt.Sprintf("%d audit events", len(lines))
	}
	return message{Text: Truncate(text, maxFallbackText), Blocks: blocks}, len(lines)
}
