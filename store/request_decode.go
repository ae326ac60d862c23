package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Decoding of what the Lua scripts return: a request snapshot, an account's stored outcome, and
// the small readers (flat pairs, lines, integers, millisecond times) the other decoders share.

// decodeRequest reads a snapshot from lib.lua: {hash, approvals, outcomes, owed, prior, plan}.
func decodeRequest(v any) (*Request, error) {
	parts, ok := v.([]any)
	if !ok || len(parts) != 6 {
		return nil, fmt.Errorf("unexpected request snapshot %T", v)
	}
	h, approvals, outcomes := pairs(parts[0]), pairs(parts[1]), pairs(parts[2])
	r := &Request{
		ID:     h["id"],
		Number: atoi64(h["number"]),
		Action: ActionKind(h["action"]).orUnban(),
		Target: Target{
			Kind:      TargetKind(h["kind"]),
			ID:        h["target"],
			GroupType: h["group_type"],
		},
		Accounts:         splitLines(h["accounts"]),
		Reason:           h["reason"],
		ReasonCode:       h["reason_code"],
		Duration:         uint32(atoi64(h["duration"])),
		Preview:          h["preview"],
		History:          h["history"],
		Requester:        h["requester"],
		Channel:          h["channel"],
		ThreadTS:         h["thread_ts"],
		ProgressTS:       h["progress_ts"],
		CreatedAt:        msTime(h["created_ms"]),
		ExpiresAt:        msTime(h["expires_ms"]),
		State:            State(h["state"]),
		ApprovalsNeeded:  int(atoi64(h["needed"])),
		DecidedBy:        h["decided_by"],
		DecidedAt:        msTime(h["decided_ms"]),
		DenyReason:       h["deny_reason"],
		CancelReason:     h["cancel_reason"],
		DroppedApprovals: splitLines(h["dropped"]),
		FinishedAt:       msTime(h["finished_ms"]),
		Retries:          int(atoi64(h["retries"])),
		NeedsConfirm:     h["confirm"] == "1",
		ConfirmedAt:      msTime(h["confirmed_ms"]),
		UndoWindow:       time.Duration(atoi64(h["undo_ms"])) * time.Millisecond,
		UndoUntil:        msTime(h["undo_until_ms"]),
		UndoOf:           h["undo_of"],
		UndoOfNumber:     atoi64(h["undo_of_num"]),
		UndoneBy:         h["undone_by"],
		UndoActor:        h["undo_actor"],
		UndoAt:           msTime(h["undo_at_ms"]),
		Outcomes:         make(map[string]Outcome, len(outcomes)),
		ExecClaims:       atoi64(h["exec_claims"]),
		Lease: Lease{
			RequestID: h["id"],
			Owner:     h["lease_owner"],
			Epoch:     atoi64(h["lease_epoch"]),
			Until:     msTime(h["lease_until_ms"]),
		},
	}
	for by, at := range approvals {
		r.Approvals = append(r.Approvals, Approval{By: by, At: msTime(at)})
	}
	slices.SortFunc(r.Approvals, func(a, b Approval) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.By, b.By)
	})
	for a, v := range outcomes {
		r.Outcomes[a] = decodeOutcome(a, v)
	}
	owed, _ := parts[3].([]any)
	for _, e := range owed {
		if s, ok := e.(string); ok {
			r.Owed = append(r.Owed, Effect(s))
		}
	}
	slices.Sort(r.Owed)
	if prior := pairs(parts[4]); len(prior) > 0 {
		r.Prior = make(map[string]PriorState, len(prior))
		for a, v := range prior {
			r.Prior[a] = decodePrior(v)
		}
	}
	if plan := pairs(parts[5]); len(plan) > 0 {
		r.Plan = make(map[string]uint32, len(plan))
		for a, v := range plan {
			r.Plan[a] = uint32(atoi64(v))
		}
	}
	return r, nil
}

// encodeOutcome is the stored form: "done", "skipped\t<why>" or "failed\t<code>\t<info>".
func encodeOutcome(o Outcome) string {
	switch {
	case o.Done:
		return "done"
	case o.Skipped:
		return "skipped\t" + o.Info
	}
	return "failed\t" + strconv.Itoa(o.Code) + "\t" + o.Info
}

func decodeOutcome(account, v string) Outcome {
	if v == "done" {
		return Outcome{Account: account, Done: true}
	}
	if why, ok := strings.CutPrefix(v, "skipped\t"); ok {
		return Outcome{Account: account, Skipped: true, Info: why}
	}
	f := strings.SplitN(v, "\t", 3)
	o := Outcome{Account: account}
	if len(f) == 3 {
		o.Code, _ = strconv.Atoi(f[1])
		o.Info = f[2]
	}
	return o
}

func pairs(v any) map[string]string {
	flat, _ := v.([]any)
	m := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		k, _ := flat[i].(string)
		val, _ := flat[i+1].(string)
		m[k] = val
	}
	return m
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// msTime turns Unix milliseconds into a time; 0 or "" is the zero time.
func msTime(s string) time.Time {
	ms := atoi64(s)
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
