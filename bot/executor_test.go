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

// TestActionKinds_Unban: the table entry for unban sends to Tencent and re-reads the ban list; a
// kind the table lacks is refused instead of run as an unban.
func TestActionKinds_Unban(t *testing.T) {
	k, ok := actionKinds[store.ActionUnban]
	if !ok || k.group == nil || k.room == nil || k.read == nil || k.wanted == nil || k.chunk != tim.MaxBanAccounts {
		t.Fatalf("unban entry incomplete: %+v", k)
	}
	if !k.wanted(true) || k.wanted(false) {
		t.Fatal("unban must want exactly the accounts still on the ban list")
	}
	if _, err := kindOf(&store.Request{ID: "r1"}); err != nil {
		t.Fatalf("kindOf(unban request) = %v", err)
	}
}
