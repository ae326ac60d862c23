package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"modbot/store"
)

// The audit feed: every replica calls postFeed every Options.FeedEvery, and the store hands
// entries only to the replica holding the feed lease. Each call posts at most one message to the
// audit channel, so the feed keeps Slack's pace of about one message a second per channel, and
// entries that arrived faster are batched into that message. The cursor moves only after Slack
// accepted the post: a crash or a failed post loses nothing (the same lines are posted again).
// While Slack refuses the posts (a channel that is missing, archived or without the bot) the
// feed backs off, doubling its wait up to Options.FeedRetryMax, and logs each change of state
// once; the lines wait in the log and are posted when the channel works again.
//
// Feed lines name people by their display name as plain text (users.info, cached), never as
// mentions: a mention in a channel message notifies that person, on every line.
const (
	feedRead  = 50   // entries read per tick
	feedChars = 9000 // most characters of lines in one message, under Slack's 12,000

	nameTTL     = time.Hour       // how long a display name is cached
	nameFailTTL = time.Minute     // how long a failed lookup shows the ID before trying again
	nameLookups = 10              // most users.info calls per feed message; the rest show IDs
	nameWait    = 3 * time.Second // longest wait for one users.info
	nameCache   = 5000            // cached names before the cache starts over
)

// feedState is the feed's own memory. Only the feed goroutine (background's every) touches it.
type feedState struct {
	names    map[string]cachedName
	wait     time.Duration // current backoff; 0 while posts succeed
	next     time.Time     // no post before this
	failing  string        // the Slack error of the current failing state; "" while posting
	failures int           // posts refused in the current failing state
}

type cachedName struct {
	text  string // escaped mrkdwn: the name, or the ID as a code span
	until time.Time
}

// blockedErrors are Slack's answers to chat.postMessage that no retry can fix until someone
// changes the channel, the bot's membership or the app's installation.
var blockedErrors = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "channel_is_archived": true,
	"restricted_action": true, "restricted_action_read_only_channel": true, "restricted_action_thread_only_channel": true,
	"missing_scope": true, "not_authed": true, "invalid_auth": true, "account_inactive": true, "token_revoked": true,
	"team_access_not_granted": true, "ekm_access_denied": true,
}

// postFeed posts the audit entries not yet in the audit channel, one line each.
func (b *Bot) postFeed(ctx context.Context) {
	// Reading renews the feed lease, so a backing-off holder keeps the feed rather than handing
	// it to replicas that would hit the same wall.
	entries, err := b.store.FeedNext(ctx, b.o.ReplicaID, feedRead)
	if errors.Is(err, store.ErrLeaseHeld) {
		return // another replica posts the feed
	}
	if err != nil {
		b.log.Warn("audit feed: read", "err", err)
		return
	}
	if len(entries) == 0 || time.Now().Before(b.feed.next) {
		return
	}
	m, n := feedMessage(entries, b.feedNamer(ctx))
	if _, err := b.post(ctx, b.o.AuditChannel, "", m); err != nil {
		b.feedFailed(n, err)
		return
	}
	if b.feed.failing != "" {
		b.log.Info("audit feed: posting again", "refused_posts", b.feed.failures)
	}
	b.feed.failing, b.feed.failures, b.feed.wait, b.feed.next = "", 0, 0, time.Time{}
	if err := b.store.FeedAck(ctx, b.o.ReplicaID, entries[n-1].ID); err != nil {
		b.log.Warn("audit feed: ack", "err", err)
	}
}

// feedFailed counts a refused post, backs off, and logs when the state changes.
func (b *Bot) feedFailed(n int, err error) {
	code := slackError(err)
	class := "transient"
	if blockedErrors[code] {
		class = "blocked"
	}
	b.o.Metrics.FeedFailure(class)
	b.feed.wait = min(max(2*b.feed.wait, 2*b.o.FeedEvery), b.o.FeedRetryMax)
	b.feed.next = time.Now().Add(b.feed.wait)
	b.feed.failures++
	if code == b.feed.failing {
		b.log.Debug("audit feed: post refused again", "entries", n, "slack_error", code, "retry_in", b.feed.wait)
		return
	}
	b.feed.failing = code
	if class == "blocked" {
		b.log.Warn("audit feed: Slack refuses the posts; the lines are kept and posted when the channel works again",
			"channel", b.o.AuditChannel, "slack_error", code, "hint", feedHint(code), "retry_in", b.feed.wait, "retry_max", b.o.FeedRetryMax)
		return
	}
	b.log.Warn("audit feed: post failed; retrying with backoff", "entries", n, "err", err, "retry_in", b.feed.wait)
}

// feedHint says what the operator can do about a blocked feed.
func feedHint(code string) string {
	switch code {
	case "not_in_channel":
		return "invite the bot to the audit channel"
	case "channel_not_found", "is_archived", "channel_is_archived":
		return "set MODBOT_AUDIT_CHANNEL to a channel that exists and invite the bot"
	}
	return "check the app's installation and scopes"
}

// feedNamer returns how this feed message names people: display names as escaped plain text,
// looked up at most nameLookups times; an ID that is not a member ID, or whose lookup failed or
// is over the budget, shows as a code span.
func (b *Bot) feedNamer(ctx context.Context) func(string) string {
	budget := nameLookups
	return func(id string) string {
		if !isMemberID(id) {
			return Code(id)
		}
		now := time.Now()
		if c, ok := b.feed.names[id]; ok && now.Before(c.until) {
			return c.text
		}
		if budget == 0 {
			return Code(id)
		}
		budget--
		text, ttl := Code(id), nameFailTTL
		lctx, cancel := context.WithTimeout(ctx, nameWait)
		u, err := b.api.GetUserInfoContext(lctx, id)
		cancel()
		if err != nil {
			b.log.Debug("audit feed: users.info", "slack_user", id, "err", redactURL(err))
		} else if name := displayName(u); name != "" {
			text, ttl = escapeWithin(name, 80), nameTTL
		}
		if b.feed.names == nil || len(b.feed.names) >= nameCache {
			b.feed.names = map[string]cachedName{}
		}
		b.feed.names[id] = cachedName{text: text, until: now.Add(ttl)}
		return text
	}
}

// displayName is what Slack shows for a person: the profile's display name, else the real name,
// else the handle.
func displayName(u *slack.User) string {
	for _, n := range []string{u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name} {
		if n != "" {
			return n
		}
	}
	return ""
}

// feedMessage renders the first entries that fit one message, one line each, naming people with
// who, and says how many it took (at least one).
func feedMessage(entries []store.AuditEntry, who func(string) string) (message, int) {
	var lines []string
	chars := 0
	for _, e := range entries {
		l := auditLineBy(e, who)
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
