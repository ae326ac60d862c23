package scale_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"modbot/bot/slacktest"
)

// TestProcessFaults: two `modbot run` processes; the one executing an unban is killed, paused past
// its lease, or told to stop, and the request still ends done exactly once with every Slack message
// it owes. At small size the processes run with MODBOT_LEASE_TTL=2s; MODBOT_SCALE=full keeps the
// default 30 s lease.
func TestProcessFaults(t *testing.T) {
	lease := 2 * time.Second
	if scaleSizes().full {
		lease = 30 * time.Second
	}
	t.Run("SIGKILL", func(t *testing.T) {
		f := sigkill(t, lease)
		t.Logf("figure fault SIGKILL: %v", f)
		f.check(t)
	})
	t.Run("SIGKILLBanThenUndo", func(t *testing.T) {
		f := sigkillBan(t, lease)
		t.Logf("figure fault SIGKILL ban and Undo: %v", f)
		f.check(t)
	})
	t.Run("SIGSTOP", func(t *testing.T) {
		f, late := sigstop(t, lease)
		t.Logf("figure fault SIGSTOP: %v late-tencent-calls=%d late-slack-posts=%d", f, late.tencent, late.slack)
		f.check(t)
		if late.slack != 0 {
			t.Errorf("the paused replica made %d Slack post(s) after it lost the lease, want 0", late.slack)
		}
		if late.tencent != 0 {
			t.Errorf("the paused replica sent %d Tencent call(s) after it lost the lease, want 0", late.tencent)
		}
	})
	t.Run("SIGTERM", func(t *testing.T) {
		f, exit := sigterm(t)
		t.Logf("figure fault SIGTERM: %v exit-after=%v", f, exit.Round(time.Millisecond))
		f.check(t)
	})
}

// procWorld is two `modbot run` processes and one approved request of 400 accounts (20 calls)
// that takes about two seconds at 10 calls a second, 300 ms each; it returns once the request is
// executing, with the executing process first.
func procWorld(tb testing.TB, o worldOptions) (*world, scenario, []*proc) {
	o.rate = 10
	w := newWorld(tb, o)
	ps := []*proc{w.startProc(), w.startProc()}
	sc := w.scenario(1, 400)
	w.openAll(sc.groups, sc.accounts, false, time.Minute)
	w.tim.SetLatency(300 * time.Millisecond)
	w.approveAll(sc.groups, false, nil)
	var owner string
	var until time.Time
	eventually(tb, "the unban executing", 30*time.Second, func() bool {
		r := w.requests(1)
		if len(r) == 1 && r[0] != nil {
			owner, until = r[0].Lease.Owner, r[0].Lease.Until
		}
		return owner != "" && w.tim.Calls(cmdUnban) > 0
	})
	// The process took MODBOT_LEASE_TTL: the lease it holds ends within that of Redis's clock.
	if now, err := w.store.Now(context.Background()); err == nil && until.Sub(now) > w.o.leaseTTL {
		tb.Fatalf("the lease ends in %v, longer than MODBOT_LEASE_TTL=%v", until.Sub(now), w.o.leaseTTL)
	}
	if ps[1].owns(owner) {
		ps[0], ps[1] = ps[1], ps[0]
	}
	if !ps[0].owns(owner) {
		tb.Fatalf("lease owner %q is neither process %d nor %d", owner, ps[0].pid(), ps[1].pid())
	}
	return w, sc, ps
}

// procSweep is how often `modbot run` looks for work to resume (bot.Options.Sweep's default).
const procSweep = 5 * time.Second

// settleWithin is how long a resumed request may take: the lease must lapse first, then a sweep
// of the other process finds it.
func settleWithin(lease time.Duration) time.Duration {
	return 4*(lease+procSweep) + 30*time.Second
}

// owedOnce checks that the request's thread shows one result and one mention, and that alice got
// one DM.
func (w *world) owedOnce(tb testing.TB, sc scenario) {
	tb.Helper()
	th := w.thread(w.roots()[sc.groups[0]].TS)
	for what, want := range map[string]int{"Done:*": 1, "<@" + alice + "> :white_check_mark:": 1} {
		if got := strings.Count(th, what); got != want {
			tb.Errorf("thread shows %q %d times, want %d:\n%s", what, got, want, th)
		}
	}
	if got := len(w.slack.DMs(alice)); got != 1 {
		tb.Errorf("alice got %d DMs, want 1", got)
	}
}

// sigkill kills the executing replica; the other resumes after the lease lapses, re-reads the ban
// list, sends only what is still banned, and posts the result, the mention and the DM.
func sigkill(tb testing.TB, lease time.Duration) figures {
	w, sc, ps := procWorld(tb, worldOptions{leaseTTL: lease})
	if err := ps[0].cmd.Process.Kill(); err != nil {
		tb.Fatal(err)
	}
	ps[0].wait(tb, 10*time.Second)
	w.tim.SetLatency(0)
	w.waitSettled(1, settleWithin(lease))
	w.owedOnce(tb, sc)
	if r := w.requests(1)[0]; r.Lease.Epoch < 2 {
		tb.Errorf("lease epoch %d: the request was not resumed under a new lease", r.Lease.Epoch)
	}
	f := w.tally(sc.groups, sc.accounts)
	f.Leaked += w.leaks(outputs(ps...))
	return f
}

// sideEffects counts what replicas send outward: Tencent calls, and Slack posts, updates, DMs and
// response_url posts (not the Socket Mode connection's own calls).
func (w *world) sideEffects() (tencent, slack int) {
	for _, c := range w.slack.Calls() {
		if slices.Contains([]string{"chat.postMessage", "chat.update", "chat.delete", "chat.postEphemeral", "conversations.open", "response_url"}, c.Method) {
			slack++
		}
	}
	return len(w.tim.Log()), slack
}

// lateSends are what a paused replica sent after it lost its lease.
type lateSends struct{ tencent, slack int }

// sigstop pauses the executing replica past its lease; the other resumes and finishes; then the
// paused one continues (SIGCONT) and must send nothing: its execution stops when it finds the lease
// gone. It returns the figures up to SIGCONT and what appeared after it (the other replica is idle
// by then and the audit feed is off, so anything is the paused replica's).
func sigstop(tb testing.TB, lease time.Duration) (figures, lateSends) {
	w, sc, ps := procWorld(tb, worldOptions{noAudit: true, leaseTTL: lease})
	if err := ps[0].cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		tb.Fatal(err)
	}
	w.waitSettled(1, settleWithin(lease))
	w.owedOnce(tb, sc)
	f := w.tally(sc.groups, sc.accounts)
	tim0, slack0 := w.sideEffects()
	if err := ps[0].cmd.Process.Signal(syscall.SIGCONT); err != nil {
		tb.Fatal(err)
	}
	// Watch for two lease TTLs and a sweep: every goroutine of the paused replica (lease renewal
	// every third of the TTL, limiter waits, progress updates each second, its sweep) has woken and
	// acted by then.
	watch := 2*lease + procSweep
	time.Sleep(watch) // an observation window, not synchronisation: nothing may happen in it
	tim1, slack1 := w.sideEffects()
	select {
	case err := <-ps[0].done:
		tb.Errorf("the resumed replica exited: %v", err)
		ps[0].done <- err
	default:
	}
	f.Leaked += w.leaks(outputs(ps...))
	return f, lateSends{tencent: tim1 - tim0, slack: slack1 - slack0}
}

// sigterm stops the executing `modbot run` with SIGTERM: it stops taking envelopes, works until
// the drain timeout (2 s, shorter than the job), releases the lease and exits 0; the other replica
// resumes at once and finishes. It returns the figures and how long the exit took.
func sigterm(tb testing.TB) (figures, time.Duration) {
	w, sc, ps := procWorld(tb, worldOptions{})
	start := time.Now()
	if err := ps[0].cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatal(err)
	}
	err := ps[0].wait(tb, w.drain()+10*time.Second)
	took := time.Since(start)
	if err != nil {
		tb.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
	w.tim.SetLatency(0)
	w.waitSettled(1, time.Minute)
	w.owedOnce(tb, sc)
	// The drained replica's connection is gone: envelopes reach the other one.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.slack.WaitFor(ctx, func(s *slacktest.Server) bool { return s.Connections() == 1 }); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		tb.Fatal(err)
	}
	f := w.tally(sc.groups, sc.accounts)
	f.Leaked += w.leaks(outputs(ps...))
	return f, took
}
