package tim_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

// TestBulkOptions_Gate: a bulk call asks its gate right before each attempt and sends nothing
// through a closed one; calls without a gate, and other calls on the same context, are not
// affected (the gate is an option of the call, not of the context).
func TestBulkOptions_Gate(t *testing.T) {
	srv := timtest.NewServer(t, timtest.Options{BanAnyGroupType: true})
	g := tim.GroupID(srv.CreateGroup(timtest.Public))
	srv.Ban(string(g), "u1", time.Hour)
	c := newClient(t, srv)
	lapsed := errors.New("lease lapsed")
	closed := tim.BulkOptions{Gate: func() error { return lapsed }}

	t.Run("Closed", func(t *testing.T) {
		calls := []struct {
			name, command string
			run           func() ([]tim.Outcome, error)
		}{
			{"Unban", cmdUnbanGroup, func() ([]tim.Outcome, error) { return c.UnbanGroupMembers(t.Context(), g, []tim.UserID{"u1"}, closed) }},
			{"Ban", cmdBanGroup, func() ([]tim.Outcome, error) {
				return c.BanGroupMembers(t.Context(), g, []tim.UserID{"u2"}, time.Hour, "", closed)
			}},
			{"Mute", cmdMute, func() ([]tim.Outcome, error) {
				return c.MuteGroupMembers(t.Context(), g, []tim.UserID{"u2"}, time.Hour, closed)
			}},
			{"Unmute", cmdMute, func() ([]tim.Outcome, error) { return c.UnmuteGroupMembers(t.Context(), g, []tim.UserID{"u2"}, closed) }},
			{"UnbanRoom", cmdUnbanRoom, func() ([]tim.Outcome, error) { return c.UnbanRoomMembers(t.Context(), "r", []tim.UserID{"u1"}, closed) }},
			{"BanRoom", cmdBanRoom, func() ([]tim.Outcome, error) {
				return c.BanRoomMembers(t.Context(), "r", []tim.UserID{"u1"}, time.Hour, "abuse", closed)
			}},
		}
		for _, tt := range calls {
			t.Run(tt.name, func(t *testing.T) {
				out, err := tt.run()
				if err == nil && len(out) == 1 {
					err = out[0].Err
				}
				if !errors.Is(err, lapsed) {
					t.Fatalf("err = %v, want the gate's error", err)
				}
				if got := srv.Calls(tt.command); got != 0 {
					t.Fatalf("calls = %d, want 0: nothing may be sent through a closed gate", got)
				}
			})
		}
		if !srv.IsBanned(string(g), "u1") || srv.IsBanned(string(g), "u2") || srv.IsMuted(string(g), "u2") {
			t.Fatal("the state changed through a closed gate")
		}
	})
	t.Run("Open", func(t *testing.T) {
		var asked atomic.Int32
		open := tim.BulkOptions{Gate: func() error { asked.Add(1); return nil }}
		if _, err := c.UnbanGroupMembers(t.Context(), g, []tim.UserID{"u1"}, open); err != nil {
			t.Fatal(err)
		}
		if asked.Load() != 1 || srv.IsBanned(string(g), "u1") {
			t.Fatalf("gate asked %d times, banned %v; want 1 and false", asked.Load(), srv.IsBanned(string(g), "u1"))
		}
	})
	t.Run("OtherCallsUnaffected", func(t *testing.T) {
		// Reads take no gate: the list is read though a bulk call's gate is closed.
		if _, err := c.GroupBannedMembers(t.Context(), g); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UnbanGroupMembers(t.Context(), g, []tim.UserID{"u1"}, tim.BulkOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}
