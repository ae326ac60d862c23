package store_test

import (
	"errors"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
)

func TestSweepLease(t *testing.T) {
	s := storetest.New(t)
	ctx := t.Context()
	l, err := s.ClaimSweep(ctx, "a", time.Minute)
	if err != nil || l.Epoch != 1 || l.Seq != 1 {
		t.Fatalf("first claim: %+v, %v", l, err)
	}
	if _, err := s.ClaimSweep(ctx, "b", time.Minute); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("claim of a held lease: %v", err)
	}
	// A sweep that stops hands its round on: the next claimer continues the same round.
	if err := s.ReleaseSweep(ctx, l); err != nil {
		t.Fatal(err)
	}
	l2, err := s.ClaimSweep(ctx, "b", time.Minute)
	if err != nil || l2.Epoch != 2 || l2.Seq != 1 || !l2.Round.Equal(l.Round) {
		t.Fatalf("claim after release: %+v, %v (want epoch 2 in round 1)", l2, err)
	}
	if _, err := s.RenewSweep(ctx, l, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renew by the old owner: %v", err)
	}
	if err := s.FinishSweep(ctx, l2, time.Hour); err != nil {
		t.Fatal(err)
	}
	var nd *store.NotDueError
	if _, err := s.ClaimSweep(ctx, "a", time.Minute); !errors.As(err, &nd) || nd.Due.Before(l.Round.Add(time.Hour-time.Second)) {
		t.Fatalf("claim before the next sweep is due: %v", err)
	}
}

func TestSweepCommitFencedAndOnce(t *testing.T) {
	s := storetest.New(t)
	ctx := t.Context()
	w, err := s.Watch(ctx, store.SystemActor, store.KindGroup, "g1", 0, "op")
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.ClaimSweep(ctx, "a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c := store.SweepCommit{Target: w, OpID: "sweep:1:1", Swept: true, State: store.WatchOK, Bans: 2,
		Lists: []store.SweepList{{List: store.ListBans, Rows: map[string]int64{"u1": 4102444800, "u2": 4294967295},
			Set: map[string]int64{"u1": 4102444800, "u2": 4294967295}}},
		Entries: []store.SweepEntry{{Actor: store.OutsideActor, Action: "ban", Account: "u1", Outcome: store.OutcomeOutside, Detail: "u1: until 2100"}}}
	for range 2 { // the same commit sent twice (go-redis re-sending) writes once
		if err := s.CommitSweep(ctx, l, time.Minute, c); err != nil {
			t.Fatal(err)
		}
	}
	page, _ := s.Audit(ctx, store.AuditFilter{Account: "u1"}, "", 10)
	if len(page.Entries) != 1 {
		t.Fatalf("%d entries on u1, want 1", len(page.Entries))
	}
	ps, err := s.Presence(ctx, "u2", time.Now())
	if err != nil || len(ps) != 1 || ps[0].ID != "g1" || ps[0].Until.Unix() != 4294967295 {
		t.Fatalf("presence of u2: %+v, %v", ps, err)
	}
	// Another owner takes the lapsed lease: the old owner's commit is refused.
	l.Epoch = 99
	c.OpID = "sweep:1:2"
	if err := s.CommitSweep(ctx, l, time.Minute, c); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("commit with a stale epoch: %v", err)
	}
	// Unwatching drops the snapshot and its index rows, and only those.
	w2, _ := s.Watch(ctx, store.SystemActor, store.KindRoom, "r1", 0, "op")
	c2 := store.SweepCommit{Target: w2, OpID: "sweep:1:r", Swept: true, State: store.WatchOK,
		Lists: []store.SweepList{{List: store.ListBans, Rows: map[string]int64{"u2": 4102444800}, Set: map[string]int64{"u2": 4102444800}}}}
	l.Epoch = 1
	if err := s.CommitSweep(ctx, l, time.Minute, c2); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.Presence(ctx, "u2", time.Now()); len(ps) != 2 {
		t.Fatalf("u2 in two targets: %+v", ps)
	}
	if err := s.Unwatch(ctx, store.SystemActor, store.KindGroup, "g1", "op"); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.Presence(ctx, "u2", time.Now()); len(ps) != 1 || ps[0].Kind != store.KindRoom {
		t.Fatalf("after unwatching g1: %+v", ps)
	}
	if ps, _ := s.Presence(ctx, "u1", time.Now()); len(ps) != 0 {
		t.Fatalf("u1 after unwatching g1: %+v", ps)
	}
	if ok, _ := s.Exists(ctx, s.Key("snap", "1", "b")); ok {
		t.Fatal("the unwatched target's snapshot is still there")
	}
	if err := s.Unwatch(ctx, store.SystemActor, store.KindGroup, "g1", "op"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unwatch twice: %v", err)
	}
}
