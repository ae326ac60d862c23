package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
)

func TestScanAudit_NewestFirstSinceAndCapped(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	start, err := f.s.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start = start.Add(-time.Millisecond)
	for i := range 1203 { // more than two batches
		if _, err := f.s.Append(ctx, store.AuditEntry{Actor: "U1", Action: "note", Detail: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	more, err := f.s.ScanAudit(ctx, start, 0, func(e store.AuditEntry) bool {
		if e.Action == "note" {
			got = append(got, e.Detail)
		}
		return true
	})
	if err != nil || more {
		t.Fatalf("scan: more=%v err=%v", more, err)
	}
	if len(got) != 1203 || got[0] != "1202" || got[1202] != "0" {
		t.Fatalf("scan read %d entries, first %q last %q; want 1203 newest first", len(got), got[0], got[len(got)-1])
	}
	n := 0
	more, err = f.s.ScanAudit(ctx, start, 700, func(store.AuditEntry) bool { n++; return true })
	if err != nil || !more || n != 700 {
		t.Fatalf("capped scan: read %d, more=%v err=%v; want 700 and more", n, more, err)
	}
	n = 0
	if _, err := f.s.ScanAudit(ctx, time.Now().Add(time.Hour), 0, func(store.AuditEntry) bool { n++; return true }); err != nil || n != 0 {
		t.Fatalf("scan from the future read %d (err %v)", n, err)
	}
}

func TestApprovedBy(t *testing.T) {
	f := newFixture(t)
	a := f.request(t, 2, time.Hour)
	b := f.request(t, 2, time.Hour)
	if _, err := f.s.Approve(t.Context(), a.ID, approver1, f.op()); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.ApprovedBy(t.Context(), approver1, []string{a.ID, b.ID, "nosuch"})
	if err != nil {
		t.Fatal(err)
	}
	if !got[a.ID] || got[b.ID] || got["nosuch"] || len(got) != 1 {
		t.Fatalf("ApprovedBy = %v, want only %s", got, a.ID)
	}
}

func TestDigestDayKey(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	day := "2026-11-29"
	if ok, err := f.s.ClaimDigest(ctx, day, "r1", time.Minute); err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, _ := f.s.ClaimDigest(ctx, day, "r2", time.Minute); ok {
		t.Fatal("a second replica claimed a held day")
	}
	if ok, _ := f.s.ClaimDigest(ctx, day, "r1", time.Minute); !ok {
		t.Fatal("the holder's re-sent claim was refused")
	}
	if err := f.s.ReleaseDigest(ctx, day, "r2"); err != nil { // not the holder: no effect
		t.Fatal(err)
	}
	if ok, _ := f.s.ClaimDigest(ctx, day, "r2", time.Minute); ok {
		t.Fatal("another owner's release freed the claim")
	}
	if err := f.s.ReleaseDigest(ctx, day, "r1"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.s.ClaimDigest(ctx, day, "r2", time.Minute); !ok {
		t.Fatal("a released day could not be claimed")
	}
	if ok, err := f.s.DigestDone(ctx, day, "r1"); err != nil || ok {
		t.Fatalf("done by a non-holder: %v %v", ok, err)
	}
	if ok, err := f.s.DigestDone(ctx, day, "r2"); err != nil || !ok {
		t.Fatalf("done by the holder: %v %v", ok, err)
	}
	for _, owner := range []string{"r1", "r2", "r3"} {
		if ok, _ := f.s.ClaimDigest(ctx, day, owner, time.Minute); ok {
			t.Fatalf("%s claimed a day whose digest was posted", owner)
		}
	}
	if ok, _ := f.s.ClaimDigest(ctx, "2026-11-30", "r1", time.Minute); !ok {
		t.Fatal("the next day could not be claimed")
	}
}

// BenchmarkScanAudit20k reads statsScanMax (20,000) audit entries, what one Home tab or digest
// reads at most. Report it against the time a person waits for the Home tab (about 1 s).
func BenchmarkScanAudit20k(b *testing.B) {
	f := &fixture{s: storetest.New(b)}
	ctx := context.Background()
	start, _ := f.s.Now(ctx)
	start = start.Add(-time.Second)
	for i := range 20000 {
		if _, err := f.s.Append(ctx, store.AuditEntry{Actor: "U1", Action: "unban", TargetKind: "group", Target: "@TGS#1",
			Accounts: []string{fmt.Sprintf("acct%05d", i)}, AccountCount: 1, Outcome: "done"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := f.s.ScanAudit(ctx, start, 20000, func(store.AuditEntry) bool { n++; return true }); err != nil || n != 20000 {
			b.Fatalf("read %d, err %v", n, err)
		}
	}
}
