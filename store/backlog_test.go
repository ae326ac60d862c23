package store_test

import (
	"testing"
	"time"
)

// Backlog counts approved requests no replica works on, and the age of the oldest audit entry
// the feed has not posted.
func TestBacklog(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	// newFixture's allowlist changes are audit entries the feed has not posted.
	b, err := f.s.Backlog(ctx)
	if err != nil || b.Stalled != 0 || b.FeedLag <= 0 {
		t.Fatalf("Backlog = %+v, %v; want nothing stalled and a feed lag", b, err)
	}
	entries, err := f.s.FeedNext(ctx, "feeder", 1000)
	if err != nil || len(entries) == 0 {
		t.Fatalf("FeedNext = %d entries, %v", len(entries), err)
	}
	if err := f.s.FeedAck(ctx, "feeder", entries[len(entries)-1].ID); err != nil {
		t.Fatal(err)
	}
	if b, err = f.s.Backlog(ctx); err != nil || b.FeedLag != 0 {
		t.Fatalf("after the feed posted everything: %+v, %v; want no lag", b, err)
	}

	r := f.approved(t) // approved, and its audit entries wait for the feed
	time.Sleep(20 * time.Millisecond)
	if b, err = f.s.Backlog(ctx); err != nil || b.Stalled != 1 || b.FeedLag < 20*time.Millisecond {
		t.Fatalf("an approved request nobody claimed: %+v, %v; want 1 stalled, lag ≥ 20ms", b, err)
	}
	if _, _, err := f.s.ClaimLease(ctx, r.ID, "replica-1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if b, err = f.s.Backlog(ctx); err != nil || b.Stalled != 0 {
		t.Fatalf("once claimed: %+v, %v; want none stalled", b, err)
	}
}
