package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"modbot/bot"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

type sweepEnv struct {
	t   *testing.T
	srv *timtest.Server
	tc  *tim.Client
	st  *store.Store
	rec *bot.Reconciler
}

func newSweepEnv(t *testing.T, st *store.Store, wrap func(bot.SweepTencent) bot.SweepTencent) *sweepEnv {
	t.Helper()
	srv := timtest.NewServer(t, timtest.Options{Rate: -1, BanAnyGroupType: true})
	tc, err := tim.New(tim.Options{SDKAppID: srv.SDKAppID(), SecretKey: srv.SecretKey(), Admin: srv.Admin(),
		BaseURL: srv.URL, Limiter: tim.NewLocalLimiter(0), RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st == nil {
		st = storetest.New(t)
	}
	var reads bot.SweepTencent = tc
	if wrap != nil {
		reads = wrap(tc)
	}
	rec, err := bot.NewReconciler(bot.ReconcileOptions{Interval: time.Millisecond, LeaseTTL: time.Second, ReplicaID: "r1"}, reads, st)
	if err != nil {
		t.Fatal(err)
	}
	return &sweepEnv{t: t, srv: srv, tc: tc, st: st, rec: rec}
}

func (e *sweepEnv) watch(kind store.TargetKind, id string) {
	e.t.Helper()
	if _, err := e.st.Watch(e.t.Context(), store.SystemActor, kind, id, 0, "op-watch-"+id); err != nil {
		e.t.Fatal(err)
	}
}

// sweep runs one sweep round (waiting for it to be due) and fails the test on error.
func (e *sweepEnv) sweep() bot.SweepReport {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		rep, err := e.rec.SweepOnce(e.t.Context())
		if err == nil {
			return rep
		}
		if !errors.Is(err, store.ErrNotDue) || time.Now().After(deadline) {
			e.t.Fatalf("sweep: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// entries lists the audit entries on a target, oldest first, by "action account" (the
// account is the first word of the detail).
func (e *sweepEnv) entries(kind store.TargetKind, id string) []string {
	e.t.Helper()
	f := store.AuditFilter{Group: id}
	if kind == store.KindRoom {
		f = store.AuditFilter{Room: id}
	}
	page, err := e.st.Audit(e.t.Context(), f, "", 100000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for i := len(page.Entries) - 1; i >= 0; i-- {
		en := page.Entries[i]
		if en.Action == store.ActionWatch {
			continue
		}
		who, _, _ := strings.Cut(en.Detail, ":")
		out = append(out, en.Actor+"|"+string(en.Action)+"|"+who)
	}
	return out
}

func TestSweepBaselineThenOutsideChanges(t *testing.T) {
	e := newSweepEnv(t, nil, nil)
	g := e.srv.CreateGroup(timtest.Public)
	e.srv.Ban(g, "u1", time.Hour)
	e.srv.Ban(g, "u3", time.Second)
	e.srv.Mute(g, "m1", time.Hour)
	e.watch(store.KindGroup, g)
	if rep := e.sweep(); rep.Changes != 0 || rep.Targets != 1 {
		t.Fatalf("first sweep %+v: want a baseline (1 target, no changes)", rep)
	}
	if got := e.entries(store.KindGroup, g); len(got) != 0 {
		t.Fatalf("baseline reported %v", got)
	}
	ctx := t.Context()
	e.srv.Ban(g, "u2", 24*time.Hour)
	e.srv.Mute(g, "m2", time.Hour)
	if _, err := e.tc.UnbanGroupMembers(ctx, tim.GroupID(g), []tim.UserID{"u1"}, tim.BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // u3's ban ends
	e.sweep()
	got := strings.Join(e.entries(store.KindGroup, g), "\n")
	want := strings.Join([]string{
		"outside modbot|ban|u2",
		"outside modbot|unban|u1",
		"Tencent|ban ended|u3",
		"outside modbot|mute|m2",
	}, "\n")
	if !sameLines(got, want) {
		t.Fatalf("entries:\n%s\nwant (any order):\n%s", got, want)
	}
	ps, err := e.st.Presence(ctx, "u2", time.Now())
	if err != nil || len(ps) != 1 || ps[0].ID != g || ps[0].List != store.ListBans || ps[0].AsOf.IsZero() {
		t.Fatalf("presence of u2: %+v, %v", ps, err)
	}
	if ps, _ := e.st.Presence(ctx, "u1", time.Now()); len(ps) != 0 {
		t.Fatalf("u1 unbanned, presence %+v", ps)
	}
	e.sweep() // nothing changed: nothing new
	if again := strings.Join(e.entries(store.KindGroup, g), "\n"); again != got {
		t.Fatalf("a sweep without changes wrote entries:\n%s", again)
	}
	w, err := e.st.WatchedTarget(ctx, store.KindGroup, g)
	if err != nil || w.State != store.WatchOK || w.Bans != 1 || w.Mutes != 2 || w.Changes != 4 || len(w.Recent) != 4 ||
		!slices.Contains(w.Recent, "u2 banned outside modbot") || !slices.Contains(w.Recent, "u3 ban ended") {
		t.Fatalf("watched record %+v, %v", w, err)
	}
}

func sameLines(a, b string) bool {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(x) != len(y) {
		return false
	}
	seen := map[string]int{}
	for _, l := range x {
		seen[l]++
	}
	for _, l := range y {
		seen[l]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestSweepExplainedByModbot: a change modbot recorded as done is not reported again, and an
// account of a request still executing is left for the next sweep.
func TestSweepExplainedByModbot(t *testing.T) {
	e := newSweepEnv(t, nil, nil)
	ctx := t.Context()
	g := e.srv.CreateGroup(timtest.Public)
	e.srv.Ban(g, "u1", time.Hour)
	e.watch(store.KindGroup, g)
	e.sweep()
	// modbot unbans u1 and bans u2 (as the executor records them); someone bans u3 in the app.
	if _, err := e.tc.UnbanGroupMembers(ctx, tim.GroupID(g), []tim.UserID{"u1"}, tim.BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	e.srv.Ban(g, "u2", time.Hour)
	e.srv.Ban(g, "u3", time.Hour)
	for _, en := range []store.AuditEntry{
		{Actor: "UANA", Action: "unban", TargetKind: "group", Target: g, Accounts: []string{"u1"}, Outcome: "done"},
		{Actor: "UANA", Action: "ban", TargetKind: "group", Target: g, Accounts: []string{"u2"}, Outcome: "done"},
	} {
		if _, err := e.st.Append(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	e.sweep()
	got := strings.Join(e.entries(store.KindGroup, g), "\n")
	want := "|unban|\n|ban|\noutside modbot|ban|u3"
	if got != "UANA|unban|\nUANA|ban|\noutside modbot|ban|u3" {
		t.Fatalf("entries:\n%s\nwant modbot's two and one outside ban:\n%s", got, want)
	}
}

// TestSweepPartialRead: Tencent failing half the pages reports nothing as unbanned that was not,
// and keeps the unread rows.
func TestSweepPartialRead(t *testing.T) {
	half := false
	e := newSweepEnv(t, nil, func(tc bot.SweepTencent) bot.SweepTencent { return &halfPages{SweepTencent: tc, on: &half} })
	ctx := t.Context()
	g := e.srv.CreateGroup(timtest.Public)
	for i := range 500 {
		e.srv.Ban(g, fmt.Sprintf("u%03d", i), time.Hour+time.Duration(i)*time.Second)
	}
	e.watch(store.KindGroup, g)
	e.sweep()
	half = true
	e.srv.Ban(g, "new1", 2*time.Hour) // sorts last: on an unread page
	e.sweep()
	if got := e.entries(store.KindGroup, g); len(got) != 0 {
		t.Fatalf("a half-read sweep reported %d changes: %v", len(got), got[:min(5, len(got))])
	}
	w, _ := e.st.WatchedTarget(ctx, store.KindGroup, g)
	if w.State != store.WatchPartial || w.Bans != 500 || !strings.Contains(w.Note, "kept from the last sweep") {
		t.Fatalf("record after a partial read: %+v", w)
	}
	snap, _ := e.st.Snapshot(ctx, w.Num, store.ListBans)
	if len(snap) != 500 {
		t.Fatalf("snapshot holds %d rows after a partial read, want the 500 kept", len(snap))
	}
	half = false
	e.sweep()
	if got := e.entries(store.KindGroup, g); len(got) != 1 || got[0] != "outside modbot|ban|new1" {
		t.Fatalf("after a full read: %v, want the one outside ban", got)
	}
}

// halfPages returns the first half of each ban list with an error, as tim does when paging
// fails half-way.
type halfPages struct {
	bot.SweepTencent
	on *bool
}

func (h *halfPages) GroupBannedMembers(ctx context.Context, g tim.GroupID) ([]tim.BannedMember, error) {
	list, err := h.SweepTencent.GroupBannedMembers(ctx, g)
	if err != nil || !*h.on {
		return list, err
	}
	return list[:len(list)/2], &tim.Error{Command: "group_open_http_svc/get_group_ban_member", Code: 70500, Info: "injected"}
}

func TestSweepTargetGoneReportedOnce(t *testing.T) {
	e := newSweepEnv(t, nil, nil)
	ctx := t.Context()
	g := e.srv.CreateGroup(timtest.Public)
	e.srv.Ban(g, "u1", time.Hour)
	e.watch(store.KindGroup, g)
	e.sweep()
	e.srv.DeleteGroup(g)
	e.sweep()
	e.sweep()
	got := e.entries(store.KindGroup, g)
	if len(got) != 1 || got[0] != "Tencent|target gone|Tencent says the group does not exist (Tencent 10010" {
		t.Fatalf("entries %q: want one gone report", got)
	}
	w, err := e.st.WatchedTarget(ctx, store.KindGroup, g)
	if err != nil || w.State != store.WatchGone || w.Bans != 1 {
		t.Fatalf("gone target: %+v, %v (want still watched, snapshot kept)", w, err)
	}
}

func TestWatchCap(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	for i := range store.DefaultMaxWatched {
		if _, err := st.Watch(ctx, store.SystemActor, store.KindGroup, fmt.Sprintf("g%d", i), 0, ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.Watch(ctx, store.SystemActor, store.KindRoom, "r1001", 0, "")
	if !errors.Is(err, store.ErrWatchFull) || !strings.Contains(err.Error(), "MODBOT_MAX_WATCHED") {
		t.Fatalf("watch #1001: %v, want a refusal naming MODBOT_MAX_WATCHED", err)
	}
	if _, err := st.Watch(ctx, store.SystemActor, store.KindGroup, "g1", 0, ""); !errors.Is(err, store.ErrAlreadyWatched) {
		t.Fatalf("watching again: %v", err)
	}
	if _, err := st.Watch(ctx, "UNOBODY", store.KindGroup, "gx", 5000, ""); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("watch by someone not allowed: %v", err)
	}
}

// TestSweepManyChangesSummarised: more than 20 changes on one target are one summary line in the
// feed, every one still in the log.
func TestSweepManyChangesSummarised(t *testing.T) {
	e := newSweepEnv(t, nil, nil)
	ctx := t.Context()
	g := e.srv.CreateGroup(timtest.Public)
	e.watch(store.KindGroup, g)
	e.sweep()
	if _, err := e.st.FeedNext(ctx, "feed", 100); err != nil { // take the watch line
		t.Fatal(err)
	}
	first, _ := e.st.FeedNext(ctx, "feed", 100)
	if err := e.st.FeedAck(ctx, "feed", first[len(first)-1].ID); err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		e.srv.Ban(g, fmt.Sprintf("x%02d", i), time.Hour)
	}
	e.sweep()
	if got := e.entries(store.KindGroup, g); len(got) != 26 {
		t.Fatalf("%d entries in the log, want 25 and the summary", len(got))
	}
	feed, err := e.st.FeedNext(ctx, "feed", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) != 1 || feed[0].Action != store.ActionChanges || feed[0].AccountCount != 25 ||
		!strings.HasPrefix(feed[0].Detail, "25 changes: 25 banned outside modbot; every one is in /modbot log group:") {
		t.Fatalf("feed %+v, want one summary of 25", feed)
	}
}

// TestSweepRedisDown: Redis dies in the middle of a sweep; the sweep stops, the lease lapses,
// the next sweep catches up, and no change is reported twice.
func TestSweepRedisDown(t *testing.T) {
	srv := storetest.StartServer(t, "--appendonly", "yes", "--appendfsync", "always")
	st, err := store.Open(t.Context(), store.Options{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kill := 0
	e := newSweepEnv(t, st, func(tc bot.SweepTencent) bot.SweepTencent {
		return &killer{SweepTencent: tc, after: &kill, kill: srv.Kill}
	})
	e.rec, _ = bot.NewReconciler(bot.ReconcileOptions{Interval: time.Millisecond, LeaseTTL: time.Second, ReplicaID: "r1", Workers: 1},
		&killer{SweepTencent: e.tc, after: &kill, kill: srv.Kill}, st)
	var groups []string
	for range 6 {
		g := e.srv.CreateGroup(timtest.Public)
		groups = append(groups, g)
		e.watch(store.KindGroup, g)
	}
	e.sweep()
	for _, g := range groups {
		e.srv.Ban(g, "v1", time.Hour)
		e.srv.Ban(g, "v2", time.Hour)
	}
	kill = 4 // Redis dies while the 4th target is read
	if _, err := e.rec.SweepOnce(t.Context()); err == nil {
		t.Fatal("a sweep with Redis down succeeded")
	}
	srv.Restart(t)
	time.Sleep(1100 * time.Millisecond) // the lease lapses
	rec2, _ := bot.NewReconciler(bot.ReconcileOptions{Interval: time.Millisecond, LeaseTTL: time.Second, ReplicaID: "r2"}, e.tc, st)
	e.rec = rec2
	e.sweep()
	for _, g := range groups {
		got := e.entries(store.KindGroup, g)
		if !sameLines(strings.Join(got, "\n"), "outside modbot|ban|v1\noutside modbot|ban|v2") {
			t.Fatalf("group %s: %v, want each ban once", g, got)
		}
	}
}

// killer calls kill when the after-th ban list is read (counting down).
type killer struct {
	bot.SweepTencent
	after *int
	kill  func()
}

func (k *killer) GroupBannedMembers(ctx context.Context, g tim.GroupID) ([]tim.BannedMember, error) {
	if *k.after > 0 {
		*k.after--
		if *k.after == 0 {
			k.kill()
		}
	}
	return k.SweepTencent.GroupBannedMembers(ctx, g)
}

// TestSweepLongBanList: a ban list longer than Tencent's page cap is read up to the cap, and the
// record says so; nothing past the cap is reported.
func TestSweepLongBanList(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1,000 pages")
	}
	e := newSweepEnv(t, nil, nil)
	// Reading 1,000 pages and committing 100,000 rows takes seconds on a loaded machine (-race):
	// a lease that long keeps the sweep this test is about from being fenced out half-way.
	rec, err := bot.NewReconciler(bot.ReconcileOptions{Interval: time.Millisecond, LeaseTTL: time.Minute, ReplicaID: "r1"}, e.tc, e.st)
	if err != nil {
		t.Fatal(err)
	}
	e.rec = rec
	g := e.srv.CreateGroup(timtest.Public)
	for i := range 100_050 {
		e.srv.Ban(g, fmt.Sprintf("u%06d", i), time.Hour)
	}
	e.watch(store.KindGroup, g)
	e.sweep()
	w, _ := e.st.WatchedTarget(t.Context(), store.KindGroup, g)
	if w.State != store.WatchPartial || w.Bans != 100_000 || !strings.Contains(w.Note, "page cap") {
		t.Fatalf("record %+v: want 100,000 rows read and the cap said", w)
	}
}

// TestSweepOverlapsModbotAction: a sweep that reads the target while modbot's own request is
// executing on the same accounts (Tencent has the change, the outcome is not recorded yet)
// leaves those accounts for the next sweep, which finds modbot's record: the change is reported
// once, as modbot's, never as an outside one.
func TestSweepOverlapsModbotAction(t *testing.T) {
	e := newSweepEnv(t, nil, nil)
	ctx := t.Context()
	g := e.srv.CreateGroup(timtest.Public)
	for _, a := range []string{"u5", "u6", "u7"} {
		e.srv.Ban(g, a, time.Hour)
	}
	e.watch(store.KindGroup, g)
	e.sweep()
	for user, role := range map[string]store.Role{"UMOD": store.RoleModerator, "UAPP": store.RoleApprover} {
		if _, err := e.st.SetRole(ctx, store.SystemActor, user, role); err != nil {
			t.Fatal(err)
		}
	}
	req, err := e.st.CreateRequest(ctx, store.NewRequest{OpID: "op-create", Target: store.Target{Kind: store.KindGroup, ID: g},
		Accounts: []string{"u5", "u6"}, Reason: "appeal", Requester: "UMOD", Channel: "CAPPROVE", TTL: time.Hour, Approvals: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Approve(ctx, req.ID, "UAPP", "op-approve"); err != nil {
		t.Fatal(err)
	}
	lease, _, err := e.st.ClaimLease(ctx, req.ID, "exec", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// Tencent has accepted the unban; the executor has not recorded it yet. Meanwhile someone
	// unbans u7 in the app.
	if _, err := e.tc.UnbanGroupMembers(ctx, tim.GroupID(g), []tim.UserID{"u5", "u6", "u7"}, tim.BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	e.sweep()
	got := e.entries(store.KindGroup, g)
	if n := len(got); n == 0 || got[n-1] != "outside modbot|unban|u7" || strings.Count(strings.Join(got, "\n"), store.OutsideActor) != 1 {
		t.Fatalf("during the execution: %v, want the request's entries and the outside unban of u7 only", got)
	}
	if ps, _ := e.st.Presence(ctx, "u5", time.Now()); len(ps) != 1 {
		t.Fatalf("u5 left the snapshot while its unban was in flight: %+v", ps)
	}
	if err := e.st.RecordOutcomes(ctx, lease, []store.Outcome{{Account: "u5", Done: true}, {Account: "u6", Done: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Finish(ctx, lease); err != nil {
		t.Fatal(err)
	}
	e.sweep()
	for _, line := range e.entries(store.KindGroup, g) {
		if strings.HasPrefix(line, store.OutsideActor) && !strings.HasSuffix(line, "|u7") {
			t.Fatalf("modbot's own unban reported as outside: %s", line)
		}
	}
	if ps, _ := e.st.Presence(ctx, "u5", time.Now()); len(ps) != 0 {
		t.Fatalf("u5 still in the snapshot after the next sweep: %+v", ps)
	}
}
