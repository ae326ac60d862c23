package scale_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/internal/system"
	"modbot/internal/testutil"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// The people and channels of every scenario.
const (
	alice = "U0ALICE" // moderator: opens every request
	bob   = "U0BOB"   // approver
	erin  = "U0ERIN"  // approver
	carol = "U0CAROL" // admin (MODBOT_BOOTSTRAP_ADMINS for processes)
	vic   = "U0VIC"   // viewer: the load's read-only commands

	approvals  = "C0APPROVALS"
	auditCh    = "C0AUDIT"
	moderation = "C0MOD"
)

const cmdUnban = "group_open_http_svc/unban_group_member"

// sizes are the scenario sizes: small by default (CI), issue 7's with MODBOT_SCALE=full.
type sizes struct {
	full bool

	requests     int // exactly-once: requests across 3 replicas
	limitRate    int // shared limit: MODBOT_TIM_RATE
	limitPerRepl int // shared limit: accounts each of the 3 replicas unbans
	faultReqs    int // requests per fault
	loadRate     int // load: commands a second
	loadFor      time.Duration
}

func scaleSizes() sizes {
	if os.Getenv("MODBOT_SCALE") == "full" {
		return sizes{full: true, requests: 200, limitRate: 200, limitPerRepl: 10000, faultReqs: 30, loadRate: 100, loadFor: 30 * time.Second}
	}
	return sizes{requests: 20, limitRate: 50, limitPerRepl: 400, faultReqs: 6, loadRate: 100, loadFor: 3 * time.Second}
}

// worldOptions shape a world.
type worldOptions struct {
	rate        int           // MODBOT_TIM_RATE, and the emulator's limit; default 1000
	maxAccounts int           // MODBOT_MAX_ACCOUNTS; default 1000
	leaseTTL    time.Duration // in-process replicas and MODBOT_LEASE_TTL of processes; default 2s
	noAudit     bool          // no audit channel (nothing but the request's own messages reaches Slack)
	// sentinel, when above 0, puts Redis under Sentinel: a primary, this many replicas and three
	// sentinels; replicas reach it through MODBOT_REDIS_SENTINEL_* with MODBOT_REDIS_MIN_REPLICAS
	// set to minReplicas.
	sentinel    int
	minReplicas int
}

// world is one Slack, one Tencent app, one Redis and the replicas serving them.
type world struct {
	tb    testing.TB
	o     worldOptions
	slack *slacktest.Server
	tim   *timtest.Server
	redis *storetest.Server   // the primary (under Sentinel: the first one)
	group *storetest.Sentinel // under Sentinel: the primary, its replicas and the sentinels
	// prefix is the key prefix of every replica and of store, the test's view of Redis.
	prefix string
	store  *store.Store
	logs   *testutil.Buffer // every replica's log, for the secret scan

	mu       sync.Mutex
	replicas []*replica
}

func newWorld(tb testing.TB, o worldOptions) *world {
	tb.Helper()
	if o.rate == 0 {
		o.rate = 1000
	}
	if o.maxAccounts == 0 {
		o.maxAccounts = 1000
	}
	if o.leaseTTL == 0 {
		o.leaseTTL = 2 * time.Second
	}
	w := &world{tb: tb, o: o, logs: &testutil.Buffer{}}
	w.slack = slacktest.NewServer(tb, slacktest.Options{})
	for _, u := range []struct{ id, name string }{{alice, "alice"}, {bob, "bob"}, {erin, "erin"}, {carol, "carol"}, {vic, "vic"}} {
		w.slack.AddUser(u.id, u.name)
	}
	w.slack.AddChannel(approvals, "mod-approvals", true)
	w.slack.AddChannel(auditCh, "mod-audit", true)
	w.slack.AddChannel(moderation, "moderation", true)
	w.tim = timtest.NewServer(tb, timtest.Options{Rate: o.rate})
	if o.sentinel > 0 {
		w.group = storetest.StartSentinel(tb, o.sentinel, "--appendonly", "yes")
		w.redis = w.group.Nodes[0]
	} else {
		w.redis = storetest.StartServer(tb, "--appendonly", "yes")
	}
	w.prefix = storetest.Prefix(tb)
	w.store = w.openStore()
	ctx := context.Background()
	for user, role := range map[string]store.Role{alice: store.RoleModerator, bob: store.RoleApprover, erin: store.RoleApprover, carol: store.RoleAdmin, vic: store.RoleViewer} {
		if _, err := w.store.SetRole(ctx, store.SystemActor, user, role); err != nil {
			tb.Fatalf("allow %s: %v", user, err)
		}
	}
	tb.Cleanup(func() {
		w.stopAll()
		if tb.Failed() {
			tb.Logf("replica logs (last 30 KB):\n%s", tail(w.logs.String(), 30000))
		}
	})
	return w
}

// openStore opens a Store (its own Redis pool) on the world's Redis and prefix.
func (w *world) openStore() *store.Store {
	w.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o := store.Options{URL: w.redis.URL(), Prefix: w.prefix}
	if w.group != nil {
		o = store.Options{SentinelMaster: storetest.SentinelMaster, SentinelAddrs: w.group.Addrs(), Prefix: w.prefix}
	}
	st, err := store.Open(ctx, o)
	if err != nil {
		w.tb.Fatalf("open store: %v", err)
	}
	w.tb.Cleanup(func() { st.Close() })
	return st
}

// replica is one in-process bot with its own Redis pool, shared limiter and tim client.
type replica struct {
	id     string
	bot    *bot.Bot
	cancel context.CancelFunc
	done   chan error
}

// startReplicas starts n in-process replicas and waits until each is connected.
func (w *world) startReplicas(n int) {
	w.tb.Helper()
	for range n {
		w.startReplica()
	}
}

func (w *world) startReplica() *replica {
	w.tb.Helper()
	st := w.openStore()
	w.mu.Lock()
	id := fmt.Sprintf("replica-%d", len(w.replicas)+1)
	w.mu.Unlock()
	so := w.slack.Options()
	o := bot.Options{
		AppToken: so.AppToken, BotToken: so.BotToken, APIURL: w.slack.URL,
		ApprovalChannel: approvals, AuditChannel: auditCh,
		RequireReason: true, MaxAccounts: w.o.maxAccounts, MaxOpenRequests: 1000, // alice opens every request
		LeaseTTL: w.o.leaseTTL, Sweep: 200 * time.Millisecond, FeedEvery: 200 * time.Millisecond,
		ReplicaID: id,
		Logger:    slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("replica", id),
	}
	if w.o.noAudit {
		o.AuditChannel = ""
	}
	sys, err := system.Build(st, system.Config{
		Tim: tim.Options{
			SDKAppID: w.tim.SDKAppID(), SecretKey: w.tim.SecretKey(), Admin: w.tim.Admin(), BaseURL: w.tim.URL,
		},
		Rate: w.o.rate,
		Bot:  o,
	})
	if err != nil {
		w.tb.Fatal(err)
	}
	b := sys.Bot
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{id: id, bot: b, cancel: cancel, done: make(chan error, 1)}
	before := w.slack.ConnectionsOpened()
	go func() { r.done <- b.Run(ctx, 5*time.Second) }()
	w.mu.Lock()
	w.replicas = append(w.replicas, r)
	w.mu.Unlock()
	w.tb.Cleanup(func() { r.stop(w.tb) }) // before its store closes (cleanups run last first)
	w.waitSlack("replica "+id+" connected", 20*time.Second, func(s *slacktest.Server) bool {
		return s.ConnectionsOpened() > before && b.Ready()
	})
	return r
}

// stop cancels the replica and waits for its drain; it may be called again.
func (r *replica) stop(tb testing.TB) {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			tb.Errorf("%s: Run: %v", r.id, err)
		}
		r.done <- nil
	case <-time.After(20 * time.Second):
		tb.Errorf("%s did not stop within 20s", r.id)
	}
}

// stopAll stops every replica at once.
func (w *world) stopAll() {
	w.mu.Lock()
	rs := w.replicas
	w.mu.Unlock()
	for _, r := range rs {
		r.cancel()
	}
	for _, r := range rs {
		r.stop(w.tb)
	}
}

// waitSlack polls the fake Slack until cond holds, failing the test after within.
func (w *world) waitSlack(what string, within time.Duration, cond func(*slacktest.Server) bool) {
	w.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	if err := w.slack.WaitFor(ctx, cond); err != nil {
		w.tb.Fatalf("waiting for %s: %v", what, err)
	}
}

// eventually polls cond until it holds, failing the test after within.
func eventually(tb testing.TB, what string, within time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waiting for %s: timed out after %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// banned creates an AVChatRoom group with n banned accounts (prefix0001…) and returns its ID and
// the accounts.
func (w *world) banned(prefix string, n int) (string, []string) {
	g := w.tim.CreateGroup(timtest.AVChatRoom)
	accounts := make([]string, n)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("%s%05d", prefix, i+1)
		w.tim.Ban(g, accounts[i], 24*time.Hour)
	}
	return g, accounts
}

// unbanText is the /unban command text for accounts in g.
func unbanText(g string, accounts []string) string {
	return g + " " + strings.Join(accounts, " ") + " -- appeal accepted"
}

// roots returns the approval channel's root messages by the group they name.
func (w *world) roots() map[string]slacktest.Message {
	out := map[string]slacktest.Message{}
	for _, m := range w.slack.Messages(approvals) {
		for _, f := range strings.Fields(m.VisibleText()) {
			if g := strings.Trim(f, "`*_,."); strings.HasPrefix(g, "@TGS#") {
				out[g] = m
				break
			}
		}
	}
	return out
}

// requests reads requests #1 … #n; a missing one is nil.
func (w *world) requests(n int) []*store.Request {
	w.tb.Helper()
	out := make([]*store.Request, n)
	for i := range out {
		r, err := w.store.RequestByNumber(context.Background(), int64(i+1))
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil // Redis may be down for a moment
		default:
			out[i] = r
		}
	}
	return out
}

// settled reports whether request r is finished with nothing owed to Slack.
func settled(r *store.Request) bool {
	return r != nil && (r.State == store.Done || r.State == store.Partial || r.State == store.Failed) && len(r.Owed) == 0 && r.Lease.Owner == ""
}

// approveAll clicks Approve on every root of gs (by group), with some double clicks, racing
// approvers and redelivered clicks when dup is set. A click that Slack could not deliver (no
// connection, no ack) is clicked again, as a person would, up to 5 times; it returns how many
// clicks were repeated so.
func (w *world) approveAll(gs []string, dup bool, during func(i int)) int {
	w.tb.Helper()
	roots := w.roots()
	var wg sync.WaitGroup
	var mu sync.Mutex
	repeats := 0
	click := func(user, ts string, redeliver bool) {
		defer wg.Done()
		for range 5 {
			ack, err := w.slack.Click(user, approvals, ts, "approve", "")
			if err == nil {
				if redeliver {
					w.slack.Redeliver(ack.EnvelopeID) //nolint:errcheck // a lost duplicate is fine
				}
				return
			}
			if !errors.Is(err, slacktest.ErrNoAck) && !errors.Is(err, slacktest.ErrNoConnection) {
				// The root lost its buttons: the request was decided by an earlier click.
				return
			}
			mu.Lock()
			repeats++
			mu.Unlock()
		}
		w.tb.Errorf("click on %s not delivered in 5 tries", ts)
	}
	sem := make(chan struct{}, 8)
	for i, g := range gs {
		root, ok := roots[g]
		if !ok {
			w.tb.Fatalf("no root message for %s", g)
		}
		if during != nil {
			during(i)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem }()
			click(bob, root.TS, dup && i%5 == 2)
		}()
		if dup && i%3 == 0 { // bob double-clicks
			wg.Add(1)
			go click(bob, root.TS, false)
		}
		if dup && i%3 == 1 { // erin approves at the same moment
			wg.Add(1)
			go click(erin, root.TS, false)
		}
	}
	wg.Wait()
	return repeats
}

// openAll types one /unban per group (accounts[g]) as alice, concurrently, and waits for every
// root. With dup, some envelopes are redelivered (same trigger_id, new envelope) and some resent
// (identical). It returns the acks that took longer than Slack's 3 s.
func (w *world) openAll(gs []string, accounts map[string][]string, dup bool, within time.Duration) int {
	w.tb.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	slow := 0
	sem := make(chan struct{}, 8)
	for i, g := range gs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ack, err := w.slack.SlashCommand(alice, moderation, "/unban", unbanText(g, accounts[g]))
			if err != nil {
				w.tb.Errorf("/unban %s: %v", g, err)
				return
			}
			if ack.Elapsed > 3*time.Second {
				mu.Lock()
				slow++
				mu.Unlock()
			}
			switch {
			case dup && i%4 == 0:
				w.slack.Redeliver(ack.EnvelopeID) //nolint:errcheck // a lost duplicate is fine
			case dup && i%4 == 1:
				w.slack.Resend(ack.EnvelopeID) //nolint:errcheck
			}
		})
	}
	wg.Wait()
	w.waitSlack(fmt.Sprintf("%d root messages", len(gs)), within, func(*slacktest.Server) bool { return len(w.roots()) >= len(gs) })
	return slow
}

// waitSettled waits until requests #1…#n are settled; partial or failed ones (accounts Tencent
// kept refusing with a retryable code) get "Retry failed" clicked by bob, as the thread invites.
// It returns how many retries were clicked.
func (w *world) waitSettled(n int, within time.Duration) int {
	w.tb.Helper()
	retried := map[string]int{}
	deadline := time.Now().Add(within)
	for {
		all := true
		for _, r := range w.requests(n) {
			if !settled(r) {
				all = false
				continue
			}
			if r.State != store.Done && retried[r.ID] < 3 && retried[r.ID] == r.Retries {
				if _, err := w.slack.Click(bob, approvals, r.ThreadTS, "retry", ""); err == nil {
					retried[r.ID]++
				}
				all = false
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			w.tb.Fatalf("requests not settled within %v: %s", within, w.describe(n))
		}
		time.Sleep(50 * time.Millisecond)
	}
	total := 0
	for _, k := range retried {
		total += k
	}
	return total
}

func (w *world) describe(n int) string {
	var b strings.Builder
	for i, r := range w.requests(n) {
		if r == nil {
			fmt.Fprintf(&b, "#%d missing; ", i+1)
			continue
		}
		fmt.Fprintf(&b, "#%d %s owed=%v lease=%q outcomes=%d/%d; ", r.Number, r.State, r.Owed, r.Lease.Owner, len(r.Outcomes), len(r.Accounts))
	}
	return b.String()
}

// figures are what every scenario reports.
type figures struct {
	Requests    int // requests opened
	Lost        int // requests not done, or with an account still banned, or never opened
	Duplicated  int // requests opened more than once (extra roots or request records)
	Twice       int // (group, account) pairs sent to Tencent again after an accepted unban
	Leaked      int // secrets found in logs or in anything Slack shows
	Sends       int // unban calls that reached Tencent
	Failed      int // unban calls Tencent answered with an error (injected faults)
	UserRepeats int // clicks a person had to repeat because Slack could not deliver them
	Retries     int // "Retry failed" clicks needed
	SlowAcks    int // acks later than Slack's 3 s
	Rereads     int // ban-list reads (a resumer re-reads the list before sending)
}

func (f figures) String() string {
	return fmt.Sprintf("requests=%d lost=%d duplicated=%d executed-twice=%d secrets-leaked=%d unban-calls=%d failed-calls=%d ban-list-reads=%d user-repeats=%d retry-clicks=%d acks-over-3s=%d",
		f.Requests, f.Lost, f.Duplicated, f.Twice, f.Leaked, f.Sends, f.Failed, f.Rereads, f.UserRepeats, f.Retries, f.SlowAcks)
}

// check fails the test unless nothing was lost, duplicated, executed twice or leaked.
func (f figures) check(tb testing.TB) {
	tb.Helper()
	if f.Lost != 0 || f.Duplicated != 0 || f.Twice != 0 || f.Leaked != 0 || f.SlowAcks != 0 {
		tb.Errorf("figures: %v; want lost, duplicated, executed-twice, secrets-leaked and acks-over-3s all 0", f)
	}
}

// tally counts the figures of requests #1…#n, one per group of gs, from the store, the emulator's
// log and everything Slack shows.
func (w *world) tally(gs []string, accounts map[string][]string) figures {
	w.tb.Helper()
	f := figures{Requests: len(gs)}
	byGroup := map[string]*store.Request{}
	for _, r := range w.requests(len(gs) + 1) {
		if r == nil {
			continue
		}
		if byGroup[r.Target.ID] != nil {
			f.Duplicated++
		}
		byGroup[r.Target.ID] = r
	}
	if n := len(w.slack.Messages(approvals)); n > len(gs) {
		f.Duplicated += n - len(gs)
	}
	for _, g := range gs {
		r := byGroup[g]
		lost := r == nil || r.State != store.Done || len(r.Owed) != 0
		for _, a := range accounts[g] {
			lost = lost || w.tim.IsBanned(g, a)
		}
		if lost {
			f.Lost++
		}
	}
	s := countSends(w.tb, w.tim.Log())
	f.Twice, f.Sends, f.Failed = s.resent, s.calls, s.failed
	f.Rereads = w.tim.Calls("group_open_http_svc/get_group_ban_member")
	f.Leaked = w.leaks("")
	return f
}

// sends are the unban calls in an emulator log.
type sends struct {
	calls, failed int
	resent        int             // (group, account) pairs sent again after an accepted unban
	accepted      map[string]int  // accepted unbans by "group account"
	resentIn      map[string]int  // resent pairs by group
	resentGroups  map[string]bool // groups with a resent pair
}

func countSends(tb testing.TB, log []timtest.Call) sends {
	tb.Helper()
	s := sends{accepted: map[string]int{}, resentIn: map[string]int{}, resentGroups: map[string]bool{}}
	again := map[string]bool{}
	for _, c := range log {
		if c.Command != cmdUnban {
			continue
		}
		var body struct {
			GroupID  string   `json:"GroupId"`
			Accounts []string `json:"Members_Account"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			tb.Fatalf("unban body %q: %v", c.Body, err)
		}
		s.calls++
		if c.Code != 0 {
			s.failed++
		}
		for _, a := range body.Accounts {
			k := body.GroupID + " " + a
			if s.accepted[k] > 0 && !again[k] {
				again[k] = true
				s.resentIn[body.GroupID]++
				s.resentGroups[body.GroupID] = true
			}
			if c.Code == 0 {
				s.accepted[k]++
			}
		}
	}
	s.resent = len(again)
	return s
}

// leaks counts the secrets found in the replicas' logs, in extra (process output) and in everything
// Slack shows (channels, threads, DMs, ephemeral replies).
func (w *world) leaks(extra string) int {
	var b strings.Builder
	b.WriteString(w.logs.String())
	b.WriteString(extra)
	for _, ch := range []string{approvals, auditCh, moderation} {
		for _, m := range w.slack.Messages(ch) {
			b.WriteString(m.Text + string(m.Blocks))
			for _, r := range w.slack.Thread(ch, m.TS) {
				b.WriteString(r.Text + string(r.Blocks))
			}
		}
	}
	for _, u := range []string{alice, bob, erin, carol, vic} {
		for _, m := range slices.Concat(w.slack.DMs(u), w.slack.Ephemeral(u)) {
			b.WriteString(m.Text + string(m.Blocks))
		}
	}
	all := b.String()
	so := w.slack.Options()
	n := 0
	for _, secret := range []string{so.BotToken, so.AppToken, "xoxb-", "xapp-", w.tim.SecretKey(), "usersig=", "ticket=",
		strings.TrimSuffix(w.slack.URL, "api/") + "response/"} {
		if strings.Contains(all, secret) {
			w.tb.Errorf("a secret (%.6s…) leaked into logs or Slack", secret)
			n++
		}
	}
	return n
}

// scenario is one set of unban requests: a group each, accounts banned.
type scenario struct {
	groups   []string
	accounts map[string][]string
}

func (w *world) scenario(requests, accountsEach int) scenario {
	sc := scenario{accounts: map[string][]string{}}
	for i := range requests {
		g, accts := w.banned(fmt.Sprintf("r%dx", i+1), accountsEach)
		sc.groups = append(sc.groups, g)
		sc.accounts[g] = accts
	}
	return sc
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

func itoa(n int) string { return strconv.Itoa(n) }
