package bot

import (
	"cmp"
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"modbot/store"
)

// TeamView is what the App Home tab and the daily digest read from the store, beside the
// allowlist and the requests. *store.Store satisfies it.
type TeamView interface {
	ScanAudit(ctx context.Context, since time.Time, max int, fn func(store.AuditEntry) bool) (bool, error)
	ApprovedBy(ctx context.Context, user string, ids []string) (map[string]bool, error)
	ClaimDigest(ctx context.Context, day, owner string, ttl time.Duration) (bool, error)
	DigestDone(ctx context.Context, day, owner string) (bool, error)
	ReleaseDigest(ctx context.Context, day, owner string) error
}

// statsScanMax is the most audit entries one Home view or digest reads; beyond it the counts say
// they cover only the newest entries.
const statsScanMax = 20000

// auditActionKinds are the moderation actions whose audit entries carry per-account outcomes.
var auditActionKinds = map[store.AuditAction]bool{
	store.ActionBan: true, store.ActionMute: true, store.ActionUnmute: true, store.ActionUnban: true, store.ActionUndo: true,
}

// isAction reports whether e records something done to accounts: a Tencent outcome of one of
// modbot's actions, or a change made outside modbot.
func isAction(e store.AuditEntry) bool { return auditActionKinds[e.Action] || isOutside(e) }

// isOutside reports whether e is a change a sweep of a watched target found rather than modbot
// made: a ban or mute made in the app or Tencent's console, or one that ended by itself.
func isOutside(e store.AuditEntry) bool {
	return e.Outcome == store.OutcomeOutside || e.Outcome == store.OutcomeEnded
}

// reasonCodeRE is a reason that starts with a code: "spam: posted links" or just "spam".
var reasonCodeRE = regexp.MustCompile(`^([a-z][a-z0-9_-]{0,31})(?::|$)`)

// entryReasonCode is the reason code of a request's audit entry ("request"), or "": the code the
// parser recognised (AuditEntry.ReasonCode). Entries written before requests carried their action
// kind have no such field; for them it is a short lowercase word at the start of the reason as
// typed (the entry's detail), before a colon or alone (docs/DESIGN.md, Commands).
func entryReasonCode(e store.AuditEntry) string {
	if e.Action != "request" {
		return ""
	}
	if e.ReasonCode != "" || e.Kind != "" {
		return e.ReasonCode
	}
	m := reasonCodeRE.FindStringSubmatch(strings.TrimSpace(e.Detail))
	if m == nil {
		return ""
	}
	return m[1]
}

// accountOutcomes are accounts by outcome.
type accountOutcomes struct{ Done, Skipped, Failed int }

func (c accountOutcomes) total() int { return c.Done + c.Skipped + c.Failed }

// teamStats are the counts the Home tab and the digest show for a period.
type teamStats struct {
	Since, Until time.Time
	Truncated    bool // the scan stopped at statsScanMax: older entries are not counted

	Actions  map[string]*accountOutcomes // accounts by action kind and outcome (modbot's own)
	Outside  map[string]int              // outside changes by action, in accounts
	Requests map[string]int              // requests by how they ended or moved: opened, approved, denied, cancelled, expired, done, partial, failed
	Reasons  map[string]int              // requests opened by reason code
	People   map[string]int              // by Slack user: requests opened and decisions made
	Accounts map[string]int              // accounts acted on (modbot's actions and outside changes), by times

	Recent []store.AuditEntry // the newest action entries, newest first, up to the scan's recent
}

// scanStats reads the audit log from since to now and counts it, keeping the newest recent
// action entries.
func (b *Bot) scanStats(ctx context.Context, tv TeamView, since, now time.Time, recent int) (teamStats, error) {
	st := newTeamStats(since, now)
	more, err := tv.ScanAudit(ctx, since, statsScanMax, func(e store.AuditEntry) bool {
		st.add(e, recent)
		return true
	})
	st.Truncated = more
	return st, err
}

func newTeamStats(since, until time.Time) teamStats {
	return teamStats{
		Since: since, Until: until,
		Actions: map[string]*accountOutcomes{}, Outside: map[string]int{}, Requests: map[string]int{},
		Reasons: map[string]int{}, People: map[string]int{}, Accounts: map[string]int{},
	}
}

// add counts one entry; entries come newest first.
func (st *teamStats) add(e store.AuditEntry, recent int) {
	if isAction(e) && len(st.Recent) < recent {
		st.Recent = append(st.Recent, e)
	}
	n := max(e.AccountCount, len(e.Accounts))
	switch {
	case isOutside(e):
		st.Outside[string(e.Action)] += max(n, 1)
		for _, a := range e.Accounts {
			st.Accounts[a]++
		}
	case auditActionKinds[e.Action]:
		c := st.Actions[string(e.Action)]
		if c == nil {
			c = &accountOutcomes{}
			st.Actions[string(e.Action)] = c
		}
		switch e.Outcome {
		case "done":
			c.Done += n
		case "skipped":
			c.Skipped += n
		default:
			c.Failed += n
		}
		if e.Outcome == "done" {
			for _, a := range e.Accounts {
				st.Accounts[a]++
			}
		}
	}
	if e.Outcome == "refused" {
		return
	}
	switch e.Action {
	case "request":
		st.Requests["opened"]++
		st.People[e.Actor]++
		if code := entryReasonCode(e); code != "" {
			st.Reasons[code]++
		}
	case "approve", "deny", "cancel":
		if isMemberID(e.Actor) {
			st.People[e.Actor]++
		}
		switch e.Outcome {
		case "approved", "denied", "cancelled":
			st.Requests[string(e.Outcome)]++
		}
	case "expire":
		st.Requests["expired"]++
	case "finish":
		st.Requests[string(e.Outcome)]++ // done, partial or failed
	}
}

// ranked is a count with its key.
type ranked struct {
	Key string
	N   int
}

// top returns the n highest counts of m, highest first, ties by key.
func top(m map[string]int, n int) []ranked {
	out := make([]ranked, 0, len(m))
	for k, v := range m {
		if v > 0 {
			out = append(out, ranked{k, v})
		}
	}
	slices.SortFunc(out, func(a, b ranked) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return cmp.Compare(a.Key, b.Key)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// sortedKeys lists m's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
