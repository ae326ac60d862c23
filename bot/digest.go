package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The daily digest (docs/DESIGN.md, Team visibility): at Options.Digest's time of day in its zone,
// one message in the audit channel with the last 24 hours. Every replica checks once a minute
// (and at start); the first check at or after the time on a local date claims that date's key in
// Redis (SET NX), so a second replica or a restart does nothing, and a replica that was down at
// that minute posts it late, once, on its first check that day. The key is marked posted only
// after Slack accepted the post; a failed post gives it back, so a later check tries again.

// DigestSchedule says when the daily digest is posted. A nil Zone turns it off.
type DigestSchedule struct {
	Hour, Minute int
	Zone         *time.Location
}

// On reports whether a digest is scheduled.
func (d DigestSchedule) On() bool { return d.Zone != nil }

const (
	digestEvery    = time.Minute     // how often every replica checks the time
	digestWindow   = 24 * time.Hour  // the period a digest covers
	digestClaimTTL = 5 * time.Minute // a claim whose holder died lapses after this
	digestPostWait = time.Minute     // longest wait for the post, well within the claim
	digestTop      = 10              // accounts and people listed
)

// digestDay is the local date of now in the schedule's zone, and whether the digest's time of
// day has come on that date.
func (d DigestSchedule) digestDay(now time.Time) (string, bool) {
	local := now.In(d.Zone)
	at := time.Date(local.Year(), local.Month(), local.Day(), d.Hour, d.Minute, 0, 0, d.Zone)
	return local.Format(time.DateOnly), !local.Before(at)
}

// digestTick posts today's digest if its time has come and no replica has posted it; now is the
// time of the check. It reports whether this call posted it.
func (b *Bot) digestTick(ctx context.Context, now time.Time) bool {
	if !b.o.Digest.On() || b.o.AuditChannel == "" {
		return false
	}
	day, due := b.o.Digest.digestDay(now)
	if !due {
		return false
	}
	tv, ok := b.store.(TeamView)
	if !ok {
		return false
	}
	owner := b.o.ReplicaID
	claimed, err := tv.ClaimDigest(ctx, day, owner, digestClaimTTL)
	if err != nil {
		b.log.Warn("daily digest: claim", "day", day, "err", err)
		return false
	}
	if !claimed {
		return false
	}
	if err := b.postDigest(ctx, tv, now, day); err != nil {
		b.log.Warn("daily digest: not posted; trying again at the next check", "day", day, "err", redactURL(err))
		if err := tv.ReleaseDigest(context.WithoutCancel(ctx), day, owner); err != nil {
			b.log.Warn("daily digest: release", "day", day, "err", err)
		}
		return false
	}
	if ok, err := tv.DigestDone(context.WithoutCancel(ctx), day, owner); err != nil || !ok {
		b.log.Warn("daily digest: posted, but marking it posted failed", "day", day, "err", err)
	}
	b.log.Info("daily digest posted", "day", day, "channel", b.o.AuditChannel)
	return true
}

// PostDigestNow posts the digest of the last 24 hours to the audit channel at once, whatever the
// time and whether today's was posted (the sandbox's button). It does not mark the day posted.
func (b *Bot) PostDigestNow(ctx context.Context) error {
	if b.o.AuditChannel == "" {
		return errors.New("no audit channel is configured (MODBOT_AUDIT_CHANNEL): the digest has nowhere to go")
	}
	tv, ok := b.store.(TeamView)
	if !ok {
		return errors.New("the store cannot read the audit log by time")
	}
	now := time.Now()
	zone := b.o.Digest.Zone
	if zone == nil {
		zone = time.UTC
	}
	return b.postDigest(ctx, tv, now, now.In(zone).Format(time.DateOnly))
}

// postDigest reads the last 24 hours before now and posts the digest for day.
func (b *Bot) postDigest(ctx context.Context, tv TeamView, now time.Time, day string) error {
	st, err := b.scanStats(ctx, tv, now.Add(-digestWindow), now, 0)
	if err != nil {
		return err
	}
	_, pending, err := b.store.PendingSummaries(ctx, 1)
	if err != nil {
		return err
	}
	m := digestMessage(st, pending, day, b.plainNamer(ctx))
	pctx, cancel := context.WithTimeout(ctx, digestPostWait)
	defer cancel()
	_, err = b.post(pctx, b.o.AuditChannel, "", m)
	return err
}

// plainNamer names people by display name as plain text (users.info, at most nameLookups
// lookups), never as a mention: the audit channel must not notify anyone.
func (b *Bot) plainNamer(ctx context.Context) func(string) string {
	names := map[string]string{}
	budget := nameLookups
	return func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		text := Code(id)
		if isMemberID(id) && budget > 0 {
			budget--
			lctx, cancel := context.WithTimeout(ctx, nameWait)
			u, err := b.api.GetUserInfoContext(lctx, id)
			cancel()
			if err == nil && displayName(u) != "" {
				text = escapeWithin(displayName(u), 80)
			}
		}
		names[id] = text
		return text
	}
}

// digestMessage renders the digest of st (the last 24 hours) for day: counts by action and
// outcome, by reason code and by moderator; outside changes; requests pending now, expired and
// failed; the accounts acted on most. It stays well within one message's limits.
func digestMessage(st teamStats, pending int, day string, who func(string) string) message {
	blocks := []slackBlock{
		header("modbot daily digest · " + day),
		contextBlock("The last 24 hours: " + slackDate(st.Since) + " to " + slackDate(st.Until) + "."),
		fields(
			"*By action* (accounts)\n"+actionCountsText(st, "\n"),
			"*Requests*\n"+requestCountsText(st, "\n"),
			"*By reason code* (requests)\n"+rankedText(top(st.Reasons, digestTop), Code, "\n", "none given"),
			"*By moderator* (requests and decisions)\n"+rankedText(top(st.People, digestTop), who, "\n", "nobody"),
		),
	}
	outside := 0
	var parts []string
	for _, a := range sortedKeys(st.Outside) {
		outside += st.Outside[a]
		parts = append(parts, Escape(a)+" "+withCommas(st.Outside[a]))
	}
	if outside == 0 {
		blocks = append(blocks, section("*Outside modbot:* no changes found (in the app or Tencent's console) on watched targets."))
	} else {
		blocks = append(blocks, section("*Outside modbot:* "+strings.Join(parts, " · ")+" (`/modbot log` has each one)."))
	}
	open := fmt.Sprintf("*Open now:* %s waiting for a decision", withCommas(pending))
	if pending > 0 {
		open += " (`/modbot pending`)"
	}
	open += fmt.Sprintf(" · *in 24 h:* %s expired, %s failed, %s partly failed",
		withCommas(st.Requests["expired"]), withCommas(st.Requests["failed"]), withCommas(st.Requests["partial"]))
	blocks = append(blocks, section(open))
	if acc := top(st.Accounts, digestTop); len(acc) > 0 {
		blocks = append(blocks, section("*Accounts acted on most:* "+rankedText(acc, func(a string) string { return Code(a) }, " · ", "")))
	}
	if st.Truncated {
		blocks = append(blocks, contextBlock(fmt.Sprintf("Counts cover the newest %s audit entries only.", withCommas(statsScanMax))))
	}
	done := 0
	for _, c := range st.Actions {
		done += c.Done
	}
	text := fmt.Sprintf("modbot daily digest for %s: %s %s acted on, %s %s opened, %s pending, %s outside modbot",
		day, withCommas(done), plural(done, "account", "accounts"), withCommas(st.Requests["opened"]),
		plural(st.Requests["opened"], "request", "requests"), withCommas(pending), withCommas(outside))
	return message{Text: Truncate(text, maxFallbackText), Blocks: limitBlocks(blocks)}
}
