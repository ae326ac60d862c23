package scale_test

import (
	"strings"
	"testing"
	"time"
)

// accountsPerRequest makes every request two chunks (20 + 5), so chunking is exercised.
const accountsPerRequest = 25

// TestExactlyOnce: requests opened and approved concurrently across 3 replicas, with redelivered
// and resent slash commands, double clicks, racing approvers and redelivered clicks: each opens
// one request, each request executes once, every account is unbanned by exactly one accepted call
// and none is sent again, the requester is told once per request, and nothing secret leaks.
func TestExactlyOnce(t *testing.T) {
	f, _ := exactlyOnce(t, scaleSizes().requests)
	t.Logf("figure exactly-once: %v", f)
	f.check(t)
}

// BenchmarkExactlyOnce reports exactlyOnce's figures and the time from the first click to the last
// request settled.
func BenchmarkExactlyOnce(b *testing.B) {
	n := scaleSizes().requests
	for b.Loop() {
		f, took := exactlyOnce(b, n)
		f.check(b)
		b.ReportMetric(float64(f.Requests), "requests")
		b.ReportMetric(float64(f.Lost), "lost")
		b.ReportMetric(float64(f.Twice), "executed-twice")
		b.ReportMetric(float64(f.Leaked), "secrets-leaked")
		b.ReportMetric(took.Seconds(), "settle-s")
	}
}

func exactlyOnce(tb testing.TB, n int) (figures, time.Duration) {
	w := newWorld(tb, worldOptions{})
	w.startReplicas(3)
	sc := w.scenario(n, accountsPerRequest)

	slow := w.openAll(sc.groups, sc.accounts, true, time.Minute)
	start := time.Now()
	repeats := w.approveAll(sc.groups, true, nil)
	retries := w.waitSettled(n, 2*time.Minute)
	took := time.Since(start)

	f := w.tally(sc.groups, sc.accounts)
	f.SlowAcks, f.UserRepeats, f.Retries = slow, repeats, retries
	if got, want := f.Sends, n*2; got != want { // 25 accounts: 20 + 5, each once
		tb.Errorf("unban calls = %d, want %d", got, want)
	}
	roots := w.roots()
	for _, g := range sc.groups {
		th := w.thread(roots[g].TS)
		if got := strings.Count(th, "Done:*"); got != 1 {
			tb.Errorf("%s: thread shows %d results, want 1:\n%s", g, got, th)
		}
	}
	if got := len(w.slack.DMs(alice)); got != n {
		tb.Errorf("alice got %d DMs, want one per request (%d)", got, n)
	}
	return f, took
}

// thread is the visible text of every reply in the approval thread at ts.
func (w *world) thread(ts string) string {
	var b strings.Builder
	for _, m := range w.slack.Thread(approvals, ts) {
		b.WriteString(m.VisibleText())
		b.WriteString("\n")
	}
	return b.String()
}
