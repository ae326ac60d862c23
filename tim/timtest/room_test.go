package timtest

import (
	"strings"
	"testing"
	"time"
)

// TestRoomRules runs each room command against its page: every answer, refused or not, carries a
// RequestId.
func TestRoomRules(t *testing.T) {
	s := NewServer(t)
	s.CreateRoom("r")
	long := strings.Repeat("x", 1001)

	tests := []struct {
		name, command, body string
		want                int
	}{
		{"BanOK", cmdRoomBan, `{"RoomId":"r","MemberList_Account":["u1"],"Reason":"abuse","Duration":3600}`, 0},
		{"Ban20", cmdRoomBan, `{"RoomId":"r","MemberList_Account":` + accountsJSON("u", 20) + `,"Reason":"x","Duration":60}`, 0},
		{"Ban21", cmdRoomBan, `{"RoomId":"r","MemberList_Account":` + accountsJSON("u", 21) + `,"Reason":"x","Duration":60}`, 100002},
		{"BanNoReason", cmdRoomBan, `{"RoomId":"r","MemberList_Account":["u1"],"Duration":60}`, 100002},
		{"BanReason1000", cmdRoomBan, `{"RoomId":"r","MemberList_Account":["u1"],"Reason":"` + long[:1000] + `","Duration":60}`, 0},
		{"BanReason1001", cmdRoomBan, `{"RoomId":"r","MemberList_Account":["u1"],"Reason":"` + long + `","Duration":60}`, 100002},
		{"BanNoDuration", cmdRoomBan, `{"RoomId":"r","MemberList_Account":["u1"],"Reason":"x"}`, 100002},
		{"BanEmpty", cmdRoomBan, `{"RoomId":"r","MemberList_Account":[],"Reason":"x","Duration":60}`, 100002},
		{"BanMembersAccount", cmdRoomBan, `{"RoomId":"r","Members_Account":["u1"],"Reason":"x","Duration":60}`, 100002},
		{"BanMissingRoom", cmdRoomBan, `{"RoomId":"nope","MemberList_Account":["u1"],"Reason":"x","Duration":60}`, 100004},
		{"BanNoRoomId", cmdRoomBan, `{"MemberList_Account":["u1"],"Reason":"x","Duration":60}`, 100002},
		{"BanBadJSON", cmdRoomBan, `{"RoomId":`, 100002},
		{"BanAccountNumber", cmdRoomBan, `{"RoomId":"r","MemberList_Account":[1],"Reason":"x","Duration":60}`, 60015},
		{"UnbanOK", cmdRoomUnban, `{"RoomId":"r","MemberList_Account":["u1"]}`, 0},
		{"Unban21", cmdRoomUnban, `{"RoomId":"r","MemberList_Account":` + accountsJSON("u", 21) + `}`, 100002},
		{"UnbanEmpty", cmdRoomUnban, `{"RoomId":"r","MemberList_Account":[]}`, 100002},
		{"UnbanMissingRoom", cmdRoomUnban, `{"RoomId":"nope","MemberList_Account":["u1"]}`, 100004},
		{"ListOK", cmdRoomList, `{"RoomId":"r","Limit":100,"Offset":0}`, 0},
		{"ListDefaults", cmdRoomList, `{"RoomId":"r"}`, 0},
		{"ListNext", cmdRoomList, `{"RoomId":"r","Limit":10,"Next":"10"}`, 0},
		{"ListEmptyNext", cmdRoomList, `{"RoomId":"r","Limit":10,"Next":""}`, 0},
		{"ListBadNext", cmdRoomList, `{"RoomId":"r","Limit":10,"Next":"abc"}`, 100002},
		{"ListOffsetString", cmdRoomList, `{"RoomId":"r","Limit":10,"Offset":"0"}`, 100002},
		{"ListLimit101", cmdRoomList, `{"RoomId":"r","Limit":101}`, 100002},
		{"ListLimit0", cmdRoomList, `{"RoomId":"r","Limit":0}`, 100002},
		{"ListNegativeOffset", cmdRoomList, `{"RoomId":"r","Offset":-1}`, 100002},
		{"ListMissingRoom", cmdRoomList, `{"RoomId":"nope","Limit":10}`, 100004},
		{"ListBadJSON", cmdRoomList, `nope`, 100002},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, s, tt.command, tt.body)
			mustCode(t, a, tt.want)
			id := a.Env.RequestID
			if !strings.HasPrefix(id, "Id-") || seen[id] {
				t.Fatalf("RequestId=%q, want a fresh Id-…", id)
			}
			seen[id] = true
			if _, ok := a.Fields["Response"]; ok != (tt.want == 0 && tt.command == cmdRoomList) {
				t.Fatalf("answer %s: Response present=%v", a.Raw, ok)
			}
		})
	}
}

func TestRoomBanState(t *testing.T) {
	clk := newClock(time.Unix(1_700_000_000, 0))
	s := NewServer(t, Options{Now: clk.Now})
	s.CreateRoom("r")
	s.JoinRoom("r", "u1")
	s.JoinRoom("r", "u2")

	mustCode(t, post(t, s, cmdRoomBan, `{"RoomId":"r","MemberList_Account":["u1"],"Reason":"abuse","Duration":600}`), 0)
	if until, ok := s.RoomBannedUntil("r", "u1"); !ok || !until.Equal(clk.Now().Add(10*time.Minute)) {
		t.Fatalf("RoomBannedUntil=%v,%v, want ten minutes from now", until, ok)
	}
	if s.InRoom("r", "u1") {
		t.Fatal("a banned account is still in the room")
	}
	if !s.InRoom("r", "u2") {
		t.Fatal("u2 left the room without being banned")
	}

	a := post(t, s, cmdRoomList, `{"RoomId":"r","Limit":100,"Offset":0}`)
	mustCode(t, a, 0)
	var p bannedPage
	field(t, a, "Response", &p)
	if len(p.BannedAccountList) != 1 || p.BannedAccountList[0].Account != "u1" ||
		p.BannedAccountList[0].BannedUntil != clk.Now().Add(10*time.Minute).Unix() || p.NextOffset != 0 {
		t.Fatalf("Response=%+v, want u1 until ten minutes from now", p)
	}

	mustCode(t, post(t, s, cmdRoomUnban, `{"RoomId":"r","MemberList_Account":["u1"]}`), 0)
	if s.IsBannedInRoom("r", "u1") {
		t.Fatal("u1 still banned after unban")
	}

	s.BanInRoom("r", "u2", time.Minute)
	clk.Add(time.Minute)
	if s.IsBannedInRoom("r", "u2") {
		t.Fatal("u2 banned after the ban ended")
	}

	s.DestroyRoom("r")
	mustCode(t, post(t, s, cmdRoomList, `{"RoomId":"r"}`), 100004)
}
