package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
)

// Case files: notes on an account (P notes:<account>, a list newest first) and the counts of
// what was done to it, from the audit index by account.

// MaxNotes is how many notes an account keeps (the oldest go first); MaxNoteBytes bounds one.
const (
	MaxNotes     = 100
	MaxNoteBytes = 1000
)

// Note is one note on an account.
type Note struct {
	At   time.Time
	By   string // Slack user ID
	Text string
}

var noteScript = redis.NewScript(mustRead("lib") + mustRead("note"))

// AddNote adds a note to account's case file, audited ("note" on the account). actor must be
// a moderator or above at this moment (else ErrForbidden). text must be 1 to MaxNoteBytes bytes.
func (s *Store) AddNote(ctx context.Context, actor, account, text, opID string) (Note, error) {
	text = strings.TrimSpace(text)
	switch {
	case account == "":
		return Note{}, fmt.Errorf("note: no account")
	case text == "":
		return Note{}, fmt.Errorf("note on %s: empty text", account)
	case len(text) > MaxNoteBytes:
		return Note{}, fmt.Errorf("note on %s: %d bytes, at most %d", account, len(text), MaxNoteBytes)
	}
	status, rest, err := s.runStatus(ctx, noteScript, actor, account, text, MaxNotes, opID, shorten(text, 200))
	if err != nil {
		return Note{}, fmt.Errorf("note on %s: %w", account, err)
	}
	switch status {
	case "ok":
		return Note{At: msTime(str(rest, 0)), By: actor, Text: text}, nil
	case "forbidden":
		return Note{}, fmt.Errorf("note on %s by %s (role %q): %w", account, actor, str(rest, 0), ErrForbidden)
	}
	return Note{}, fmt.Errorf("note on %s: unexpected reply %q", account, status)
}

// Notes returns up to max notes on account, newest first.
func (s *Store) Notes(ctx context.Context, account string, max int) ([]Note, error) {
	if max <= 0 {
		max = MaxNotes
	}
	raw, err := s.rdb.LRange(ctx, s.key("notes", account), 0, int64(max-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("notes on %s: %w", account, err)
	}
	out := make([]Note, 0, len(raw))
	for _, r := range raw {
		parts := strings.SplitN(r, "\t", 3)
		if len(parts) != 3 {
			continue
		}
		out = append(out, Note{At: msTime(parts[0]), By: parts[1], Text: parts[2]})
	}
	return out, nil
}

// shorten cuts s to at most n bytes on a rune boundary, marking a cut with "…".
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// CaseCounts is what was done to an account in a period, from the audit log: modbot's own
// actions that Tencent accepted ("done") and changes seen outside modbot.
type CaseCounts struct {
	Bans, Mutes, Unbans, Unmutes int
	// LastBan is the newest ban entry counted (zero ID if none).
	LastBan AuditEntry
	// Scanned is how many audit entries on the account were read; Capped says the period held
	// more than CaseScanMax, so the counts cover only the newest ones.
	Scanned int
	Capped  bool
}

// CaseScanMax bounds the audit entries CaseCounts reads for one account.
const CaseScanMax = 2000

var caseCountsScript = redis.NewScript(mustRead("lib") + mustRead("casecounts"))

// CaseCounts counts the bans, mutes, unbans and unmutes of account since since, newest first
// through the account's audit index, reading at most CaseScanMax entries (in one script, which
// reads only each entry's action and outcome).
func (s *Store) CaseCounts(ctx context.Context, account string, since time.Time) (CaseCounts, error) {
	v, err := s.run(ctx, caseCountsScript, account, padID(fmt.Sprintf("%d-0", since.UnixMilli())), CaseScanMax)
	if err != nil {
		return CaseCounts{}, fmt.Errorf("case counts of %s: %w", account, err)
	}
	r, _ := v.([]any)
	if len(r) != 7 {
		return CaseCounts{}, fmt.Errorf("case counts of %s: unexpected reply %v", account, v)
	}
	num := func(i int) int { n, _ := r[i].(int64); return int(n) }
	c := CaseCounts{Bans: num(0), Mutes: num(1), Unbans: num(2), Unmutes: num(3), Scanned: num(5), Capped: num(6) > 0}
	if last, _ := r[4].(string); last != "" {
		entries, err := s.entries(ctx, []string{last})
		if err != nil {
			return CaseCounts{}, fmt.Errorf("case counts of %s: %w", account, err)
		}
		if len(entries) == 1 {
			c.LastBan = entries[0]
		}
	}
	return c, nil
}
