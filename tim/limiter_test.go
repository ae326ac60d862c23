package tim_test

import (
	"testing"

	"modbot/tim"
	"modbot/tim/timtest"
)

// TestLocalLimiter_Emulator: 50 concurrent calls paced at 20 per second never
// put more than 20 in any one-second window the emulator sees.
func TestLocalLimiter_Emulator(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 2.5 s")
	}
	const n = 20
	srv := timtest.NewServer(t, timtest.Options{Rate: n})
	c := newClient(t, srv, func(o *tim.Options) { o.Limiter = tim.NewLocalLimiter(n) })
	g := srv.CreateGroup(timtest.AVChatRoom)
	got, err := c.UnbanGroupMembers(t.Context(), tim.GroupID(g), accounts("u", 50*tim.MaxBanAccounts), tim.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustAllDone(t, got, accounts("u", 50*tim.MaxBanAccounts))
	if got := srv.MaxCallsPerSecond(); got > n {
		t.Fatalf("%d calls in one second, want at most %d", got, n)
	}
	if got := srv.Throttled(); got != 0 {
		t.Fatalf("%d calls throttled, want 0", got)
	}
}
