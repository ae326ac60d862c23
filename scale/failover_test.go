package scale_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modbot/store"
)

// TestFailover: Redis under Sentinel (a primary, two replicas, three sentinels) and three
// `modbot run` processes. While an unban of 2,000 accounts executes and 100 requests are being
// approved, the primary is SIGKILLed; the sentinels promote a replica and the processes go on
// with it. With MODBOT_REDIS_MIN_REPLICAS=1 no decision that a thread showed (without "not yet
// safely stored") is lost; the run with 0 (MODBOT_SCALE=full) reports the same figure. Nothing is executed twice, no
// account is sent again after Tencent accepted it, and the figures say how long commands went
// unanswered against how long Sentinel took to promote.
func TestFailover(t *testing.T) {
	mins := []int{1}
	if scaleSizes().full {
		mins = []int{1, 0} // 0 only reports: nothing promises that a failover loses nothing then
	}
	for _, min := range mins {
		t.Run(fmt.Sprintf("MinReplicas%d", min), func(t *testing.T) {
			r := failover(t, min)
			t.Logf("figure failover min-replicas=%d: %v", min, r)
			r.f.check(t)
			if min > 0 && r.toldLost != 0 {
				t.Errorf("%d decision(s) shown in a thread were lost in the failover, want 0", r.toldLost)
			}
			if r.executedTwice != 0 {
				t.Errorf("%d request(s) executed twice, want 0", r.executedTwice)
			}
		})
	}
}

// failoverResult is what one failover run measured.
type failoverResult struct {
	f               figures
	told, toldLost  int // approvals a thread showed before the check; of those, lost
	toldUnconfirmed int // approvals shown with "not yet safely stored"; of those, lost: unconfirmedLost
	unconfirmedLost int
	openedLost      int // requests whose opening was answered, missing after the failover
	executedTwice   int // requests with an account sent again after Tencent accepted it
	bigTwice        int // accounts of the 2,000-account request sent again after acceptance
	bigDoneAtKill   int // its accounts Tencent had accepted when the primary was killed
	reapproved      int // approvals a person had to click again (they were told nothing was done)
	sentinel        time.Duration
	answered        time.Duration // from the kill until a command is answered from Redis again
}

func (r failoverResult) String() string {
	return fmt.Sprintf("decisions-shown=%d shown-and-lost=%d shown-unconfirmed=%d unconfirmed-lost=%d opened-lost=%d requests-executed-twice=%d big-unbanned-at-kill=%d big-accounts-sent-twice=%d re-clicked=%d sentinel-failover=%v commands-answered-after=%v %v",
		r.told, r.toldLost, r.toldUnconfirmed, r.unconfirmedLost, r.openedLost, r.executedTwice, r.bigDoneAtKill, r.bigTwice, r.reapproved,
		r.sentinel.Round(10*time.Millisecond), r.answered.Round(10*time.Millisecond), r.f)
}

func failover(tb testing.TB, minReplicas int) failoverResult {
	const small, bigAccounts = 100, 2000
	w := newWorld(tb, worldOptions{rate: 40, maxAccounts: bigAccounts, sentinel: 2, minReplicas: minReplicas})
	ps := []*proc{w.startProc(), w.startProc(), w.startProc()}

	// Request #1 unbans 2,000 accounts (100 calls, 2.5 s at 40 a second); #2…#101 two each.
	bigGroup, bigAccts := w.banned("big", bigAccounts)
	sc := scenario{groups: []string{bigGroup}, accounts: map[string][]string{bigGroup: bigAccts}}
	more := w.scenario(small, 2)
	sc.groups = append(sc.groups, more.groups...)
	for g, a := range more.accounts {
		sc.accounts[g] = a
	}
	w.openAll(sc.groups, sc.accounts, false, 2*time.Minute)
	w.approveAll([]string{bigGroup}, false, nil)
	eventually(tb, "the big unban executing", 30*time.Second, func() bool { return w.tim.Calls(cmdUnban) >= 10 })

	// Approve the 100, killing the primary when half the clicks went out.
	var res failoverResult
	var killed time.Time
	var probe sync.WaitGroup
	var answered atomic.Int64
	w.approveAll(more.groups, false, func(i int) {
		time.Sleep(20 * time.Millisecond) // about 50 clicks a second, as a busy team at most
		if i != small/2 {
			return
		}
		killed = time.Now()
		w.redis.Kill()
		for k, n := range countSends(tb, w.tim.Log()).accepted {
			if strings.HasPrefix(k, bigGroup+" ") && n > 0 {
				res.bigDoneAtKill++
			}
		}
		probe.Go(func() { answered.Store(int64(w.answeredAgain(killed))) })
		probe.Go(func() { _, res.sentinel = w.group.WaitFailover(tb, w.redis, killed, time.Minute) })
	})
	probe.Wait()
	res.answered = time.Duration(answered.Load())

	// What the threads showed against what the new primary holds.
	reqs := w.requests(len(sc.groups))
	byGroup := map[string]*store.Request{}
	for _, r := range reqs {
		if r != nil {
			byGroup[r.Target.ID] = r
		}
	}
	roots := w.roots()
	var pending []string
	for _, g := range sc.groups {
		r := byGroup[g]
		if r == nil {
			res.openedLost++
			continue
		}
		th := w.thread(roots[g].TS)
		lost := r.State == store.Pending
		if strings.Contains(th, "Approved by") {
			res.told++
			if strings.Contains(th, "not yet safely stored") {
				res.toldUnconfirmed++
				if lost {
					res.unconfirmedLost++
				}
			} else if lost {
				res.toldLost++
			}
		}
		if r.State == store.Pending {
			pending = append(pending, g)
		}
	}
	// A person told that nothing was done clicks again (a replica may still be reconnecting: the
	// answer says so, and they click once more).
	for round := 0; len(pending) > 0; round++ {
		if round == 10 {
			tb.Fatalf("%d request(s) still pending after 10 rounds of clicks", len(pending))
		}
		res.reapproved += len(pending)
		w.approveAll(pending, false, nil)
		time.Sleep(time.Second)
		still := pending[:0]
		for _, r := range w.requests(len(sc.groups)) {
			if r != nil && r.State == store.Pending {
				still = append(still, r.Target.ID)
			}
		}
		pending = still
	}
	w.waitSettled(len(sc.groups), 3*time.Minute)

	res.f = w.tally(sc.groups, sc.accounts)
	res.f.Leaked += w.leaks(outputs(ps...))
	s := countSends(tb, w.tim.Log())
	res.executedTwice = len(s.resentGroups)
	res.bigTwice = s.resentIn[bigGroup]
	return res
}

// answeredAgain sends `/modbot whoami` as vic, one at a time, until one is answered from Redis
// (with vic's role, not "nothing was done"), and returns how long after since that was.
func (w *world) answeredAgain(since time.Time) time.Duration {
	deadline := since.Add(time.Minute)
	for time.Now().Before(deadline) {
		before := len(w.slack.Ephemeral(vic))
		if _, err := w.slack.SlashCommand(vic, moderation, "/modbot", "whoami"); err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		got := "" // the answer through response_url (the ack's "Working on…" is not one)
		for end := time.Now().Add(10 * time.Second); got == "" && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			for _, m := range w.slack.Ephemeral(vic)[before:] {
				if t := m.VisibleText(); !strings.Contains(t, "Working on") {
					got = t
				}
			}
		}
		if strings.Contains(got, "viewer") {
			return time.Since(since)
		}
		time.Sleep(100 * time.Millisecond)
	}
	w.tb.Errorf("no command was answered from Redis within a minute of the kill")
	return time.Minute
}
