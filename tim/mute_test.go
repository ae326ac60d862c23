package tim_test

import (
	"encoding/json"
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

func TestClient_MuteGroupMembers(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	srv := timtest.NewServer(t, timtest.Options{Now: func() time.Time { return now }})
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.Public)

	t.Run("ChunksOf500", func(t *testing.T) {
		accts := accounts("m", 1200)
		got, err := c.MuteGroupMembers(t.Context(), tim.GroupID(g), append(accts, accts[:10]...), 30*time.Minute+time.Millisecond, tim.BulkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mustAllDone(t, got, accts)
		if n := srv.Calls(cmdMute); n != 3 {
			t.Fatalf("%d calls, want 3 (500 + 500 + 200)", n)
		}
		until, ok := srv.MutedUntil(g, "m1199")
		if want := now.Add(30*time.Minute + time.Second); !ok || !until.Equal(want) {
			t.Fatalf("m1199 muted until %v (%v), want %v (rounded up)", until, ok, want)
		}
		var body struct {
			MuteTime *uint32  `json:"MuteTime"`
			Accounts []string `json:"Members_Account"`
		}
		if err := json.Unmarshal(srv.Log()[0].Body, &body); err != nil || body.MuteTime == nil || *body.MuteTime != 1801 || len(body.Accounts) > tim.MaxMuteAccounts {
			t.Fatalf("body %s: want MuteTime 1801 and at most 500 accounts (%v)", srv.Log()[0].Body, err)
		}
	})
	t.Run("Unmute", func(t *testing.T) {
		got, err := c.UnmuteGroupMembers(t.Context(), tim.GroupID(g), []tim.UserID{"m0", "m1", "never-muted"}, tim.BulkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mustAllDone(t, got, []tim.UserID{"m0", "m1", "never-muted"})
		if srv.IsMuted(g, "m0") || srv.IsMuted(g, "m1") || !srv.IsMuted(g, "m2") {
			t.Fatal("unmute changed the wrong accounts")
		}
		last := srv.Log()[len(srv.Log())-1]
		var body map[string]any
		if err := json.Unmarshal(last.Body, &body); err != nil || body["MuteTime"] != 0.0 {
			t.Fatalf("unmute body %s, want MuteTime 0", last.Body)
		}
	})
	t.Run("BadAccountBisected", func(t *testing.T) {
		srv.FailAccount(cmdMute, "m7", 10004)
		defer srv.ClearFaults()
		before := srv.Calls(cmdMute)
		got, err := c.MuteGroupMembers(t.Context(), tim.GroupID(g), accounts("m", 16), time.Hour, tim.BulkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range got {
			if want := o.Account == "m7"; (o.Err != nil) != want || (want && tim.Code(o.Err) != 10004) {
				t.Fatalf("outcome %s: %v, want an error only for m7 (10004)", o.Account, o.Err)
			}
		}
		if n := srv.Calls(cmdMute) - before; n != 9 { // 16 → 8 → 4 → 2 → 1: 1 + 2·4
			t.Fatalf("%d calls, want 9 (bisection down to m7)", n)
		}
	})
	t.Run("WorkGroupRefused", func(t *testing.T) {
		work := srv.CreateGroup(timtest.Work)
		before := srv.Calls(cmdMute)
		got, err := c.MuteGroupMembers(t.Context(), tim.GroupID(work), accounts("w", 30), time.Hour, tim.BulkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range got {
			if tim.Code(o.Err) != 10007 {
				t.Fatalf("outcome %s: %v, want 10007", o.Account, o.Err)
			}
		}
		if n := srv.Calls(cmdMute) - before; n != 1 {
			t.Fatalf("%d calls, want 1 (10007 concerns the whole call: no bisection)", n)
		}
	})
	t.Run("Progress", func(t *testing.T) {
		var settled int
		_, err := c.MuteGroupMembers(t.Context(), tim.GroupID(g), accounts("p", 501), time.Hour, tim.BulkOptions{
			Progress: func(s []tim.Outcome) error { settled += len(s); return nil },
		})
		if err != nil || settled != 501 {
			t.Fatalf("settled %d (err %v), want 501", settled, err)
		}
	})
}

func TestClient_GroupMutedMembers(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	srv := timtest.NewServer(t, timtest.Options{Now: func() time.Time { return now }})
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.AVChatRoom)
	srv.Mute(g, "later", 2*time.Hour)
	srv.Mute(g, "soon", time.Minute)
	if _, err := c.MuteGroupMembers(t.Context(), tim.GroupID(g), []tim.UserID{"forever"}, tim.Permanent, tim.BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GroupMutedMembers(t.Context(), tim.GroupID(g))
	if err != nil {
		t.Fatal(err)
	}
	want := []tim.MutedMember{{"soon", now.Add(time.Minute)}, {"later", now.Add(2 * time.Hour)}, {"forever", time.Unix(4294967295, 0)}}
	if len(got) != len(want) {
		t.Fatalf("muted = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Account != want[i].Account || !got[i].Until.Equal(want[i].Until) {
			t.Fatalf("muted[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if tim.IsPermanent(got[1].Until) || !tim.IsPermanent(got[2].Until) {
		t.Fatal("IsPermanent wrong for a 2-hour and a permanent mute")
	}
	// The ended mute leaves the list by itself.
	srv.Advance(time.Hour)
	if got, err := c.GroupMutedMembers(t.Context(), tim.GroupID(g)); err != nil || len(got) != 2 {
		t.Fatalf("after an hour: %v (err %v), want later and forever", got, err)
	}
	if _, err := c.GroupMutedMembers(t.Context(), "@TGS#2NOPE"); tim.Code(err) != 10010 {
		t.Fatalf("missing group: err %v, want 10010", err)
	}
}

// TestClient_PermanentBan: tim.Permanent bans for good in a group and a room; both lists report
// it as permanent, and Remaining gives Permanent back (what an Undo re-bans for).
func TestClient_PermanentBan(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	g := tim.GroupID(srv.CreateGroup(timtest.AVChatRoom))
	srv.CreateRoom("r")
	if _, err := c.BanGroupMembers(t.Context(), g, []tim.UserID{"u1"}, tim.Permanent, "for good", tim.BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BanRoomMembers(t.Context(), "r", []tim.UserID{"u1"}, tim.Permanent, "for good", tim.BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	var body struct{ Duration uint32 }
	if err := json.Unmarshal(srv.Log()[0].Body, &body); err != nil || body.Duration != 4294967295 {
		t.Fatalf("ban body %s, want Duration 4294967295", srv.Log()[0].Body)
	}
	srv.Advance(80 * 365 * 24 * time.Hour)
	group, err := c.GroupBannedMembers(t.Context(), g)
	if err != nil {
		t.Fatal(err)
	}
	room, err := c.RoomBannedMembers(t.Context(), "r")
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range [][]tim.BannedMember{group, room} {
		if len(list) != 1 || !tim.IsPermanent(list[0].Until) || tim.Remaining(list[0].Until, srv.Now()) != tim.Permanent {
			t.Fatalf("ban list %v, want u1 banned for good", list)
		}
	}
}

func TestRemaining(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		until time.Time
		want  time.Duration
	}{
		{now.Add(90 * time.Minute), 90 * time.Minute},
		{now, 0},
		{now.Add(-time.Hour), 0},
		{time.Unix(4294967295, 0), tim.Permanent},
		{time.Unix(4294967296, 0), tim.Permanent},
	}
	for _, tt := range tests {
		if got := tim.Remaining(tt.until, now); got != tt.want {
			t.Errorf("Remaining(%v) = %v, want %v", tt.until, got, tt.want)
		}
	}
	if tim.Permanent != 4294967295*time.Second {
		t.Fatalf("Permanent = %v", tim.Permanent)
	}
}

// TestClient_ReBanOverwrites: a ban of an account already banned replaces its end time, shorter
// or longer (the emulator's reading of the docs, which modbot's preview guards against).
func TestClient_ReBanOverwrites(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	srv := timtest.NewServer(t, timtest.Options{Now: func() time.Time { return now }})
	c := newClient(t, srv)
	g := tim.GroupID(srv.CreateGroup(timtest.AVChatRoom))
	for _, d := range []time.Duration{7 * 24 * time.Hour, time.Hour} {
		if _, err := c.BanGroupMembers(t.Context(), g, []tim.UserID{"u1"}, d, "", tim.BulkOptions{}); err != nil {
			t.Fatal(err)
		}
		list, err := c.GroupBannedMembers(t.Context(), g)
		if err != nil || len(list) != 1 || !list[0].Until.Equal(now.Add(d)) {
			t.Fatalf("after a ban of %v: %v (err %v), want u1 until %v", d, list, err, now.Add(d))
		}
	}
}
