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
//
// Then, on the same replicas, immediate bans (each waiting for a Confirm clicked twice) and mutes,
// each delivered twice, and Undo clicked three times at once on most of them: each action and each
// Undo runs once, no account is sent to Tencent twice for the same request, and each Undo gives
// back what the action changed, an overwritten shorter ban included (actionsOnce).
func TestExactlyOnce(t *testing.T) {
	f, af, _ := exactlyOnce(t, scaleSizes().requests)
	t.Logf("figure exactly-once: %v", f)
	t.Logf("figure exactly-once actions: %v", af)
	f.check(t)
	af.check(t)
}

// BenchmarkExactlyOnce reports exactlyOnce's figures and the time from the first click to the last
// request settled.
func BenchmarkExactlyOnce(b *testing.B) {
	n := scaleSizes().requests
	for b.Loop() {
		f, af, took := exactlyOnce(b, n)
		f.check(b)
		af.check(b)
		b.ReportMetric(float64(af.Bans+af.Mutes), "actions")
		b.ReportMetric(float64(af.Undos), "undos")
		b.ReportMetric(float64(af.Lost), "actions-lost")
		b.ReportMetric(float64(af.Twice), "actions-executed-twice")
		b.ReportMetric(float64(af.UndoTwice), "undo-applied-twice")
		b.ReportMetric(float64(f.Requests), "requests")
		b.ReportMetric(float64(f.Lost), "lost")
		b.ReportMetric(float64(f.Twice), "executed-twice")
		b.ReportMetric(float64(f.Leaked), "secrets-leaked")
		b.ReportMetric(took.Seconds(), "settle-s")
	}
}

func exactlyOnce(tb testing.TB, n int) (figures, actionFigures, time.Duration) {
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
	af := w.actionsOnce(n+1, max(n/4, 2))
	f.Leaked = w.leaks("")
	return f, af, took
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
