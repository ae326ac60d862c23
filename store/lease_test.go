package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"modbot/store"
)

func TestClaimLeaseRace(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.approved(t)

	var wg sync.WaitGroup
	owners := []string{"replica-a", "replica-b"}
	leases := make([]store.Lease, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i, o := range owners {
		wg.Go(func() {
			<-start
			leases[i], _, errs[i] = f.s.ClaimLease(ctx, r.ID, o, time.Minute)
		})
	}
	close(start)
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if won >= 0 {
				t.Fatal("both replicas claimed the execution")
			}
			won = i
		case !errors.Is(err, store.ErrLeaseHeld):
			t.Fatalf("%s: err %v, want ErrLeaseHeld", owners[i], err)
		}
	}
	if won < 0 {
		t.Fatal("no replica claimed the execution")
	}
	got, err := f.s.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Executing || got.Lease.Owner != owners[won] || got.Lease.Epoch != leases[won].Epoch {
		t.Fatalf("request %s, lease %+v; want executing under %+v", got.State, got.Lease, leases[won])
	}
	if got := auditCount(t, f.s, r.ID, "execute", ""); got != 1 {
		t.Fatalf("%d execute audit entries, want 1", got)
	}
	work, err := f.s.NeedsWork(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if containsWork(work, r.ID, store.WorkExecuting) || containsWork(work, r.ID, store.WorkApproved) {
		t.Fatalf("NeedsWork %+v lists a request under a live lease", work)
	}
}

func TestLeaseTakeover(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.approved(t, "a1", "a2", "a3", "a4")

	// Replica A starts, records one chunk, then pauses past its lease.
	la, _, err := f.s.ClaimLease(ctx, r.ID, "replica-a", 30*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordOutcomes(ctx, la, []store.Outcome{{Account: "a1", Done: true}, {Account: "a2", Done: true}}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetProgressTS(ctx, la, "1700000000.000200"); err != nil {
		t.Fatal(err)
	}
	waitRedisPast(t, f.s, la.Until)

	work, err := f.s.NeedsWork(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !containsWork(work, r.ID, store.WorkExecuting) {
		t.Fatalf("NeedsWork %+v lacks the lapsed execution", work)
	}

	// Replica B takes over and sees what is left.
	lb, rb, err := f.s.ClaimLease(ctx, r.ID, "replica-b", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := lb.Epoch, la.Epoch+1; got != want {
		t.Fatalf("epoch %d, want %d", got, want)
	}
	if got, want := rb.Remaining(), []string{"a3", "a4"}; !slices.Equal(got, want) {
		t.Fatalf("remaining %v, want %v", got, want)
	}
	if rb.ProgressTS != "1700000000.000200" {
		t.Fatalf("progress ts %q", rb.ProgressTS)
	}

	// A wakes up: every write of its is fenced out.
	if err := f.s.RecordOutcomes(ctx, la, []store.Outcome{{Account: "a3", Done: true}}); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("old owner RecordOutcomes: err %v, want ErrLeaseLost", err)
	}
	if err := f.s.SetProgressTS(ctx, la, "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("old owner SetProgressTS: err %v, want ErrLeaseLost", err)
	}
	if _, err := f.s.RenewLease(ctx, la, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("old owner RenewLease: err %v, want ErrLeaseLost", err)
	}
	if _, err := f.s.Finish(ctx, la); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("old owner Finish: err %v, want ErrLeaseLost", err)
	}
	if err := f.s.ReleaseLease(ctx, la); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("old owner ReleaseLease: err %v, want ErrLeaseLost", err)
	}

	// B finishes the job.
	lb, err = f.s.RenewLease(ctx, lb, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordOutcomes(ctx, lb, []store.Outcome{{Account: "a3", Done: true}, {Account: "a4", Code: 10004, Info: "invalid param"}}); err != nil {
		t.Fatal(err)
	}
	done, err := f.s.Finish(ctx, lb)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != store.Partial {
		t.Fatalf("state %s, want partial", done.State)
	}
	if got, want := done.Outcomes["a4"], (store.Outcome{Account: "a4", Code: 10004, Info: "invalid param"}); got != want {
		t.Fatalf("a4 outcome %+v, want %+v", got, want)
	}
	if !done.Owes(store.EffectResult) || !done.Owes(store.EffectRequester) {
		t.Fatalf("owed %v", done.Owed)
	}
	if got := auditCount(t, f.s, r.ID, "resume", ""); got != 1 {
		t.Fatalf("%d resume audit entries, want 1", got)
	}
	if got := auditCount(t, f.s, r.ID, "unban", "failed"); got != 1 {
		t.Fatalf("%d failed unban audit entries, want 1", got)
	}
}

func TestFinishStates(t *testing.T) {
	tests := []struct {
		name     string
		outcomes []store.Outcome
		want     store.State
	}{
		{"Done", []store.Outcome{{Account: "a1", Done: true}, {Account: "a2", Done: true}}, store.Done},
		{"Partial", []store.Outcome{{Account: "a1", Done: true}, {Account: "a2", Code: 10007}}, store.Partial},
		{"Failed", []store.Outcome{{Account: "a1", Code: 10007}, {Account: "a2", Code: 10007}}, store.Failed},
		{"NotAttempted", []store.Outcome{{Account: "a1", Done: true}}, store.Partial},
		{"DoneAndSkipped", []store.Outcome{{Account: "a1", Done: true}, {Account: "a2", Skipped: true, Info: "already unbanned"}}, store.Done},
		{"AllSkipped", []store.Outcome{{Account: "a1", Skipped: true, Info: "already unbanned"}, {Account: "a2", Skipped: true, Info: "already unbanned"}}, store.Done},
		{"SkippedAndFailed", []store.Outcome{{Account: "a1", Skipped: true, Info: "already unbanned"}, {Account: "a2", Code: 10004}}, store.Partial},
	}
	f := newFixture(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			r := f.approved(t, "a1", "a2")
			l, _, err := f.s.ClaimLease(ctx, r.ID, "replica", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.s.RecordOutcomes(ctx, l, tc.outcomes); err != nil {
				t.Fatal(err)
			}
			got, err := f.s.Finish(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.want {
				t.Fatalf("state %s, want %s", got.State, tc.want)
			}
			if len(got.Outcomes) != 2 {
				t.Fatalf("outcomes %v, want one per account", got.Outcomes)
			}
		})
	}
}

func TestRetryFailed(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.approved(t, "a1", "a2", "a3", "a4")
	if _, err := f.s.Retry(ctx, r.ID, approver1, f.op()); !errors.Is(err, store.ErrNotRetryable) {
		t.Fatalf("retry approved: err %v, want ErrNotRetryable", err)
	}
	l, _, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordOutcomes(ctx, l, []store.Outcome{{Account: "a1", Done: true}, {Account: "a2", Code: 10002}, {Account: "a4", Skipped: true, Info: "already unbanned"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Finish(ctx, l); err != nil {
		t.Fatal(err)
	}

	if _, err := f.s.Retry(ctx, r.ID, "UNOBODY", f.op()); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("retry by stranger: err %v, want ErrForbidden", err)
	}
	op := f.op()
	rr, err := f.s.Retry(ctx, r.ID, moderator, op) // the requester may retry
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Retry(ctx, r.ID, moderator, op); err != nil {
		t.Fatalf("re-sent retry op: %v", err)
	}
	if rr.State != store.Executing || rr.Lease.Owner != "" || rr.Retries != 1 {
		t.Fatalf("after retry: %s, lease %+v, retries %d", rr.State, rr.Lease, rr.Retries)
	}
	if got, want := rr.Remaining(), []string{"a2", "a3"}; !slices.Equal(got, want) { // not done a1, not skipped a4
		t.Fatalf("remaining %v, want %v", got, want)
	}
	if o := rr.Outcomes["a4"]; !o.Skipped || o.Info != "already unbanned" {
		t.Fatalf("a4 outcome %+v after retry, want still skipped", o)
	}
	if rr.Owes(store.EffectResult) {
		t.Fatalf("owed %v: the old result is stale", rr.Owed)
	}
	if err := f.s.RecordOutcomes(ctx, l, []store.Outcome{{Account: "a2", Done: true}}); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("old lease after retry: err %v, want ErrLeaseLost", err)
	}
	l2, _, err := f.s.ClaimLease(ctx, r.ID, "replica-b", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RecordOutcomes(ctx, l2, []store.Outcome{{Account: "a2", Done: true}, {Account: "a3", Done: true}}); err != nil {
		t.Fatal(err)
	}
	final, err := f.s.Finish(ctx, l2)
	if err != nil {
		t.Fatal(err)
	}
	if final.State != store.Done {
		t.Fatalf("state %s, want done", final.State)
	}
	if got := auditCount(t, f.s, r.ID, "retry", ""); got != 1 {
		t.Fatalf("%d retry audit entries, want 1", got)
	}
	if got := auditCount(t, f.s, r.ID, "unban", "skipped"); got != 1 {
		t.Fatalf("%d skipped unban audit entries, want 1", got)
	}
}

func TestOwedEffects(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.request(t, 1, time.Hour)
	r, err := f.s.Cancel(ctx, r.ID, moderator, f.op())
	if err != nil {
		t.Fatal(err)
	}
	work, err := f.s.NeedsWork(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !containsWork(work, r.ID, store.WorkOwed) {
		t.Fatalf("NeedsWork %+v lacks owed %s", work, r.ID)
	}
	l, _, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.ClaimLease(ctx, r.ID, "replica-b", time.Minute); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("second claim: err %v, want ErrLeaseHeld", err)
	}
	if _, err := f.s.SetRoot(ctx, l, "C1", "1.2"); err != nil {
		t.Fatal(err)
	}
	r, err = f.s.ClearOwed(ctx, l, store.EffectResult)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Owed) != 0 {
		t.Fatalf("owed %v, want none", r.Owed)
	}
	if err := f.s.ReleaseLease(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.ClaimLease(ctx, r.ID, "replica-b", time.Minute); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("claim with nothing owed: err %v, want ErrNoWork", err)
	}
	work, err = f.s.NeedsWork(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work {
		if w.RequestID == r.ID {
			t.Fatalf("NeedsWork still lists %+v", w)
		}
	}
}

// TestStaleOwnerFencedOut: a replica whose lease lapsed and was taken over cannot overwrite the
// root message's ts that the new owner recorded (which would leave the new owner's root with live
// buttons forever), nor mark an owed effect done (so the new owner posts the result and tells the
// requester once); nobody can write with a free lease.
func TestStaleOwnerFencedOut(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r, err := f.s.CreateRequest(ctx, store.NewRequest{
		OpID: f.op(), Target: store.Target{Kind: store.KindRoom, ID: "room1"}, Accounts: []string{"a"},
		Requester: moderator, Channel: "CAPPROVAL", TTL: time.Hour, LeaseOwner: "replica-a", LeaseTTL: 30 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	la := r.Lease
	waitRedisPast(t, f.s, la.Until) // A is slow posting its root
	lb, _, err := f.s.ClaimLease(ctx, r.ID, "replica-b", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetRoot(ctx, lb, "CAPPROVAL", "2.000200"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetRoot(ctx, la, "CAPPROVAL", "1.000100"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("stale SetRoot: err %v, want ErrLeaseLost", err)
	}
	if got, _ := f.s.Request(ctx, r.ID); got.ThreadTS != "2.000200" {
		t.Fatalf("root ts %q, want the new owner's 2.000200", got.ThreadTS)
	}

	// Denied: the result and the requester's notice are owed; only B may mark them done.
	if _, err := f.s.Deny(ctx, r.ID, approver1, f.op(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ClearOwed(ctx, la, store.EffectResult, store.EffectRequester); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("stale ClearOwed: err %v, want ErrLeaseLost", err)
	}
	if got, _ := f.s.Request(ctx, r.ID); !got.Owes(store.EffectResult) || !got.Owes(store.EffectRequester) {
		t.Fatalf("owed %v after a stale ClearOwed, want result and requester", got.Owed)
	}
	if _, err := f.s.ClearOwed(ctx, lb, store.EffectResult); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReleaseLease(ctx, lb); err != nil {
		t.Fatal(err)
	}
	free := lb
	free.Owner = ""
	if _, err := f.s.ClearOwed(ctx, free, store.EffectRequester); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("ClearOwed with a free lease: err %v, want ErrLeaseLost", err)
	}
	if _, err := f.s.RenewLease(ctx, free, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("RenewLease of a free lease: err %v, want ErrLeaseLost", err)
	}
}

func TestReleaseLeaseLetsOthersResume(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.approved(t)
	la, _, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReleaseLease(ctx, la); err != nil {
		t.Fatal(err)
	}
	lb, _, err := f.s.ClaimLease(ctx, r.ID, "replica-b", time.Minute)
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	if lb.Epoch <= la.Epoch {
		t.Fatalf("epoch %d after %d", lb.Epoch, la.Epoch)
	}
}

func TestCreateWithLease(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r, err := f.s.CreateRequest(ctx, store.NewRequest{
		OpID: f.op(), Target: store.Target{Kind: store.KindRoom, ID: "room1"}, Accounts: []string{"a"},
		Requester: moderator, TTL: time.Hour, LeaseOwner: "replica-a", LeaseTTL: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Lease.Owner != "replica-a" || r.Lease.Epoch != 1 {
		t.Fatalf("lease %+v, want replica-a epoch 1", r.Lease)
	}
	work, err := f.s.NeedsWork(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if containsWork(work, r.ID, store.WorkOwed) {
		t.Fatal("NeedsWork offers the root message its creator is posting")
	}
	if _, _, err := f.s.ClaimLease(ctx, r.ID, "replica-b", time.Minute); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("claim by another replica: err %v, want ErrLeaseHeld", err)
	}
	if err := f.s.ReleaseLease(ctx, r.Lease); err != nil {
		t.Fatal(err)
	}
	work, err = f.s.NeedsWork(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !containsWork(work, r.ID, store.WorkOwed) {
		t.Fatalf("NeedsWork %+v lacks the unposted root", work)
	}
}

// TestExecClaimsCountsResumes: every claim of an execution counts, the same owner's included, so
// that an executor can tell a first run from a resume even when an earlier attempt recorded
// nothing (its outcome writes failed, or a Redis failover lost them).
func TestExecClaimsCountsResumes(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.approved(t, "a1")
	if r.ExecClaims != 0 {
		t.Fatalf("ExecClaims = %d before any claim, want 0", r.ExecClaims)
	}
	_, first, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if first.ExecClaims != 1 {
		t.Fatalf("ExecClaims = %d after the first claim, want 1 (a first run)", first.ExecClaims)
	}
	// The same owner claims again while its lease is live (its first attempt failed to record):
	// the epoch stays, but it is a resume.
	l, again, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if again.ExecClaims != 2 || l.Epoch != first.Lease.Epoch {
		t.Fatalf("ExecClaims = %d, epoch %d → %d; want 2 with the same epoch", again.ExecClaims, first.Lease.Epoch, l.Epoch)
	}
}
