package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"modbot/store"
	"modbot/tim"
)

// permanentUntil is the ban end Tencent reports for a ban without end (4294967295, the largest
// uint32, as with MuteTime); anything later than it, or more than permanentAfter away, is shown
// as permanent.
const (
	permanentUntil = 4294967295
	permanentAfter = 50 * 365 * 24 * time.Hour
)

// bannedResult is a /banned answer as kept for paging.
type bannedResult struct {
	Kind    string        `json:"kind"` // "room" or "group"
	ID      string        `json:"id"`
	At      time.Time     `json:"at"` // when the list was read
	Entries []bannedEntry `json:"entries"`
	Muted   bool          `json:"muted,omitempty"`   // a group's mutes, not its bans
	Note    string        `json:"note,omitempty"`    // why the list may be incomplete (escaped mrkdwn)
	Omitted *bannedTail   `json:"omitted,omitempty"` // entries past maxKeptEntries, only counted (see keep)
}

// bannedEntry is one banned account and when its ban ends (Unix seconds).
type bannedEntry struct {
	Account string `json:"a"`
	Until   int64  `json:"u"`
}

// handleBanned answers /banned: who is banned from a room or group, and until when.
func (b *Bot) handleBanned(ctx context.Context, inv *invocation, c *BannedCmd) {
	var (
		list []tim.BannedMember
		err  error
	)
	switch {
	case c.Muted:
		var muted []tim.MutedMember
		muted, err = b.tim.GroupMutedMembers(ctx, c.Target.Group)
		for _, m := range muted {
			list = append(list, tim.BannedMember{Account: m.Account, Until: m.Until})
		}
	case c.Target.Kind == TargetGroup:
		list, err = b.tim.GroupBannedMembers(ctx, c.Target.Group)
	default:
		list, err = b.tim.RoomBannedMembers(ctx, c.Target.Room)
	}
	kind := c.Target.Kind.String()
	res := bannedResult{Kind: kind, ID: c.Target.ID(), At: time.Now(), Muted: c.Muted}
	switch {
	case err == nil:
	case errors.Is(err, tim.ErrPageStalled) || errors.Is(err, tim.ErrTooManyPages):
		res.Note = fmt.Sprintf("Tencent's list stopped paging properly after %s entries, so this list may be incomplete.", withCommas(len(list)))
	case len(list) > 0:
		res.Note = "Reading the list failed partway: " + userText(err) + " These are the entries read before that."
	default:
		code := tim.Code(err)
		b.audit(ctx, inv, store.AuditEntry{Action: store.ActionBanned, TargetKind: kind, Target: c.Target.ID(), Outcome: store.OutcomeFailed, Code: code, Detail: Truncate(tim.Meaning(code), 200)})
		b.fail(ctx, inv, err)
		return
	}
	for _, m := range list {
		res.Entries = append(res.Entries, bannedEntry{Account: string(m.Account), Until: m.Until.Unix()})
	}
	slices.SortStableFunc(res.Entries, func(a, b bannedEntry) int {
		if a.Until != b.Until {
			return cmp.Compare(a.Until, b.Until)
		}
		return strings.Compare(a.Account, b.Account)
	})
	res.keep(maxKeptEntries)
	id := ""
	if len(bannedPageStarts(res)) > 1 {
		if id, err = b.putResult(ctx, result{Banned: &res}); err != nil {
			b.fail(ctx, inv, err)
			return
		}
	}
	outcome := store.OutcomeOK
	if res.Note != "" {
		outcome = store.OutcomePartial
	}
	b.audit(ctx, inv, store.AuditEntry{Action: store.ActionBanned, TargetKind: kind, Target: c.Target.ID(), Outcome: outcome, Code: tim.Code(err), Detail: fmt.Sprintf("%d %s", len(res.Entries), res.words().adj)})
	b.reply(ctx, inv, renderBanned(res, id, 0))
}

// permanent reports whether a ban ending at until (Unix seconds) has no real end.
func permanent(until int64, now time.Time) bool {
	return until >= permanentUntil || time.Unix(until, 0).After(now.Add(permanentAfter))
}

// bannedCounts returns how many bans end within 24 hours of the reading and how many are
// permanent.
func (r bannedResult) counts() (soon, forever int) {
	day := r.At.Add(24 * time.Hour).Unix()
	for _, e := range r.Entries {
		switch {
		case permanent(e.Until, r.At):
			forever++
		case e.Until <= day:
			soon++
		}
	}
	return soon, forever
}

// bannedWords are the words of a /banned answer: bans, or a group's mutes.
type bannedWords struct {
	noun, nouns, adj, prep, header string
}

func (r bannedResult) words() bannedWords {
	if r.Muted {
		return bannedWords{"mute", "mutes", "muted", "in", "Muted in"}
	}
	return bannedWords{"ban", "bans", "banned", "from", "Banned from"}
}
