package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// ActionKind is what a request does to its accounts on its target.
type ActionKind string

// Action kinds. Ban and unban act on a group's or a room's ban list, mute and unmute on a
// group's mutes (Tencent's forbid_send_msg, MuteTime 0 to unmute).
const (
	BanAction    ActionKind = "ban"
	MuteAction   ActionKind = "mute"
	UnmuteAction ActionKind = "unmute"
	UnbanAction  ActionKind = "unban"
)

// Lifts reports whether the action takes a ban or a mute away (unban, unmute).
func (a ActionKind) Lifts() bool { return a == UnbanAction || a == UnmuteAction || a == "" }

// Mutes reports whether the action is about mutes (mute, unmute) rather than bans.
func (a ActionKind) Mutes() bool { return a == MuteAction || a == UnmuteAction }

// Inverse is the action an Undo request of this action carries: ban ↔ unban, mute ↔ unmute.
// (Per account the Undo request's Plan says what really happens: an account that was banned
// before a ban gets its earlier ban back.)
func (a ActionKind) Inverse() ActionKind {
	switch a {
	case BanAction:
		return UnbanAction
	case MuteAction:
		return UnmuteAction
	case UnmuteAction:
		return MuteAction
	}
	return BanAction
}

func (a ActionKind) orUnban() ActionKind {
	if a == "" {
		return UnbanAction
	}
	return a
}

// PermanentDuration is Tencent's "for ever" for a ban's Duration and a mute's MuteTime
// (the largest uint32); a permanent mute also shows as this MutedUntil.
const PermanentDuration uint32 = math.MaxUint32

// ConfirmWindow is how long after its creation a Confirming request can be confirmed, by
// Redis's clock; then it expires.
const ConfirmWindow = 10 * time.Minute

// PriorState is one account's state on the target as the preview found it, for the action's
// list: banned (ban, unban) or muted (mute, unmute).
type PriorState struct {
	// Checked: the preview read the whole list. False is "unknown: not checked" (the preview
	// stopped at its page cap, or there was none); such accounts are not stored.
	Checked bool
	// Active: banned or muted. Until is when it ends, unless Permanent.
	Active    bool
	Permanent bool
	Until     time.Time
}

// encode is the stored form: "-" not banned/muted, "p" permanent, else the end in Unix ms.
func (p PriorState) encode() string {
	switch {
	case !p.Active:
		return "-"
	case p.Permanent:
		return "p"
	}
	return strconv.FormatInt(p.Until.UnixMilli(), 10)
}

func decodePrior(v string) PriorState {
	switch v {
	case "-":
		return PriorState{Checked: true}
	case "p":
		return PriorState{Checked: true, Active: true, Permanent: true}
	}
	return PriorState{Checked: true, Active: true, Until: msTime(v)}
}

// DurationFor is what the executor sends for account: on an Undo request its Plan entry, else
// the request's Duration. With Action.Mutes() it is the MuteTime (0 unmutes); otherwise 0
// means unban and anything else ban for that many seconds (PermanentDuration for ever).
func (r *Request) DurationFor(account string) uint32 {
	if d, ok := r.Plan[account]; ok {
		return d
	}
	return r.Duration
}

// Undoable reports whether Undo would be accepted at now (Redis's clock), role aside.
func (r *Request) Undoable(now time.Time) bool {
	return r.UndoWindow > 0 && r.UndoOf == "" && r.UndoneBy == "" &&
		(r.State == Done || r.State == Partial) && now.Before(r.UndoUntil)
}

// Confirm starts an immediate action that waits in Confirming: it becomes Approved (and owes
// its root message) and is offered for execution. Only its requester may confirm
// (ErrNotRequester), while still a moderator (ErrForbidden), within ConfirmWindow of its
// creation by Redis's clock (ErrConfirmExpired: this call or an earlier one expired it; the
// error also matches ErrExpired). A request that never needed a Confirm gets
// ErrNotConfirming; one confirmed or cancelled by another operation a *DecidedError. The same
// opID sent again succeeds again with Request.Repeat set.
func (s *Store) Confirm(ctx context.Context, id, actor, opID string) (*Request, error) {
	return s.decide(ctx, id, "confirm", actor, opID, "")
}

// Undo undoes a done or partial immediate action within its window and returns the Undo
// request it creates, atomically: a new request (its own number, UndoOf the original, the
// same root thread, Action the inverse, state Approved, no Undo of its own) whose Plan puts
// each account the original changed (outcome done) back as Prior says:
//
//   - ban: not banned before, or unknown → 0 (unban); banned until T → ban for what is left of
//     T (ceil to seconds; 0 if T has passed); permanent → PermanentDuration;
//   - mute: the same with mutes (MuteTime what was left, or 0 to unmute);
//   - unban, unmute: banned/muted until T or permanently before → ban/mute again for what is
//     left or for ever; an account with no earlier ban left (or unknown) is recorded skipped
//     on the Undo request with why.
//
// Accounts skipped or failed by the original are not touched. The original gets UndoneBy and
// owes EffectUndo at once, and becomes Undone (owing EffectUndo again) when the Undo request
// finishes done or partial; a failed Undo request leaves it as it is (Retry runs the Undo
// request again).
//
// The requester (while a moderator) or any approver may undo (ErrForbidden), once
// (*UndoneError, ErrAlreadyUndone), before UndoUntil by Redis's clock (ErrUndoWindowClosed).
// ErrNotUndoable: no Undo offered (an approved action, an Undo request) or the state is not
// done or partial; ErrNothingToUndo: no account is done. The same opID sent again returns the
// same Undo request with Repeat set.
func (s *Store) Undo(ctx context.Context, id, actor, opID string) (*Request, error) {
	if opID == "" {
		return nil, errors.New("undo: no op ID")
	}
	newID, err := newID()
	if err != nil {
		return nil, err
	}
	status, rest, err := s.runStatus(ctx, s.scripts.undo, id, actor, opID, newID)
	if err != nil {
		return nil, fmt.Errorf("undo request %s: %w", id, err)
	}
	what := "undo request " + id + " by " + actor
	switch status {
	case "ok", "dup":
		return decoded(rest[0], status == "dup")
	case "undone":
		return nil, fmt.Errorf("%s: %w", what, &UndoneError{ID: id, UndoID: str(rest, 0), By: str(rest, 1), At: msTime(str(rest, 2))})
	case "windowclosed":
		return nil, fmt.Errorf("%s (window ended %s): %w", what, msTime(str(rest, 0)).UTC().Format(time.RFC3339), ErrUndoWindowClosed)
	case "notundoable":
		return nil, fmt.Errorf("%s (%s): %w", what, str(rest, 0), ErrNotUndoable)
	case "nothing":
		return nil, fmt.Errorf("%s: %w", what, ErrNothingToUndo)
	}
	return nil, replyError(what, id, status, rest)
}

// CloseUndoWindows finds up to max (≤ 0: 100) requests whose Undo window has passed by Redis's
// clock without an Undo, makes each owe EffectUndo (its root loses the Undo button; NeedsWork
// offers it) and returns their IDs. Any number of replicas may sweep at once: each window is
// closed once.
func (s *Store) CloseUndoWindows(ctx context.Context, max int) ([]string, error) {
	if max <= 0 {
		max = 100
	}
	v, err := s.run(ctx, s.scripts.undoClose, max)
	if err != nil {
		return nil, fmt.Errorf("close undo windows: %w", err)
	}
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for i := range list {
		out = append(out, str(list, i))
	}
	return out, nil
}
