package tim_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

func TestWithGate(t *testing.T) {
	srv := timtest.NewServer(t)
	g := srv.CreateGroup(timtest.AVChatRoom)
	srv.Ban(g, "u1", time.Hour)
	c := newClient(t, srv)
	lapsed := errors.New("lease lapsed")

	t.Run("Closed", func(t *testing.T) {
		ctx := tim.WithGate(t.Context(), func() error { return lapsed })
		out, err := c.UnbanGroupMembers(ctx, tim.GroupID(g), []tim.UserID{"u1"}, nil)
		if err == nil && len(out) == 1 {
			err = out[0].Err
		}
		if !errors.Is(err, lapsed) {
			t.Fatalf("err = %v, want the gate's error", err)
		}
		if got := srv.Calls(cmdUnbanGroup); got != 0 {
			t.Fatalf("calls = %d, want 0: nothing may be sent through a closed gate", got)
		}
		if !srv.IsBanned(g, "u1") {
			t.Fatal("u1 was unbanned through a closed gate")
		}
	})
	t.Run("Open", func(t *testing.T) {
		var asked atomic.Int32
		ctx := tim.WithGate(t.Context(), func() error { asked.Add(1); return nil })
		if _, err := c.UnbanGroupMembers(ctx, tim.GroupID(g), []tim.UserID{"u1"}, nil); err != nil {
			t.Fatal(err)
		}
		if asked.Load() != 1 || srv.IsBanned(g, "u1") {
			t.Fatalf("gate asked %d times, banned %v; want 1 and false", asked.Load(), srv.IsBanned(g, "u1"))
		}
	})
}
