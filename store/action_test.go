package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"modbot/store"
)

// action opens an action by moderator on the fixture's group.
func (f *fixture) action(t *testing.T, nr store.NewRequest) *store.Request {
	t.Helper()
	r, err := f.s.CreateRequest(t.Context(), f.actionReq(nr))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// actionReq fills what a test leaves out of nr.
func (f *fixture) actionReq(nr store.NewRequest) store.NewRequest {
	if nr.OpID == "" {
		nr.OpID = f.op()
	}
	if nr.Target.ID == "" {
		nr.Target = store.Target{Kind: store.KindGroup, ID: "@TGS#1ABC", GroupType: "Public"}
	}
	if nr.Requester == "" {
		nr.Requester = moderator
	}
	if len(nr.Accounts) == 0 {
		nr.Accounts = []string{"acct1", "acct2"}
	}
	nr.Channel = "CAPPROVAL"
	return nr
}

// execute claims r, records the outcomes given (accounts missing are done) and finishes it.
func (f *fixture) execute(t *testing.T, r *store.Request, outcomes map[string]store.Outcome) *store.Request {
	t.Helper()
	ctx := t.Context()
	l, r, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var list []store.Outcome
	for _, a := range r.Remaining() {
		o, ok := outcomes[a]
		if !ok {
			o = store.Outcome{Done: true}
		}
		o.Account = a
		list = append(list, o)
	}
	if err := f.s.RecordOutcomes(ctx, l, list); err != nil {
		t.Fatal(err)
	}
	r, err = f.s.Finish(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.ReleaseLease(ctx, l); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestActionCreateImmediate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	now, err := f.s.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	until := now.Add(3 * time.Hour).Truncate(time.Millisecond)
	prior := map[string]store.PriorState{
		"a1": {Checked: true},
		"a2": {Checked: true, Active: true, Until: until},
		"a3": {Checked: true, Active: true, Permanent: true},
		"a4": {}, // not checked: not stored
	}
	r := f.action(t, store.NewRequest{Action: store.BanAction, Duration: 7 * 24 * 3600, ReasonCode: "spam",
		Reason: "spam: links", Accounts: []string{"a1", "a2", "a3", "a4"}, Prior: prior,
		Preview: "2 banned, 1 not banned, 1 not checked", UndoWindow: 15 * time.Minute})
	if r.State != store.Approved || r.DecidedBy != moderator || r.DecidedAt.IsZero() {
		t.Fatalf("immediate ban is %s decided by %q at %v, want approved by its requester", r.State, r.DecidedBy, r.DecidedAt)
	}
	if r.Action != store.BanAction || r.Duration != 7*24*3600 || r.ReasonCode != "spam" || r.ApprovalsNeeded != 0 ||
		r.Preview != "2 banned, 1 not banned, 1 not checked" || r.UndoWindow != 15*time.Minute || !r.UndoUntil.IsZero() {
		t.Fatalf("stored %+v", r)
	}
	want := map[string]store.PriorState{"a1": prior["a1"], "a2": prior["a2"], "a3": prior["a3"]}
	if len(r.Prior) != len(want) {
		t.Fatalf("prior %v, want %v", r.Prior, want)
	}
	for a, p := range want {
		if got := r.Prior[a]; got.Checked != p.Checked || got.Active != p.Active || got.Permanent != p.Permanent || !got.Until.Equal(p.Until) {
			t.Fatalf("prior of %s %+v, want %+v", a, got, p)
		}
	}
	if !r.Owes(store.EffectRoot) {
		t.Fatalf("owed %v, want root", r.Owed)
	}
	if r.DurationFor("a1") != 7*24*3600 {
		t.Fatalf("DurationFor a1 = %d", r.DurationFor("a1"))
	}
	pending, err := f.s.PendingRequests(ctx)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending %v, %v: an immediate action waits for nobody", pending, err)
	}
	work, err := f.s.NeedsWork(ctx, 10)
	if err != nil || len(work) != 1 || work[0].RequestID != r.ID || work[0].Reason != store.WorkApproved {
		t.Fatalf("work %v, %v, want the ban approved", work, err)
	}
	if got := auditCount(t, f.s, r.ID, "request", "approved"); got != 1 {
		t.Fatalf("%d request/approved audit entries, want 1", got)
	}
	// Approving an immediate action is a decision already made.
	if _, err := f.s.Approve(ctx, r.ID, approver1, f.op()); !errors.Is(err, store.ErrAlreadyDecided) {
		t.Fatalf("approve immediate: err %v, want ErrAlreadyDecided", err)
	}
	perm := f.action(t, store.NewRequest{Action: store.BanAction, Duration: store.PermanentDuration,
		Target: store.Target{Kind: store.KindRoom, ID: "room1"}})
	if perm.Duration != store.PermanentDuration || perm.Target.Kind != store.KindRoom {
		t.Fatalf("permanent room ban stored as %d on %s", perm.Duration, perm.Target.Kind)
	}
	// The same op creates nothing new.
	again, err := f.s.CreateRequest(ctx, f.actionReq(store.NewRequest{OpID: "same", Action: store.MuteAction, Duration: 60}))
	if err != nil {
		t.Fatal(err)
	}
	twice, err := f.s.CreateRequest(ctx, f.actionReq(store.NewRequest{OpID: "same", Action: store.MuteAction, Duration: 60}))
	if err != nil || twice.ID != again.ID || twice.Action != store.MuteAction {
		t.Fatalf("same op: %v, %v; first %s", twice, err, again.ID)
	}
}

func TestActionCreateRefused(t *testing.T) {
	f := newFixture(t)
	room := store.Target{Kind: store.KindRoom, ID: "room1"}
	tests := []struct {
		name string
		nr   store.NewRequest
	}{
		{"BanWithoutDuration", store.NewRequest{Action: store.BanAction}},
		{"MuteWithoutDuration", store.NewRequest{Action: store.MuteAction}},
		{"UnbanWithDuration", store.NewRequest{Action: store.UnbanAction, Duration: 60, Approvals: 1, TTL: time.Hour}},
		{"UnmuteWithDuration", store.NewRequest{Action: store.UnmuteAction, Duration: 60}},
		{"MuteRoom", store.NewRequest{Action: store.MuteAction, Duration: 60, Target: room}},
		{"UnknownAction", store.NewRequest{Action: "kick"}},
		{"ConfirmWithApprovals", store.NewRequest{Action: store.BanAction, Duration: 60, Approvals: 1, TTL: time.Hour, Confirm: true}},
		{"UndoWithApprovals", store.NewRequest{Action: store.BanAction, Duration: 60, Approvals: 1, TTL: time.Hour, UndoWindow: time.Minute}},
		{"ApprovalsWithoutTTL", store.NewRequest{Action: store.BanAction, Duration: 60, Approvals: 1}},
		{"NegativeApprovals", store.NewRequest{Action: store.BanAction, Duration: 60, Approvals: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := f.s.CreateRequest(t.Context(), f.actionReq(tc.nr))
			if err == nil {
				t.Fatalf("created %s %s", r.Action, r.State)
			}
		})
	}
}

// TestActionOldUnbanRecords: the unban API before actions keeps its meaning, and a record
// stored without the action fields reads as an unban.
func TestActionOldUnbanRecords(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r, err := f.s.CreateRequest(ctx, store.NewRequest{OpID: f.op(), Target: store.Target{Kind: store.KindGroup, ID: "g"},
		Accounts: []string{"a"}, Requester: moderator, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if r.Action != store.UnbanAction || r.State != store.Pending || r.ApprovalsNeeded != 1 || r.UndoWindow != 0 {
		t.Fatalf("legacy request: %s %s needing %d, undo %v", r.Action, r.State, r.ApprovalsNeeded, r.UndoWindow)
	}
	for _, field := range []string{"action", "duration", "reason_code", "confirm", "confirmed_ms", "undo_ms",
		"undo_until_ms", "undo_of", "undone_by", "preview"} {
		if err := f.s.DeleteRequestField(ctx, r.ID, field); err != nil {
			t.Fatal(err)
		}
	}
	old, err := f.s.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if old.Action != store.UnbanAction || old.Duration != 0 || old.Prior != nil || old.Plan != nil || old.NeedsConfirm || old.UndoOf != "" {
		t.Fatalf("old record reads as %+v", old)
	}
	sums, _, err := f.s.PendingSummaries(ctx, 10)
	if err != nil || len(sums) != 1 || sums[0].Action != store.UnbanAction {
		t.Fatalf("summaries %+v, %v", sums, err)
	}
	// It still goes its way, and its outcomes are audited as unbans.
	old, err = f.s.Approve(ctx, old.ID, approver1, f.op())
	if err != nil {
		t.Fatal(err)
	}
	if old = f.execute(t, old, nil); old.State != store.Done {
		t.Fatalf("state %s", old.State)
	}
	if got := auditCount(t, f.s, old.ID, "unban", "done"); got != 1 {
		t.Fatalf("%d unban/done audit entries, want 1", got)
	}
	if _, err := f.s.Undo(ctx, old.ID, approver1, f.op()); !errors.Is(err, store.ErrNotUndoable) {
		t.Fatalf("undo of an approved unban: err %v, want ErrNotUndoable", err)
	}
}

func TestActionConfirm(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.action(t, store.NewRequest{Action: store.BanAction, Duration: 3600, Confirm: true, UndoWindow: time.Minute})
	if r.State != store.Confirming || !r.NeedsConfirm || r.Owes(store.EffectRoot) {
		t.Fatalf("%s, confirm %v, owed %v: want confirming, no root yet", r.State, r.NeedsConfirm, r.Owed)
	}
	if d := r.ExpiresAt.Sub(r.CreatedAt); d != store.ConfirmWindow {
		t.Fatalf("confirm window %v", d)
	}
	if n := indexSize(t, f.s, "req:confirming"); n != 1 {
		t.Fatalf("confirming index holds %d", n)
	}
	if work, _ := f.s.NeedsWork(ctx, 10); len(work) != 0 {
		t.Fatalf("work before Confirm: %v", work)
	}
	if _, err := f.s.Approve(ctx, r.ID, approver1, f.op()); !errors.Is(err, store.ErrAwaitingConfirm) {
		t.Fatalf("approve: err %v, want ErrAwaitingConfirm", err)
	}
	if _, err := f.s.Deny(ctx, r.ID, approver1, f.op(), "no"); !errors.Is(err, store.ErrAwaitingConfirm) {
		t.Fatalf("deny: err %v, want ErrAwaitingConfirm", err)
	}
	if _, err := f.s.Confirm(ctx, r.ID, approver1, f.op()); !errors.Is(err, store.ErrNotRequester) {
		t.Fatalf("confirm by another: err %v, want ErrNotRequester", err)
	}
	op := f.op()
	c, err := f.s.Confirm(ctx, r.ID, moderator, op)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != store.Approved || c.DecidedBy != moderator || c.ConfirmedAt.IsZero() || !c.Owes(store.EffectRoot) || c.Repeat {
		t.Fatalf("confirmed: %s by %s at %v, owed %v, repeat %v", c.State, c.DecidedBy, c.ConfirmedAt, c.Owed, c.Repeat)
	}
	if n := indexSize(t, f.s, "req:confirming"); n != 0 {
		t.Fatalf("confirming index holds %d after Confirm", n)
	}
	again, err := f.s.Confirm(ctx, r.ID, moderator, op)
	if err != nil || !again.Repeat || again.State != store.Approved {
		t.Fatalf("same op again: %v, %v", again, err)
	}
	var de *store.DecidedError
	if _, err := f.s.Confirm(ctx, r.ID, moderator, f.op()); !errors.As(err, &de) || de.By != moderator {
		t.Fatalf("second click: err %v, want a DecidedError by the requester", err)
	}
	if got := auditCount(t, f.s, r.ID, "confirm", "approved"); got != 1 {
		t.Fatalf("%d confirm audit entries, want 1", got)
	}
	if acts, err := f.s.AuditActs(ctx, r.ID); err != nil || !slices.Equal(acts, []string{"request/ban", "confirm/ban"}) {
		t.Fatalf("audit acts %v (%v), want the action kind on each entry", acts, err)
	}
	if work, _ := f.s.NeedsWork(ctx, 10); len(work) != 1 || work[0].RequestID != r.ID {
		t.Fatalf("work after Confirm: %v", work)
	}

	// Confirm on a request that never waited for one.
	p := f.request(t, 1, time.Hour)
	if _, err := f.s.Confirm(ctx, p.ID, moderator, f.op()); !errors.Is(err, store.ErrNotConfirming) {
		t.Fatalf("confirm pending unban: err %v, want ErrNotConfirming", err)
	}
	im := f.action(t, store.NewRequest{Action: store.MuteAction, Duration: 60})
	if _, err := f.s.Confirm(ctx, im.ID, moderator, f.op()); !errors.Is(err, store.ErrNotConfirming) {
		t.Fatalf("confirm immediate mute: err %v, want ErrNotConfirming", err)
	}

	t.Run("RequesterLostRole", func(t *testing.T) {
		if _, err := f.s.SetRole(ctx, admin, "UMOD2", store.RoleModerator); err != nil {
			t.Fatal(err)
		}
		r := f.action(t, store.NewRequest{Action: store.BanAction, Duration: 60, Confirm: true, Requester: "UMOD2"})
		if _, err := f.s.SetRole(ctx, admin, "UMOD2", store.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Confirm(ctx, r.ID, "UMOD2", f.op()); !errors.Is(err, store.ErrForbidden) {
			t.Fatalf("err %v, want ErrForbidden", err)
		}
	})
}

func TestActionConfirmRace(t *testing.T) {
	f := newFixture(t)
	r := f.action(t, store.NewRequest{Action: store.BanAction, Duration: 60, Confirm: true})
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = f.s.Confirm(t.Context(), r.ID, moderator, fmt.Sprintf("click-%d", i)) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, store.ErrAlreadyDecided) {
			t.Fatalf("err %v, want ErrAlreadyDecided", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d confirms succeeded, want 1", ok)
	}
	if got := auditCount(t, f.s, r.ID, "confirm", ""); got != 1 {
		t.Fatalf("%d confirm audit entries, want 1", got)
	}
}

// TestActionConfirmExpired: a Confirm after 10 minutes (created_ms and expires_ms moved back)
// expires the request and changes nothing else; a second click says the same.
func TestActionConfirmExpired(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.action(t, store.NewRequest{Action: store.BanAction, Duration: 60, Confirm: true})
	backdate(t, f, r, 11*time.Minute)
	_, err := f.s.Confirm(ctx, r.ID, moderator, f.op())
	if !errors.Is(err, store.ErrConfirmExpired) || !errors.Is(err, store.ErrExpired) || !errors.Is(err, store.ErrExpiredHere) {
		t.Fatalf("err %v, want ErrConfirmExpired, ErrExpired and ErrExpiredHere", err)
	}
	got, err := f.s.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Expired || !got.ConfirmedAt.IsZero() || !slices.Equal(got.Owed, []store.Effect{store.EffectRequester}) {
		t.Fatalf("after late confirm: %s, confirmed %v, owed %v", got.State, got.ConfirmedAt, got.Owed)
	}
	_, err = f.s.Confirm(ctx, r.ID, moderator, f.op())
	if !errors.Is(err, store.ErrConfirmExpired) || errors.Is(err, store.ErrExpiredHere) {
		t.Fatalf("second late confirm: err %v, want ErrConfirmExpired (not expired here)", err)
	}
	if n := indexSize(t, f.s, "req:confirming"); n != 0 {
		t.Fatalf("confirming index holds %d", n)
	}
	if work, _ := f.s.NeedsWork(ctx, 10); len(work) != 1 || work[0].Reason != store.WorkOwed {
		t.Fatalf("work %v: want the requester's notice owed only", work)
	}
	if got := auditCount(t, f.s, r.ID, "expire", "expired"); got != 1 {
		t.Fatalf("%d expire audit entries", got)
	}
}

// TestActionConfirmingExpireDue: a confirming request nobody clicks does not linger.
func TestActionConfirmingExpireDue(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.action(t, store.NewRequest{Action: store.MuteAction, Duration: 60, Confirm: true})
	fresh := f.action(t, store.NewRequest{Action: store.MuteAction, Duration: 60, Confirm: true})
	backdate(t, f, r, 11*time.Minute)
	expired, err := f.s.ExpireDue(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(expired) != 1 || expired[0].ID != r.ID || expired[0].State != store.Expired {
		t.Fatalf("expired %v", expired)
	}
	if expired, _ := f.s.ExpireDue(ctx, 0); len(expired) != 0 {
		t.Fatalf("second sweep expired %d", len(expired))
	}
	if n := indexSize(t, f.s, "req:confirming"); n != 1 {
		t.Fatalf("confirming index holds %d, want the fresh one", n)
	}
	if c, err := f.s.Confirm(ctx, fresh.ID, moderator, f.op()); err != nil || c.State != store.Approved {
		t.Fatalf("fresh confirm: %v, %v", c, err)
	}
}

func TestActionConfirmingCancel(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.action(t, store.NewRequest{Action: store.BanAction, Duration: 60, Confirm: true})
	if _, err := f.s.Cancel(ctx, r.ID, approver1, f.op()); !errors.Is(err, store.ErrNotRequester) {
		t.Fatalf("cancel by another: err %v, want ErrNotRequester", err)
	}
	c, err := f.s.Cancel(ctx, r.ID, moderator, f.op())
	if err != nil {
		t.Fatal(err)
	}
	if c.State != store.Cancelled || len(c.Owed) != 0 {
		t.Fatalf("cancelled: %s, owed %v (there is no root to update)", c.State, c.Owed)
	}
	if n := indexSize(t, f.s, "req:confirming"); n != 0 {
		t.Fatalf("confirming index holds %d", n)
	}
	var de *store.DecidedError
	if _, err := f.s.Confirm(ctx, r.ID, moderator, f.op()); !errors.As(err, &de) || de.State != store.Cancelled {
		t.Fatalf("confirm after cancel: err %v, want a DecidedError (cancelled)", err)
	}
}

// backdate moves a request's creation and expiry back by d, as if d had passed.
func backdate(t *testing.T, f *fixture, r *store.Request, d time.Duration) {
	t.Helper()
	for field, at := range map[string]time.Time{"created_ms": r.CreatedAt, "expires_ms": r.ExpiresAt} {
		if err := f.s.SetRequestField(t.Context(), r.ID, field, strconv.FormatInt(at.Add(-d).UnixMilli(), 10)); err != nil {
			t.Fatal(err)
		}
	}
	for _, index := range []string{"req:pending", "req:confirming"} {
		if n := indexSize(t, f.s, index); n > 0 {
			if err := f.s.ZAdd(t.Context(), index, r.ExpiresAt.Add(-d), r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}
