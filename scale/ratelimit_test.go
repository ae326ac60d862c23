package scale_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"modbot/tim/timtest"
)

// TestSharedRateLimit: 3 replicas unbanning at the same time, each its own request, share
// MODBOT_TIM_RATE through Redis: the emulator, which enforces that limit, never sees more calls in
// any sliding one-second window and refuses none, and every account is unbanned.
func TestSharedRateLimit(t *testing.T) {
	s := scaleSizes()
	r := sharedLimit(t, s.limitRate, s.limitPerRepl)
	t.Logf("figure shared-limit: %v", r)
	if r.maxWindow > s.limitRate || r.throttled != 0 {
		t.Errorf("the emulator saw %d calls in one second (limit %d) and refused %d", r.maxWindow, s.limitRate, r.throttled)
	}
	if r.calls != r.wantCalls+r.throttled {
		t.Errorf("unban calls = %d, want %d (+%d refused and retried)", r.calls, r.wantCalls, r.throttled)
	}
	if r.executors < 2 {
		t.Errorf("%d replica(s) executed; want the work spread over several", r.executors)
	}
}

// BenchmarkSharedLimit reports the shared limit's accuracy (max-window/limit) and efficiency
// (wall/ideal: the time of all unban calls against calls/limit; 1,500 calls at 200/s = 7.5 s at
// full size).
func BenchmarkSharedLimit(b *testing.B) {
	s := scaleSizes()
	for b.Loop() {
		r := sharedLimit(b, s.limitRate, s.limitPerRepl)
		b.ReportMetric(float64(r.maxWindow)/float64(s.limitRate), "max-window/limit")
		b.ReportMetric(float64(r.throttled), "throttled")
		b.ReportMetric(float64(r.f.Failed), "failed-calls")
		b.ReportMetric(r.wall.Seconds(), "wall-s")
		b.ReportMetric(r.wall.Seconds()/r.ideal.Seconds(), "wall/ideal")
		b.ReportMetric(float64(r.calls), "calls")
		b.ReportMetric(float64(r.executors), "replicas-executing")
	}
}

type limitResult struct {
	maxWindow, throttled, calls, executors int
	wantCalls                              int // one per 20 accounts: more means retries
	wall, ideal                            time.Duration
	peakAt                                 time.Duration // end of the busiest window, after the first unban call
	f                                      figures
}

func (r limitResult) String() string {
	return "max-window=" + itoa(r.maxWindow) + " throttled=" + itoa(r.throttled) + " unban-calls=" + itoa(r.calls) +
		" replicas-executing=" + itoa(r.executors) + " wall=" + r.wall.Round(time.Millisecond).String() +
		" ideal=" + r.ideal.String() + " peak-window-ends-at=" + r.peakAt.Round(time.Millisecond).String() + " " + r.f.String()
}

func sharedLimit(tb testing.TB, rate, perReplica int) limitResult {
	w := newWorld(tb, worldOptions{rate: rate, maxAccounts: perReplica})
	w.startReplicas(3)
	sc := w.scenario(3, perReplica)
	w.openAll(sc.groups, sc.accounts, false, time.Minute)

	// Watch which replicas hold the leases while the three run.
	owners := map[string]bool{}
	var mu sync.Mutex
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			for _, r := range w.requests(3) {
				if r != nil && r.Lease.Owner != "" {
					mu.Lock()
					owners[r.Lease.Owner] = true
					mu.Unlock()
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	w.approveAll(sc.groups, false, nil)
	calls := 3 * ((perReplica + 19) / 20)
	w.waitSettled(3, time.Duration(calls/rate+60)*time.Second)
	stop()
	wg.Wait()

	r := limitResult{maxWindow: w.tim.MaxCallsPerSecond(), throttled: w.tim.Throttled(), executors: len(owners)}
	var first, last time.Time
	for _, c := range w.tim.Log() {
		if c.Command != cmdUnban {
			continue
		}
		r.calls++
		if first.IsZero() {
			first = c.At
		}
		first, last = minTime(first, c.At), maxTime(last, c.At)
	}
	r.wall = last.Sub(first)
	r.peakAt = peakWindow(w.tim.Log()).Sub(first)
	r.ideal = time.Duration(r.calls) * time.Second / time.Duration(rate)
	r.f = w.tally(sc.groups, sc.accounts)
	r.f.check(tb)
	r.wantCalls = calls
	return r
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// peakWindow returns the arrival that ends the busiest sliding one-second window of the log.
func peakWindow(log []timtest.Call) time.Time {
	at := make([]time.Time, len(log))
	for i, c := range log {
		at[i] = c.At
	}
	slices.SortFunc(at, time.Time.Compare)
	best, end, j := 0, time.Time{}, 0
	for i, t := range at {
		for !at[j].After(t.Add(-time.Second)) {
			j++
		}
		if i-j+1 > best {
			best, end = i-j+1, t
		}
	}
	return end
}
