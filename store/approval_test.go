package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"modbot/store"
)

func TestApproveRace(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.request(t, 1, time.Hour)
	const n = 50
	for i := range n {
		if _, err := f.s.SetRole(ctx, admin, fmt.Sprintf("URACE%02d", i), store.RoleApprover); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = f.s.Approve(ctx, r.ID, fmt.Sprintf("URACE%02d", i), fmt.Sprintf("click-%d", i))
		})
	}
	close(start)
	wg.Wait()

	winner := ""
	for i, err := range errs {
		if err == nil {
			if winner != "" {
				t.Fatalf("two winners: %s and URACE%02d", winner, i)
			}
			winner = fmt.Sprintf("URACE%02d", i)
		}
	}
	if winner == "" {
		t.Fatal("no approval succeeded")
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		var de *store.DecidedError
		if !errors.Is(err, store.ErrAlreadyDecided) || !errors.As(err, &de) {
			t.Fatalf("approver %d: err %v, want a DecidedError", i, err)
		}
		if de.By != winner || de.State != store.Approved || de.At.IsZero() {
			t.Fatalf("approver %d: decided %+v, want approved by %s", i, de, winner)
		}
	}
	if got := auditCount(t, f.s, r.ID, "approve", ""); got != 1 {
		t.Fatalf("%d approve audit entries, want 1", got)
	}
	got, err := f.s.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Approved || got.DecidedBy != winner || len(got.Approvals) != 1 {
		t.Fatalf("request %s by %s with %d approvals", got.State, got.DecidedBy, len(got.Approvals))
	}
}

func TestApproveRefused(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.s.SetRole(ctx, admin, "UREVOKED", store.RoleApprover); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RemoveRole(ctx, admin, "UREVOKED"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetRole(ctx, admin, "UAPPRMOD", store.RoleApprover); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		actor string
		want  error
	}{
		{"ErrSelfApproval", moderator, store.ErrSelfApproval},
		{"ErrForbiddenRevoked", "UREVOKED", store.ErrForbidden},
		{"ErrForbiddenModerator", "UNOBODY", store.ErrForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.request(t, 1, time.Hour)
			if _, err := f.s.Approve(ctx, r.ID, tc.actor, f.op()); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			got, err := f.s.Request(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != store.Pending || len(got.Approvals) != 0 {
				t.Fatalf("request %s with %d approvals after refusal", got.State, len(got.Approvals))
			}
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := f.s.Approve(ctx, "missing", approver1, f.op()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err %v, want ErrNotFound", err)
		}
	})
	t.Run("RoleChangedBeforeClick", func(t *testing.T) {
		r := f.request(t, 1, time.Hour)
		if _, err := f.s.SetRole(ctx, admin, "UAPPRMOD", store.RoleModerator); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Approve(ctx, r.ID, "UAPPRMOD", f.op()); !errors.Is(err, store.ErrForbidden) {
			t.Fatalf("err %v, want ErrForbidden", err)
		}
	})
}

func TestQuorum(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.request(t, 2, time.Hour)

	r, err := f.s.Approve(ctx, r.ID, approver1, f.op())
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.Pending || len(r.Approvals) != 1 || r.Approvals[0].By != approver1 {
		t.Fatalf("after first approval: %s, %+v", r.State, r.Approvals)
	}
	if _, err := f.s.Approve(ctx, r.ID, approver1, f.op()); !errors.Is(err, store.ErrAlreadyApproved) {
		t.Fatalf("same approver twice: err %v, want ErrAlreadyApproved", err)
	}
	r, err = f.s.Approve(ctx, r.ID, approver2, f.op())
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.Approved || len(r.Approvals) != 2 || r.DecidedBy != approver2 {
		t.Fatalf("after second approval: %s by %s, %+v", r.State, r.DecidedBy, r.Approvals)
	}
	work, err := f.s.NeedsWork(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !containsWork(work, r.ID, store.WorkApproved) {
		t.Fatalf("NeedsWork %+v lacks %s approved", work, r.ID)
	}
}

// TestQuorumRechecksRoles is issue 10's scenario: with 2 approvals needed, approver A approves, A
// is then revoked, and B's approval does not make the quorum (A's approval no longer counts); and
// when the requester has lost the moderator role by the time the quorum forms, the request is
// cancelled ("requester no longer allowed") instead of approved.
func TestQuorumRechecksRoles(t *testing.T) {
	ctx := t.Context()
	t.Run("ApproverRevoked", func(t *testing.T) {
		f := newFixture(t)
		r := f.request(t, 2, time.Hour)
		if _, err := f.s.Approve(ctx, r.ID, approver1, f.op()); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RemoveRole(ctx, admin, approver1); err != nil {
			t.Fatal(err)
		}
		r, err := f.s.Approve(ctx, r.ID, approver2, f.op())
		if err != nil {
			t.Fatal(err)
		}
		if r.State != store.Pending || len(r.Approvals) != 1 || r.Approvals[0].By != approver2 {
			t.Fatalf("after B: state %s, approvals %+v; want pending with only B's", r.State, r.Approvals)
		}
		if got := fmt.Sprint(r.DroppedApprovals); got != "["+approver1+"]" {
			t.Fatalf("dropped approvals %s, want [%s]", got, approver1)
		}
		if got := auditCount(t, f.s, r.ID, "approval-dropped", "dropped"); got != 1 {
			t.Fatalf("approval-dropped audited %d times, want 1", got)
		}
		// A third approver still in role makes the quorum.
		if _, err := f.s.SetRole(ctx, admin, "UAPPR3", store.RoleApprover); err != nil {
			t.Fatal(err)
		}
		if r, err = f.s.Approve(ctx, r.ID, "UAPPR3", f.op()); err != nil {
			t.Fatal(err)
		}
		if r.State != store.Approved || len(r.Approvals) != 2 {
			t.Fatalf("after a valid second approval: state %s, %d approvals; want approved with 2", r.State, len(r.Approvals))
		}
	})
	t.Run("ApproverAndRequesterRevoked", func(t *testing.T) {
		f := newFixture(t)
		r := f.request(t, 2, time.Hour)
		if _, err := f.s.Approve(ctx, r.ID, approver1, f.op()); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RemoveRole(ctx, admin, approver1); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SetRole(ctx, admin, moderator, store.RoleViewer); err != nil {
			t.Fatal(err)
		}
		r, err := f.s.Approve(ctx, r.ID, approver2, f.op())
		if err != nil {
			t.Fatal(err)
		}
		if r.State != store.Cancelled || r.DecidedBy != store.SystemActor || r.CancelReason != "requester no longer allowed" {
			t.Fatalf("state %s by %q (%q), want cancelled by %s: requester no longer allowed", r.State, r.DecidedBy, r.CancelReason, store.SystemActor)
		}
		if !r.Owes(store.EffectResult) || !r.Owes(store.EffectRequester) {
			t.Fatalf("owed %v, want the result and the requester's notice", r.Owed)
		}
		if _, _, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Second); err != nil {
			t.Fatal(err) // the owed notices are work; the execution is not
		}
		if got, _ := f.s.Request(ctx, r.ID); got.State != store.Cancelled {
			t.Fatalf("claimed a cancelled request: state %s", got.State)
		}
		if got := auditCount(t, f.s, r.ID, "cancel", "cancelled"); got != 1 {
			t.Fatalf("cancel audited %d times, want 1", got)
		}
		var de *store.DecidedError
		if _, err := f.s.Approve(ctx, r.ID, "UADMIN", f.op()); !errors.As(err, &de) || de.State != store.Cancelled || de.By != "" {
			t.Fatalf("a later click: err %v, want already cancelled, by no person", err)
		}
	})
}

func TestDenyVetoes(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.request(t, 2, time.Hour)
	if _, err := f.s.Approve(ctx, r.ID, approver1, f.op()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Deny(ctx, r.ID, moderator, f.op(), ""); !errors.Is(err, store.ErrSelfApproval) {
		t.Fatalf("requester deny: err %v, want ErrSelfApproval", err)
	}
	r, err := f.s.Deny(ctx, r.ID, approver2, f.op(), "not convinced")
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.Denied || r.DecidedBy != approver2 || r.DenyReason != "not convinced" {
		t.Fatalf("after deny: %s by %s (%q)", r.State, r.DecidedBy, r.DenyReason)
	}
	if !r.Owes(store.EffectResult) || !r.Owes(store.EffectRequester) {
		t.Fatalf("owed %v, want result and requester", r.Owed)
	}
	_, err = f.s.Approve(ctx, r.ID, admin, f.op())
	var de *store.DecidedError
	if !errors.As(err, &de) || de.State != store.Denied || de.By != approver2 {
		t.Fatalf("approve after deny: err %v, want denied by %s", err, approver2)
	}
}

func TestCancel(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.request(t, 1, time.Hour)
	if _, err := f.s.Cancel(ctx, r.ID, approver1, f.op()); !errors.Is(err, store.ErrNotRequester) {
		t.Fatalf("cancel by approver: err %v, want ErrNotRequester", err)
	}
	r, err := f.s.Cancel(ctx, r.ID, moderator, f.op())
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.Cancelled || r.DecidedBy != moderator {
		t.Fatalf("after cancel: %s by %s", r.State, r.DecidedBy)
	}
	if _, err := f.s.Cancel(ctx, r.ID, moderator, f.op()); !errors.Is(err, store.ErrAlreadyDecided) {
		t.Fatalf("second cancel: err %v, want ErrAlreadyDecided", err)
	}
	// The requester may withdraw whatever their role now, even off the allowlist.
	r = f.request(t, 1, time.Hour)
	if _, err := f.s.RemoveRole(ctx, admin, moderator); err != nil {
		t.Fatal(err)
	}
	if r, err = f.s.Cancel(ctx, r.ID, moderator, f.op()); err != nil || r.State != store.Cancelled {
		t.Fatalf("cancel by a revoked requester: %v, %v; want cancelled", r, err)
	}
}

func TestSameOperationTwice(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.request(t, 1, time.Hour)
	first, err := f.s.Approve(ctx, r.ID, approver1, "click-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.s.Approve(ctx, r.ID, approver1, "click-1")
	if err != nil {
		t.Fatalf("re-sent op: %v", err)
	}
	if again.State != first.State || again.DecidedBy != approver1 {
		t.Fatalf("re-sent op answered %s by %s", again.State, again.DecidedBy)
	}
	if first.Repeat || !again.Repeat {
		t.Fatalf("Repeat = %v then %v, want false then true", first.Repeat, again.Repeat)
	}
	if got := auditCount(t, f.s, r.ID, "approve", ""); got != 1 {
		t.Fatalf("%d approve audit entries, want 1", got)
	}
	if _, err := f.s.Approve(ctx, r.ID, approver2, "click-2"); !errors.Is(err, store.ErrAlreadyDecided) {
		t.Fatalf("other op: err %v, want ErrAlreadyDecided", err)
	}
}

func TestExpiry(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	due := f.request(t, 1, 20*time.Millisecond)
	later := f.request(t, 1, time.Hour)
	waitRedisPast(t, f.s, due.ExpiresAt)

	const replicas = 3
	var wg sync.WaitGroup
	expired := make([][]*store.Request, replicas)
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() { expired[i], errs[i] = f.s.ExpireDue(ctx, 10) })
	}
	wg.Wait()
	total := 0
	for i := range replicas {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for _, r := range expired[i] {
			total++
			if r.ID != due.ID || r.State != store.Expired {
				t.Fatalf("expired %s (%s), want %s", r.ID, r.State, due.ID)
			}
			if !r.Owes(store.EffectExpiry) || !r.Owes(store.EffectRequester) {
				t.Fatalf("owed %v, want expiry and requester", r.Owed)
			}
		}
	}
	if total != 1 {
		t.Fatalf("expired %d times, want once", total)
	}
	if got := auditCount(t, f.s, due.ID, "expire", ""); got != 1 {
		t.Fatalf("%d expire audit entries, want 1", got)
	}
	if _, err := f.s.Approve(ctx, due.ID, approver1, f.op()); !errors.Is(err, store.ErrExpired) || !errors.Is(err, store.ErrAlreadyDecided) {
		t.Fatalf("approve expired: err %v, want ErrExpired", err)
	}
	got, err := f.s.Request(ctx, later.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Pending {
		t.Fatalf("later request %s, want pending", got.State)
	}
	pending, err := f.s.PendingRequests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != later.ID {
		t.Fatalf("pending %v, want only %s", pending, later.ID)
	}
}

func TestExpiredOnDecision(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.request(t, 1, 10*time.Millisecond)
	waitRedisPast(t, f.s, r.ExpiresAt)
	if _, err := f.s.Approve(ctx, r.ID, approver1, f.op()); !errors.Is(err, store.ErrExpired) {
		t.Fatalf("err %v, want ErrExpired", err)
	}
	got, err := f.s.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Expired || len(got.Approvals) != 0 {
		t.Fatalf("request %s with %d approvals, want expired with none", got.State, len(got.Approvals))
	}
	expired, err := f.s.ExpireDue(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(expired) != 0 {
		t.Fatalf("ExpireDue expired %d more", len(expired))
	}
	if got := auditCount(t, f.s, r.ID, "expire", ""); got != 1 {
		t.Fatalf("%d expire audit entries, want 1", got)
	}
}

func containsWork(work []store.Work, id string, reason store.WorkReason) bool {
	for _, w := range work {
		if w.RequestID == id && w.Reason == reason {
			return true
		}
	}
	return false
}
