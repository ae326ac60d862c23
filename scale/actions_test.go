package scale_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

const (
	cmdBan  = "group_open_http_svc/ban_group_member"
	cmdMute = "group_open_http_svc/forbid_send_msg"

	// banAccounts makes every ban two calls (20 + 5) and more than MODBOT_CONFIRM_OVER's default
	// 20 accounts, so it waits for its requester's Confirm; muteAccounts is under it, so a mute
	// runs at once.
	banAccounts  = 25
	muteAccounts = 10
	// earlierBan is how long the first account of every ban group was banned before: the new
	// 1-day ban replaces it and Undo gives it back.
	earlierBan = time.Hour
)

// actionFigures are what the actions part of the exactly-once run reports.
type actionFigures struct {
	Bans, Mutes, Undos int // actions opened, and Undos asked (each clicked three times)
	Lost               int // actions or Undos not finished, or an account not in the state they leave
	Duplicated         int // requests beyond one per command and one Undo per undone action
	Twice              int // (group, account, call kind, request) sent again after Tencent accepted it
	UndoTwice          int // actions undone by more than one Undo request
	Calls              int // ban and forbid_send_msg calls that reached Tencent
}

func (f actionFigures) String() string {
	return fmt.Sprintf("bans=%d mutes=%d undos=%d lost=%d duplicated=%d executed-twice=%d undo-applied-twice=%d ban-and-mute-calls=%d",
		f.Bans, f.Mutes, f.Undos, f.Lost, f.Duplicated, f.Twice, f.UndoTwice, f.Calls)
}

func (f actionFigures) check(tb testing.TB) {
	tb.Helper()
	if f.Lost != 0 || f.Duplicated != 0 || f.Twice != 0 || f.UndoTwice != 0 {
		tb.Errorf("action figures: %v; want lost, duplicated, executed-twice and undo-applied-twice all 0", f)
	}
}

// actionsOnce runs immediate actions on the world's 3 replicas after requests #1…#first-1:
// n bans of banAccounts (each waiting for Confirm) and n mutes of muteAccounts, every command
// redelivered or resent, every Confirm clicked twice by the requester and once redelivered; then
// Undo on every ban and on every other mute, clicked by the requester twice and an approver once,
// at once. Each action must run once, each Undo once, and Tencent must be sent each account once
// per request and call kind; the first account of each ban group (banned for earlierBan before)
// must end with its earlier ban back.
func (w *world) actionsOnce(first, n int) actionFigures {
	w.tb.Helper()
	ctx := context.Background()
	f := actionFigures{Bans: n, Mutes: n}
	var banGroups, muteGroups []string
	accounts := map[string][]string{}
	earlier := map[string]time.Time{}
	for i := range n {
		g := w.tim.CreateGroup(timtest.AVChatRoom)
		accounts[g] = numberedAccounts(fmt.Sprintf("b%dx", i+1), banAccounts)
		w.tim.Ban(g, accounts[g][0], earlierBan)
		earlier[g], _ = w.tim.BannedUntil(g, accounts[g][0])
		banGroups = append(banGroups, g)
		m := w.tim.CreateGroup(timtest.Public)
		accounts[m] = numberedAccounts(fmt.Sprintf("m%dx", i+1), muteAccounts)
		muteGroups = append(muteGroups, m)
	}
	dmsBefore := len(w.slack.DMs(alice)) + len(w.slack.DMs(bob))

	// Every command typed once and delivered again.
	var wg sync.WaitGroup
	for i, g := range append(append([]string(nil), banGroups...), muteGroups...) {
		command, text := "/ban", g+" "+strings.Join(accounts[g], " ")+" for 1d -- spam: raid"
		if i >= n {
			command, text = "/mute", g+" "+strings.Join(accounts[g], " ")+" for 30m -- shouting"
		}
		wg.Go(func() {
			ack, err := w.slack.SlashCommand(alice, moderation, command, text)
			if err != nil {
				w.tb.Errorf("%s %s: %v", command, g, err)
				return
			}
			if i%2 == 0 {
				w.slack.Redeliver(ack.EnvelopeID) //nolint:errcheck // a lost duplicate is fine
			} else {
				w.slack.Resend(ack.EnvelopeID) //nolint:errcheck
			}
		})
	}
	wg.Wait()

	// Each ban's Confirm prompt, clicked twice at once and redelivered.
	var prompts map[string]slacktest.Message
	w.waitSlack(fmt.Sprintf("%d Confirm prompts", n), time.Minute, func(s *slacktest.Server) bool {
		prompts = map[string]slacktest.Message{}
		for _, m := range s.Ephemeral(alice) {
			if g := groupIn(m.VisibleText()); g != "" && button(m, "confirm") != "" {
				prompts[g] = m
			}
		}
		return len(prompts) >= n
	})
	for _, g := range banGroups {
		p, ok := prompts[g]
		if !ok {
			w.tb.Fatalf("no Confirm prompt for %s", g)
		}
		if w.tim.IsBanned(g, accounts[g][1]) {
			w.tb.Errorf("%s: banned before Confirm", g)
		}
		for k := range 2 {
			wg.Go(func() {
				ack, err := w.slack.Click(alice, moderation, p.TS, "confirm", button(p, "confirm"))
				if err == nil && k == 0 {
					w.slack.Redeliver(ack.EnvelopeID) //nolint:errcheck
				}
			})
		}
	}
	wg.Wait()

	// Undo on every ban and every other mute, once each is done and offers it.
	var roots map[string]slacktest.Message
	w.waitSlack("every action done with Undo", time.Minute, func(*slacktest.Server) bool {
		roots = w.roots()
		for _, g := range append(append([]string(nil), banGroups...), muteGroups...) {
			if button(roots[g], "undo") == "" {
				return false
			}
		}
		return true
	})
	undone := map[string]bool{}
	for i, g := range append(append([]string(nil), banGroups...), muteGroups...) {
		if i >= n && i%2 == 1 {
			continue
		}
		undone[g] = true
		f.Undos++
		for k, who := range []string{alice, bob, alice} {
			wg.Go(func() {
				ack, err := w.slack.Click(who, approvals, roots[g].TS, "undo", "")
				if err == nil && k == 0 {
					w.slack.Redeliver(ack.EnvelopeID) //nolint:errcheck
				}
			})
		}
	}
	wg.Wait()

	// Wait until every request is final with nothing owed: 2n actions, f.Undos Undo requests.
	total := 2*n + f.Undos
	var reqs []*store.Request
	eventually(w.tb, "every action and Undo settled", 2*time.Minute, func() bool {
		reqs = reqs[:0]
		for k := first; k < first+total; k++ {
			r, err := w.store.RequestByNumber(ctx, int64(k))
			if err != nil {
				return false
			}
			if !r.State.Final() || len(r.Owed) != 0 || r.Lease.Owner != "" {
				return false
			}
			if r.UndoOf == "" && undone[r.Target.ID] != (r.State == store.Undone) {
				return false
			}
			reqs = append(reqs, r)
		}
		return true
	})
	time.Sleep(500 * time.Millisecond) // late duplicates would land now
	if _, err := w.store.RequestByNumber(ctx, int64(first+total)); !errors.Is(err, store.ErrNotFound) {
		f.Duplicated++
	}

	// One request per command, one Undo request per undone action.
	byTarget := map[string]int{}
	undos := map[string]int{}
	for _, r := range reqs {
		if r.UndoOf != "" {
			undos[r.UndoOf]++
			continue
		}
		byTarget[r.Target.ID]++
		if r.State != store.Done && r.State != store.Undone {
			f.Lost++
		}
	}
	for _, g := range append(append([]string(nil), banGroups...), muteGroups...) {
		if byTarget[g] != 1 {
			f.Duplicated += max(byTarget[g]-1, 0)
			f.Lost += max(1-byTarget[g], 0)
		}
	}
	for _, r := range reqs {
		if r.UndoOf == "" && undos[r.ID] > 1 {
			f.UndoTwice++
		}
		if r.UndoOf == "" && undone[r.Target.ID] && undos[r.ID] == 0 {
			f.Lost++
		}
	}

	// Tencent's view: each account sent once per call kind by the action and once by its Undo.
	// The emulator's log does not say which request a call came from, so the expected counts
	// follow from the plan: a ban sends every account once; its Undo unbans all but the first,
	// which it bans again for the time that was left; a mute sends MuteTime once, its Undo 0 once.
	sends, calls := sentPerAccount(w.tb, w.tim.Log(), accounts)
	f.Calls = calls
	want := map[sent]int{}
	for _, g := range banGroups {
		for i, a := range accounts[g] {
			want[sent{g, a, cmdBan}] = 1
			if i == 0 {
				want[sent{g, a, cmdBan}] = 2 // the 1-day ban, then the earlier ban given back
			} else {
				want[sent{g, a, cmdUnban}] = 1
			}
		}
	}
	for _, g := range muteGroups {
		for _, a := range accounts[g] {
			want[sent{g, a, cmdMute}] = 1
			if undone[g] {
				want[sent{g, a, "unmute"}] = 1
			}
		}
	}
	for k, got := range sends {
		if got > want[k] {
			f.Twice++
			w.tb.Errorf("%s %s: %s sent %d times, want %d", k.group, k.account, k.kind, got, want[k])
		}
	}
	for k, n := range want {
		if sends[k] < n {
			f.Lost++
			w.tb.Errorf("%s %s: %s sent %d times, want %d", k.group, k.account, k.kind, sends[k], n)
		}
	}

	// The state they leave.
	for _, g := range banGroups {
		until, ok := w.tim.BannedUntil(g, accounts[g][0])
		if d := until.Sub(earlier[g]); !ok || d < -2*time.Second || d > 2*time.Second {
			f.Lost++
			w.tb.Errorf("%s %s: banned %v until %v after Undo, want its earlier ban back (until %v)", g, accounts[g][0], ok, until, earlier[g])
		}
		for _, a := range accounts[g][1:] {
			if w.tim.IsBanned(g, a) {
				f.Lost++
				w.tb.Errorf("%s %s: still banned after Undo", g, a)
			}
		}
	}
	for _, g := range muteGroups {
		for _, a := range accounts[g] {
			if muted := w.tim.IsMuted(g, a); muted == undone[g] {
				f.Lost++
				w.tb.Errorf("%s %s: muted %v, want %v", g, a, muted, !undone[g])
			}
		}
	}
	// Each action and each Undo told once (the requester, or the approver who undid it).
	if got := len(w.slack.DMs(alice)) + len(w.slack.DMs(bob)) - dmsBefore; got != total {
		w.tb.Errorf("%d DMs to alice and bob for the actions, want %d (each action and each Undo told once)", got, total)
	}
	return f
}

// sent is a (group, account, call kind) Tencent accepted: cmdBan, cmdMute, "unmute" or cmdUnban.
type sent struct{ group, account, kind string }

// sentPerAccount counts, from an emulator log, how many accepted calls named each account of the
// groups in accounts, by call kind, and how many ban and mute calls (unmutes included) there were.
func sentPerAccount(tb testing.TB, log []timtest.Call, accounts map[string][]string) (map[sent]int, int) {
	tb.Helper()
	out := map[sent]int{}
	calls := 0
	for _, c := range log {
		if c.Command != cmdBan && c.Command != cmdMute && c.Command != cmdUnban {
			continue
		}
		var body struct {
			GroupID  string   `json:"GroupId"`
			Accounts []string `json:"Members_Account"`
			MuteTime *uint32  `json:"MuteTime"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			tb.Fatalf("%s body %q: %v", c.Command, c.Body, err)
		}
		if _, ours := accounts[body.GroupID]; !ours || c.Code != 0 {
			continue
		}
		if c.Command != cmdUnban {
			calls++
		}
		kind := c.Command
		if body.MuteTime != nil && *body.MuteTime == 0 {
			kind = "unmute"
		}
		for _, a := range body.Accounts {
			out[sent{body.GroupID, a, kind}]++
		}
	}
	return out, calls
}

// numberedAccounts returns prefix00001…
func numberedAccounts(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%05d", prefix, i+1)
	}
	return out
}

// groupIn returns the first group ID in text, "" when there is none.
func groupIn(text string) string {
	for _, f := range strings.Fields(text) {
		if g := strings.Trim(f, "`*_,.()"); strings.HasPrefix(g, "@TGS#") {
			return g
		}
	}
	return ""
}

// button returns the value of m's button actionID, or "" (also for a button without a value,
// reported as "-").
func button(m slacktest.Message, actionID string) string {
	for _, b := range m.Buttons() {
		if b.ActionID == actionID {
			if b.Value == "" {
				return "-"
			}
			return b.Value
		}
	}
	return ""
}

// sigkillBan: two `modbot run` processes; a ban of procBanAccounts (10 calls at 10 a second,
// 300 ms each), confirmed twice, is executing when its process is SIGKILLed. The other resumes
// after the lease lapses, re-reads the ban list and sends only what is not banned yet; then Undo,
// clicked three times at once, unbans every account once and gives the first its earlier ban back.
func sigkillBan(tb testing.TB, lease time.Duration) actionFigures {
	w := newWorld(tb, worldOptions{rate: 10, leaseTTL: lease})
	ps := []*proc{w.startProc(), w.startProc()}
	g := w.tim.CreateGroup(timtest.AVChatRoom)
	accounts := numberedAccounts("k", procBanAccounts)
	w.tim.Ban(g, accounts[0], earlierBan)
	earlierEnd, _ := w.tim.BannedUntil(g, accounts[0])
	f := actionFigures{Bans: 1, Undos: 1}

	if _, err := w.slack.SlashCommand(alice, moderation, "/ban", g+" "+strings.Join(accounts, " ")+" for 1d -- spam: raid"); err != nil {
		tb.Fatal(err)
	}
	var prompt slacktest.Message
	w.waitSlack("the Confirm prompt", 30*time.Second, func(s *slacktest.Server) bool {
		for _, m := range s.Ephemeral(alice) {
			if button(m, "confirm") != "" {
				prompt = m
				return true
			}
		}
		return false
	})
	w.tim.SetLatency(300 * time.Millisecond)
	for range 2 {
		if _, err := w.slack.Click(alice, moderation, prompt.TS, "confirm", button(prompt, "confirm")); err != nil {
			tb.Fatal(err)
		}
	}
	confirmed := time.Now()
	var owner string
	eventually(tb, "the ban executing", 30*time.Second, func() bool {
		if r := w.requests(1); len(r) == 1 && r[0] != nil {
			owner = r[0].Lease.Owner
		}
		return owner != "" && w.tim.Calls(cmdBan) > 0
	})
	if ps[1].owns(owner) {
		ps[0], ps[1] = ps[1], ps[0]
	}
	if err := ps[0].cmd.Process.Kill(); err != nil {
		tb.Fatal(err)
	}
	ps[0].wait(tb, 10*time.Second)
	killedAfter := w.tim.Calls(cmdBan)
	w.tim.SetLatency(0)
	eventually(tb, "the ban resumed and done", settleWithin(lease), func() bool {
		r := w.requests(1)
		return len(r) == 1 && settled(r[0])
	})
	r := w.requests(1)[0]
	if r.State != store.Done || r.Lease.Epoch < 2 {
		tb.Errorf("ban %s, lease epoch %d: want done, resumed under a new lease", r.State, r.Lease.Epoch)
	}
	if killedAfter >= procBanAccounts/20 {
		tb.Errorf("every ban call was in before the kill (%d): the kill did not meet the execution", killedAfter)
	}

	root := w.roots()[g]
	w.waitSlack("the Undo button", 30*time.Second, func(*slacktest.Server) bool {
		root = w.roots()[g]
		return button(root, "undo") != ""
	})
	var wg sync.WaitGroup
	for _, who := range []string{alice, bob, alice} {
		wg.Go(func() { w.slack.Click(who, approvals, root.TS, "undo", "") }) //nolint:errcheck // the button may be gone
	}
	wg.Wait()
	eventually(tb, "the Undo done", settleWithin(lease), func() bool {
		r := w.requests(2)
		return len(r) == 2 && r[0] != nil && r[0].State == store.Undone && len(r[0].Owed) == 0 && settled(r[1])
	})

	time.Sleep(500 * time.Millisecond)
	if _, err := w.store.RequestByNumber(context.Background(), 3); !errors.Is(err, store.ErrNotFound) {
		f.UndoTwice++
		tb.Error("more than one Undo request")
	}

	for _, c := range w.tim.Log() {
		if c.Command == cmdBan {
			// Before a fix the creator's lease held a confirmed ban back (lease + a sweep: 5 s here,
			// up to 35 s with modbot run's defaults) when the Confirm reached the other process.
			tb.Logf("figure confirm-to-first-ban-call=%v", c.At.Sub(confirmed).Round(time.Millisecond))
			if c.At.Sub(confirmed) > lease {
				tb.Errorf("the first ban call came %v after the Confirm, more than a lease (%v): the Confirm waited for a sweep", c.At.Sub(confirmed), lease)
			}
			break
		}
	}
	sends, calls := sentPerAccount(tb, w.tim.Log(), map[string][]string{g: accounts})
	f.Calls = calls
	for i, a := range accounts {
		want := map[string]int{cmdBan: 1, cmdUnban: 1}
		if i == 0 {
			want = map[string]int{cmdBan: 2, cmdUnban: 0} // the ban, then the earlier ban given back
		}
		for kind, n := range want {
			switch got := sends[sent{g, a, kind}]; {
			case got > n:
				f.Twice++
				tb.Errorf("%s: %s sent %d times, want %d", a, kind, got, n)
			case got < n:
				f.Lost++
				tb.Errorf("%s: %s sent %d times, want %d", a, kind, got, n)
			}
		}
	}
	until, ok := w.tim.BannedUntil(g, accounts[0])
	if d := until.Sub(earlierEnd); !ok || d < -2*time.Second || d > 2*time.Second {
		f.Lost++
		tb.Errorf("%s banned %v until %v after Undo, want its earlier ban back (until %v)", accounts[0], ok, until, earlierEnd)
	}
	for _, a := range accounts[1:] {
		if w.tim.IsBanned(g, a) {
			f.Lost++
			tb.Errorf("%s still banned after Undo", a)
			break
		}
	}
	if got := len(w.slack.DMs(alice)) + len(w.slack.DMs(bob)); got != 2 {
		tb.Errorf("%d DMs to alice and bob, want 2 (the ban and its Undo, each told once)", got)
	}
	if th := w.thread(root.TS); strings.Count(th, "Done:*") != 2 {
		tb.Errorf("the thread shows %d results, want 2 (the ban's and the Undo's):\n%s", strings.Count(th, "Done:*"), th)
	}
	w.leaks(outputs(ps...))
	return f
}

// procBanAccounts is the ban the process fault interrupts: 10 calls.
const procBanAccounts = 200
