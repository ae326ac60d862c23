package bot

import (
	"time"

	"modbot/store"
	"modbot/tim"
)

// What a sweep makes of one target's lists: the differences between the last snapshot and what
// Tencent says now (see reconcile.go for the sweep itself), each turned into the audit entry it
// is written as, with the modbot action that would explain it.

// read is what Tencent said about one list of a target.
type read struct {
	list     store.SnapList
	rows     map[string]int64
	complete bool
	note     string
}

// change is one difference between a snapshot and what Tencent says now.
type change struct {
	list    store.SnapList
	account string
	until   int64 // new end (added or changed); the old end when removed
	removed bool
	ended   bool // removed because its end passed
}

// diff compares what was read with the old snapshot. A partial read reports only what it read:
// an account it did not see may be on a page it could not read.
func diff(rd read, old map[string]int64, now time.Time) []change {
	var out []change
	for a, u := range rd.rows {
		if ou, ok := old[a]; !ok || ou != u {
			out = append(out, change{list: rd.list, account: a, until: u})
		}
	}
	if !rd.complete {
		return out
	}
	for a, u := range old {
		if _, ok := rd.rows[a]; !ok {
			out = append(out, change{list: rd.list, account: a, until: u, removed: true, ended: u <= now.Unix()})
		}
	}
	return out
}

// explainedBy is the action of modbot's that explains the change.
func (c change) explainedBy() store.AuditAction {
	switch {
	case c.list == store.ListBans && c.removed:
		return store.ActionUnban
	case c.list == store.ListBans:
		return store.ActionBan
	case c.removed:
		return store.ActionUnmute
	}
	return store.ActionMute
}

// entry is the change's audit entry.
func (c change) entry() store.SweepEntry {
	until := time.Unix(c.until, 0)
	when := "until " + until.UTC().Format("2006-01-02 15:04 UTC")
	if tim.IsPermanent(until) {
		when = "permanent"
	}
	switch {
	case c.ended && c.list == store.ListBans:
		return store.SweepEntry{Actor: store.TencentActor, Action: store.ActionBanEnded, Account: c.account, Outcome: store.OutcomeEnded,
			Detail: c.account + ": ended " + until.UTC().Format("2006-01-02 15:04 UTC")}
	case c.ended:
		return store.SweepEntry{Actor: store.TencentActor, Action: store.ActionMuteEnded, Account: c.account, Outcome: store.OutcomeEnded,
			Detail: c.account + ": ended " + until.UTC().Format("2006-01-02 15:04 UTC")}
	case c.removed:
		return store.SweepEntry{Actor: store.OutsideActor, Action: c.explainedBy(), Account: c.account, Outcome: store.OutcomeOutside,
			Detail: c.account + ": was " + when}
	}
	return store.SweepEntry{Actor: store.OutsideActor, Action: c.explainedBy(), Account: c.account, Outcome: store.OutcomeOutside,
		Detail: c.account + ": " + when}
}

// changeLabel names a change kind for summaries and recent lines: "banned outside modbot",
// "ban ended", ….
func changeLabel(e store.SweepEntry) string {
	switch e.Action {
	case store.ActionBanEnded:
		return "ban ended"
	case store.ActionMuteEnded:
		return "mute ended"
	case store.ActionBan, store.ActionUnban:
		return string(e.Action) + "ned outside modbot"
	}
	return string(e.Action) + "d outside modbot" // muted, unmuted
}
