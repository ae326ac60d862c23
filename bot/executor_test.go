package bot

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// TestExecutor_RunsWithoutSocketMode: the executor alone, with the real store, the tim client
// against the emulator and the fake Slack's Web API (no Socket Mode loop, no Bot), executes an
// approved request: Tencent unbans every account, the request is done, and the Slack messages it
// owes (root, result, requester) are delivered and marked off.
func TestExecutor_RunsWithoutSocketMode(t *testing.T) {
	ctx := t.Context()
	sl := slacktest.NewServer(t, slacktest.Options{})
	sl.AddChannel("C0APPROVALS", "mod-approvals", true)
	tm := timtest.NewServer(t, timtest.Options{})
	tc, err := tim.New(tim.Options{SDKAppID: tm.SDKAppID(), SecretKey: tm.SecretKey(), Admin: tm.Admin(), BaseURL: tm.URL})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t)
	for user, role := range map[string]store.Role{"U0ALICE": store.RoleModerator, "U0BOB": store.RoleApprover} {
		if _, err := st.SetRole(ctx, store.SystemActor, user, role); err != nil {
			t.Fatal(err)
		}
	}
	g := tm.CreateGroup(timtest.AVChatRoom)
	accounts := []string{"u1", "u2", "u3"}
	for _, u := range accounts {
		tm.Ban(g, u, time.Hour)
	}
	req, err := st.CreateRequest(ctx, store.NewRequest{
		OpID: "op1", Target: store.Target{Kind: store.KindGroup, ID: g}, Accounts: accounts, Reason: "appeal",
		Requester: "U0ALICE", Channel: "C0APPROVALS", TTL: time.Hour, Approvals: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Approve(ctx, req.ID, "U0BOB", "op2"); err != nil {
		t.Fatal(err)
	}

	so := sl.Options()
	api := slack.New(so.BotToken, slack.OptionAPIURL(sl.URL))
	x := newExecutor(execOptions{LeaseTTL: 5 * time.Second, ReplicaID: "replica-1", Logger: slog.New(slog.DiscardHandler)},
		tc, st, webAPI{api: api})
	x.start(ctx, req.ID)
	x.shutdown()
	x.wait()

	for _, u := range accounts {
		if tm.IsBanned(g, u) {
			t.Errorf("%s still banned", u)
		}
	}
	got, err := st.Request(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Done || len(got.Owed) != 0 || got.ThreadTS == "" {
		t.Fatalf("request state %s, owes %v, thread %q; want done, nothing owed, a root", got.State, got.Owed, got.ThreadTS)
	}
	if got.Lease.Owner != "" {
		t.Errorf("lease still held by %q after the execution", got.Lease.Owner)
	}
	var thread []string
	for _, m := range sl.Thread("C0APPROVALS", got.ThreadTS) {
		thread = append(thread, m.Text)
	}
	if th := strings.Join(thread, "\n"); !strings.Contains(th, "3 unbanned, 0 failed") || !strings.Contains(th, "all 3 account(s) were unbanned") {
		t.Fatalf("thread lacks the result and the requester's notice:\n%s", th)
	}

	// A stopped executor starts nothing more.
	x.start(ctx, req.ID)
	x.wait()
	if n := len(x.running); n != 0 {
		t.Fatalf("%d executions registered after shutdown", n)
	}
}

// TestActionKinds: every action has an entry with Tencent's chunk size; a kind the table lacks
// is refused instead of run as an unban; the re-read skips exactly the accounts that need
// nothing, and a ban never shortens a longer one (an Undo may).
func TestActionKinds(t *testing.T) {
	for a, chunk := range map[store.ActionKind]int{store.BanAction: 20, store.UnbanAction: 20, store.MuteAction: 500, store.UnmuteAction: 500} {
		if k, ok := actionKinds[a]; !ok || k.chunk != chunk {
			t.Errorf("%s: entry %+v, want chunk %d", a, k, chunk)
		}
	}
	if _, err := kindOf(&store.Request{ID: "r1"}); err != nil {
		t.Fatalf("kindOf(unban request) = %v", err)
	}
	if _, err := kindOf(&store.Request{ID: "r1", Action: "kick"}); err == nil {
		t.Fatal("kindOf(kick) ran")
	}
	now := time.Now()
	ban, unban := actionKinds[store.BanAction], actionKinds[store.UnbanAction]
	day := uint32(86400)
	for _, c := range []struct {
		name   string
		k      actionKind
		d      uint32
		until  time.Time
		listed bool
		undo   bool
		send   bool
	}{
		{"unban a banned one", unban, 0, now.Add(time.Hour), true, false, true},
		{"unban one not banned", unban, 0, time.Time{}, false, false, false},
		{"ban one not banned", ban, day, time.Time{}, false, false, true},
		{"ban over a shorter ban", ban, day, now.Add(time.Hour), true, false, true},
		{"ban over a longer ban", ban, day, now.Add(48 * time.Hour), true, false, false},
		{"ban over a permanent ban", ban, store.PermanentDuration, time.Unix(4294967295, 0), true, false, false},
		{"permanent ban over a long one", ban, store.PermanentDuration, now.Add(1000 * time.Hour), true, false, true},
		{"undo restoring a shorter ban", unban, 3600, now.Add(48 * time.Hour), true, true, true},
	} {
		if send, why := needsSend(c.k, c.d, c.until, c.listed, c.undo, now); send != c.send || (!send && why == "") {
			t.Errorf("%s: send %v (%q), want %v", c.name, send, why, c.send)
		}
	}
}
