package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"modbot/store"
)

// TestAppendLimited_StrangerFlood is a regression test of issue 10 item 5: 1,000 refused clicks
// by a stranger on a 1,000-account request add one audit entry (with the account count) and not
// one per-account index entry.
func TestAppendLimited_StrangerFlood(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	accounts := make([]string, 1000)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("acct%04d", i)
	}
	r := f.request(t, 1, time.Hour, accounts...)
	entries0, _ := f.s.XLen(ctx)
	keys0, members0, err := f.s.Keys(ctx, "audit:acct:*")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		_, err := f.s.AppendLimited(ctx, store.AuditEntry{
			Actor: "USTRANGER", Action: "refused", RequestID: r.ID, Outcome: "refused",
			Detail: "Approve needs approver, has no role", OpID: fmt.Sprintf("click-%d", i),
		}, "refused:USTRANGER", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
	}
	entries1, _ := f.s.XLen(ctx)
	keys1, members1, err := f.s.Keys(ctx, "audit:acct:*")
	if err != nil {
		t.Fatal(err)
	}
	if got := entries1 - entries0; got != 1 {
		t.Errorf("1,000 refused clicks added %d audit entries, want 1", got)
	}
	if keys1 != keys0 || members1 != members0 {
		t.Errorf("account indexes went from %d keys / %d entries to %d / %d, want no change", keys0, members0, keys1, members1)
	}
	page, err := f.s.Audit(ctx, store.AuditFilter{Actor: "USTRANGER"}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 {
		t.Fatalf("stranger's entries = %d, want 1", len(page.Entries))
	}
	e := page.Entries[0]
	if e.AccountCount != 1000 || len(e.Accounts) != 0 || e.RequestNumber != r.Number || e.Target != r.Target.ID {
		t.Errorf("entry = %+v, want the request's target and number, 1,000 accounts counted and none listed", e)
	}
}

// TestAppendLimited_GateReportsQuiet: after the window, the next entry says how many refusals
// were not logged one by one; another person and an ungated refusal are not held back.
func TestAppendLimited_GateReportsQuiet(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	refuse := func(actor, gate string) string {
		t.Helper()
		id, err := f.s.AppendLimited(ctx, store.AuditEntry{Actor: actor, Action: "invalid", Outcome: "refused", Detail: "/unban: bad"},
			gate, 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if refuse("UA", "invalid:UA") == "" {
		t.Fatal("the first refusal was not logged")
	}
	for range 5 {
		if refuse("UA", "invalid:UA") != "" {
			t.Fatal("a refusal inside the window was logged")
		}
	}
	if refuse("UB", "invalid:UB") == "" || refuse("UA", "") == "" {
		t.Fatal("another person's refusal, or an ungated one, was held back")
	}
	time.Sleep(250 * time.Millisecond)
	if refuse("UA", "invalid:UA") == "" {
		t.Fatal("the first refusal after the window was not logged")
	}
	page, err := f.s.Audit(ctx, store.AuditFilter{Actor: "UA"}, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := page.Entries[0].Detail; !strings.Contains(d, "and 5 more like it") {
		t.Errorf("detail = %q, want it to count the 5 refusals not logged", d)
	}
}

// TestCreateRequest_MaxOpen is a regression test of issue 10 item 5: a requester past the cap of
// open requests is refused (audited, nothing stored); a request that ends frees a place.
func TestCreateRequest_MaxOpen(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	create := func() (*store.Request, error) {
		return f.s.CreateRequest(ctx, store.NewRequest{
			OpID: f.op(), Target: store.Target{Kind: store.KindGroup, ID: "@TGS#1ABC"},
			Accounts: []string{"a1", "a2", "a3"}, Requester: moderator, Channel: "CAPPROVAL",
			TTL: time.Hour, MaxOpen: 3,
		})
	}
	var first *store.Request
	for i := range 3 {
		r, err := create()
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		if first == nil {
			first = r
		}
	}
	_, err := create()
	var tm *store.TooManyOpenError
	if !errors.Is(err, store.ErrTooManyOpen) || !errors.As(err, &tm) || tm.Open != 3 || tm.Max != 3 {
		t.Fatalf("fourth request: err = %v, want 3 open of at most 3", err)
	}
	pending, total, err := f.s.PendingSummaries(ctx, 0)
	if err != nil || total != 3 || len(pending) != 3 {
		t.Fatalf("pending = %d of %d (err %v), want 3", len(pending), total, err)
	}
	page, err := f.s.Audit(ctx, store.AuditFilter{Actor: moderator}, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := page.Entries[0]; e.Outcome != "refused" || e.AccountCount != 3 || !strings.Contains(e.Detail, "too many open requests") {
		t.Errorf("newest entry = %+v, want the refused request", e)
	}
	if _, err := f.s.Cancel(ctx, first.ID, moderator, f.op()); err != nil {
		t.Fatal(err)
	}
	if _, err := create(); err != nil {
		t.Fatalf("after a cancel: %v, want a place free", err)
	}
}

// TestPendingSummaries: the listing counts accounts without returning them.
func TestPendingSummaries(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	accounts := make([]string, 1000)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("acct%04d", i)
	}
	big := f.request(t, 2, time.Hour, accounts...)
	small := f.request(t, 1, 2*time.Hour)
	if _, err := f.s.Approve(ctx, big.ID, approver1, f.op()); err != nil {
		t.Fatal(err)
	}
	got, total, err := f.s.PendingSummaries(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(got) != 2 {
		t.Fatalf("got %d of %d, want 2", len(got), total)
	}
	if g := got[0]; g.ID != big.ID || g.Number != big.Number || g.AccountCount != 1000 || g.Approvals != 1 || g.ApprovalsNeeded != 2 ||
		g.Requester != moderator || g.Target != big.Target || !g.ExpiresAt.Equal(big.ExpiresAt) {
		t.Errorf("first = %+v, want request #%d with 1,000 accounts and 1 of 2 approvals", g, big.Number)
	}
	if got[1].ID != small.ID || got[1].AccountCount != 2 {
		t.Errorf("second = %+v, want request #%d with 2 accounts", got[1], small.Number)
	}
	if got, total, err := f.s.PendingSummaries(ctx, 1); err != nil || len(got) != 1 || total != 2 {
		t.Fatalf("max 1: %d of %d (err %v), want 1 of 2", len(got), total, err)
	}
}

// TestPutResult_Limits is a regression test of issue 10 item 5: the result store refuses one
// result past its size and any result past the total it may hold, until older ones expire.
func TestPutResult_Limits(t *testing.T) {
	store.SetResultLimits(t, 1000, 2500)
	f := newFixture(t, store.Options{ResultTTL: 300 * time.Millisecond})
	ctx := t.Context()
	kb := []byte(strings.Repeat("x", 1000))
	if _, err := f.s.PutResult(ctx, append(kb, 'y')); !errors.Is(err, store.ErrResultTooLarge) {
		t.Fatalf("1,001 bytes: err = %v, want ErrResultTooLarge", err)
	}
	for i := range 2 {
		if _, err := f.s.PutResult(ctx, kb); err != nil {
			t.Fatalf("result %d: %v", i+1, err)
		}
	}
	if _, err := f.s.PutResult(ctx, kb); !errors.Is(err, store.ErrResultsFull) {
		t.Fatalf("third 1,000 bytes: err = %v, want ErrResultsFull", err)
	}
	time.Sleep(350 * time.Millisecond)
	if _, err := f.s.PutResult(ctx, kb); err != nil {
		t.Fatalf("after the others expired: %v", err)
	}
}
