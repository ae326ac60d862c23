package scale_test

import (
	"strings"
	"testing"
	"time"
)

// fault is one kind of failure injected into a world of 3 in-process replicas while unban requests
// are approved and executed.
type fault struct {
	name string
	// before runs once the requests are open, before the approvals.
	before func(w *world)
	// during runs before the i-th approval click.
	during func(w *world, i int)
	// after runs once every click is in.
	after func(w *world)
	// hit reports whether the fault really met the flow (so a test cannot pass by missing it).
	hit func(w *world, f figures) bool
}

func inProcessFaults() []fault {
	return []fault{
		{
			// Redis is killed (SIGKILL) while executions write their progress, and comes back
			// three seconds later (longer than go-redis's own retries) with its AOF: progress
			// writes and lease renewals fail, executions stop, leases lapse, executions resume.
			name:   "RedisKilledAndRestarted",
			before: func(w *world) { w.tim.SetLatency(300 * time.Millisecond) },
			after: func(w *world) {
				eventually(w.tb, "unban calls in flight", 30*time.Second, func() bool { return w.tim.Calls(cmdUnban) > 0 })
				w.redis.Kill()
				time.Sleep(3 * time.Second) // the outage itself
				w.redis.Restart(w.tb)
			},
			hit: func(w *world, _ figures) bool { return strings.Contains(w.logs.String(), "connection refused") },
		},
		{
			name:   "Tencent10002",
			before: func(w *world) { w.tim.SetFailRate(0.3, 10002) },
			hit:    func(_ *world, f figures) bool { return f.Failed > 0 },
		},
		{
			name:   "TencentHTTP502",
			before: func(w *world) { w.tim.SetFailRate(0.3, -502) },
			hit:    func(_ *world, f figures) bool { return f.Failed > 0 },
		},
		{
			// Every call takes 2 s, group lookups at /unban included: acks must not wait on it.
			name: "TencentSlow2s",
			before: func(w *world) {
				w.tim.SetLatency(2 * time.Second)
			},
			hit: func(w *world, _ figures) bool { return w.tim.Calls("group_open_http_svc/get_group_info") > 0 },
		},
		{
			// Slack asks every connection to refresh in the middle of the approvals.
			name: "SlackDisconnect",
			during: func(w *world, i int) {
				if i%3 == 1 {
					w.slack.Disconnect()
				}
			},
			hit: func(w *world, _ figures) bool { return w.slack.ConnectionsOpened() > 3 },
		},
		{
			// Slack's TCP connections drop without a close frame in the middle of the approvals.
			name: "SlackCloseAbruptly",
			during: func(w *world, i int) {
				if i%3 == 1 {
					w.slack.CloseAbruptly()
				}
			},
			hit: func(w *world, _ figures) bool { return w.slack.ConnectionsOpened() > 3 },
		},
	}
}

// TestFaults: each fault, one small run: nothing lost, nothing executed twice, nothing leaked.
func TestFaults(t *testing.T) {
	n := scaleSizes().faultReqs
	for _, fc := range inProcessFaults() {
		t.Run(fc.name, func(t *testing.T) {
			f := runFault(t, fc, n)
			t.Logf("figure fault %s: %v", fc.name, f)
			f.check(t)
		})
	}
}

// BenchmarkFaults reports each fault's figures.
func BenchmarkFaults(b *testing.B) {
	n := scaleSizes().faultReqs
	for _, fc := range inProcessFaults() {
		b.Run(fc.name, func(b *testing.B) {
			for b.Loop() {
				start := time.Now()
				f := runFault(b, fc, n)
				f.check(b)
				b.ReportMetric(float64(f.Lost), "lost")
				b.ReportMetric(float64(f.Twice), "executed-twice")
				b.ReportMetric(float64(f.Leaked), "secrets-leaked")
				b.ReportMetric(float64(f.Failed), "failed-calls")
				b.ReportMetric(float64(f.Rereads), "ban-list-reads")
				b.ReportMetric(float64(f.UserRepeats), "user-repeats")
				b.ReportMetric(float64(f.SlowAcks), "acks-over-3s")
				b.ReportMetric(time.Since(start).Seconds(), "run-s")
			}
		})
	}
}

func runFault(tb testing.TB, fc fault, n int) figures {
	w := newWorld(tb, worldOptions{})
	w.startReplicas(3)
	sc := w.scenario(n, accountsPerRequest)
	if fc.name == "TencentSlow2s" {
		fc.before(w) // slow from the first command on
		fc.before = nil
	}
	slow := w.openAll(sc.groups, sc.accounts, false, time.Minute)
	if fc.before != nil {
		fc.before(w)
	}
	var during func(int)
	if fc.during != nil {
		during = func(i int) { fc.during(w, i) }
	}
	repeats := w.approveAll(sc.groups, true, during)
	if fc.after != nil {
		fc.after(w)
	}
	retries := w.waitSettled(n, 3*time.Minute)
	w.tim.ClearFaults()
	f := w.tally(sc.groups, sc.accounts)
	f.SlowAcks, f.UserRepeats, f.Retries = slow, repeats, retries
	if !fc.hit(w, f) {
		tb.Errorf("%s: the fault did not meet the flow", fc.name)
	}
	return f
}
