package bot

import (
	"maps"
	"testing"
	"time"

	"modbot/store"
)

// A request's reason code is the one the parser recognised; only entries from before requests
// carried their kind fall back to the first word of the reason.
func TestEntryReasonCode(t *testing.T) {
	for _, tc := range []struct {
		e    store.AuditEntry
		want string
	}{
		{store.AuditEntry{Action: "request", Kind: store.BanAction, ReasonCode: "spam", Detail: "posted links"}, "spam"},
		{store.AuditEntry{Action: "request", Kind: store.BanAction, Detail: "links"}, ""}, // a one-word reason is no code
		{store.AuditEntry{Action: "request", Kind: store.UnbanAction, Detail: "spam: links"}, ""},
		{store.AuditEntry{Action: "request", Detail: "spam: links"}, "spam"}, // an old entry
		{store.AuditEntry{Action: "approve", Kind: store.BanAction, ReasonCode: "spam"}, ""},
	} {
		if got := entryReasonCode(tc.e); got != tc.want {
			t.Errorf("entryReasonCode(%+v) = %q, want %q", tc.e, got, tc.want)
		}
	}
}

// The Home tab and the digest count as outside changes exactly what a sweep of a watched target
// writes (actor "outside modbot" or "Tencent", outcome outside or ended), never modbot's own
// actions, whoever their actor.
func TestTeamStats_OutsideChangesAreTheSweeps(t *testing.T) {
	st := newTeamStats(time.Time{}, time.Now())
	for _, e := range []store.AuditEntry{
		{Actor: store.OutsideActor, Action: store.ActionBan, Accounts: []string{"u1"}, Outcome: store.OutcomeOutside},
		{Actor: store.TencentActor, Action: store.ActionBanEnded, Accounts: []string{"u2"}, Outcome: store.OutcomeEnded},
		{Actor: store.SystemActor, Action: store.ActionBan, Accounts: []string{"u3"}, Outcome: store.OutcomeDone},
		{Actor: "U0ALICE", Action: store.ActionBan, Accounts: []string{"u4"}, Outcome: store.OutcomeDone},
	} {
		st.add(e, 10)
	}
	if got, want := st.Outside, map[string]int{"ban": 1, "ban ended": 1}; !maps.Equal(got, want) {
		t.Fatalf("outside changes %v, want %v", got, want)
	}
	if c := st.Actions["ban"]; c == nil || c.Done != 2 {
		t.Fatalf("modbot's own bans %+v, want 2 done", c)
	}
}
