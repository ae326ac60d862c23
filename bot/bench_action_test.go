package bot

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// Pipeline benchmarks against the emulator at Tencent's 200 calls/s with 20 ms of latency, the
// client limiter at 200/s, a real redis-server and the fake Slack; each reports its time per
// operation as a ratio to the limit it chases (x-limit; 1.0 is the limit) and the calls the
// emulator refused for frequency (throttled; want 0).
const (
	benchRate    = 200
	benchLatency = 20 * time.Millisecond
)

func benchTencent(b *testing.B) (*timtest.Server, *tim.Client) {
	b.Helper()
	srv := timtest.NewServer(b, timtest.Options{Rate: benchRate, Latency: benchLatency})
	c, err := tim.New(tim.Options{SDKAppID: srv.SDKAppID(), SecretKey: srv.SecretKey(), Admin: srv.Admin(), BaseURL: srv.URL,
		Limiter: tim.NewLocalLimiter(benchRate), RetryBase: tim.DefaultRetryBase})
	if err != nil {
		b.Fatal(err)
	}
	return srv, c
}

func benchAccounts(prefix string, n int) []tim.UserID {
	out := make([]tim.UserID, n)
	for i := range out {
		out[i] = tim.UserID(fmt.Sprintf("%s%05d", prefix, i))
	}
	return out
}

func benchReport(b *testing.B, srv *timtest.Server, limit time.Duration) {
	b.Helper()
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(perOp.Seconds()/limit.Seconds(), "x-limit")
	b.ReportMetric(float64(srv.Throttled()), "throttled")
}

// BenchmarkPreview10k: the live-state preview of a 10,000-account ban on a group whose ban list
// holds 10,000 entries: 100 sequential pages = 100 × latency (2 s).
func BenchmarkPreview10k(b *testing.B) {
	srv, c := benchTencent(b)
	g := srv.CreateGroup(timtest.AVChatRoom)
	accts := benchAccounts("u", 10000)
	for _, a := range accts {
		srv.Ban(g, string(a), time.Hour)
	}
	target := store.Target{Kind: store.KindGroup, ID: g}
	for b.Loop() {
		prior, summary := preview(b.Context(), c, store.BanAction, target, accts, 100)
		if len(prior) != len(accts) {
			b.Fatalf("%d prior states, want %d (%s)", len(prior), len(accts), summary)
		}
	}
	benchReport(b, srv, 100*benchLatency)
}

// BenchmarkBan10k: the executor runs an immediate ban of 10,000 accounts (its re-read of the
// empty ban list, 500 calls, outcomes in Redis, progress and result in Slack): 500 calls = 2.5 s
// at 200 calls/s.
func BenchmarkBan10k(b *testing.B) {
	srv, c := benchTencent(b)
	sl := slacktest.NewServer(b, slacktest.Options{})
	sl.AddChannel("C0APPROVALS", "mod-approvals", true)
	st := storetest.New(b)
	ctx := b.Context()
	if _, err := st.SetRole(ctx, store.SystemActor, "U0ALICE", store.RoleModerator); err != nil {
		b.Fatal(err)
	}
	so := sl.Options()
	x := newExecutor(execOptions{LeaseTTL: 30 * time.Second, ReplicaID: "bench", Logger: slog.New(slog.DiscardHandler)},
		c, st, webAPI{api: slack.New(so.BotToken, slack.OptionAPIURL(sl.URL))})
	accts := accountStrings(benchAccounts("u", 10000))
	n, throttled := 0, 0
	for b.Loop() {
		b.StopTimer()
		throttled += srv.Throttled()
		srv.Reset() // a fresh emulator: its cost per call grows with the bans it holds
		g := srv.CreateGroup(timtest.AVChatRoom)
		n++
		req, err := st.CreateRequest(ctx, store.NewRequest{OpID: fmt.Sprint("op", n), Action: store.BanAction, Duration: 86400,
			Target: store.Target{Kind: store.KindGroup, ID: g}, Accounts: accts, Reason: "spam", Requester: "U0ALICE",
			Channel: "C0APPROVALS", UndoWindow: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		x.execute(ctx, req.ID)
		b.StopTimer()
		if got, err := st.Request(ctx, req.ID); err != nil || got.State != store.Done {
			b.Fatalf("request %v, %v; want done", got.State, err)
		}
		b.StartTimer()
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(perOp.Seconds()/(time.Duration(10000/tim.MaxBanAccounts)*time.Second/benchRate).Seconds(), "x-limit")
	b.ReportMetric(float64(throttled+srv.Throttled()), "throttled")
}
