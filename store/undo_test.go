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

// undoable opens an immediate action with a 15-minute Undo, the given priors, and executes it
// with the given outcomes (the others done).
func (f *fixture) undoable(t *testing.T, action store.ActionKind, duration uint32, accounts []string,
	prior map[string]store.PriorState, outcomes map[string]store.Outcome) *store.Request {
	t.Helper()
	r := f.action(t, store.NewRequest{Action: action, Duration: duration, Accounts: accounts, Prior: prior,
		UndoWindow: 15 * time.Minute})
	return f.execute(t, r, outcomes)
}

func TestUndoBanPlan(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	now, err := f.s.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prior := map[string]store.PriorState{
		"free":    {Checked: true},
		"shorter": {Checked: true, Active: true, Until: now.Add(time.Hour)},
		"ended":   {Checked: true, Active: true, Until: now.Add(-time.Minute)},
		"forever": {Checked: true, Active: true, Permanent: true},
		// "unknown" not checked
		"longer": {Checked: true, Active: true, Until: now.Add(30 * 24 * time.Hour)},
	}
	outcomes := map[string]store.Outcome{
		"longer": {Skipped: true, Info: "already banned until later"},
		"broken": {Code: 10004, Info: "bad account"},
	}
	accounts := []string{"free", "shorter", "ended", "forever", "unknown", "longer", "broken"}
	r := f.undoable(t, store.BanAction, 24*3600, accounts, prior, outcomes)
	if r.State != store.Partial {
		t.Fatalf("state %s", r.State)
	}
	if d := r.UndoUntil.Sub(r.FinishedAt); d != 15*time.Minute {
		t.Fatalf("undo window from finish %v, want 15m", d)
	}
	if !r.Undoable(now) {
		t.Fatal("not undoable in its window")
	}
	for _, who := range []string{"UNOBODY", "UOTHERMOD"} {
		if who == "UOTHERMOD" {
			if _, err := f.s.SetRole(ctx, admin, who, store.RoleModerator); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.s.Undo(ctx, r.ID, who, f.op()); !errors.Is(err, store.ErrForbidden) {
			t.Fatalf("undo by %s: err %v, want ErrForbidden", who, err)
		}
	}
	op := f.op()
	u, err := f.s.Undo(ctx, r.ID, approver1, op)
	if err != nil {
		t.Fatal(err)
	}
	if u.Action != store.UnbanAction || u.UndoOf != r.ID || u.UndoOfNumber != r.Number || u.State != store.Approved ||
		u.Requester != approver1 || u.DecidedBy != approver1 || u.ApprovalsNeeded != 0 || u.UndoWindow != 0 ||
		u.Number <= r.Number || u.Target != r.Target || u.Repeat {
		t.Fatalf("undo request %+v", u)
	}
	if want := []string{"free", "shorter", "ended", "forever", "unknown"}; !slices.Equal(u.Accounts, want) {
		t.Fatalf("undo accounts %v, want %v (only the accounts the ban changed)", u.Accounts, want)
	}
	if u.Plan["free"] != 0 || u.Plan["ended"] != 0 || u.Plan["unknown"] != 0 || u.Plan["forever"] != store.PermanentDuration {
		t.Fatalf("plan %v", u.Plan)
	}
	if left := u.Plan["shorter"]; left < 3590 || left > 3600 {
		t.Fatalf("shorter ban restored for %d s, want what was left of an hour", left)
	}
	if u.DurationFor("shorter") != u.Plan["shorter"] || u.DurationFor("free") != 0 {
		t.Fatal("DurationFor does not follow the plan")
	}
	if len(u.Remaining()) != 5 {
		t.Fatalf("remaining %v", u.Remaining())
	}
	orig, err := f.s.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if orig.UndoneBy != u.ID || orig.UndoActor != approver1 || orig.UndoAt.IsZero() || orig.State != store.Partial ||
		!orig.Owes(store.EffectUndo) || orig.Undoable(now) {
		t.Fatalf("original after Undo: %+v", orig)
	}
	// Double click, same operation: the same Undo request, marked a repeat.
	again, err := f.s.Undo(ctx, r.ID, approver1, op)
	if err != nil || again.ID != u.ID || !again.Repeat {
		t.Fatalf("same op again: %v, %v", again, err)
	}
	// A second Undo, by anyone.
	var ue *store.UndoneError
	if _, err := f.s.Undo(ctx, r.ID, moderator, f.op()); !errors.As(err, &ue) || !errors.Is(err, store.ErrAlreadyUndone) ||
		ue.By != approver1 || ue.UndoID != u.ID {
		t.Fatalf("second undo: err %v, want an UndoneError by %s", err, approver1)
	}
	if _, err := f.s.Retry(ctx, r.ID, moderator, f.op()); !errors.Is(err, store.ErrAlreadyUndone) {
		t.Fatalf("retry of the undone original: err %v, want ErrAlreadyUndone", err)
	}
	if got := auditCount(t, f.s, r.ID, "undo", "requested"); got != 1 {
		t.Fatalf("%d undo audit entries on the original", got)
	}
	if acts, err := f.s.AuditActs(ctx, u.ID); err != nil || !slices.Equal(acts, []string{"request/unban"}) {
		t.Fatalf("undo request's audit %v (%v)", acts, err)
	}
	// The Undo request runs like any other; then the original is undone.
	u = f.execute(t, u, nil)
	if u.State != store.Done || !u.UndoUntil.IsZero() {
		t.Fatalf("undo request %s, undo until %v", u.State, u.UndoUntil)
	}
	orig, err = f.s.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if orig.State != store.Undone || !orig.Owes(store.EffectUndo) || !orig.State.Final() {
		t.Fatalf("original %s owing %v, want undone owing undo", orig.State, orig.Owed)
	}
	if _, err := f.s.Undo(ctx, u.ID, moderator, f.op()); !errors.Is(err, store.ErrNotUndoable) {
		t.Fatalf("undo of the undo: err %v, want ErrNotUndoable", err)
	}
}

func TestUndoRestoresPriorOfUnbanAndMute(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	now, err := f.s.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Unban", func(t *testing.T) {
		prior := map[string]store.PriorState{
			"was": {Checked: true, Active: true, Until: now.Add(2 * time.Hour)},
			"pb":  {Checked: true, Active: true, Permanent: true},
			"not": {Checked: true},
		}
		r := f.undoable(t, store.UnbanAction, 0, []string{"was", "pb", "not", "unknown"}, prior, nil)
		u, err := f.s.Undo(ctx, r.ID, moderator, f.op())
		if err != nil {
			t.Fatal(err)
		}
		if u.Action != store.BanAction || u.Plan["pb"] != store.PermanentDuration {
			t.Fatalf("undo %s, plan %v", u.Action, u.Plan)
		}
		if left := u.Plan["was"]; left < 7190 || left > 7200 {
			t.Fatalf("earlier ban restored for %d s", left)
		}
		for _, a := range []string{"not", "unknown"} {
			if _, planned := u.Plan[a]; planned || !u.Outcomes[a].Skipped {
				t.Fatalf("%s: planned %v, outcome %+v: nothing to restore, want skipped", a, planned, u.Outcomes[a])
			}
		}
		if !slices.Equal(u.Remaining(), []string{"was", "pb"}) {
			t.Fatalf("remaining %v", u.Remaining())
		}
	})
	t.Run("Mute", func(t *testing.T) {
		prior := map[string]store.PriorState{
			"muted": {Checked: true, Active: true, Until: now.Add(10 * time.Minute)},
			"free":  {Checked: true},
		}
		r := f.undoable(t, store.MuteAction, 3600, []string{"muted", "free"}, prior, nil)
		u, err := f.s.Undo(ctx, r.ID, approver2, f.op())
		if err != nil {
			t.Fatal(err)
		}
		if u.Action != store.UnmuteAction || !u.Action.Mutes() || u.Plan["free"] != 0 {
			t.Fatalf("undo %s, plan %v", u.Action, u.Plan)
		}
		if left := u.Plan["muted"]; left < 590 || left > 600 {
			t.Fatalf("MuteTime %d, want what was left of 10 minutes", left)
		}
	})
}

func TestUndoRefused(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	t.Run("AfterWindow", func(t *testing.T) {
		r := f.undoable(t, store.BanAction, 60, []string{"a"}, nil, nil)
		past := strconv.FormatInt(r.UndoUntil.Add(-16*time.Minute).UnixMilli(), 10)
		if err := f.s.SetRequestField(ctx, r.ID, "undo_until_ms", past); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Undo(ctx, r.ID, moderator, f.op()); !errors.Is(err, store.ErrUndoWindowClosed) {
			t.Fatalf("err %v, want ErrUndoWindowClosed", err)
		}
		got, err := f.s.Request(ctx, r.ID)
		if err != nil || got.UndoneBy != "" || got.Owes(store.EffectUndo) {
			t.Fatalf("refused undo changed %+v (%v)", got, err)
		}
	})
	t.Run("NothingDone", func(t *testing.T) {
		r := f.undoable(t, store.BanAction, 60, []string{"a"}, nil, map[string]store.Outcome{"a": {Skipped: true, Info: "already"}})
		if r.State != store.Done || !r.UndoUntil.IsZero() {
			t.Fatalf("all skipped: %s, undo until %v (nothing to undo)", r.State, r.UndoUntil)
		}
		if _, err := f.s.Undo(ctx, r.ID, moderator, f.op()); !errors.Is(err, store.ErrNothingToUndo) {
			t.Fatalf("err %v, want ErrNothingToUndo", err)
		}
	})
	t.Run("NotFinished", func(t *testing.T) {
		r := f.action(t, store.NewRequest{Action: store.BanAction, Duration: 60, UndoWindow: time.Minute})
		if _, err := f.s.Undo(ctx, r.ID, moderator, f.op()); !errors.Is(err, store.ErrNotUndoable) {
			t.Fatalf("err %v, want ErrNotUndoable", err)
		}
	})
	t.Run("NoUndoOffered", func(t *testing.T) {
		r := f.execute(t, f.action(t, store.NewRequest{Action: store.BanAction, Duration: 60}), nil)
		if _, err := f.s.Undo(ctx, r.ID, moderator, f.op()); !errors.Is(err, store.ErrNotUndoable) {
			t.Fatalf("err %v, want ErrNotUndoable", err)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		if _, err := f.s.Undo(ctx, "missing", moderator, f.op()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err %v, want ErrNotFound", err)
		}
	})
}

// TestUndoRace: many replicas clicking Undo at once create exactly one Undo request.
func TestUndoRace(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.undoable(t, store.BanAction, 60, []string{"a", "b"}, nil, nil)
	const n = 20
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		actor := []string{moderator, approver1, approver2}[i%3]
		wg.Go(func() {
			u, err := f.s.Undo(ctx, r.ID, actor, fmt.Sprintf("click-%d", i))
			if err == nil {
				ids[i] = u.ID
			}
			errs[i] = err
		})
	}
	wg.Wait()
	made := 0
	for i, err := range errs {
		switch {
		case err == nil:
			made++
		case !errors.Is(err, store.ErrAlreadyUndone):
			t.Fatalf("click %d: err %v", i, err)
		}
	}
	if made != 1 {
		t.Fatalf("%d Undo requests, want 1", made)
	}
	work, err := f.s.NeedsWork(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	approved := 0
	for _, w := range work {
		if w.Reason == store.WorkApproved {
			approved++
		}
	}
	if approved != 1 {
		t.Fatalf("%d approved requests to run, want the one Undo request", approved)
	}
}

// TestUndoFailedThenRetried: a failed Undo leaves the original as it was (but undone_by), and
// Retry of the Undo request that then succeeds makes it undone.
func TestUndoFailedThenRetried(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.undoable(t, store.BanAction, 60, []string{"a"}, nil, nil)
	u, err := f.s.Undo(ctx, r.ID, moderator, f.op())
	if err != nil {
		t.Fatal(err)
	}
	u = f.execute(t, u, map[string]store.Outcome{"a": {Code: 10002, Info: "system error"}})
	if u.State != store.Failed {
		t.Fatalf("undo %s", u.State)
	}
	orig, err := f.s.Request(ctx, r.ID)
	if err != nil || orig.State != store.Done || orig.UndoneBy != u.ID {
		t.Fatalf("original after a failed undo: %v %v", orig, err)
	}
	u, err = f.s.Retry(ctx, u.ID, moderator, f.op())
	if err != nil {
		t.Fatal(err)
	}
	if u = f.execute(t, u, nil); u.State != store.Done {
		t.Fatalf("retried undo %s", u.State)
	}
	if orig, err = f.s.Request(ctx, r.ID); err != nil || orig.State != store.Undone {
		t.Fatalf("original after the retried undo: %v %v", orig, err)
	}
	if got := auditCount(t, f.s, r.ID, "undo", "undone"); got != 1 {
		t.Fatalf("%d undo/undone audit entries", got)
	}
}

// TestUndoWindowCloses: a passed window makes the request owe EffectUndo once; an undone
// request or one still in its window is left alone.
func TestUndoWindowCloses(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	passed := f.undoable(t, store.BanAction, 60, []string{"a"}, nil, nil)
	open := f.undoable(t, store.MuteAction, 60, []string{"a"}, nil, nil)
	undone := f.undoable(t, store.BanAction, 60, []string{"b"}, nil, nil)
	if _, err := f.s.Undo(ctx, undone.ID, moderator, f.op()); err != nil {
		t.Fatal(err)
	}
	if n := indexSize(t, f.s, "req:undo"); n != 2 {
		t.Fatalf("undo index holds %d, want the two windows still open", n)
	}
	// Settle the owed effects so only a closing window can make one owed again.
	for _, r := range []*store.Request{passed, open} {
		l, _, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ClearOwed(ctx, l, store.EffectRoot, store.EffectResult, store.EffectRequester); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ReleaseLease(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	past := passed.UndoUntil.Add(-16 * time.Minute)
	if err := f.s.SetRequestField(ctx, passed.ID, "undo_until_ms", strconv.FormatInt(past.UnixMilli(), 10)); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ZAdd(ctx, "req:undo", past, passed.ID); err != nil {
		t.Fatal(err)
	}
	closed, err := f.s.CloseUndoWindows(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(closed, []string{passed.ID}) {
		t.Fatalf("closed %v, want %s", closed, passed.ID)
	}
	if again, _ := f.s.CloseUndoWindows(ctx, 0); len(again) != 0 {
		t.Fatalf("closed again %v", again)
	}
	got, err := f.s.Request(ctx, passed.ID)
	if err != nil || !slices.Equal(got.Owed, []store.Effect{store.EffectUndo}) {
		t.Fatalf("after the window: owed %v (%v)", got.Owed, err)
	}
	if got, err := f.s.Request(ctx, open.ID); err != nil || len(got.Owed) != 0 {
		t.Fatalf("open window: owed %v (%v)", got.Owed, err)
	}
}
