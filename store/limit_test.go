package store_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"modbot/store"
	"modbot/store/storetest"
)

// grant is one permit: when its Redis call was sent and when Wait returned.
type grant struct{ sent, recv time.Time }

// driveLimiter takes permits from a limit-per-second limiter shared by
// clients separate stores (as replicas would), each with workers
// goroutines, and returns when they started and the grants, ordered by
// return time.
func driveLimiter(tb testing.TB, limit, permits, clients, workers int) (time.Time, []grant) {
	tb.Helper()
	url, prefix := storetest.RedisURL(tb), storetest.Prefix(tb)
	tb.Cleanup(func() { storetest.DeleteKeys(tb, url, prefix) })
	ctx := context.Background()
	var left atomic.Int64
	left.Store(int64(permits))
	var mu sync.Mutex
	var grants []grant
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range clients {
		s, err := store.Open(ctx, store.Options{URL: url, Prefix: prefix})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		l, err := s.Limiter("1400000001", limit)
		if err != nil {
			tb.Fatal(err)
		}
		for range workers {
			wg.Go(func() {
				<-start
				for left.Add(-1) >= 0 {
					sent, err := store.WaitSent(ctx, l)
					recv := time.Now()
					if err != nil {
						tb.Error(err)
						return
					}
					mu.Lock()
					grants = append(grants, grant{sent, recv})
					mu.Unlock()
				}
			})
		}
	}
	began := time.Now()
	close(start)
	wg.Wait()
	slices.SortFunc(grants, func(a, b grant) int { return a.recv.Compare(b.recv) })
	return began, grants
}

// surelyInWindow is the most grants certainly granted within one second:
// whose whole call lay inside [a, a+1s) for some a.
func surelyInWindow(grants []grant) int {
	best := 0
	for _, g := range grants {
		a := g.sent
		n := 0
		for _, h := range grants {
			if !h.sent.Before(a) && h.recv.Before(a.Add(time.Second)) {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// maxWindow is the most grants returned within any one second.
func maxWindow(grants []grant) int {
	best, j := 0, 0
	for i := range grants {
		for grants[i].recv.Sub(grants[j].recv) >= time.Second {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func TestSharedLimiterWindow(t *testing.T) {
	const limit = 200
	_, grants := driveLimiter(t, limit, 500, 3, 4)
	if got := len(grants); got != 500 {
		t.Fatalf("%d grants, want 500", got)
	}
	for _, g := range grants {
		if g.sent.IsZero() {
			t.Fatal("a grant came from the local fallback while Redis was up")
		}
	}
	if got := surelyInWindow(grants); got > limit {
		t.Fatalf("%d grants within one second, limit %d", got, limit)
	}
}

// BenchmarkSharedLimiter takes 1,000 permits at 200/s from three clients
// and reports the busiest one-second window and the throughput, both as
// ratios to the limit. Run with -benchtime=1x (each op takes ~5 s).
func BenchmarkSharedLimiter(b *testing.B) {
	const limit, permits = 200, 1000
	var window, throughput float64
	for b.Loop() {
		start, grants := driveLimiter(b, limit, permits, 3, 8)
		elapsed := grants[len(grants)-1].recv.Sub(start)
		window = max(window, float64(maxWindow(grants))/limit)
		throughput = float64(permits) / elapsed.Seconds() / limit
	}
	b.ReportMetric(window, "max-window/limit")
	b.ReportMetric(throughput, "throughput/limit")
}

func TestLimiterFallback(t *testing.T) {
	m := miniredis.RunT(t)
	ctx := t.Context()
	s, err := store.Open(ctx, store.Options{URL: "redis://" + m.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const limit = 10 // fallback: 1/s, burst 1
	l, err := s.Limiter("1400000001", limit)
	if err != nil {
		t.Fatal(err)
	}
	key := "rate:" + s.Key("tim", "1400000001")
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if !m.Exists(key) {
		t.Fatalf("no limiter key %s in Redis", key)
	}

	m.Close() // Redis unreachable
	if err := l.Wait(ctx); err != nil {
		t.Fatalf("Wait with Redis down: %v (want the local fallback)", err)
	}
	// Never fail open: the next permit is a second away locally.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(short); err == nil {
		t.Fatal("Wait granted at once with Redis down: the fallback is open")
	}

	if err := m.Restart(); err != nil {
		t.Fatal(err)
	}
	m.Del(key)
	deadline := time.Now().Add(10 * time.Second)
	for !m.Exists(key) {
		if time.Now().After(deadline) {
			t.Fatal("the limiter never went back to Redis")
		}
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLimiterHonoursContext(t *testing.T) {
	s := storetest.New(t)
	l, err := s.Limiter("1400000002", 1) // one call per two seconds
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := l.Wait(ctx); err == nil {
		t.Fatal("Wait with a cancelled context succeeded")
	}
	if _, err := s.Limiter("1400000002", 0); err == nil {
		t.Fatal("a limit of 0 was accepted")
	}
}
