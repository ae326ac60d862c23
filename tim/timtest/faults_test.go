package timtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestFailNext(t *testing.T) {
	s := NewServer(t)
	g := s.CreateGroup(AVChatRoom)
	s.Ban(g, "u1", time.Hour)
	unban := `{"GroupId":"` + g + `","Members_Account":["u1"]}`

	s.FailNext(cmdUnban, 10002)
	s.FailNextHTTP(cmdUnban, http.StatusBadGateway)
	s.FailNext(cmdUnban, 60008)

	mustCode(t, post(t, s, cmdRoles, `{"GroupId":"`+g+`","User_Account":["u1"]}`), 10007) // other commands are untouched
	mustCode(t, post(t, s, cmdUnban, unban), 10002)
	a := post(t, s, cmdUnban, unban)
	if a.Status != http.StatusBadGateway || json.Valid(a.Raw) {
		t.Fatalf("HTTP %d %q, want 502 with a body that is not JSON", a.Status, a.Raw)
	}
	mustCode(t, post(t, s, cmdUnban, unban), 60008)
	if !s.IsBanned(g, "u1") {
		t.Fatal("a failed call unbanned u1")
	}
	mustCode(t, post(t, s, cmdUnban, unban), 0)
	if s.IsBanned(g, "u1") {
		t.Fatal("u1 still banned")
	}

	var codes []int
	for _, c := range s.Log() {
		if c.Command == cmdUnban {
			codes = append(codes, c.Code)
		}
	}
	if got, want := codes, []int{10002, -502, 60008, 0}; !equalInts(got, want) {
		t.Fatalf("logged codes %v, want %v", got, want)
	}
	if got, want := s.Calls(cmdUnban), 4; got != want {
		t.Fatalf("Calls=%d, want %d", got, want)
	}
	if got := s.Log()[1].Body; !bytes.Equal(got, []byte(unban)) {
		t.Fatalf("logged body %s, want %s", got, unban)
	}
}

func TestFailAccount(t *testing.T) {
	s := NewServer(t)
	g := s.CreateGroup(AVChatRoom)
	s.Ban(g, "good", time.Hour)
	s.Ban(g, "bad", time.Hour)
	s.FailAccount(cmdUnban, "bad", 10004)

	mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["good","bad"]}`), 10004)
	if !s.IsBanned(g, "good") {
		t.Fatal("a call that failed as a whole unbanned good")
	}
	mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["good"]}`), 0)
	mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["bad"]}`), 10004)
	mustCode(t, post(t, s, cmdBan, `{"GroupId":"`+g+`","Members_Account":["bad"],"Duration":60}`), 0) // other commands are untouched

	s.ClearFaults()
	mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["bad"]}`), 0)
}

func TestSetFailRate(t *testing.T) {
	s := NewServer(t, Options{Rate: -1})
	g := s.CreateGroup(Public)
	body := `{"GroupId":"` + g + `","User_Account":["u1"]}`

	s.SetFailRate(1, 10002)
	mustCode(t, post(t, s, cmdRoles, body), 10002)
	s.SetFailRate(1, -http.StatusServiceUnavailable)
	if a := post(t, s, cmdRoles, body); a.Status != http.StatusServiceUnavailable {
		t.Fatalf("HTTP %d, want 503", a.Status)
	}

	s.SetFailRate(0.5, 10002)
	failed := 0
	const n = 200
	for range n {
		if a := post(t, s, cmdRoles, body); a.Env.ErrorCode == 10002 {
			failed++
		}
	}
	if failed < n/4 || failed > 3*n/4 {
		t.Fatalf("%d of %d calls failed at rate 0.5", failed, n)
	}

	s.ClearFaults()
	mustCode(t, post(t, s, cmdRoles, body), 0)
}

// TestLatencyHonoursContext checks a client that gives up during the latency is not kept waiting,
// and that the call then changes nothing.
func TestLatencyHonoursContext(t *testing.T) {
	s := NewServer(t)
	g := s.CreateGroup(AVChatRoom)
	s.Ban(g, "u1", time.Hour)
	s.SetLatency(time.Hour)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.SignedURL(cmdUnban),
		bytes.NewBufferString(`{"GroupId":"`+g+`","Members_Account":["u1"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do: %v, want the context's deadline", err)
	}
	waitFor(t, func() bool {
		log := s.Log()
		return len(log) == 1 && log[0].Code == codeClientGone
	})
	if !s.IsBanned(g, "u1") {
		t.Fatal("a call abandoned during the latency unbanned u1")
	}

	s.SetLatency(time.Millisecond)
	mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["u1"]}`), 0)
}

// TestRateLimit drives the limiter with a fake real-time clock.
func TestRateLimit(t *testing.T) {
	clk := newClock(time.Unix(1_700_000_000, 0))
	s := NewServer(t, Options{Rate: 5})
	s.clock = clk.Now
	g := s.CreateGroup(AVChatRoom)
	body := `{"GroupId":"` + g + `","Members_Account":["u1"]}`

	codes := func(n int) (ok, throttled int) {
		for range n {
			switch a := post(t, s, cmdUnban, body); a.Env.ErrorCode {
			case 0:
				ok++
			case codeFrequency:
				throttled++
			default:
				t.Fatalf("ErrorCode %d (%s)", a.Env.ErrorCode, a.Env.ErrorInfo)
			}
		}
		return ok, throttled
	}

	if ok, th := codes(8); ok != 5 || th != 3 {
		t.Fatalf("8 calls in one instant: %d OK, %d throttled; want 5, 3", ok, th)
	}
	clk.Add(600 * time.Millisecond)
	if ok, th := codes(2); ok != 0 || th != 2 {
		t.Fatalf("within the same second: %d OK, %d throttled; want 0, 2", ok, th)
	}
	clk.Add(400 * time.Millisecond) // the first five leave the window
	if ok, th := codes(6); ok != 5 || th != 1 {
		t.Fatalf("a second later: %d OK, %d throttled; want 5, 1", ok, th)
	}
	if got, want := s.Throttled(), 6; got != want {
		t.Errorf("Throttled=%d, want %d", got, want)
	}
	// 8 arrivals at t0, 2 at t0+0.6s, 6 at t0+1s: (t0-0.4s, t0+0.6s] holds 10, (t0, t0+1s] 8.
	if got, want := s.MaxCallsPerSecond(), 10; got != want {
		t.Errorf("MaxCallsPerSecond=%d, want %d", got, want)
	}
	if got, want := s.Calls(cmdUnban), 16; got != want {
		t.Errorf("Calls=%d, want %d (refused calls count)", got, want)
	}

	s.SetRate(-1)
	clk.Add(time.Second)
	if ok, th := codes(20); ok != 20 || th != 0 {
		t.Fatalf("unlimited: %d OK, %d throttled", ok, th)
	}
	if got, want := s.MaxCallsPerSecond(), 20; got != want {
		t.Errorf("MaxCallsPerSecond=%d, want %d", got, want)
	}

	s.Reset()
	if s.Throttled() != 0 || s.MaxCallsPerSecond() != 0 || s.Calls(cmdUnban) != 0 || len(s.Log()) != 0 {
		t.Fatal("Reset kept counters")
	}
	mustCode(t, post(t, s, cmdUnban, body), 10010) // the group is gone too
}

func TestStartWithoutTesting(t *testing.T) {
	s := New(Options{SDKAppID: 1400123456, Admins: []string{"ops"}})
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := s.Admin(), "ops"; got != want {
		t.Fatalf("Admin=%q, want %q", got, want)
	}
	g := s.CreateGroup(Community)
	s.SetRole(g, "m", RoleMember)
	a := post(t, s, cmdRoles, `{"GroupId":"`+g+`","User_Account":["m"]}`)
	mustCode(t, a, 0)
	s.Close()
	if _, err := http.Post(s.SignedURL(cmdRoles), "application/json", nil); err == nil {
		t.Fatal("the server still answers after Close")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestControlWhileServing calls the control methods (as the sandbox's web UI will) while callers
// are busy; run with -race.
func TestControlWhileServing(t *testing.T) {
	s := NewServer(t, Options{Rate: -1})
	g := s.CreateGroup(AVChatRoom)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				a := post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["u1"]}`)
				if a.Status == http.StatusOK && a.Env.ErrorCode != 0 && a.Env.ErrorCode != 10010 &&
					a.Env.ErrorCode != 10002 && a.Env.ErrorCode != codeFrequency {
					t.Errorf("ErrorCode %d (%s)", a.Env.ErrorCode, a.Env.ErrorInfo)
				}
			}
		})
	}
	for i := range 50 {
		s.FailNext(cmdUnban, 10002)
		s.FailNextHTTP(cmdUnban, http.StatusBadGateway)
		s.SetFailRate(0.1, 10002)
		s.SetRate(1000 + i)
		s.SetLatency(time.Duration(i%2) * time.Millisecond)
		_, _, _ = s.Log(), s.Calls(cmdUnban), s.MaxCallsPerSecond()
		if i%10 == 0 {
			s.Reset()
			g2 := s.CreateGroup(AVChatRoom)
			s.Ban(g2, "u1", time.Hour)
		}
		s.ClearFaults()
	}
	wg.Wait()
}
