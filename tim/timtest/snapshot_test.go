package timtest

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestSnapshot(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	clk := newClock(t0)
	s := New(Options{Now: clk.Now})
	s.CreateGroupWithID("@TGS#aLIVE", AVChatRoom)
	s.CreateGroupWithID("@TGS#1TEAM", Work)
	s.SetGroupName("@TGS#aLIVE", "Launch stream")
	s.SetRole("@TGS#aLIVE", "zed", RoleMember)
	s.SetRole("@TGS#aLIVE", "amy", RoleMember)
	s.SetRole("@TGS#aLIVE", "mod", RoleAdmin)
	s.SetRole("@TGS#aLIVE", "own", RoleOwner)
	s.Ban("@TGS#aLIVE", "late", 2*time.Hour)
	s.Ban("@TGS#aLIVE", "soon", time.Minute)
	s.Ban("@TGS#aLIVE", "gone", time.Second)
	s.CreateRoom("lobby")
	s.JoinRoom("lobby", "b")
	s.JoinRoom("lobby", "a")
	s.BanInRoom("lobby", "troll", time.Hour)
	s.FailNext(cmdUnban, 10007)
	s.FailNextHTTP(cmdUnban, http.StatusBadGateway)
	s.FailAccount(cmdRoomUnban, "troll", 100002)
	s.SetFailRate(0.5, -503)
	s.SetLatency(50 * time.Millisecond)
	clk.Add(2 * time.Second) // "gone" is no longer banned

	got := s.Snapshot()
	want := Snapshot{
		At: t0.Add(2 * time.Second),
		Groups: []GroupSnapshot{
			{ID: "@TGS#1TEAM", Type: Work, Name: "@TGS#1TEAM"},
			{
				ID: "@TGS#aLIVE", Type: AVChatRoom, Name: "Launch stream",
				Members: []Member{{"own", RoleOwner}, {"mod", RoleAdmin}, {"amy", RoleMember}, {"zed", RoleMember}},
				Bans:    []Ban{{"soon", t0.Add(time.Minute)}, {"late", t0.Add(2 * time.Hour)}},
			},
		},
		Rooms: []RoomSnapshot{{ID: "lobby", Members: []string{"a", "b"}, Bans: []Ban{{"troll", t0.Add(time.Hour)}}}},
		Calls: map[string]int{},
		Faults: []FaultSnapshot{
			{Command: cmdUnban, Kind: "next", Code: 10007},
			{Command: cmdUnban, Kind: "next", Code: http.StatusBadGateway, HTTP: true},
			{Command: cmdRoomUnban, Kind: "account", Code: 100002, Account: "troll"},
			{Kind: "rate", Code: 503, HTTP: true, Rate: 0.5},
		},
		Latency: 50 * time.Millisecond,
		Rate:    DefaultRate,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Snapshot()=\n%+v\nwant\n%+v", got, want)
	}

	t.Run("IsACopy", func(t *testing.T) {
		got.Groups[1].Bans[0].Account = "changed"
		got.Calls["x"] = 1
		if again := s.Snapshot(); !reflect.DeepEqual(again.Groups, want.Groups) || len(again.Calls) != 0 {
			t.Fatalf("changing a snapshot changed the server: %+v", again)
		}
	})

	t.Run("ReadsNothingAway", func(t *testing.T) {
		// Taking a snapshot must not consume faults or drop state.
		if got := s.Snapshot(); !reflect.DeepEqual(got.Faults, want.Faults) {
			t.Fatalf("faults after a second snapshot %+v, want %+v", got.Faults, want.Faults)
		}
	})

	t.Run("AfterClearAndReset", func(t *testing.T) {
		s.ClearFaults()
		if got := s.Snapshot(); len(got.Faults) != 0 || got.Latency != 0 {
			t.Fatalf("after ClearFaults: faults %+v, latency %v", got.Faults, got.Latency)
		}
		s.Reset()
		if got := s.Snapshot(); len(got.Groups) != 0 || len(got.Rooms) != 0 {
			t.Fatalf("after Reset: %+v", got)
		}
	})
}

func TestSnapshotCountsCalls(t *testing.T) {
	s := NewServer(t)
	g := s.CreateGroup(AVChatRoom)
	s.Ban(g, "u1", time.Hour)
	mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["u1"]}`), 0)
	snap := s.Snapshot()
	if got, want := snap.Calls[cmdUnban], 1; got != want {
		t.Fatalf("Calls[%s]=%d, want %d", cmdUnban, got, want)
	}
	if got := snap.Groups[0].Bans; len(got) != 0 {
		t.Fatalf("bans after unban: %+v", got)
	}
}
