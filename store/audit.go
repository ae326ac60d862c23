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

// AuditEntry is one event in the audit log: a command (allowed or refused),
// a decision, a Tencent outcome, an allowlist change.
type AuditEntry struct {
	ID            string      // stream entry ID; set by the store
	Time          time.Time   // Redis's clock; set by the store
	Actor         string      // Slack user ID, or SystemActor
	Action        AuditAction // what happened: one of the Action… constants
	TargetKind    string      // "group", "room", "user", or ""
	Target        string      // group ID, room ID or Slack user ID
	Accounts      []string    // the first 20 accounts (all are indexed)
	AccountCount  int         // how many accounts the event concerned (Append: at least len(Accounts))
	RequestID     string
	RequestNumber int64
	Outcome       AuditOutcome // how it ended: one of the Outcome… constants
	Code          int          // Tencent ErrorCode, if any
	Detail        string       // short free text (reason, error info, "1 of 2")
	OpID          string       // the operation (click, command) it belongs to
	// Kind is the action kind of the request the entry is about (every entry the request scripts
	// write, read back from the stream's act field), or what Append was given; "" for entries
	// about no action. ReasonCode is that request's reason code (the stream's rc field), or "".
	Kind       ActionKind
	ReasonCode string
}

// AuditAction names what an audit entry records. The Lua scripts write the same names
// (TestLuaAuditNames keeps them in step).
type AuditAction string

// The audit actions: the request life cycle (written by the scripts), the allowlist, the Tencent
// actions, and the bot's own commands and refusals.
const (
	ActionRequest         AuditAction = "request"
	ActionApprove         AuditAction = "approve"
	ActionDeny            AuditAction = "deny"
	ActionCancel          AuditAction = "cancel"
	ActionExpire          AuditAction = "expire"
	ActionExecute         AuditAction = "execute"
	ActionResume          AuditAction = "resume"
	ActionFinish          AuditAction = "finish"
	ActionRetry           AuditAction = "retry"
	ActionConfirm         AuditAction = "confirm" // the requester confirmed an immediate action's preview
	ActionUndo            AuditAction = "undo"    // an immediate action put back as its preview found it
	ActionLookup          AuditAction = "lookup"  // a case file read
	ActionWatched         AuditAction = "watched" // the watched targets listed
	ActionApprovalDropped AuditAction = "approval-dropped"
	ActionAllow           AuditAction = "allow"
	ActionRevoke          AuditAction = "revoke"
	ActionBootstrap       AuditAction = "bootstrap"
	ActionUnban           AuditAction = "unban"
	ActionBan             AuditAction = "ban"
	ActionMute            AuditAction = "mute"
	ActionUnmute          AuditAction = "unmute"
	ActionRoles           AuditAction = "roles"
	ActionBanned          AuditAction = "banned"
	ActionHelp            AuditAction = "help"
	ActionWhoami          AuditAction = "whoami"
	ActionWho             AuditAction = "who"
	ActionPending         AuditAction = "pending"
	ActionLog             AuditAction = "log"
	ActionRefused         AuditAction = "refused" // a command or click the caller may not make
	ActionInvalid         AuditAction = "invalid" // a command modbot could not parse
	ActionDropped         AuditAction = "dropped" // work refused because the bot was busy
	ActionForeign         AuditAction = "foreign" // a payload from another workspace or app
)

// AuditOutcome names how an audited event ended.
type AuditOutcome string

// The audit outcomes.
const (
	OutcomeOK        AuditOutcome = "ok"
	OutcomeRefused   AuditOutcome = "refused"
	OutcomeFailed    AuditOutcome = "failed"
	OutcomeError     AuditOutcome = "error"
	OutcomePending   AuditOutcome = "pending"
	OutcomeApproval  AuditOutcome = "approval" // an approval counted; more are needed
	OutcomeApproved  AuditOutcome = "approved"
	OutcomeDenied    AuditOutcome = "denied"
	OutcomeCancelled AuditOutcome = "cancelled"
	OutcomeExpired   AuditOutcome = "expired"
	OutcomeExecuting AuditOutcome = "executing"
	OutcomeDone      AuditOutcome = "done"
	OutcomePartial   AuditOutcome = "partial"
	OutcomeSkipped   AuditOutcome = "skipped"
	OutcomeDropped   AuditOutcome = "dropped"
	OutcomeRequested AuditOutcome = "requested" // an Undo was asked for; its own request runs it
	OutcomeUndone    AuditOutcome = "undone"
)

// AuditActions lists every AuditAction constant.
func AuditActions() []AuditAction {
	return []AuditAction{
		ActionRequest, ActionApprove, ActionDeny, ActionCancel, ActionExpire, ActionExecute, ActionResume,
		ActionFinish, ActionRetry, ActionApprovalDropped, ActionAllow, ActionRevoke, ActionBootstrap,
		ActionUnban, ActionBan, ActionMute, ActionUnmute, ActionRoles, ActionBanned, ActionHelp,
		ActionWhoami, ActionWho, ActionPending, ActionLog, ActionRefused, ActionInvalid, ActionDropped,
		ActionForeign, ActionConfirm, ActionUndo, ActionWatch, ActionUnwatch, ActionBanEnded,
		ActionMuteEnded, ActionGone, ActionChanges, ActionNote, ActionLookup, ActionWatched,
	}
}

// AuditOutcomes lists every AuditOutcome constant.
func AuditOutcomes() []AuditOutcome {
	return []AuditOutcome{
		OutcomeOK, OutcomeRefused, OutcomeFailed, OutcomeError, OutcomePending, OutcomeApproved,
		OutcomeApproval, OutcomeDenied, OutcomeCancelled, OutcomeExpired, OutcomeExecuting, OutcomeDone, OutcomePartial,
		OutcomeSkipped, OutcomeDropped, OutcomeRequested, OutcomeUndone, OutcomeOutside, OutcomeEnded,
	}
}

// AuditFilter selects audit entries; all non-empty fields must match.
type AuditFilter struct {
	Actor      string     // by:<user>
	Account    string     // account:<id>, among all the entry's accounts
	Group      string     // group:<id>
	Room       string     // room:<id>
	RequestID  string     // a request's events (resolve #n with RequestByNumber)
	Kind       ActionKind // action:<kind>: entries about requests of that kind
	ReasonCode string     // reason:<code>: entries about requests with that reason code
}

// AuditPage is one page of a newest-first audit query.
type AuditPage struct {
	Entries []AuditEntry
	Next    string // cursor of the next (older) page; "" on the last page
}

// Append writes an entry to the audit log (and its filter indexes); the
// entry's ID and Time are Redis's. It returns the entry ID.
func (s *Store) Append(ctx context.Context, e AuditEntry) (string, error) {
	v, err := s.run(ctx, s.scripts.appendAudit, e.Actor, string(e.Action), e.TargetKind, e.Target,
		strings.Join(e.Accounts, "\n"), e.RequestID, e.RequestNumber, string(e.Outcome), e.Code, e.Detail, e.OpID, e.AccountCount,
		string(e.Kind), e.ReasonCode)
	if err != nil {
		return "", fmt.Errorf("append audit %s by %s: %w", e.Action, e.Actor, err)
	}
	id, _ := v.(string)
	return id, nil
}

// Audit returns up to limit entries matching f, newest first, older than
// cursor ("" for the newest). Filters are answered from small per-filter
// indexes, driven by the smallest, so no query scans the whole log.
func (s *Store) Audit(ctx context.Context, f AuditFilter, cursor string, limit int) (AuditPage, error) {
	if limit <= 0 {
		limit = 20
	}
	now, err := s.Now(ctx)
	if err != nil {
		return AuditPage{}, err
	}
	minID := strconv.FormatInt(now.Add(-s.opts.AuditRetention).UnixMilli(), 10) + "-0"
	var entries []AuditEntry
	if idx := s.indexKeys(f); len(idx) == 0 {
		entries, err = s.auditScan(ctx, cursor, minID, limit+1)
	} else {
		entries, err = s.auditIndexed(ctx, idx, cursor, minID, limit+1)
	}
	if err != nil {
		return AuditPage{}, fmt.Errorf("audit query: %w", err)
	}
	page := AuditPage{Entries: entries}
	if len(entries) > limit {
		page.Entries = entries[:limit]
		page.Next = entries[limit-1].ID
	}
	return page, nil
}

// FeedNext returns up to max audit entries after the feed cursor, for
// posting to the audit channel, if owner holds the feed lease or gets it
// now (the lease lasts Options.FeedLease, renewed by each call). Another
// live holder gives a *LeaseHeldError. Post them, then FeedAck.
func (s *Store) FeedNext(ctx context.Context, owner string, max int) ([]AuditEntry, error) {
	if max <= 0 {
		max = 50
	}
	status, rest, err := s.runStatus(ctx, s.scripts.feed, "next", owner, s.opts.FeedLease.Milliseconds(), max)
	if err != nil {
		return nil, fmt.Errorf("audit feed: %w", err)
	}
	if status != "ok" {
		return nil, replyError("audit feed for "+owner, "", status, rest)
	}
	raw, _ := rest[0].([]any)
	out := make([]AuditEntry, 0, len(raw))
	for _, r := range raw {
		pair, _ := r.([]any)
		if len(pair) != 2 {
			continue
		}
		id, _ := pair[0].(string)
		out = append(out, decodeEntry(id, pairs(pair[1])))
	}
	return out, nil
}

// FeedAck moves the feed cursor to lastID (never backwards) once Slack
// accepted the lines up to it, if owner still holds the feed lease (else
// ErrLeaseLost: stop posting). It renews the lease.
func (s *Store) FeedAck(ctx context.Context, owner, lastID string) error {
	if _, _, ok := parseID(lastID); !ok {
		return fmt.Errorf("audit feed ack: bad entry ID %q", lastID)
	}
	return s.feedCall(ctx, "ack", owner, lastID)
}

// FeedRelease gives up the feed lease (graceful shutdown) so another
// replica takes over at once.
func (s *Store) FeedRelease(ctx context.Context, owner string) error {
	return s.feedCall(ctx, "release", owner, "")
}

func (s *Store) feedCall(ctx context.Context, mode, owner, arg string) error {
	status, rest, err := s.runStatus(ctx, s.scripts.feed, mode, owner, s.opts.FeedLease.Milliseconds(), arg)
	if err != nil {
		return fmt.Errorf("audit feed %s: %w", mode, err)
	}
	if status != "ok" {
		return replyError("audit feed "+mode+" for "+owner, "", status, rest)
	}
	return nil
}

// indexKeys are the index sorted sets a filter reads.
func (s *Store) indexKeys(f AuditFilter) []string {
	var keys []string
	add := func(v string, parts ...string) {
		if v != "" {
			keys = append(keys, s.key(append(parts, v)...))
		}
	}
	add(f.Actor, "audit", "by")
	add(f.Account, "audit", "acct")
	add(f.Group, "audit", "t", "group")
	add(f.Room, "audit", "t", "room")
	add(f.RequestID, "audit", "req")
	add(string(f.Kind), "audit", "act")
	add(f.ReasonCode, "audit", "rc")
	return keys
}

// auditScan reads the stream itself, newest first.
func (s *Store) auditScan(ctx context.Context, cursor, minID string, n int) ([]AuditEntry, error) {
	hi := "+"
	if cursor != "" {
		hi = "(" + cursor
	}
	msgs, err := s.rdb.XRevRangeN(ctx, s.key("audit"), hi, minID, int64(n)).Result()
	if err != nil {
		return nil, err
	}
	out := make([]AuditEntry, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, decodeEntry(m.ID, stringValues(m.Values)))
	}
	return out, nil
}

// auditIndexed walks the smallest index newest first, keeps the entries the
// other indexes also hold, and reads them from the stream.
func (s *Store) auditIndexed(ctx context.Context, keys []string, cursor, minID string, n int) ([]AuditEntry, error) {
	pipe := s.rdb.Pipeline()
	cards := make([]*redis.IntCmd, len(keys))
	for i, k := range keys {
		cards[i] = pipe.ZCard(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	drive := 0
	for i := range keys {
		if cards[i].Val() < cards[drive].Val() {
			drive = i
		}
	}
	if cards[drive].Val() == 0 {
		return nil, nil
	}
	others := append(append([]string(nil), keys[:drive]...), keys[drive+1:]...)

	hi := "+"
	if cursor != "" {
		hi = "(" + padID(cursor)
	}
	lo := "[" + padID(minID)
	batch := int64(max(n, 50))
	var out []AuditEntry
	for len(out) < n {
		members, err := s.rdb.ZRevRangeByLex(ctx, keys[drive], &redis.ZRangeBy{Max: hi, Min: lo, Count: batch}).Result()
		if err != nil {
			return nil, err
		}
		if len(members) == 0 {
			break
		}
		hi = "(" + members[len(members)-1]
		pipe := s.rdb.Pipeline()
		checks := make([][]*redis.FloatCmd, len(members))
		reads := make([]*redis.XMessageSliceCmd, len(members))
		for i, m := range members {
			for _, o := range others {
				checks[i] = append(checks[i], pipe.ZScore(ctx, o, m))
			}
			id := unpadID(m)
			reads[i] = pipe.XRange(ctx, s.key("audit"), id, id)
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
	candidates:
		for i := range members {
			for _, c := range checks[i] {
				if c.Err() != nil { // redis.Nil: not in that index
					continue candidates
				}
			}
			msgs := reads[i].Val()
			if len(msgs) == 1 && len(out) < n {
				out = append(out, decodeEntry(msgs[0].ID, stringValues(msgs[0].Values)))
			}
		}
		if int64(len(members)) < batch {
			break
		}
	}
	return out, nil
}

func decodeEntry(id string, v map[string]string) AuditEntry {
	e := AuditEntry{
		ID:            id,
		Actor:         v["actor"],
		Action:        AuditAction(v["action"]),
		TargetKind:    v["kind"],
		Target:        v["target"],
		Accounts:      splitLines(v["accounts"]),
		AccountCount:  int(atoi64(v["count"])),
		RequestID:     v["req"],
		RequestNumber: atoi64(v["num"]),
		Outcome:       AuditOutcome(v["outcome"]),
		Code:          int(atoi64(v["code"])),
		Detail:        v["detail"],
		OpID:          v["op"],
		Kind:          ActionKind(v["act"]),
		ReasonCode:    v["rc"],
	}
	if ms, _, ok := parseID(id); ok {
		e.Time = time.UnixMilli(ms)
	}
	return e
}

func stringValues(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

// parseID splits a stream entry ID "ms-seq".
func parseID(id string) (ms, seq int64, ok bool) {
	a, b, found := strings.Cut(id, "-")
	if !found {
		return 0, 0, false
	}
	ms, err1 := strconv.ParseInt(a, 10, 64)
	seq, err2 := strconv.ParseInt(b, 10, 64)
	return ms, seq, err1 == nil && err2 == nil
}

// padID is an entry ID as the indexes store it (lexically ordered, as lib.lua's pad).
func padID(id string) string {
	ms, seq, _ := parseID(id)
	return fmt.Sprintf("%020d-%020d", ms, seq)
}

func unpadID(m string) string {
	ms, seq, _ := parseID(m)
	return strconv.FormatInt(ms, 10) + "-" + strconv.FormatInt(seq, 10)
}

// refusalScript is refusal.lua (with lib.lua in front).
var refusalScript = redis.NewScript(mustRead("lib") + mustRead("refusal"))

// AppendLimited audits a refusal without growing the log with it: it never
// lists or indexes the accounts concerned (a request's target, number and
// account count are read from the request named by e.RequestID; e.Accounts and
// e.AccountCount are ignored). With a non-empty gate (e.g. "refused:U123"), at
// most one entry per gate and window is written; the refusals in between are
// counted and the next entry written says how many there were. It returns the
// entry ID, or "" when the gate kept the entry out.
func (s *Store) AppendLimited(ctx context.Context, e AuditEntry, gate string, window time.Duration) (string, error) {
	status, rest, err := s.runStatus(ctx, refusalScript, e.Actor, string(e.Action), e.TargetKind, e.Target, e.RequestID,
		string(e.Outcome), e.Detail, e.OpID, gate, window.Milliseconds())
	if err != nil {
		return "", fmt.Errorf("append refusal %s by %s: %w", e.Action, e.Actor, err)
	}
	if status == "quiet" {
		return "", nil
	}
	if status != "ok" || len(rest) == 0 {
		return "", fmt.Errorf("append refusal: unexpected reply %q", status)
	}
	id, _ := rest[0].(string)
	return id, nil
}
