package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Watched targets: the groups and rooms whose ban and mute lists one replica at a time sweeps
// (see docs/DESIGN.md, "Watched targets"), each with its sweep record. The sweep's lease and
// commit are in sweep.go.

// DefaultMaxWatched is the default cap on watched targets (MODBOT_MAX_WATCHED).
const DefaultMaxWatched = 1000

// Actors of the audit entries a sweep writes: a change nobody did through modbot, and a ban or
// mute that ended by itself.
const (
	OutsideActor = "outside modbot"
	TencentActor = "Tencent"
)

// Audit actions and outcomes of watched targets and their sweeps. The actions of outside
// changes are the action kinds themselves ("ban", "unban", "mute", "unmute").
const (
	ActionWatch     AuditAction = "watch"
	ActionUnwatch   AuditAction = "unwatch"
	ActionBanEnded  AuditAction = "ban ended"
	ActionMuteEnded AuditAction = "mute ended"
	ActionGone      AuditAction = "target gone"
	ActionChanges   AuditAction = "outside changes" // the summary of more than SummaryOver changes in one sweep
	ActionNote      AuditAction = "note"

	OutcomeOutside AuditOutcome = "outside" // a change made outside modbot
	OutcomeEnded   AuditOutcome = "ended"   // a ban or mute that ended by itself
)

// WatchState is what a target's last sweep found.
type WatchState string

// Watch states.
const (
	WatchNew     WatchState = "new"     // not swept yet: the first sweep records a baseline
	WatchOK      WatchState = "ok"      // the last sweep read every list completely
	WatchPartial WatchState = "partial" // the last sweep read part of a list (Note says what); the rest kept
	WatchFailed  WatchState = "failed"  // the last sweep could not read the target (Note says why)
	WatchGone    WatchState = "gone"    // Tencent says the target does not exist (reported once)
)

// Watched is one watched target and its sweep record.
type Watched struct {
	Kind      TargetKind
	ID        string
	Num       int64 // short number of the target in snapshot keys and the account index
	AddedBy   string
	AddedAt   time.Time
	LastSweep time.Time // when its lists were last read (fully or in part) and stored; zero before
	LastTry   time.Time // when a sweep last tried it
	State     WatchState
	Note      string // what the last sweep said about it (an error, a cap)
	Bans      int    // rows in its ban snapshot after the last sweep
	Mutes     int    // rows in its mute snapshot (groups)
	Changes   int64  // changes reported by sweeps in total
	Recent    []string
	Gone      bool // reported gone and not seen since
	LastOp    string
	Round     int64 // the sweep round that last tried it
}

// Name is "group:<id>" or "room:<id>".
func (w Watched) Name() string { return string(w.Kind) + ":" + w.ID }

// WatchFullError refuses a watch beyond the cap.
type WatchFullError struct{ Max, Count int }

func (e *WatchFullError) Error() string {
	return fmt.Sprintf("already watching %d targets, the most MODBOT_MAX_WATCHED allows is %d: unwatch one first", e.Count, e.Max)
}

// Is makes errors.Is(err, ErrWatchFull) hold.
func (e *WatchFullError) Is(target error) bool { return target == ErrWatchFull }

// Errors of watching.
var (
	// ErrWatchFull: as many targets are watched as the cap allows (a *WatchFullError).
	ErrWatchFull = errors.New("too many watched targets")
	// ErrAlreadyWatched: Watch of a target that is watched already.
	ErrAlreadyWatched = errors.New("already watched")
	// ErrNotWatched: a sweep commit for a target that was unwatched meanwhile.
	ErrNotWatched = errors.New("not watched")
)

var (
	snapLib     = mustRead("lib") + mustRead("snaplib")
	watchScript = redis.NewScript(snapLib + mustRead("watch"))
)

// Watch starts watching a target (actor must be an admin at this moment, or SystemActor), with
// an audit entry. At most max targets are watched (max ≤ 0: DefaultMaxWatched): one more gives
// a *WatchFullError; a target watched already gives ErrAlreadyWatched. The caller checks that the
// target exists.
func (s *Store) Watch(ctx context.Context, actor string, kind TargetKind, id string, max int, opID string) (Watched, error) {
	if max <= 0 {
		max = DefaultMaxWatched
	}
	if err := checkTarget(kind, id); err != nil {
		return Watched{}, err
	}
	status, rest, err := s.runStatus(ctx, watchScript, "add", actor, string(kind), id, max, opID)
	if err != nil {
		return Watched{}, fmt.Errorf("watch %s:%s: %w", kind, id, err)
	}
	switch status {
	case "ok":
		return s.WatchedTarget(ctx, kind, id)
	case "exists":
		return Watched{}, fmt.Errorf("watch %s:%s: %w", kind, id, ErrAlreadyWatched)
	case "full":
		n, _ := strconv.Atoi(str(rest, 0))
		return Watched{}, &WatchFullError{Max: max, Count: n}
	case "forbidden":
		return Watched{}, fmt.Errorf("watch %s:%s by %s (role %q): %w", kind, id, actor, str(rest, 0), ErrForbidden)
	}
	return Watched{}, fmt.Errorf("watch %s:%s: unexpected reply %q", kind, id, status)
}

// Unwatch stops watching a target (admins only), dropping its snapshots and their rows of the
// account index, with an audit entry. ErrNotFound if it was not watched.
func (s *Store) Unwatch(ctx context.Context, actor string, kind TargetKind, id, opID string) error {
	status, rest, err := s.runStatus(ctx, watchScript, "remove", actor, string(kind), id, 0, opID)
	if err != nil {
		return fmt.Errorf("unwatch %s:%s: %w", kind, id, err)
	}
	switch status {
	case "ok":
		return nil
	case "notfound":
		return fmt.Errorf("unwatch %s:%s: %w", kind, id, ErrNotFound)
	case "forbidden":
		return fmt.Errorf("unwatch %s:%s by %s (role %q): %w", kind, id, actor, str(rest, 0), ErrForbidden)
	}
	return fmt.Errorf("unwatch %s:%s: unexpected reply %q", kind, id, status)
}

// WatchedTargets lists every watched target, oldest watch first.
func (s *Store) WatchedTargets(ctx context.Context) ([]Watched, error) {
	names, err := s.rdb.ZRange(ctx, s.key("watch"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("watched targets: %w", err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(names))
	for i, n := range names {
		cmds[i] = pipe.HGetAll(ctx, s.key("watch", n))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("watched targets: %w", err)
	}
	out := make([]Watched, 0, len(names))
	for _, c := range cmds {
		if w, ok := decodeWatched(c.Val()); ok {
			out = append(out, w)
		}
	}
	return out, nil
}

// WatchedTarget is one watched target's record; ErrNotFound if it is not watched.
func (s *Store) WatchedTarget(ctx context.Context, kind TargetKind, id string) (Watched, error) {
	m, err := s.rdb.HGetAll(ctx, s.key("watch", string(kind), id)).Result()
	if err != nil {
		return Watched{}, fmt.Errorf("watched %s:%s: %w", kind, id, err)
	}
	w, ok := decodeWatched(m)
	if !ok {
		return Watched{}, fmt.Errorf("watched %s:%s: %w", kind, id, ErrNotFound)
	}
	return w, nil
}

func decodeWatched(m map[string]string) (Watched, bool) {
	if m["num"] == "" {
		return Watched{}, false
	}
	w := Watched{
		Kind:    TargetKind(m["kind"]),
		ID:      m["id"],
		Num:     atoi64(m["num"]),
		AddedBy: m["added_by"],
		AddedAt: msTime(m["added_ms"]),
		State:   WatchState(m["state"]),
		Note:    m["note"],
		Bans:    int(atoi64(m["bans"])),
		Mutes:   int(atoi64(m["mutes"])),
		Changes: atoi64(m["changes"]),
		Recent:  splitLines(m["recent"]),
		Gone:    m["gone"] == "1",
		LastOp:  m["last_op"],
		Round:   atoi64(m["round"]),
	}
	if m["last_sweep_ms"] != "" {
		w.LastSweep = msTime(m["last_sweep_ms"])
	}
	if m["last_try_ms"] != "" {
		w.LastTry = msTime(m["last_try_ms"])
	}
	return w, true
}

func checkTarget(kind TargetKind, id string) error {
	if kind != KindGroup && kind != KindRoom {
		return fmt.Errorf("target kind %q: want group or room", kind)
	}
	if id == "" || len(id) > 48 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e || r == ',' }) {
		return fmt.Errorf("target ID %q: want 1 to 48 bytes of printable ASCII without spaces or commas", id)
	}
	return nil
}
