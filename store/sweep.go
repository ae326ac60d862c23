package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The sweep of the watched targets (watch.go): the lease one replica at a time sweeps under,
// the atomic commit of one target's sweep, and what the sweep reads to tell modbot's own
// actions from outside changes.

var (
	sweepLeaseScript = redis.NewScript(mustRead("lib") + mustRead("sweeplease"))
	sweepCommit      = redis.NewScript(snapLib + mustRead("sweepcommit"))
)

// SweepLease is the right to sweep the watched targets. Round is when the current round of
// sweeps started and Seq its number: a target whose Watched.Round is Seq is done for this round.
type SweepLease struct {
	Owner string
	Epoch int64
	Until time.Time // by Redis's clock
	Round time.Time
	Seq   int64 // the round's number
}

// NotDueError says the next sweep is not due yet.
type NotDueError struct{ Due time.Time }

func (e *NotDueError) Error() string { return "next sweep due at " + e.Due.UTC().Format(time.RFC3339) }

// Is makes errors.Is(err, ErrNotDue) hold.
func (e *NotDueError) Is(target error) bool { return target == ErrNotDue }

// ErrNotDue: ClaimSweep before the next sweep is due (a *NotDueError).
var ErrNotDue = errors.New("sweep not due")

// ClaimSweep gives owner the sweep lease for ttl if nobody else holds a live one and a sweep is
// due (or a round is open because a sweep stopped half-way). Errors: *LeaseHeldError
// (ErrLeaseHeld), *NotDueError (ErrNotDue).
func (s *Store) ClaimSweep(ctx context.Context, owner string, ttl time.Duration) (SweepLease, error) {
	if owner == "" || ttl <= 0 {
		return SweepLease{}, errors.New("claim sweep: owner and ttl required")
	}
	return s.sweepLease(ctx, "claim", SweepLease{Owner: owner}, ttl, 0)
}

// RenewSweep extends the sweep lease to ttl from now; ErrLeaseLost if owner no longer holds it.
func (s *Store) RenewSweep(ctx context.Context, l SweepLease, ttl time.Duration) (SweepLease, error) {
	return s.sweepLease(ctx, "renew", l, ttl, 0)
}

// FinishSweep ends a round: the next sweep is due interval after the round started (or now if
// that has passed), and the lease is free.
func (s *Store) FinishSweep(ctx context.Context, l SweepLease, interval time.Duration) error {
	_, err := s.sweepLease(ctx, "finish", l, 0, interval)
	return err
}

// ReleaseSweep frees the lease without ending the round (shutdown, a sweep that stopped): the
// next claimer continues the round.
func (s *Store) ReleaseSweep(ctx context.Context, l SweepLease) error {
	_, err := s.sweepLease(ctx, "release", l, 0, 0)
	return err
}

func (s *Store) sweepLease(ctx context.Context, mode string, l SweepLease, ttl, interval time.Duration) (SweepLease, error) {
	status, rest, err := s.runStatus(ctx, sweepLeaseScript, mode, l.Owner, strconv.FormatInt(l.Epoch, 10), ttl.Milliseconds(), interval.Milliseconds())
	if err != nil {
		return SweepLease{}, fmt.Errorf("sweep lease %s: %w", mode, err)
	}
	switch status {
	case "ok":
		out := SweepLease{Owner: l.Owner, Epoch: atoi64(str(rest, 0)), Until: msTime(str(rest, 1))}
		out.Round, out.Seq = l.Round, l.Seq
		if r := str(rest, 2); r != "" {
			out.Round, out.Seq = msTime(r), atoi64(str(rest, 3))
		}
		return out, nil
	case "held":
		return SweepLease{}, &LeaseHeldError{Owner: str(rest, 0), Until: msTime(str(rest, 1))}
	case "notdue":
		return SweepLease{}, &NotDueError{Due: msTime(str(rest, 0))}
	case "leaselost":
		return SweepLease{}, fmt.Errorf("sweep lease %s for %s: %w", mode, l.Owner, ErrLeaseLost)
	}
	return SweepLease{}, fmt.Errorf("sweep lease %s: unexpected reply %q", mode, status)
}

// SweepList is one list a sweep read of a target, as it should be stored: the whole new
// snapshot and the index rows that change.
type SweepList struct {
	List  SnapList
	Rows  map[string]int64 // account → until (Unix seconds): the new snapshot
	Set   map[string]int64 // index rows to set (new or changed)
	Unset []string         // index rows to remove
}

// SweepEntry is one change a sweep reports: an audit entry on one account.
type SweepEntry struct {
	Actor   string       // OutsideActor or TencentActor
	Action  AuditAction  // ActionBan, ActionUnban, ActionMute, ActionUnmute, ActionBanEnded, ActionMuteEnded, ActionGone
	Account string       // "" for ActionGone
	Outcome AuditOutcome // OutcomeOutside, OutcomeEnded
	Detail  string
	Quiet   bool // posted to the feed only as part of the summary
}

// SweepCommit is everything one sweep of one target stores, at once.
type SweepCommit struct {
	Target  Watched // as read before the sweep (Kind, ID, Num)
	OpID    string  // unique per target and round: the same commit sent twice is applied once
	Swept   bool    // the lists were read (fully or in part): LastSweep, Bans and Mutes move
	State   WatchState
	Note    string
	Bans    int
	Mutes   int
	Gone    bool
	Recent  []string // the target's latest change lines, newest first (kept: 5)
	Lists   []SweepList
	Entries []SweepEntry
	Summary *SweepEntry // one line for the feed when the entries are quiet
	Count   int         // of the summary: changes it stands for
}

// CommitSweep stores one target's sweep atomically, fenced by the sweep lease (renewed to
// ttl): snapshots, index rows, audit entries and the sweep record. ErrLeaseLost: stop
// sweeping; ErrNotWatched: the target was unwatched meanwhile. A commit whose OpID was applied
// already succeeds without writing anything again.
func (s *Store) CommitSweep(ctx context.Context, l SweepLease, ttl time.Duration, c SweepCommit) error {
	type jl struct {
		L    string     `json:"l"`
		Blob string     `json:"blob"`
		Set  [][]string `json:"set"`
		Del  []string   `json:"del"`
	}
	type je struct {
		Actor   string       `json:"actor"`
		Action  AuditAction  `json:"action"`
		Account string       `json:"account"`
		Outcome AuditOutcome `json:"outcome"`
		Detail  string       `json:"detail"`
		Quiet   bool         `json:"quiet"`
		Count   int          `json:"count,omitempty"`
	}
	p := struct {
		Kind    string `json:"kind"`
		ID      string `json:"id"`
		Num     string `json:"num"`
		Op      string `json:"op"`
		Round   int64  `json:"round"`
		Swept   bool   `json:"swept"`
		State   string `json:"state"`
		Note    string `json:"note"`
		Bans    int    `json:"bans"`
		Mutes   int    `json:"mutes"`
		Gone    string `json:"gone"`
		Recent  string `json:"recent"`
		Lists   []jl   `json:"lists"`
		Entries []je   `json:"entries"`
		Summary *je    `json:"summary,omitempty"`
	}{
		Kind: string(c.Target.Kind), ID: c.Target.ID, Num: strconv.FormatInt(c.Target.Num, 10), Op: c.OpID, Round: l.Seq,
		Swept: c.Swept, State: string(c.State), Note: c.Note, Bans: c.Bans, Mutes: c.Mutes,
		Recent: strings.Join(c.Recent[:min(len(c.Recent), 5)], "\n"),
	}
	if c.Gone {
		p.Gone = "1"
	}
	for _, l := range c.Lists {
		x := jl{L: string(l.List), Blob: encodeSnapshot(l.Rows), Set: [][]string{}, Del: l.Unset}
		if x.Del == nil {
			x.Del = []string{}
		}
		for a, u := range l.Set {
			x.Set = append(x.Set, []string{a, strconv.FormatInt(u, 10)})
		}
		p.Lists = append(p.Lists, x)
	}
	p.Entries = []je{}
	for _, e := range c.Entries {
		p.Entries = append(p.Entries, je{e.Actor, e.Action, e.Account, e.Outcome, e.Detail, e.Quiet, 0})
	}
	if c.Summary != nil {
		p.Summary = &je{c.Summary.Actor, c.Summary.Action, "", c.Summary.Outcome, c.Summary.Detail, false, c.Count}
	}
	if p.Lists == nil {
		p.Lists = []jl{}
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("commit sweep of %s: %w", c.Target.Name(), err)
	}
	status, _, err := s.runStatus(ctx, sweepCommit, l.Owner, strconv.FormatInt(l.Epoch, 10), ttl.Milliseconds(), string(payload))
	if err != nil {
		return fmt.Errorf("commit sweep of %s: %w", c.Target.Name(), err)
	}
	switch status {
	case "ok", "repeat":
		return nil
	case "leaselost":
		return fmt.Errorf("commit sweep of %s: %w", c.Target.Name(), ErrLeaseLost)
	case "notwatched":
		return fmt.Errorf("commit sweep of %s: %w", c.Target.Name(), ErrNotWatched)
	}
	return fmt.Errorf("commit sweep of %s: unexpected reply %q", c.Target.Name(), status)
}

// RecordedActions returns, for each of accounts, the actions modbot itself recorded as done on
// the target since since: audit entries on the account and target whose outcome is "done" and
// whose actor is a person (not OutsideActor or TencentActor). These explain a change a sweep
// sees.
func (s *Store) RecordedActions(ctx context.Context, kind TargetKind, id string, since time.Time, accounts []string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	lo := "[" + padID(strconv.FormatInt(since.UnixMilli(), 10)+"-0")
	const batch = 1000
	for start := 0; start < len(accounts); start += batch {
		chunk := accounts[start:min(start+batch, len(accounts))]
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.StringSliceCmd, len(chunk))
		for i, a := range chunk {
			cmds[i] = pipe.ZRevRangeByLex(ctx, s.key("audit", "acct", a), &redis.ZRangeBy{Max: "+", Min: lo, Count: 50})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("recorded actions on %s:%s: %w", kind, id, err)
		}
		ids := map[string][]string{} // entry ID → accounts
		for i, c := range cmds {
			for _, m := range c.Val() {
				eid := unpadID(m)
				ids[eid] = append(ids[eid], chunk[i])
			}
		}
		entries, err := s.entries(ctx, slices.Collect(mapKeys(ids)))
		if err != nil {
			return nil, fmt.Errorf("recorded actions on %s:%s: %w", kind, id, err)
		}
		for _, e := range entries {
			if e.TargetKind != string(kind) || e.Target != id || e.Outcome != "done" || e.Actor == OutsideActor || e.Actor == TencentActor {
				continue
			}
			for _, a := range ids[e.ID] {
				if out[a] == nil {
					out[a] = map[string]bool{}
				}
				out[a][string(e.Action)] = true
			}
		}
	}
	return out, nil
}

// entries reads audit entries by ID (those trimmed away are left out).
func (s *Store) entries(ctx context.Context, ids []string) ([]AuditEntry, error) {
	var out []AuditEntry
	const batch = 1000
	for start := 0; start < len(ids); start += batch {
		chunk := ids[start:min(start+batch, len(ids))]
		pipe := s.rdb.Pipeline()
		reads := make([]*redis.XMessageSliceCmd, len(chunk))
		for i, id := range chunk {
			reads[i] = pipe.XRange(ctx, s.key("audit"), id, id)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, err
		}
		for _, r := range reads {
			if msgs := r.Val(); len(msgs) == 1 {
				out = append(out, decodeEntry(msgs[0].ID, stringValues(msgs[0].Values)))
			}
		}
	}
	return out, nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// InFlight lists the accounts of requests on the target that are approved or executing: a
// change of theirs may already be at Tencent without its outcome recorded yet, so a sweep leaves
// it for the next one rather than call it an outside change.
func (s *Store) InFlight(ctx context.Context, kind TargetKind, id string) (map[string]bool, error) {
	ids, err := s.rdb.ZRange(ctx, s.key("req", "work"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("requests in flight: %w", err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, rid := range ids {
		cmds[i] = pipe.HMGet(ctx, s.key("req", rid), "kind", "target", "state", "accounts")
	}
	if len(ids) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("requests in flight: %w", err)
		}
	}
	out := map[string]bool{}
	for _, c := range cmds {
		v := c.Val()
		if len(v) != 4 {
			continue
		}
		k, _ := v[0].(string)
		t, _ := v[1].(string)
		st, _ := v[2].(string)
		acc, _ := v[3].(string)
		if k != string(kind) || t != id || (st != string(Approved) && st != string(Executing)) {
			continue
		}
		for _, a := range splitLines(acc) {
			out[a] = true
		}
	}
	return out, nil
}
