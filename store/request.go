package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// State is where a request is in its life:
// pending → approved → executing → done | partial | failed, or pending →
// denied | cancelled | expired; partial | failed → executing by Retry. An
// immediate action (no approvals needed) starts approved, or confirming
// while it waits for its requester's Confirm (confirming → approved |
// cancelled | expired); done | partial → undone once its Undo request finished.
type State string

// States of a request.
const (
	Pending   State = "pending"
	Approved  State = "approved"
	Executing State = "executing"
	Done      State = "done"
	Partial   State = "partial"
	Failed    State = "failed"
	Denied    State = "denied"
	Cancelled State = "cancelled"
	Expired   State = "expired"
	// Confirming: an immediate action on many accounts waits for its requester's Confirm
	// (ConfirmWindow from creation); nothing is sent before.
	Confirming State = "confirming"
	// Undone: the Undo request made from this done or partial request finished done or partial.
	Undone State = "undone"
)

// Final reports whether no decision or execution will change the state any
// more (Retry can still restart partial and failed).
func (st State) Final() bool {
	switch st {
	case Done, Partial, Failed, Denied, Cancelled, Expired, Undone:
		return true
	}
	return false
}

// TargetKind is what an unban is for: a group or a room.
type TargetKind string

// Target kinds.
const (
	KindGroup TargetKind = "group"
	KindRoom  TargetKind = "room"
)

// Target is the group or room a request unbans accounts in.
type Target struct {
	Kind      TargetKind
	ID        string
	GroupType string // as Tencent named it (e.g. "Public"); empty for rooms
}

// Effect is a Slack side effect a request still owes; the bot marks each
// off with SetRoot or ClearOwed once Slack accepted it.
type Effect string

// Effects a request can owe. The store adds them: EffectRoot on creation;
// EffectResult and EffectRequester on done, partial, failed and denied
// (EffectResult only on cancelled); EffectExpiry and EffectRequester on expiry.
const (
	EffectRoot      Effect = "root"      // post the root message in the approval channel
	EffectResult    Effect = "result"    // show the outcome in the thread and on the root
	EffectRequester Effect = "requester" // tell the requester (mention and DM)
	EffectExpiry    Effect = "expiry"    // show the expiry on the root, remove its buttons
	// EffectUndo: show on the root that Undo was asked (UndoneBy set) or ran (state Undone), and
	// take its Undo button away. Owed by the original request, never by the Undo request.
	EffectUndo Effect = "undo"
)

// NewRequest is what CreateRequest needs to open a request (ban, mute, unmute or unban).
// Without Action it is an unban as before: Approvals 0 means 1 and the new fields are unused.
type NewRequest struct {
	OpID      string // the command's operation ID (e.g. its trigger_id); required
	Target    Target
	Accounts  []string // Tencent UserIDs, no whitespace; at least one
	Reason    string
	Requester string        // Slack user ID; must be a moderator or above now
	Channel   string        // approval channel the root message goes to
	TTL       time.Duration // time to decide; expires_at = Redis now + TTL; required when approvals are needed
	// Approvals is how many distinct approvals the policy needs. With Action set, 0 means an
	// immediate action (state Approved at once, or Confirming with Confirm); with Action empty
	// (the unban API before actions) 0 means 1.
	Approvals int

	// Action is what the request does; "" is UnbanAction (and the old meaning of Approvals).
	Action ActionKind
	// Duration of a ban or mute in seconds (PermanentDuration for ever); 0 for unban and
	// unmute, and required (≥ 1) for ban and mute.
	Duration   uint32
	ReasonCode string // the reason code the reason started with ("spam"), or ""
	// Preview is the live-state summary shown on the root ("12 banned, 3 not banned").
	Preview string
	// History is the accounts' case history as the root shows it ("`u7`: banned twice in 90
	// days, …"), one line each, read before the request was stored; "" when none has any.
	History string
	// Prior is each account's state as the preview found it (banned or muted until when, or
	// not); Undo restores it. Accounts missing from it (or not Checked) are unknown.
	Prior map[string]PriorState
	// Confirm, for an immediate action, makes it wait in Confirming for the requester's
	// Confirm within ConfirmWindow of its creation (else it expires); nothing is sent before.
	Confirm bool
	// UndoWindow, for an immediate action, is how long after each finish Undo is allowed
	// (Request.UndoUntil); 0 offers no Undo.
	UndoWindow time.Duration
	// MaxOpen, when positive, is the most requests one requester may have open (not in a
	// final state, not past expiry); one more is refused with a *TooManyOpenError.
	MaxOpen int

	// LeaseOwner, when set, gets the request's lease for LeaseTTL at once,
	// so no other replica posts the root message meanwhile.
	LeaseOwner string
	LeaseTTL   time.Duration
}

// Request is a request as stored.
type Request struct {
	ID         string     // opaque, for button values
	Number     int64      // short human number (#42)
	Action     ActionKind // UnbanAction for requests stored before actions
	Target     Target
	Accounts   []string
	Reason     string
	ReasonCode string
	// Duration of the ban or mute in seconds (PermanentDuration for ever), 0 for unban and
	// unmute; an Undo request's accounts each have their own (Plan, DurationFor).
	Duration uint32
	Preview  string
	// History is NewRequest.History: the accounts' case history when the request was opened.
	History string
	// Prior is what the preview found per account; accounts missing are unknown.
	Prior map[string]PriorState
	// Plan, on an Undo request only, is each account's target in seconds: 0 lifts the ban or
	// mute (unban, MuteTime 0), PermanentDuration bans or mutes for ever, any other value
	// bans or mutes for that long. Use DurationFor.
	Plan       map[string]uint32
	Requester  string
	Channel    string // approval channel
	ThreadTS   string // ts of the root message ("" until SetRoot)
	ProgressTS string // ts of the progress message in the thread
	// ExecClaims counts the claims of the execution (0: not started). Above 1 the execution is
	// resumed: an earlier attempt — another owner's or this one's — may have reached Tencent with
	// accounts whose outcomes it never recorded (a crash, a Redis outage, writes a failover lost).
	ExecClaims int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	State      State

	ApprovalsNeeded int        // 0: an immediate action
	Approvals       []Approval // oldest first

	// NeedsConfirm: an immediate action that waited (or waits) in Confirming; ConfirmedAt is
	// when its requester confirmed it (zero if not yet, or never).
	NeedsConfirm bool
	ConfirmedAt  time.Time
	// UndoWindow is how long Undo is offered after a finish (0: no Undo, e.g. on approved
	// actions and on Undo requests); UndoUntil is when the current window ends (zero until
	// the first finish that left something done).
	UndoWindow time.Duration
	UndoUntil  time.Time
	// UndoOf is, on an Undo request, the ID (and number) of the request it undoes.
	UndoOf       string
	UndoOfNumber int64
	// UndoneBy is, on an undone (or being undone) request, the ID of its Undo request; UndoActor
	// clicked Undo at UndoAt. Set when Undo is clicked; State becomes Undone when the Undo
	// request finishes done or partial.
	UndoneBy  string
	UndoActor string
	UndoAt    time.Time

	DecidedBy  string    // who approved (the quorum-making approval), denied or cancelled; SystemActor when modbot cancelled it
	DecidedAt  time.Time // when the request left pending (also for expiry)
	DenyReason string
	// CancelReason says why modbot cancelled the request itself (DecidedBy is SystemActor):
	// "requester no longer allowed" when the requester had lost the moderator role by the time
	// the quorum formed.
	CancelReason string
	// DroppedApprovals are the approvers whose approval stopped counting because they were no
	// longer approvers when the quorum formed, in the order they were dropped.
	DroppedApprovals []string
	FinishedAt       time.Time // when it reached its current final state
	Retries          int       // how often "Retry failed" ran

	Outcomes map[string]Outcome // by account; accounts without one are not yet done
	Owed     []Effect           // Slack side effects still owed, sorted
	Lease    Lease              // current lease (Owner "" when free)

	// Repeat is set on the request a decision returns when this very operation had been applied
	// before (go-redis re-sent the script, or Slack delivered the click twice): the caller must
	// not announce it a second time.
	Repeat bool
}

// Approval is one approver's approval.
type Approval struct {
	By string
	At time.Time
}

// Outcome is how unbanning one account ended: done, skipped or failed.
type Outcome struct {
	Account string
	// Done: Tencent accepted a call carrying the account. Nothing else makes an account done.
	Done bool
	// Skipped: not sent, because a complete read of the target's state showed the account
	// already in the wanted state; Info says why ("already unbanned: …").
	Skipped bool
	Code    int    // Tencent ErrorCode when failed (0 if none)
	Info    string // short ErrorInfo or reason when failed; why when skipped
}

// Failed reports whether the outcome is a failure (neither done nor skipped).
func (o Outcome) Failed() bool { return !o.Done && !o.Skipped }

// Remaining lists the accounts without an outcome, in request order: what an
// executor (or a resumer) still has to send. Retry clears the failed
// outcomes, so after it they are remaining again.
func (r *Request) Remaining() []string {
	var out []string
	for _, a := range r.Accounts {
		if _, ok := r.Outcomes[a]; !ok {
			out = append(out, a)
		}
	}
	return out
}

// Owes reports whether the request still owes effect e.
func (r *Request) Owes(e Effect) bool { return slices.Contains(r.Owed, e) }

// CreateRequest stores a new pending request, numbers it, audits it and
// indexes it for expiry. The requester must be a moderator or above at that
// moment (else ErrForbidden). Sending the same OpID again returns the
// request that op created.
func (s *Store) CreateRequest(ctx context.Context, nr NewRequest) (*Request, error) {
	if nr.Action == "" && nr.Approvals <= 0 {
		nr.Approvals = 1
	}
	if err := nr.check(); err != nil {
		return nil, fmt.Errorf("create request: %w", err)
	}
	action := nr.Action
	if action == "" {
		action = UnbanAction
	}
	ttl := nr.TTL
	if nr.Confirm {
		ttl = ConfirmWindow
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	confirm := "0"
	if nr.Confirm {
		confirm = "1"
	}
	args := []any{id, nr.OpID, string(nr.Target.Kind), nr.Target.ID,
		nr.Target.GroupType, strings.Join(nr.Accounts, "\n"), nr.Reason, nr.Requester, nr.Channel,
		ttl.Milliseconds(), nr.Approvals, nr.LeaseOwner, nr.LeaseTTL.Milliseconds(), max(nr.MaxOpen, 0),
		string(action), int64(nr.Duration), nr.ReasonCode, confirm, nr.UndoWindow.Milliseconds(), nr.Preview, nr.History}
	for _, a := range nr.Accounts {
		if p, ok := nr.Prior[a]; ok && p.Checked {
			args = append(args, a, p.encode())
		}
	}
	status, rest, err := s.runStatus(ctx, s.scripts.create, args...)
	if err != nil {
		return nil, fmt.Errorf("create request: %w", err)
	}
	switch status {
	case "ok", "dup":
		return decodeRequest(rest[0])
	case "forbidden":
		return nil, fmt.Errorf("create request by %s: %w", nr.Requester, ErrForbidden)
	case "toomany":
		return nil, tooManyOpen(rest)
	}
	return nil, fmt.Errorf("create request: unexpected reply %q", status)
}

// Request returns the request with this ID, or ErrNotFound.
func (s *Store) Request(ctx context.Context, id string) (*Request, error) {
	rs, err := s.requests(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if rs[0] == nil {
		return nil, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	return rs[0], nil
}

// RequestByNumber returns the request with this human number, or ErrNotFound.
func (s *Store) RequestByNumber(ctx context.Context, n int64) (*Request, error) {
	id, err := s.rdb.Get(ctx, s.key("reqnum", strconv.FormatInt(n, 10))).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("request #%d: %w", n, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("request #%d: %w", n, err)
	}
	return s.Request(ctx, id)
}

// PendingRequests lists the requests waiting for a decision, soonest expiry
// first. A request past its expiry stays listed until ExpireDue (or a
// decision attempt) expires it.
func (s *Store) PendingRequests(ctx context.Context) ([]*Request, error) {
	ids, err := s.rdb.ZRange(ctx, s.key("req", "pending"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("pending requests: %w", err)
	}
	rs, err := s.requests(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if r != nil && r.State == Pending {
			out = append(out, r)
		}
	}
	return out, nil
}

// requests reads requests consistently; a missing one is nil.
func (s *Store) requests(ctx context.Context, ids []string) ([]*Request, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	v, err := s.run(ctx, s.scripts.get, args...)
	if err != nil {
		return nil, fmt.Errorf("read requests: %w", err)
	}
	list, _ := v.([]any)
	out := make([]*Request, len(ids))
	for i := range out {
		if i >= len(list) {
			break
		}
		if _, missing := list[i].(string); missing {
			continue
		}
		if out[i], err = decodeRequest(list[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (nr *NewRequest) check() error {
	switch {
	case nr.OpID == "":
		return errors.New("no op ID")
	case nr.Target.Kind != KindGroup && nr.Target.Kind != KindRoom:
		return fmt.Errorf("target kind %q is not group or room", nr.Target.Kind)
	case nr.Target.ID == "":
		return errors.New("no target ID")
	case len(nr.Accounts) == 0:
		return errors.New("no accounts")
	case nr.Requester == "":
		return errors.New("no requester")
	case nr.Approvals < 0:
		return fmt.Errorf("%d approvals", nr.Approvals)
	case nr.TTL <= 0 && nr.Approvals > 0:
		return errors.New("no TTL")
	}
	switch nr.Action {
	case "", UnbanAction, UnmuteAction:
		if nr.Duration != 0 {
			return fmt.Errorf("%s with a duration (%d s)", nr.Action.orUnban(), nr.Duration)
		}
	case BanAction, MuteAction:
		if nr.Duration == 0 {
			return fmt.Errorf("%s without a duration", nr.Action)
		}
	default:
		return fmt.Errorf("action %q is not ban, mute, unmute or unban", nr.Action)
	}
	if (nr.Action == MuteAction || nr.Action == UnmuteAction) && nr.Target.Kind != KindGroup {
		return fmt.Errorf("%s on a %s: only groups can be muted", nr.Action, nr.Target.Kind)
	}
	if nr.Approvals > 0 && (nr.Confirm || nr.UndoWindow != 0) {
		return errors.New("Confirm and Undo are for immediate actions (0 approvals) only")
	}
	if nr.UndoWindow < 0 {
		return errors.New("negative undo window")
	}
	for _, a := range nr.Accounts {
		if a == "" || strings.ContainsAny(a, " \t\r\n") {
			return fmt.Errorf("account %q is empty or has whitespace", a)
		}
	}
	return nil
}

func newID() (string, error) {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random ID: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
