package tim_test

import (
	"errors"
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

func TestClient_RoomBans(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	srv := timtest.NewServer(t, timtest.Options{Now: func() time.Time { return now }})
	c := newClient(t, srv)
	srv.CreateRoom("room-test")
	srv.JoinRoom("room-test", "user1")

	t.Run("Ban", func(t *testing.T) {
		got, err := c.BanRoomMembers(t.Context(), "room-test", []tim.UserID{"user1", "user2"}, time.Hour, "abuse", tim.BulkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mustAllDone(t, got, []tim.UserID{"user1", "user2"})
		if until, ok := srv.RoomBannedUntil("room-test", "user1"); !ok || !until.Equal(now.Add(time.Hour)) {
			t.Fatalf("user1 banned until %v (%v), want %v", until, ok, now.Add(time.Hour))
		}
		if srv.InRoom("room-test", "user1") {
			t.Fatal("banned user1 still in the room")
		}
	})
	t.Run("List", func(t *testing.T) {
		got, err := c.RoomBannedMembers(t.Context(), "room-test")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Account != "user1" || !got[0].Until.Equal(now.Add(time.Hour)) {
			t.Fatalf("banned = %v, want user1 and user2 until %v", got, now.Add(time.Hour))
		}
	})
	t.Run("Unban", func(t *testing.T) {
		got, err := c.UnbanRoomMembers(t.Context(), "room-test", []tim.UserID{"user2"}, tim.BulkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mustAllDone(t, got, []tim.UserID{"user2"})
		if srv.IsBannedInRoom("room-test", "user2") {
			t.Fatal("user2 still banned")
		}
	})
	t.Run("ErrNoRoom", func(t *testing.T) {
		_, err := c.RoomBannedMembers(t.Context(), "no-such-room")
		var te *tim.Error
		if !errors.As(err, &te) || te.Code != 100004 || te.RequestID == "" {
			t.Fatalf("err = %v, want *tim.Error 100004 with a RequestId", err)
		}
	})
}

func TestClient_RoomBannedMembersPages(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	srv.CreateRoom("big")
	for _, a := range accounts("r", 250) {
		srv.BanInRoom("big", string(a), time.Hour)
	}
	got, err := c.RoomBannedMembers(t.Context(), "big")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[tim.UserID]bool{}
	for _, b := range got {
		seen[b.Account] = true
	}
	if len(got) != 250 || len(seen) != 250 {
		t.Fatalf("%d entries (%d distinct), want 250", len(got), len(seen))
	}
	if got, want := srv.Calls(cmdRoomBanList), 3; got != want {
		t.Fatalf("%d pages, want %d", got, want)
	}
}
