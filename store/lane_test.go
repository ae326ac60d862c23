package store_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
)

// laneRun drives an interactive lane with iWorkers goroutines taking iPermits
// permits and a background lane (share of limit) with bWorkers goroutines taking
// permits until the interactive ones are done (or bFor passes when iPermits is
// 0), each lane on stores of its own (as replicas would). It returns the grants
// of each lane, ordered by return time.
func laneRun(tb testing.TB, limit int, share float64, iPermits, iWorkers, bWorkers int, bFor time.Duration) (start time.Time, inter, back []grant) {
	tb.Helper()
	url, prefix := storetest.RedisURL(tb), storetest.Prefix(tb)
	tb.Cleanup(func() { storetest.DeleteKeys(tb, url, prefix) })
	ctx := context.Background()
	open := func() *store.Limiter {
		s, err := store.Open(ctx, store.Options{URL: url, Prefix: prefix})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		l, err := s.Limiter("1400000009", limit)
		if err != nil {
			tb.Fatal(err)
		}
		return l
	}
	il := open()
	bl, err := open().Background(share)
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	take := func(l *store.Limiter, ctx context.Context, to *[]grant) bool {
		sent, err := store.WaitSent(ctx, l)
		recv := time.Now()
		if err != nil {
			if ctx.Err() == nil {
				tb.Error(err)
			}
			return false
		}
		mu.Lock()
		*to = append(*to, grant{sent, recv})
		mu.Unlock()
		return true
	}
	bctx, stopB := context.WithCancel(ctx)
	defer stopB()
	var left atomic.Int64
	left.Store(int64(iPermits))
	var iwg, bwg sync.WaitGroup
	start = time.Now()
	for range bWorkers {
		bwg.Go(func() {
			for take(bl, bctx, &back) {
			}
		})
	}
	for range iWorkers {
		iwg.Go(func() {
			for left.Add(-1) >= 0 {
				take(il, ctx, &inter)
			}
		})
	}
	iwg.Wait()
	if iPermits == 0 {
		time.Sleep(bFor)
	}
	stopB()
	bwg.Wait()
	order := func(a, b grant) int { return a.recv.Compare(b.recv) }
	slices.SortFunc(inter, order)
	slices.SortFunc(back, order)
	return start, inter, back
}

// TestBackgroundLaneShare: the background lane alone never takes more than its share of the
// limit in any one-second window, and it does get that share.
func TestBackgroundLaneShare(t *testing.T) {
	const limit, share = 200, 0.25
	_, _, back := laneRun(t, limit, share, 0, 0, 8, 2500*time.Millisecond)
	if got := surelyInWindow(back); got > int(share*limit) {
		t.Fatalf("%d background grants within one second, share %v of %d allows %d", got, share, limit, int(share*limit))
	}
	if got := maxWindow(back); got < int(0.8*share*limit) {
		t.Fatalf("background lane got at most %d a second, want about %d", got, int(share*limit))
	}
	for _, g := range back {
		if g.sent.IsZero() {
			t.Fatal("a background grant came from the local fallback while Redis was up")
		}
	}
}

// TestBackgroundYields: while interactive work saturates the limit, the background lane takes
// (almost) nothing, and together they never exceed the limit in any one-second window.
func TestBackgroundYields(t *testing.T) {
	const limit, share = 200, 0.25
	_, inter, back := laneRun(t, limit, share, 600, 16, 8, 0)
	if len(inter) != 600 {
		t.Fatalf("%d interactive grants, want 600", len(inter))
	}
	all := append(append([]grant(nil), inter...), back...)
	slices.SortFunc(all, func(a, b grant) int { return a.recv.Compare(b.recv) })
	if got := surelyInWindow(all); got > limit {
		t.Fatalf("%d grants within one second, limit %d", got, limit)
	}
	// 600 interactive permits take about 3 s; the background lane alone would take ~150 in that
	// time. Before interactive work first waits (the burst) and within one WantsTTL after it
	// stops, a few background calls may pass.
	last := inter[len(inter)-1].recv
	first := inter[0].recv.Add(100 * time.Millisecond)
	during := 0
	for _, g := range back {
		if g.recv.After(first) && g.recv.Before(last.Add(-store.WantsTTL)) {
			during++
		}
	}
	if during > 10 {
		t.Fatalf("background lane took %d permits while interactive work was waiting, want almost none", during)
	}
}

func TestBackgroundShareChecked(t *testing.T) {
	s := storetest.New(t)
	l, err := s.Limiter("1400000003", 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []float64{0, -0.5, 1.5} {
		if _, err := l.Background(bad); err == nil {
			t.Errorf("share %v accepted", bad)
		}
	}
	b, err := l.Background(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Background(0.5); err == nil {
		t.Error("a background lane of a background lane was accepted")
	}
}
