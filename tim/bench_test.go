package tim_test

import (
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

// Benchmarks against the emulator at Tencent's 200 calls/s with 20 ms of
// latency, the client limiter at 200/s. Each reports its time per operation
// as a ratio to the limit it chases (x-limit; 1.0 is the limit) and the calls
// the emulator refused for frequency (throttled; want 0).
const (
	benchRate    = 200
	benchLatency = 20 * time.Millisecond
)

func benchServer(b *testing.B) (*timtest.Server, *tim.Client) {
	b.Helper()
	srv := timtest.NewServer(b, timtest.Options{Rate: benchRate, Latency: benchLatency})
	c := newClient(b, srv, func(o *tim.Options) {
		o.Limiter = tim.NewLocalLimiter(benchRate)
		o.RetryBase = tim.DefaultRetryBase
	})
	return srv, c
}

func report(b *testing.B, srv *timtest.Server, limit time.Duration) {
	b.Helper()
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(perOp.Seconds()/limit.Seconds(), "x-limit")
	b.ReportMetric(float64(srv.Throttled()), "throttled")
	b.ReportMetric(float64(srv.MaxCallsPerSecond()), "max-calls/s")
}

// BenchmarkUnban10k: 10,000 accounts = 500 calls = 2.5 s at 200 calls/s.
func BenchmarkUnban10k(b *testing.B) {
	srv, c := benchServer(b)
	g := srv.CreateGroup(timtest.AVChatRoom)
	accts := accounts("u", 10000)
	for b.Loop() {
		b.StopTimer()
		for _, a := range accts {
			srv.Ban(g, string(a), time.Hour)
		}
		b.StartTimer()
		out, err := c.UnbanGroupMembers(b.Context(), tim.GroupID(g), accts, tim.BulkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range out {
			if o.Err != nil {
				b.Fatalf("%s: %v", o.Account, o.Err)
			}
		}
	}
	report(b, srv, time.Duration(10000/tim.MaxBanAccounts)*time.Second/benchRate)
}

// BenchmarkRoles50k: 50,000 accounts = 100 calls = 0.5 s at 200 calls/s.
func BenchmarkRoles50k(b *testing.B) {
	srv, c := benchServer(b)
	g := srv.CreateGroup(timtest.Public)
	accts := accounts("m", 50000)
	for b.Loop() {
		roles, err := c.GetRolesInGroup(b.Context(), tim.GroupID(g), accts)
		if err != nil {
			b.Fatal(err)
		}
		if len(roles) != len(accts) {
			b.Fatalf("%d roles, want %d", len(roles), len(accts))
		}
	}
	report(b, srv, time.Duration(50000/tim.MaxRoleAccounts)*time.Second/benchRate)
}

// BenchmarkRoomBanned10k: 10,000 banned = 100 sequential pages = 100 ×
// latency (2 s).
func BenchmarkRoomBanned10k(b *testing.B) {
	srv, c := benchServer(b)
	srv.CreateRoom("big")
	for _, a := range accounts("r", 10000) {
		srv.BanInRoom("big", string(a), time.Hour)
	}
	for b.Loop() {
		list, err := c.RoomBannedMembers(b.Context(), "big")
		if err != nil {
			b.Fatal(err)
		}
		if len(list) != 10000 {
			b.Fatalf("%d banned, want 10000", len(list))
		}
	}
	report(b, srv, 100*benchLatency)
}

// BenchmarkBan10k: banning 10,000 accounts = 500 calls = 2.5 s at 200
// calls/s (bans go out once each: no retries hide in the figure).
func BenchmarkBan10k(b *testing.B) {
	srv, c := benchServer(b)
	g := srv.CreateGroup(timtest.AVChatRoom)
	accts := accounts("u", 10000)
	for b.Loop() {
		out, err := c.BanGroupMembers(b.Context(), tim.GroupID(g), accts, 24*time.Hour, "spam", tim.BulkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		mustAllDone(b, out, accts)
	}
	if !srv.IsBanned(g, "u9999") {
		b.Fatal("u9999 not banned")
	}
	report(b, srv, time.Duration(10000/tim.MaxBanAccounts)*time.Second/benchRate)
}

// BenchmarkMute50k: muting 50,000 accounts = 100 calls = 0.5 s at 200
// calls/s.
func BenchmarkMute50k(b *testing.B) {
	srv, c := benchServer(b)
	g := srv.CreateGroup(timtest.Public)
	accts := accounts("m", 50000)
	for b.Loop() {
		out, err := c.MuteGroupMembers(b.Context(), tim.GroupID(g), accts, time.Hour, tim.BulkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		mustAllDone(b, out, accts)
	}
	if !srv.IsMuted(g, "m49999") {
		b.Fatal("m49999 not muted")
	}
	report(b, srv, time.Duration(50000/tim.MaxMuteAccounts)*time.Second/benchRate)
}

// BenchmarkGroupBanned10k: reading a group ban list of 10,000 entries (what
// a ban's preview reads) = 100 sequential pages = 100 × latency (2 s).
func BenchmarkGroupBanned10k(b *testing.B) {
	srv, c := benchServer(b)
	g := srv.CreateGroup(timtest.AVChatRoom)
	for i, a := range accounts("b", 10000) {
		srv.Ban(g, string(a), time.Duration(i+1)*time.Minute)
	}
	for b.Loop() {
		list, err := c.GroupBannedMembers(b.Context(), tim.GroupID(g))
		if err != nil {
			b.Fatal(err)
		}
		if len(list) != 10000 {
			b.Fatalf("%d banned, want 10000", len(list))
		}
	}
	report(b, srv, 100*benchLatency)
}
