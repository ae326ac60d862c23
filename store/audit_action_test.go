package store_test

import (
	"testing"
	"time"

	"modbot/store"
)

// /modbot log's action: and reason: filters: every entry a request's scripts write carries its
// action kind and reason code, read back on AuditEntry and answered from their own indexes.
func TestAuditFilterKindAndReasonCode(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ban := f.action(t, store.NewRequest{Action: store.BanAction, Duration: 3600, ReasonCode: "spam", Reason: "links"})
	mute := f.action(t, store.NewRequest{Action: store.MuteAction, Duration: 600, ReasonCode: "abuse"})
	unban := f.request(t, 1, time.Hour)
	if _, err := f.s.Approve(ctx, unban.ID, approver1, f.op()); err != nil {
		t.Fatal(err)
	}
	// A bot entry about no request, and one Append was told the kind of.
	if _, err := f.s.Append(ctx, store.AuditEntry{Actor: moderator, Action: store.ActionHelp, Outcome: store.OutcomeOK}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Append(ctx, store.AuditEntry{Actor: moderator, Action: store.ActionBan, Outcome: store.OutcomeFailed,
		Kind: store.BanAction, ReasonCode: "spam", Detail: "group not found"}); err != nil {
		t.Fatal(err)
	}

	read := func(filter store.AuditFilter) []store.AuditEntry {
		t.Helper()
		page, err := f.s.Audit(ctx, filter, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		return page.Entries
	}
	byKind := read(store.AuditFilter{Kind: store.BanAction})
	if len(byKind) != 2 || byKind[0].Action != store.ActionBan || byKind[1].RequestID != ban.ID {
		t.Fatalf("action:ban gave %+v, want the failed /ban and the ban request's entry", byKind)
	}
	for _, e := range byKind {
		if e.Kind != store.BanAction || e.ReasonCode != "spam" {
			t.Fatalf("entry %+v: kind %q code %q, want ban and spam", e, e.Kind, e.ReasonCode)
		}
	}
	unbans := read(store.AuditFilter{Kind: store.UnbanAction})
	if len(unbans) != 2 || unbans[0].Action != store.ActionApprove || unbans[1].Action != store.ActionRequest ||
		unbans[0].RequestID != unban.ID || unbans[0].ReasonCode != "" {
		t.Fatalf("action:unban gave %+v, want the unban's request and approval", unbans)
	}
	if got := read(store.AuditFilter{ReasonCode: "abuse"}); len(got) != 1 || got[0].RequestID != mute.ID || got[0].Kind != store.MuteAction {
		t.Fatalf("reason:abuse gave %+v, want the mute's entry", got)
	}
	if got := read(store.AuditFilter{Kind: store.MuteAction, ReasonCode: "spam"}); len(got) != 0 {
		t.Fatalf("action:mute reason:spam gave %+v, want none", got)
	}
	if got := read(store.AuditFilter{Kind: store.BanAction, ReasonCode: "spam", RequestID: ban.ID}); len(got) != 1 {
		t.Fatalf("action:ban reason:spam #n gave %+v, want the ban's entry", got)
	}
	if got := read(store.AuditFilter{Kind: store.UnmuteAction}); len(got) != 0 {
		t.Fatalf("action:unmute gave %+v, want none", got)
	}
	// The filters read their indexes: small sorted sets, not the stream.
	if got := indexSize(t, f.s, "audit:act:ban"); got != 2 {
		t.Fatalf("audit:act:ban holds %d, want 2", got)
	}
	if got := indexSize(t, f.s, "audit:rc:spam"); got != 2 {
		t.Fatalf("audit:rc:spam holds %d, want 2", got)
	}
	// A help entry is about no action: it is in neither index, and has no kind.
	all := read(store.AuditFilter{Actor: moderator})
	for _, e := range all {
		if e.Action == store.ActionHelp && (e.Kind != "" || e.ReasonCode != "") {
			t.Fatalf("help entry %+v has a kind or code", e)
		}
	}
}
