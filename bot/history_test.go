package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"modbot/store"
	"modbot/store/storetest"
)

// TestCaseHistoryText: the root's history names at most historyShown accounts, in the order
// given, then how many more have one; accounts without a ban, mute or unban in 90 days (a note,
// a lookup) have none; people are named by who, never mentioned; reasons are escaped.
func TestCaseHistoryText(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	if _, err := st.SetRole(ctx, store.SystemActor, "UANA", store.RoleModerator); err != nil {
		t.Fatal(err)
	}
	add := func(e store.AuditEntry) {
		t.Helper()
		if _, err := st.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []string{"u1", "u2", "u4", "u5", "u6"} {
		add(store.AuditEntry{Actor: "UANA", Action: store.ActionBan, TargetKind: "group", Target: "g1", Accounts: []string{a}, Outcome: "done"})
	}
	add(store.AuditEntry{Actor: "UANA", Action: store.ActionBan, TargetKind: "group", Target: "g1", Accounts: []string{"u1"}, Outcome: "done"})
	add(store.AuditEntry{Actor: store.OutsideActor, Action: store.ActionMute, TargetKind: "group", Target: "g1", Accounts: []string{"u2"}, Outcome: store.OutcomeOutside})
	add(store.AuditEntry{Actor: "UANA", Action: store.ActionLookup, Accounts: []string{"u3"}, Outcome: store.OutcomeOK})
	add(store.AuditEntry{Actor: "UANA", Action: store.ActionBan, TargetKind: "group", Target: "g1", Accounts: []string{"u7"}, Outcome: "failed"})
	if _, err := st.AddNote(ctx, "UANA", "u3", "a note is not a history", "op"); err != nil {
		t.Fatal(err)
	}
	who := func(id string) string { return "Ana&lt;" }

	got, err := caseHistoryText(ctx, st, []string{"u3", "u7", "u1", "u2", "u4", "u5", "u6"}, who)
	if err != nil {
		t.Fatal(err)
	}
	want := "`u1`: banned twice in 90 days, last by Ana&lt;\n" +
		"`u2`: banned once in 90 days, last by Ana&lt;; muted once\n" +
		"`u4`: banned once in 90 days, last by Ana&lt;\n" +
		"and 2 more with history"
	if got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
	if got, err := caseHistoryText(ctx, st, []string{"u3", "u7", "nobody"}, who); got != "" || err != nil {
		t.Fatalf("accounts without history: %q, %v", got, err)
	}
}

// TestRootHistory_Golden: the root of a request whose accounts have a history shows it in one
// small block; without one the root is as before (the other root goldens).
func TestRootHistory_Golden(t *testing.T) {
	r := testRequest(3)
	r.History = "`user0001`: banned twice in 90 days, last by Ana for spam: links &lt;b&gt;\n`user0002`: muted once in 90 days\nand 4 more with history"
	m := rootMessage(r)
	checkLimits(t, m)
	checkGolden(t, "request_root_history", wire(m))
	if n, without := len(m.Blocks), len(rootMessage(testRequest(3)).Blocks); n != without+1 {
		t.Fatalf("%d blocks with history, %d without: want one more", n, without)
	}
	if raw, _ := json.Marshal(m.Blocks); !strings.Contains(string(raw), "banned twice in 90 days") {
		t.Fatal("the history is not on the root")
	}
}
