package tim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

func TestClient_UnbanChunks(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.AVChatRoom)
	accts := accounts("u", 45)
	for _, a := range accts {
		srv.Ban(g, string(a), time.Hour)
	}
	got, err := c.UnbanGroupMembers(t.Context(), tim.GroupID(g), accts, tim.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustAllDone(t, got, accts)
	sizes := map[int]int{}
	for _, call := range srv.Log() {
		var body struct{ Members_Account []string }
		if err := json.Unmarshal(call.Body, &body); err != nil {
			t.Fatal(err)
		}
		sizes[len(body.Members_Account)]++
	}
	if sizes[20] != 2 || sizes[5] != 1 || len(sizes) != 2 {
		t.Fatalf("call sizes %v, want two of 20 and one of 5", sizes)
	}
	for _, a := range accts {
		if srv.IsBanned(g, string(a)) {
			t.Fatalf("%s still banned", a)
		}
	}
}

func TestClient_RolesChunks(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.Community)
	accts := accounts("m", 1200)
	srv.SetRole(g, "m7", "Admin")
	srv.SetRole(g, "m1150", "Owner")
	got, err := c.GetRolesInGroup(t.Context(), tim.GroupID(g), accts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Calls(cmdRoles), 3; got != want {
		t.Fatalf("%d calls, want %d", got, want)
	}
	for i, r := range got {
		want := "NotMember"
		switch r.Account {
		case "m7":
			want = "Admin"
		case "m1150":
			want = "Owner"
		}
		if r.Account != accts[i] || r.Role != want {
			t.Fatalf("role %d = %v, want {%s %s}", i, r, accts[i], want)
		}
	}
}

// TestClient_Bisect: one bad account fails its whole call; the client splits
// that call until it finds the account, and everyone else is unbanned.
func TestClient_Bisect(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.AVChatRoom)
	accts := accounts("u", 45)
	for _, a := range accts {
		srv.Ban(g, string(a), time.Hour)
	}
	srv.FailAccount(cmdUnbanGroup, "u30", 10004)

	got, err := c.UnbanGroupMembers(t.Context(), tim.GroupID(g), accts, tim.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range got {
		wantCode := 0
		if o.Account == "u30" {
			wantCode = 10004
		}
		if o.Account != accts[i] || tim.Code(o.Err) != wantCode || (wantCode == 0) != (o.Err == nil) {
			t.Fatalf("outcome %d = {%s %v}, want %s with code %d", i, o.Account, o.Err, accts[i], wantCode)
		}
		if got, want := srv.IsBanned(g, string(o.Account)), wantCode != 0; got != want {
			t.Fatalf("%s banned = %v, want %v", o.Account, got, want)
		}
	}
	// 3 chunks, then 20 → 10 → 5 → 2|3 → 1|2 → 1|1: 2 calls per level.
	if got := srv.Calls(cmdUnbanGroup); got > 3+2*5 {
		t.Fatalf("%d calls, want at most 13", got)
	}
}

// TestClient_TransientExhausted: retries that run out mark the chunk's
// accounts failed, without bisection.
func TestClient_TransientExhausted(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv, func(o *tim.Options) { o.MaxAttempts = 2 })
	g := srv.CreateGroup(timtest.AVChatRoom)
	srv.SetFailRate(1, 10002)
	got, err := c.UnbanGroupMembers(t.Context(), tim.GroupID(g), accounts("u", 25), tim.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range got {
		if tim.Code(o.Err) != 10002 || !tim.Retryable(o.Err) {
			t.Fatalf("%s: %v, want retryable 10002", o.Account, o.Err)
		}
	}
	if got, want := srv.Calls(cmdUnbanGroup), 4; got != want {
		t.Fatalf("%d calls, want %d (2 chunks × 2 attempts)", got, want)
	}
}

func TestClient_Progress(t *testing.T) {
	srv := timtest.NewServer(t)
	g := srv.CreateGroup(timtest.AVChatRoom)

	t.Run("Serialised", func(t *testing.T) {
		c := newClient(t, srv, func(o *tim.Options) { o.Workers = 8 })
		var inside, calls, settled atomic.Int32
		_, err := c.UnbanGroupMembers(t.Context(), tim.GroupID(g), accounts("a", 190), tim.BulkOptions{Progress: func(s []tim.Outcome) error {
			if inside.Add(1) != 1 {
				t.Error("progress called concurrently")
			}
			time.Sleep(time.Millisecond) // widen the window for an overlap
			calls.Add(1)
			settled.Add(int32(len(s)))
			inside.Add(-1)
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 10 || settled.Load() != 190 {
			t.Fatalf("%d progress calls with %d outcomes, want 10 with 190", calls.Load(), settled.Load())
		}
	})
	t.Run("ErrStops", func(t *testing.T) {
		c := newClient(t, srv, func(o *tim.Options) { o.Workers = 1 })
		stop := errors.New("redis is down")
		before := srv.Calls(cmdUnbanGroup)
		got, err := c.UnbanGroupMembers(t.Context(), tim.GroupID(g), accounts("b", 100), tim.BulkOptions{Progress: func([]tim.Outcome) error { return stop }})
		if !errors.Is(err, stop) {
			t.Fatalf("err = %v, want %v", err, stop)
		}
		if n := srv.Calls(cmdUnbanGroup) - before; n != 1 {
			t.Fatalf("%d calls, want 1", n)
		}
		for i, o := range got {
			if want := error(nil); i >= 20 {
				want = tim.ErrNotAttempted
				if !errors.Is(o.Err, want) {
					t.Fatalf("outcome %d: %v, want %v", i, o.Err, want)
				}
			} else if o.Err != nil {
				t.Fatalf("outcome %d: %v, want done", i, o.Err)
			}
		}
	})
}

func TestClient_Cancelled(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.AVChatRoom)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got, err := c.UnbanGroupMembers(ctx, tim.GroupID(g), accounts("u", 50), tim.BulkOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(got) != 50 || got[0].Err == nil || srv.Calls(cmdUnbanGroup) != 0 {
		t.Fatalf("%d outcomes, first %v, %d calls; want 50 failed, no call", len(got), got[0].Err, srv.Calls(cmdUnbanGroup))
	}
}

// TestClient_BanRetriedOnlyWhenNotSent: a ban is re-sent after a dial error
// (it never reached Tencent) but not after a timeout.
func TestClient_BanRetriedOnlyWhenNotSent(t *testing.T) {
	srv := timtest.NewServer(t)
	g := tim.GroupID(srv.CreateGroup(timtest.AVChatRoom))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	var attempts atomic.Int32
	count := func(o *tim.Options) {
		o.MaxAttempts = 3
		o.Observer = tim.ObserverFunc(func(string, int, error, time.Duration, bool) { attempts.Add(1) })
	}

	c := newClient(t, srv, count, func(o *tim.Options) { o.BaseURL = closed })
	got, err := c.BanGroupMembers(t.Context(), g, []tim.UserID{"u1"}, time.Hour, "", tim.BulkOptions{})
	if err != nil || got[0].Err == nil || attempts.Load() != 3 {
		t.Fatalf("err %v, outcome %v after %d attempts; want a failure after 3", err, got[0].Err, attempts.Load())
	}

	srv.SetLatency(5 * time.Second)
	defer srv.ClearFaults()
	c = newClient(t, srv, count, func(o *tim.Options) { o.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} })
	got, err = c.BanGroupMembers(t.Context(), g, []tim.UserID{"u1"}, time.Hour, "", tim.BulkOptions{})
	if err != nil || got[0].Err == nil || srv.Calls(cmdBanGroup) != 1 {
		t.Fatalf("err %v, outcome %v, %d calls; want a failure after 1 call", err, got[0].Err, srv.Calls(cmdBanGroup))
	}
}

func TestClient_InvalidInput(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	ctx := t.Context()
	long := make([]byte, 1001)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"GroupSpace", func() error { _, err := c.GroupInfo(ctx, "@TGS# 1"); return err }, `invalid group ID "@TGS# 1": byte 6 is 0x20`},
		{"GroupLong", func() error { _, err := c.GroupInfo(ctx, tim.GroupID(long[:49])); return err }, "49 bytes long, at most 48"},
		{"AccountComma", func() error {
			_, err := c.UnbanGroupMembers(ctx, "g", []tim.UserID{"ok", "a,b"}, tim.BulkOptions{})
			return err
		}, `invalid account "a,b": byte 2 is 0x2c`},
		{"AccountLong", func() error { _, err := c.GetRolesInGroup(ctx, "g", []tim.UserID{tim.UserID(long[:33])}); return err }, "33 bytes long, at most 32"},
		{"NoAccounts", func() error { _, err := c.UnbanRoomMembers(ctx, "r", nil, tim.BulkOptions{}); return err }, "account list: it is empty"},
		{"RoomNonASCII", func() error { _, err := c.RoomBannedMembers(ctx, "caf\u00e9"); return err }, "byte 4 is 0xc3"},
		{"DescriptionLong", func() error {
			_, err := c.BanGroupMembers(ctx, "g", []tim.UserID{"u"}, time.Hour, string(long), tim.BulkOptions{})
			return err
		}, "1001 bytes long"},
		{"ReasonMissing", func() error {
			_, err := c.BanRoomMembers(ctx, "r", []tim.UserID{"u"}, time.Hour, "", tim.BulkOptions{})
			return err
		}, "Tencent requires one"},
		{"DurationZero", func() error {
			_, err := c.BanGroupMembers(ctx, "g", []tim.UserID{"u"}, 0, "", tim.BulkOptions{})
			return err
		}, "ban duration"},
		{"DurationOverUint32", func() error {
			_, err := c.BanRoomMembers(ctx, "r", []tim.UserID{"u"}, tim.Permanent+time.Second, "abuse", tim.BulkOptions{})
			return err
		}, "at most 4294967295 seconds"},
		{"MuteDurationNegative", func() error {
			_, err := c.MuteGroupMembers(ctx, "g", []tim.UserID{"u"}, -time.Minute, tim.BulkOptions{})
			return err
		}, "invalid mute duration"},
		{"MuteDurationZero", func() error {
			_, err := c.MuteGroupMembers(ctx, "g", []tim.UserID{"u"}, 0, tim.BulkOptions{})
			return err
		}, "invalid mute duration"},
		{"MuteAccountSpace", func() error {
			_, err := c.MuteGroupMembers(ctx, "g", []tim.UserID{"a b"}, time.Hour, tim.BulkOptions{})
			return err
		}, `invalid account "a b"`},
		{"UnmuteNoAccounts", func() error { _, err := c.UnmuteGroupMembers(ctx, "g", nil, tim.BulkOptions{}); return err }, "account list: it is empty"},
		{"MutedListGroupEmpty", func() error { _, err := c.GroupMutedMembers(ctx, ""); return err }, "group ID: it is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ie *tim.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an InputError with %q", err, tt.want)
			}
		})
	}
	if n := len(srv.Log()); n != 0 {
		t.Fatalf("%d calls reached the server, want 0", n)
	}
}
