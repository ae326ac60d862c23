package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim/timtest"
)

// newActionEnv is newEnv with the action commands registered.
func newActionEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	reasons := withBotOptions(func(o *bot.Options) {
		o.Reasons = append(o.Reasons, bot.ReasonCode{Code: "spam", Label: "Spam"})
	})
	return newEnv(t, append([]envOption{reasons}, opts...)...)
}

// actionOpen types an action command and returns its root message once posted.
func actionOpen(t *testing.T, e *env, user, command, text string) slacktest.Message {
	t.Helper()
	before := len(e.rootMessages())
	e.command(user, moderation, command, text)
	e.waitFor("root message", func(s *slacktest.Server) bool { return len(e.rootMessages()) > before })
	return e.rootMessages()[before]
}

// waitRoot waits until the root at ts shows want (and, when set, lacks not) and returns it.
func waitRoot(t *testing.T, e *env, ts, want, not string) slacktest.Message {
	t.Helper()
	var m slacktest.Message
	e.waitFor("root showing "+want, func(s *slacktest.Server) bool {
		var ok bool
		m, ok = s.Message(approvals, ts)
		return ok && strings.Contains(m.VisibleText(), want) && (not == "" || !strings.Contains(m.VisibleText(), not))
	})
	return m
}

func requestNumber(t *testing.T, e *env, n int64) *store.Request {
	t.Helper()
	r, err := e.store.RequestByNumber(t.Context(), n)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBan_ImmediateThenUndoRestoresEarlierBan: a ban runs at once (0 approvals) and its root
// offers Undo; the requester's Undo unbans the account that was not banned before and gives the
// other its earlier, shorter ban back for the time that was left; a second Undo answers "already
// undone by" and sends nothing.
func TestBan_ImmediateThenUndoRestoresEarlierBan(t *testing.T) {
	e := newActionEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "u1", 2*time.Hour)
	earlier, _ := e.tim.BannedUntil(g, "u1")

	root := actionOpen(t, e, alice, "/ban", g+" u1 u2 for 7d -- spam: links <!channel>")
	m := unbanWaitRoot(t, e, root.TS, "done")
	e.waitFor("undo button", func(s *slacktest.Server) bool {
		m, _ = s.Message(approvals, root.TS)
		return hasButton(m, "undo")
	})
	text := m.VisibleText()
	for _, want := range []string{"Ban #1", "for 1 week", "1 banned", "1 not banned", "`spam`", "&lt;!channel&gt;"} {
		if !strings.Contains(text, want) {
			t.Errorf("root lacks %q:\n%s", want, text)
		}
	}
	for _, u := range []string{"u1", "u2"} {
		until, ok := e.tim.BannedUntil(g, u)
		if !ok || until.Before(time.Now().Add(6*24*time.Hour)) {
			t.Fatalf("%s banned until %v (%v), want about a week", u, until, ok)
		}
	}
	e.waitFor("requester told", func(s *slacktest.Server) bool {
		dm := s.DMs(alice)
		return len(dm) > 0 && strings.Contains(dm[len(dm)-1].VisibleText(), "banned")
	})

	if _, err := e.slack.Click(alice, approvals, root.TS, "undo", ""); err != nil {
		t.Fatal(err)
	}
	waitRoot(t, e, root.TS, "Undone by", "")
	e.eventually("u2 unbanned", func() bool { return !e.tim.IsBanned(g, "u2") })
	until, ok := e.tim.BannedUntil(g, "u1")
	if !ok || until.Before(earlier.Add(-5*time.Second)) || until.After(earlier.Add(5*time.Second)) {
		t.Fatalf("u1 banned until %v (%v), want its earlier ban back, ending %v", until, ok, earlier)
	}
	if r := requestNumber(t, e, 1); r.State != store.Undone {
		t.Fatalf("ban state %s, want undone", r.State)
	}
	// The result is posted after the request is finished (an owed effect), so wait for it.
	e.waitFor("the Undo's result in the thread", func(*slacktest.Server) bool {
		return strings.Contains(unbanThread(e, root.TS), "restored")
	})
}

// TestUndo_DoubleClickAppliesOnce: Undo clicked twice at once (the requester and an approver)
// runs once; the other click hears "already undone by".
func TestUndo_DoubleClickAppliesOnce(t *testing.T) {
	e := newActionEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	root := actionOpen(t, e, alice, "/ban", g+" u1 u2 -- spam")
	e.waitFor("undo button", func(s *slacktest.Server) bool {
		m, _ := s.Message(approvals, root.TS)
		return hasButton(m, "undo")
	})
	unbans := e.tim.Calls(cmdUnbanGroup)
	for _, who := range []string{alice, bob} {
		if _, err := e.slack.Click(who, approvals, root.TS, "undo", ""); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			for n := int64(1); n <= 2; n++ {
				r, _ := e.store.RequestByNumber(context.Background(), n)
				if r != nil {
					m, _ := e.slack.Message(approvals, root.TS)
					t.Logf("#%d %s owed %v undone_by %q lease %+v outcomes %v\nroot: %s", n, r.State, r.Owed, r.UndoneBy, r.Lease, r.Outcomes, m.VisibleText())
				}
			}
		}
	})
	waitRoot(t, e, root.TS, "Undone by", "")
	e.waitFor("already undone", func(s *slacktest.Server) bool {
		return strings.Contains(e.ephemeralText(alice)+e.ephemeralText(bob), "Already undone by")
	})
	time.Sleep(300 * time.Millisecond)
	if got := e.tim.Calls(cmdUnbanGroup) - unbans; got != 1 {
		t.Fatalf("%d unban calls for the Undo, want 1", got)
	}
	if e.tim.IsBanned(g, "u1") || e.tim.IsBanned(g, "u2") {
		t.Fatal("still banned after Undo")
	}
}

// TestBan_UndoAfterWindow: once the window passes the sweep takes the Undo button away, and an
// Undo clicked late (from an old copy of the message) is refused and sends nothing.
func TestBan_UndoAfterWindow(t *testing.T) {
	e := newActionEnv(t, withBotOptions(func(o *bot.Options) { o.UndoWindow = time.Second; o.Sweep = time.Hour }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	root := actionOpen(t, e, alice, "/ban", g+" u1 -- spam")
	e.waitFor("undo button", func(s *slacktest.Server) bool {
		m, _ := s.Message(approvals, root.TS)
		return hasButton(m, "undo")
	})
	time.Sleep(1200 * time.Millisecond) // the window passes; the (slow) sweep has not closed it
	calls := e.timCalls()
	if _, err := e.slack.Click(alice, approvals, root.TS, "undo", ""); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(alice, "Undo window of this action has closed")
	m := waitRoot(t, e, root.TS, "Undo window closed", "")
	if hasButton(m, "undo") {
		t.Fatal("the Undo button is still there after the window")
	}
	time.Sleep(200 * time.Millisecond)
	if got := e.timCalls(); got != calls || !e.tim.IsBanned(g, "u1") {
		t.Fatalf("late Undo: %d Tencent calls, u1 banned %v", got-calls, e.tim.IsBanned(g, "u1"))
	}
}

// TestBan_NeverShortensLongerBan: an account already banned for longer is skipped with why, and
// its ban stays as it was.
func TestBan_NeverShortensLongerBan(t *testing.T) {
	e := newActionEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.tim.Ban(g, "long", 30*24*time.Hour)
	e.tim.Ban(g, "forever", 0)
	longUntil, _ := e.tim.BannedUntil(g, "long")
	root := actionOpen(t, e, alice, "/ban", g+" long u2 for 1d -- spam")
	unbanWaitRoot(t, e, root.TS, "done")
	e.eventually("result", func() bool { return strings.Contains(unbanThread(e, root.TS), "skipped") })
	if until, _ := e.tim.BannedUntil(g, "long"); !until.Equal(longUntil) {
		t.Fatalf("the longer ban changed: %v, was %v", until, longUntil)
	}
	r := requestNumber(t, e, 1)
	if o := r.Outcomes["long"]; !o.Skipped || !strings.Contains(o.Info, "already banned until") {
		t.Fatalf("long: %+v, want skipped as already banned until later", o)
	}
	if !r.Outcomes["u2"].Done || !e.tim.IsBanned(g, "u2") {
		t.Fatalf("u2 not banned: %+v", r.Outcomes["u2"])
	}
}

// TestBan_Room: /ban room bans in the room engine.
func TestBan_Room(t *testing.T) {
	e := newActionEnv(t)
	e.tim.CreateRoom("r1")
	root := actionOpen(t, e, alice, "/ban", "room r1 u1 u2 for 2h -- spam")
	unbanWaitRoot(t, e, root.TS, "done")
	for _, u := range []string{"u1", "u2"} {
		if !e.tim.IsBannedInRoom("r1", u) {
			t.Fatalf("%s not banned in the room", u)
		}
	}
}

// TestMute_ThenUnmute: a mute runs at once (MuteTime the duration), an unmute lifts it; an
// unmute of someone not muted is skipped as already not muted.
func TestMute_ThenUnmute(t *testing.T) {
	e := newActionEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	root := actionOpen(t, e, alice, "/mute", g+" u1 for 30m -- spam")
	unbanWaitRoot(t, e, root.TS, "done")
	until, ok := e.tim.MutedUntil(g, "u1")
	if !ok || until.Before(time.Now().Add(25*time.Minute)) || until.After(time.Now().Add(35*time.Minute)) {
		t.Fatalf("u1 muted until %v (%v), want in about 30 minutes", until, ok)
	}
	e.eventually("result in the thread", func() bool { return strings.Contains(unbanThread(e, root.TS), "account(s) muted") })
	root2 := actionOpen(t, e, alice, "/unmute", g+" u1 u3 -- spam")
	unbanWaitRoot(t, e, root2.TS, "done")
	if e.tim.IsMuted(g, "u1") {
		t.Fatal("u1 still muted")
	}
	if o := requestNumber(t, e, 2).Outcomes["u3"]; !o.Skipped || !strings.Contains(o.Info, "not muted") {
		t.Fatalf("u3: %+v, want skipped as not muted", o)
	}
}

// TestBan_MassWaitsForConfirm: an immediate ban on more than ConfirmOver accounts shows its
// requester the preview with Confirm; nothing is posted or sent before; others cannot confirm
// (checked at the click); Confirm posts the root and bans; a Confirm after 10 minutes is refused
// and changes nothing.
func TestBan_MassWaitsForConfirm(t *testing.T) {
	e := newActionEnv(t, withBotOptions(func(o *bot.Options) { o.ConfirmOver = 2 }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.command(alice, moderation, "/ban", g+" u1 u2 u3 for 1d -- spam")
	e.waitEphemeral(alice, "Nothing is sent to Tencent before you Confirm")
	var prompt slacktest.Message
	for _, m := range e.slack.Ephemeral(alice) {
		if hasButton(m, "confirm") {
			prompt = m
		}
	}
	if prompt.TS == "" {
		t.Fatal("no Confirm prompt")
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(e.rootMessages()); n != 0 || e.tim.Calls("group_open_http_svc/ban_group_member") != 0 {
		t.Fatalf("before Confirm: %d roots, %d ban calls", n, e.tim.Calls("group_open_http_svc/ban_group_member"))
	}
	id := requestNumber(t, e, 1).ID
	// The requester demoted to viewer cannot confirm: the role is checked at the click.
	if _, err := e.store.SetRole(t.Context(), store.SystemActor, alice, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.Click(alice, moderation, prompt.TS, "confirm", id); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(alice, "role; yours is")
	if _, err := e.store.SetRole(t.Context(), store.SystemActor, alice, store.RoleModerator); err != nil {
		t.Fatal(err)
	}
	if e.tim.Calls("group_open_http_svc/ban_group_member") != 0 || requestNumber(t, e, 1).State != store.Confirming {
		t.Fatal("a refused Confirm changed something")
	}
	if _, err := e.slack.Click(alice, moderation, prompt.TS, "confirm", id); err != nil {
		t.Fatal(err)
	}
	e.waitFor("root", func(s *slacktest.Server) bool { return len(e.rootMessages()) == 1 })
	unbanWaitRoot(t, e, e.rootMessages()[0].TS, "done")
	for _, u := range []string{"u1", "u2", "u3"} {
		if !e.tim.IsBanned(g, u) {
			t.Fatalf("%s not banned after Confirm", u)
		}
	}

	// A second mass ban, aged past the 10 minutes.
	e.command(alice, moderation, "/ban", g+" v1 v2 v3 for 1d -- spam")
	e.eventually("second request", func() bool {
		r, err := e.store.RequestByNumber(t.Context(), 2)
		return err == nil && r.State == store.Confirming
	})
	r2 := requestNumber(t, e, 2)
	ageRequest(t, r2.ID)
	var prompt2 slacktest.Message
	e.waitFor("second prompt", func(s *slacktest.Server) bool {
		for _, m := range s.Ephemeral(alice) {
			if hasButton(m, "confirm") && strings.Contains(m.VisibleText(), "#2") {
				prompt2 = m
				return true
			}
		}
		return false
	})
	calls := e.timCalls()
	if _, err := e.slack.Click(alice, moderation, prompt2.TS, "confirm", r2.ID); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(alice, "This confirmation has expired")
	time.Sleep(200 * time.Millisecond)
	if e.timCalls() != calls || e.tim.IsBanned(g, "v1") || len(e.rootMessages()) != 1 {
		t.Fatal("a late Confirm changed something")
	}
}

// ageRequest moves a confirming request's expiry into the past (the request and its expiry
// index), as if 10 minutes had gone by.
func ageRequest(t *testing.T, id string) {
	t.Helper()
	opt, err := redis.ParseURL(storetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	all, err := rdb.Keys(t.Context(), "test:*:req:"+id).Result()
	var keys []string
	for _, k := range all {
		if !strings.Contains(k, ":audit:") {
			keys = append(keys, k)
		}
	}
	if err != nil || len(keys) != 1 {
		t.Fatalf("request key: %v %v", keys, err)
	}
	past := time.Now().Add(-time.Minute).UnixMilli()
	if err := rdb.HSet(t.Context(), keys[0], "expires_ms", past, "created_ms", past-int64(10*time.Minute/time.Millisecond)).Err(); err != nil {
		t.Fatal(err)
	}
	prefix := strings.TrimSuffix(keys[0], "req:"+id)
	if err := rdb.ZAddXX(t.Context(), prefix+"req:confirming", redis.Z{Score: float64(past), Member: id}).Err(); err != nil {
		t.Fatal(err)
	}
}

// TestUndo_RefusedByRoleAtClick: a viewer's and a stranger's Undo are refused at the click and
// call Tencent 0 times; the ban stays.
func TestUndo_RefusedByRoleAtClick(t *testing.T) {
	e := newActionEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	root := actionOpen(t, e, alice, "/ban", g+" u1 -- spam")
	e.waitFor("undo button", func(s *slacktest.Server) bool {
		m, _ := s.Message(approvals, root.TS)
		return hasButton(m, "undo")
	})
	calls := e.timCalls()
	for _, who := range []string{vic, dave} {
		if _, err := e.slack.Click(who, approvals, root.TS, "undo", ""); err != nil {
			t.Fatal(err)
		}
	}
	e.waitEphemeral(vic, "moderator")
	e.waitEphemeral(dave, "allowlist")
	// The requester demoted to viewer loses Undo at the moment of the click.
	if _, err := e.store.SetRole(t.Context(), store.SystemActor, alice, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.Click(alice, approvals, root.TS, "undo", ""); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(alice, "moderator")
	time.Sleep(200 * time.Millisecond)
	if got := e.timCalls(); got != calls || !e.tim.IsBanned(g, "u1") {
		t.Fatalf("refused Undos: %d Tencent calls, u1 banned %v", got-calls, e.tim.IsBanned(g, "u1"))
	}
	if r := requestNumber(t, e, 1); r.UndoneBy != "" {
		t.Fatalf("undone by %s", r.UndoneBy)
	}
}

// TestBan_PreviewPageCap: a ban list longer than MODBOT_PREVIEW_PAGES is not read to the end: the
// root says the state was not checked, nothing is skipped, and the ban goes out.
func TestBan_PreviewPageCap(t *testing.T) {
	e := newActionEnv(t, withBotOptions(func(o *bot.Options) { o.PreviewPages = 1 }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	for _, u := range unbanAccounts("x", 150) {
		e.tim.Ban(g, u, time.Hour)
	}
	root := actionOpen(t, e, alice, "/ban", g+" x0150 u1 for 1d -- spam")
	m := unbanWaitRoot(t, e, root.TS, "done")
	if !strings.Contains(m.VisibleText(), "state not checked") {
		t.Fatalf("root:\n%s", m.VisibleText())
	}
	r := requestNumber(t, e, 1)
	if len(r.Prior) != 0 || !r.Outcomes["x0150"].Done || !r.Outcomes["u1"].Done {
		t.Fatalf("prior %v outcomes %v: want unknown prior states and both sent", r.Prior, r.Outcomes)
	}
}

// TestMute_RetryFailed: a mute whose call Tencent refuses for one account finishes partly done;
// Retry failed (by the requester) sends that account again, on the same request.
func TestMute_RetryFailed(t *testing.T) {
	e := newActionEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	e.tim.FailAccount("group_open_http_svc/forbid_send_msg", "bad", 10004)
	root := actionOpen(t, e, alice, "/mute", g+" u1 bad for 1h -- spam")
	unbanWaitRoot(t, e, root.TS, "partly done")
	if !e.tim.IsMuted(g, "u1") || e.tim.IsMuted(g, "bad") {
		t.Fatal("want u1 muted, bad not")
	}
	e.tim.ClearFaults()
	if _, err := e.slack.Click(alice, approvals, root.TS, "retry", ""); err != nil {
		t.Fatal(err)
	}
	unbanWaitRoot(t, e, root.TS, "done")
	if !e.tim.IsMuted(g, "bad") {
		t.Fatal("bad not muted after Retry failed")
	}
	if r := requestNumber(t, e, 1); r.Retries != 1 || !r.Outcomes["bad"].Done {
		t.Fatalf("retries %d, bad %+v", r.Retries, r.Outcomes["bad"])
	}
}

// TestActions_ExactlyOnceAcrossReplicas: 3 replicas; immediate bans typed once and delivered three
// times, then Undo clicked three times on each (the requester twice, an approver once, at once):
// each ban opens one request and sends each account in exactly one accepted call, each Undo is
// applied once (one Undo request, one unban call per chunk), and each person is told once.
func TestActions_ExactlyOnceAcrossReplicas(t *testing.T) {
	e := newActionEnv(t, withoutBot(), withBotOptions(func(o *bot.Options) { o.ConfirmOver = 100 }))
	for range 3 {
		e.startBot()
	}
	const n = 4
	groups := make([]string, n)
	for i := range groups {
		groups[i] = e.tim.CreateGroup(timtest.AVChatRoom)
	}
	accounts := unbanAccounts("a", 25) // two calls each way: 20 + 5
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Go(func() {
			ack, err := e.slack.SlashCommand(alice, moderation, "/ban", g+" "+strings.Join(accounts, " ")+" for 1d -- spam")
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = e.slack.Redeliver(ack.EnvelopeID)
			_, _ = e.slack.Resend(ack.EnvelopeID)
		})
	}
	wg.Wait()
	e.waitFor("every root with its Undo", func(s *slacktest.Server) bool {
		roots := e.rootMessages()
		if len(roots) < n {
			return false
		}
		for _, m := range roots {
			if !hasButton(m, "undo") {
				return false
			}
		}
		return true
	})
	roots := e.rootMessages()
	if len(roots) != n {
		t.Fatalf("%d roots, want %d", len(roots), n)
	}
	for _, root := range roots {
		for _, who := range []string{alice, bob, alice} {
			wg.Go(func() {
				if _, err := e.slack.Click(who, approvals, root.TS, "undo", ""); err != nil {
					t.Logf("click: %v", err) // the button may be gone already
				}
			})
		}
	}
	wg.Wait()
	for _, root := range roots {
		waitRoot(t, e, root.TS, "Undone by", "")
	}
	e.eventually("every request settled", func() bool {
		for i := int64(1); i <= 2*n; i++ {
			r, err := e.store.RequestByNumber(t.Context(), i)
			if err != nil || !r.State.Final() || len(r.Owed) > 0 {
				return false
			}
		}
		return true
	})
	if _, err := e.store.RequestByNumber(t.Context(), 2*n+1); err == nil {
		t.Fatal("more requests than bans and Undos")
	}
	if got := e.tim.Calls("group_open_http_svc/ban_group_member"); got != 2*n {
		t.Errorf("ban calls = %d, want %d", got, 2*n)
	}
	if got := e.tim.Calls(cmdUnbanGroup); got != 2*n {
		t.Errorf("unban calls (Undo) = %d, want %d", got, 2*n)
	}
	for _, g := range groups {
		for _, u := range accounts {
			if e.tim.IsBanned(g, u) {
				t.Fatalf("%s still banned in %s after Undo", u, g)
			}
		}
	}
	time.Sleep(300 * time.Millisecond)
	if got := len(e.slack.DMs(alice)) + len(e.slack.DMs(bob)); got != 2*n {
		t.Errorf("%d DMs to alice and bob, want %d (each ban and each Undo told once)", got, 2*n)
	}
}

// TestBan_ConfirmCancelled: Cancel on the Confirm prompt withdraws the ban: the requester is
// answered, no root is posted and Tencent is never asked to ban.
func TestBan_ConfirmCancelled(t *testing.T) {
	e := newActionEnv(t, withBotOptions(func(o *bot.Options) { o.ConfirmOver = 1 }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.command(alice, moderation, "/ban", g+" u1 u2 -- spam")
	var prompt slacktest.Message
	e.waitFor("prompt", func(s *slacktest.Server) bool {
		for _, m := range s.Ephemeral(alice) {
			if hasButton(m, "confirm") {
				prompt = m
				return true
			}
		}
		return false
	})
	if _, err := e.slack.Click(alice, moderation, prompt.TS, "cancel", ""); err != nil {
		t.Fatal(err)
	}
	e.waitEphemeral(alice, "was not confirmed. Nothing was sent to Tencent")
	time.Sleep(300 * time.Millisecond)
	if r := requestNumber(t, e, 1); r.State != store.Cancelled || len(r.Owed) != 0 {
		t.Fatalf("state %s owed %v, want cancelled owing nothing", r.State, r.Owed)
	}
	if len(e.rootMessages()) != 0 || e.tim.Calls("group_open_http_svc/ban_group_member") != 0 {
		t.Fatal("a cancelled ban posted a root or called Tencent")
	}
}

// TestBan_ConfirmExpiredBySweep: a Confirm prompt nobody answers expires after 10 minutes: the
// requester is told by DM, no root is posted, nothing is sent.
func TestBan_ConfirmExpiredBySweep(t *testing.T) {
	e := newActionEnv(t, withBotOptions(func(o *bot.Options) { o.ConfirmOver = 1 }))
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.command(alice, moderation, "/ban", g+" u1 u2 -- spam")
	e.eventually("confirming", func() bool {
		r, err := e.store.RequestByNumber(t.Context(), 1)
		return err == nil && r.State == store.Confirming
	})
	ageRequest(t, requestNumber(t, e, 1).ID)
	e.waitFor("DM", func(s *slacktest.Server) bool {
		dm := s.DMs(alice)
		return len(dm) == 1 && strings.Contains(dm[0].VisibleText(), "was not confirmed within 10 minutes")
	})
	if len(e.rootMessages()) != 0 || e.tim.Calls("group_open_http_svc/ban_group_member") != 0 {
		t.Fatal("an unconfirmed ban posted a root or called Tencent")
	}
}
