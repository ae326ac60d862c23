package bot_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"modbot/bot"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// Sweep benchmarks at Tencent's 200 calls/s (the emulator enforces it) with the real shared
// limiter in Redis: interactive lane for commands and executions, background lane at
// MODBOT_RECONCILE_SHARE 0.25 for the sweep. Sizes scale with MODBOT_BENCH_SWEEP_TARGETS and
// MODBOT_BENCH_SWEEP_BANS (issue 12's full size: 1000 and 1000, about 4 minutes); the defaults
// run in well under a minute.
const (
	sweepRate  = 200
	sweepShare = 0.25
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

type sweepBench struct {
	srv   *timtest.Server
	st    *store.Store
	inter *tim.Client // interactive lane
	back  *tim.Client // background lane
	rec   *bot.Reconciler
	calls int // Tencent calls one full sweep makes
	pages int // ban-list pages of one full sweep
}

func newSweepBench(b *testing.B, targets, bans int) *sweepBench {
	b.Helper()
	srv := timtest.NewServer(b, timtest.Options{Rate: sweepRate, BanAnyGroupType: true})
	url, prefix := storetest.RedisURL(b), storetest.Prefix(b)
	b.Cleanup(func() { storetest.DeleteKeys(b, url, prefix) })
	st, err := store.Open(b.Context(), store.Options{URL: url, Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	il, err := st.Limiter(strconv.Itoa(srv.SDKAppID()), sweepRate)
	if err != nil {
		b.Fatal(err)
	}
	bl, err := il.Background(sweepShare)
	if err != nil {
		b.Fatal(err)
	}
	tc, err := tim.New(tim.Options{SDKAppID: srv.SDKAppID(), SecretKey: srv.SecretKey(), Admin: srv.Admin(),
		BaseURL: srv.URL, Limiter: il})
	if err != nil {
		b.Fatal(err)
	}
	sb := &sweepBench{srv: srv, st: st, inter: tc, back: tc.WithLimiter(bl)}
	for t := range targets {
		g := srv.CreateGroup(timtest.Public)
		for i := range bans {
			srv.Ban(g, fmt.Sprintf("u%04d-%05d", t, i), time.Hour)
		}
		if _, err := st.Watch(b.Context(), store.SystemActor, store.KindGroup, g, targets, ""); err != nil {
			b.Fatal(err)
		}
	}
	perTarget := max(1, (bans+99)/100)
	sb.pages = targets * perTarget
	sb.calls = sb.pages + targets // and one muted-list read per group
	sb.rec, err = bot.NewReconciler(bot.ReconcileOptions{Interval: time.Millisecond, ReplicaID: "bench", Workers: 8}, sb.back, st)
	if err != nil {
		b.Fatal(err)
	}
	return sb
}

func (sb *sweepBench) sweep(ctx context.Context, tb testing.TB) {
	for {
		_, err := sb.rec.SweepOnce(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		if !errorsIsNotDue(err) {
			tb.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
}

func errorsIsNotDue(err error) bool { return errors.Is(err, store.ErrNotDue) }

// BenchmarkSweep: one full sweep of the watched groups on the background lane alone. x-limit is
// the sweep's time over calls / (share × rate), the time the share allows for every call it
// made (ban pages and muted lists); x-issue-limit the time over ban pages / 50 s, issue 12's
// formula (10,000 pages in 200 s, goal ≤ 1.10). heap-MB is the most heap in use during the
// sweep (the emulator's state included: it runs in this process); sweep-heap-MB what the sweep
// added to the heap in use before it.
func BenchmarkSweep(b *testing.B) {
	targets := envInt("MODBOT_BENCH_SWEEP_TARGETS", 40)
	bans := envInt("MODBOT_BENCH_SWEEP_BANS", 1000)
	sb := newSweepBench(b, targets, bans)
	sb.sweep(b.Context(), b) // baseline, outside the timing
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse // the emulator's state and the rest, before the sweep
	stop := sampleHeap()
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		sb.sweep(b.Context(), b)
		elapsed = time.Since(start)
	}
	heap := stop()
	b.ReportMetric(elapsed.Seconds()/(float64(sb.calls)/(sweepShare*sweepRate)), "x-limit")
	b.ReportMetric(elapsed.Seconds()/(float64(sb.pages)/(sweepShare*sweepRate)), "x-issue-limit")
	b.ReportMetric(float64(sb.srv.Throttled()), "throttled")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(heap-min(base, heap))/(1<<20), "sweep-heap-MB")
	b.ReportMetric(float64(sb.calls), "calls")
}

// sampleHeap samples the heap in use every 50 ms until the returned stop is called, which
// returns the most seen.
func sampleHeap() func() uint64 {
	var mu sync.Mutex
	var most uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			most = max(most, m.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); mu.Lock(); defer mu.Unlock(); return most }
}

// BenchmarkPriority: a 10,000-account unban (500 calls) on the interactive lane, alone and
// while a sweep runs on the background lane; x-limit is the second over the first (goal ≤ 1.10).
// Meanwhile /roles of one account (one interactive call) every 100 ms: roles-p99/1s is its
// 99th-percentile latency over 1 s, while the sweep runs alone and (roles-p99-unban/1s) while
// the unban runs too.
func BenchmarkPriority(b *testing.B) {
	targets := envInt("MODBOT_BENCH_SWEEP_TARGETS", 40)
	sb := newSweepBench(b, targets, 1000)
	ctx := b.Context()
	g := sb.srv.CreateGroup(timtest.Public)
	accts := make([]tim.UserID, 10000)
	for i := range accts {
		accts[i] = tim.UserID(fmt.Sprintf("x%05d", i))
	}
	unban := func() time.Duration {
		for _, a := range accts {
			sb.srv.Ban(g, string(a), time.Hour)
		}
		start := time.Now()
		out, err := sb.inter.UnbanGroupMembers(ctx, tim.GroupID(g), accts, tim.BulkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range out {
			if o.Err != nil {
				b.Fatalf("%s: %v", o.Account, o.Err)
			}
		}
		return time.Since(start)
	}
	roles := func(ctx context.Context) []time.Duration {
		var lat []time.Duration
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return lat
			case <-t.C:
			}
			start := time.Now()
			if _, err := sb.inter.GetRolesInGroup(ctx, tim.GroupID(g), []tim.UserID{"x00001"}); err != nil {
				if ctx.Err() != nil {
					return lat
				}
				b.Error(err)
			}
			lat = append(lat, time.Since(start))
		}
	}
	sb.sweep(ctx, b) // baseline
	var ratio, p99, p99u float64
	for b.Loop() {
		alone := unban()
		// The sweep runs (round after round) beside the unban and the /roles calls.
		sctx, stopSweep := context.WithCancel(ctx)
		sweeping := make(chan struct{})
		go func() {
			defer close(sweeping)
			for sctx.Err() == nil {
				sb.sweep(sctx, b)
			}
		}()
		time.Sleep(500 * time.Millisecond) // the sweep is under way
		rctx, stopRoles := context.WithCancel(ctx)
		quietDone := make(chan []time.Duration)
		go func() { quietDone <- roles(rctx) }()
		time.Sleep(2 * time.Second)
		stopRoles()
		quiet := <-quietDone
		rctx, stopRoles = context.WithCancel(ctx)
		busyDone := make(chan []time.Duration)
		go func() { busyDone <- roles(rctx) }()
		beside := unban()
		stopRoles()
		busy := <-busyDone
		stopSweep()
		<-sweeping
		ratio = beside.Seconds() / alone.Seconds()
		p99, p99u = percentile(quiet, 0.99).Seconds(), percentile(busy, 0.99).Seconds()
	}
	b.ReportMetric(ratio, "x-limit")
	b.ReportMetric(p99, "roles-p99/1s")
	b.ReportMetric(p99u, "roles-p99-unban/1s")
	b.ReportMetric(float64(sb.srv.Throttled()), "throttled")
	b.ReportMetric(float64(sb.srv.MaxCallsPerSecond())/sweepRate, "max-window/limit")
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}
