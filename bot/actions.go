package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"modbot/store"
	"modbot/tim"
)

// actionKind is what the pipeline needs to know about one kind of action: how many accounts one
// Tencent call carries, which list holds the state it changes, and the words its messages use.
// The Tencent call itself follows from the list and the seconds to send (sendFor): on the ban
// list 0 unbans and anything else bans for that long; on the mutes 0 unmutes and anything else
// mutes. An Undo request sends each account its own seconds (store.Request.DurationFor).
type actionKind struct {
	// chunk is the most accounts one Tencent call carries (tim chunks by it).
	chunk int
	// mutes: the action acts on a group's mutes (forbid_send_msg), not on a ban list.
	mutes bool
	// lifts: the action takes a ban or mute away (unban, unmute).
	lifts bool
	// Words: "ban", "banned", "Banning"; noun "Ban".
	verb, past, doing, noun string
	// list is the state the action changes as a person says it: "banned" or "muted".
	list string
}

// actionKinds maps an action to how the pipeline runs and shows it.
var actionKinds = map[store.ActionKind]actionKind{
	store.BanAction:    {chunk: tim.MaxBanAccounts, verb: "ban", past: "banned", doing: "Banning", noun: "Ban", list: "banned"},
	store.MuteAction:   {chunk: tim.MaxMuteAccounts, mutes: true, verb: "mute", past: "muted", doing: "Muting", noun: "Mute", list: "muted"},
	store.UnmuteAction: {chunk: tim.MaxMuteAccounts, mutes: true, lifts: true, verb: "unmute", past: "unmuted", doing: "Unmuting", noun: "Unmute", list: "muted"},
	store.UnbanAction:  {chunk: tim.MaxBanAccounts, lifts: true, verb: "unban", past: "unbanned", doing: "Unbanning", noun: "Unban", list: "banned"},
}

// undoWords are the words of an Undo request: each account is put back as it was.
var undoWords = actionKind{verb: "restore", past: "restored", doing: "Restoring", noun: "Undo"}

// requestAction is the action a request asks for.
func requestAction(r *store.Request) store.ActionKind {
	if r.Action == "" {
		return store.UnbanAction
	}
	return r.Action
}

// kindOf returns how to run req's action.
func kindOf(req *store.Request) (actionKind, error) {
	a := requestAction(req)
	k, ok := actionKinds[a]
	if !ok {
		return actionKind{}, fmt.Errorf("request %s: no executor for action %q", req.ID, a)
	}
	return k, nil
}

// wordsOf are the words req's messages use: the action's, or on an Undo request "restored".
func wordsOf(r *store.Request) actionKind {
	if r.UndoOf != "" {
		k := undoWords
		k.list = actionKinds[requestAction(r)].list
		return k
	}
	if k, ok := actionKinds[requestAction(r)]; ok {
		return k
	}
	return actionKinds[store.UnbanAction]
}

// secondsToDuration turns a request's seconds into what tim takes (PermanentDuration is
// tim.Permanent).
func secondsToDuration(s uint32) time.Duration { return time.Duration(s) * time.Second }

// sendFor sends accounts one call kind: on the mutes MuteTime d (0 unmutes), on a ban list a ban
// for d seconds (0 unbans). reason goes with a ban (Tencent's Description / Reason).
func sendFor(ctx context.Context, t execTencent, target store.Target, mutes bool, d uint32, reason string, users []tim.UserID, o tim.BulkOptions) ([]tim.Outcome, error) {
	room := target.Kind == store.KindRoom
	switch {
	case mutes && room:
		return nil, &tim.InputError{What: "target", Reason: "only groups have mutes"}
	case mutes && d == 0:
		return t.UnmuteGroupMembers(ctx, tim.GroupID(target.ID), users, o)
	case mutes:
		return t.MuteGroupMembers(ctx, tim.GroupID(target.ID), users, secondsToDuration(d), o)
	case d == 0 && room:
		return t.UnbanRoomMembers(ctx, tim.RoomID(target.ID), users, o)
	case d == 0:
		return t.UnbanGroupMembers(ctx, tim.GroupID(target.ID), users, o)
	case room:
		return t.BanRoomMembers(ctx, tim.RoomID(target.ID), users, secondsToDuration(d), reason, o)
	}
	return t.BanGroupMembers(ctx, tim.GroupID(target.ID), users, secondsToDuration(d), reason, o)
}

// tencentReason is what a ban sends Tencent as its description: the code and the reason, within
// Tencent's limit.
func tencentReason(r *store.Request) string {
	s := r.Reason
	if r.ReasonCode != "" {
		s = r.ReasonCode + ": " + s
		if r.Reason == "" {
			s = r.ReasonCode
		}
	}
	return Truncate(s, tim.MaxReasonLen)
}

// liveState is a list read from Tencent: each listed account's end time (tim.IsPermanent for
// ever).
type liveState map[tim.UserID]time.Time

// readState reads the list the action changes (the ban list of a group or room, or a group's
// mutes), at most pages pages. Only a nil error means the read completed.
func readState(ctx context.Context, t execTencent, target store.Target, mutes bool, pages int) (liveState, error) {
	var list []tim.BannedMember
	var err error
	switch {
	case mutes:
		var muted []tim.MutedMember
		muted, err = t.GroupMutedMembers(ctx, tim.GroupID(target.ID))
		for _, m := range muted {
			list = append(list, tim.BannedMember{Account: m.Account, Until: m.Until})
		}
	case target.Kind == store.KindRoom:
		list, err = t.RoomBannedMembersUpTo(ctx, tim.RoomID(target.ID), pages)
	default:
		list, err = t.GroupBannedMembersUpTo(ctx, tim.GroupID(target.ID), pages)
	}
	if err != nil {
		return nil, err
	}
	st := make(liveState, len(list))
	for _, m := range list {
		st[m.Account] = m.Until
	}
	return st, nil
}

// needsSend reports whether an account must be sent d seconds (on the list the kind acts on)
// given a completed read, and why not. A lift skips an account not listed; a ban or mute skips an
// account whose current one ends later (a ban never shortens a longer one) or never, unless
// restoring is the point (an Undo request sends what the plan says).
func needsSend(k actionKind, d uint32, until time.Time, listed, undo bool, now time.Time) (bool, string) {
	switch {
	case d == 0 && !listed:
		if k.list == "muted" {
			return false, skippedNotMuted
		}
		return false, skippedNotBanned
	case d == 0 || !listed || undo:
		return true, ""
	case tim.IsPermanent(until):
		return false, "already " + k.list + " permanently"
	case d != store.PermanentDuration && !until.Before(now.Add(secondsToDuration(d))):
		return false, fmt.Sprintf("already %s until %s, later than this %s would end", k.list, until.UTC().Format("2006-01-02 15:04 UTC"), k.list[:len(k.list)-2])
	}
	return true, ""
}

// Why an execution skips an account a lift would not change.
const (
	skippedNotBanned = "already unbanned: not on the ban list when the execution started"
	skippedNotMuted  = "already not muted: not on the muted list when the execution started"
)

// skipSettled re-reads the target's live state (at most readPages pages) and records skipped the
// accounts that need nothing (never done: Tencent was not asked), returning those still to send.
// Only a read that completed counts: one that fails or stops early skips nothing, so every
// remaining account is sent.
func (b *executor) skipSettled(ctx context.Context, l store.Lease, req *store.Request, kind actionKind, accounts []string) ([]string, error) {
	st, err := readState(ctx, b.tim, req.Target, kind.mutes, b.o.ReadPages)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		b.log.Warn("re-read live state before executing; sending every remaining account", "request_id", req.ID, "err", err)
		return accounts, nil
	}
	now := time.Now()
	var still []string
	var gone []store.Outcome
	for _, a := range accounts {
		until, listed := st[tim.UserID(a)]
		if send, why := needsSend(kind, req.DurationFor(a), until, listed, req.UndoOf != "", now); send {
			still = append(still, a)
		} else {
			gone = append(gone, store.Outcome{Account: a, Skipped: true, Info: why})
		}
	}
	if err := b.store.RecordOutcomes(ctx, l, gone); err != nil {
		return nil, fmt.Errorf("record accounts that need nothing: %w", err)
	}
	for _, o := range gone {
		req.Outcomes[o.Account] = o
	}
	return still, nil
}

// byDuration groups accounts by the seconds req sends each (one group unless req is an Undo
// request), in order of first appearance.
func byDuration(req *store.Request, accounts []string) ([]uint32, map[uint32][]tim.UserID) {
	var order []uint32
	groups := map[uint32][]tim.UserID{}
	for _, a := range accounts {
		d := req.DurationFor(a)
		if _, ok := groups[d]; !ok {
			order = append(order, d)
		}
		groups[d] = append(groups[d], tim.UserID(a))
	}
	return order, groups
}

// errNotChecked is a preview that did not read the list (the page cap, or an error).
var errNotChecked = errors.New("state not checked")

// preview reads the list the action changes and returns each account's prior state and the
// summary shown on the root. A read that did not complete leaves every account unknown.
func preview(ctx context.Context, t execTencent, a store.ActionKind, target store.Target, accounts []tim.UserID, pages int) (map[string]store.PriorState, string) {
	k := actionKinds[a]
	st, err := readState(ctx, t, target, k.mutes, pages)
	if err != nil {
		if errors.Is(err, tim.ErrTooManyPages) {
			return nil, fmt.Sprintf("state not checked: the %s list is longer than %d pages", listName(k), pages)
		}
		return nil, "state not checked: Tencent did not answer the " + listName(k) + " list (" + Truncate(err.Error(), 120) + ")"
	}
	prior := make(map[string]store.PriorState, len(accounts))
	var active, permanent int
	var soonest time.Time
	for _, u := range accounts {
		until, listed := st[u]
		p := store.PriorState{Checked: true, Active: listed}
		if listed {
			active++
			if tim.IsPermanent(until) {
				p.Permanent = true
				permanent++
			} else {
				p.Until = until
				if soonest.IsZero() || until.Before(soonest) {
					soonest = until
				}
			}
		}
		prior[string(u)] = p
	}
	return prior, previewText(k, len(accounts), active, permanent, soonest)
}

func listName(k actionKind) string {
	if k.mutes {
		return "muted"
	}
	return "ban"
}

// previewText is the one-line summary of a preview: "12 banned (the soonest ends Dec 2), 3 not
// banned: nothing to undo for them".
func previewText(k actionKind, total, active, permanent int, soonest time.Time) string {
	var parts []string
	if active > 0 {
		s := fmt.Sprintf("%s %s", withCommas(active), k.list)
		var about []string
		if !soonest.IsZero() {
			about = append(about, "the soonest ends "+soonest.UTC().Format("Jan 2 15:04 UTC"))
		}
		if permanent > 0 {
			about = append(about, withCommas(permanent)+" permanently")
		}
		if len(about) > 0 {
			s += " (" + strings.Join(about, "; ") + ")"
		}
		if !k.lifts {
			s += " already: a longer one is kept, a shorter one replaced (Undo gives it back)"
		}
		parts = append(parts, s)
	}
	if rest := total - active; rest > 0 {
		s := fmt.Sprintf("%s not %s", withCommas(rest), k.list)
		if k.lifts {
			s += ": nothing to undo for them"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
