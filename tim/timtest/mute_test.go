package timtest

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// TestMuteRules runs forbid_send_msg and get_group_muted_account against Tencent's rules: every
// group type but Private/Work mutes, every type lists.
func TestMuteRules(t *testing.T) {
	s := NewServer(t)
	types := map[GroupType]string{}
	for _, typ := range []GroupType{Private, Work, Public, ChatRoom, Meeting, AVChatRoom, Community} {
		types[typ] = s.CreateGroup(typ)
	}
	pub := types[Public]
	mute := func(g, accounts, rest string) string {
		return `{"GroupId":"` + g + `","Members_Account":` + accounts + rest + `}`
	}
	tests := []struct {
		name, command, body string
		want                int
	}{
		{"MutePrivate", cmdMute, mute(types[Private], `["u1"]`, `,"MuteTime":60`), 10007},
		{"MuteWork", cmdMute, mute(types[Work], `["u1"]`, `,"MuteTime":60`), 10007},
		{"UnmuteWork", cmdMute, mute(types[Work], `["u1"]`, `,"MuteTime":0`), 10007},
		{"MutePublic", cmdMute, mute(pub, `["u1"]`, `,"MuteTime":60`), 0},
		{"MuteChatRoom", cmdMute, mute(types[ChatRoom], `["u1"]`, `,"MuteTime":60`), 0},
		{"MuteMeeting", cmdMute, mute(types[Meeting], `["u1"]`, `,"MuteTime":60`), 0},
		{"MuteAVChatRoom", cmdMute, mute(types[AVChatRoom], `["u1"]`, `,"MuteTime":60`), 0},
		{"MuteCommunity", cmdMute, mute(types[Community], `["u1"]`, `,"MuteTime":60`), 0},
		{"Mute500", cmdMute, mute(pub, accountsJSON("u", 500), `,"MuteTime":60`), 0},
		{"Mute501", cmdMute, mute(pub, accountsJSON("u", 501), `,"MuteTime":60`), 10005},
		{"MuteEmpty", cmdMute, mute(pub, `[]`, `,"MuteTime":60`), 10004},
		{"MuteEmptyAccount", cmdMute, mute(pub, `[""]`, `,"MuteTime":60`), 10004},
		{"MuteAccountNumber", cmdMute, mute(pub, `[7]`, `,"MuteTime":60`), 60015},
		{"MuteNoGroupId", cmdMute, `{"Members_Account":["u1"],"MuteTime":60}`, 10004},
		{"MuteNoMuteTime", cmdMute, mute(pub, `["u1"]`, ``), 10004},
		{"MuteLegacyShutUpTime", cmdMute, mute(pub, `["u1"]`, `,"ShutUpTime":60`), 10004},
		{"MuteNegative", cmdMute, mute(pub, `["u1"]`, `,"MuteTime":-1`), 10004},
		{"MutePermanent", cmdMute, mute(pub, `["u1"]`, `,"MuteTime":4294967295`), 0},
		{"MuteOver32Bits", cmdMute, mute(pub, `["u1"]`, `,"MuteTime":4294967296`), 10004},
		{"MuteTimeString", cmdMute, mute(pub, `["u1"]`, `,"MuteTime":"60"`), 10004},
		{"MuteTopic", cmdMute, mute(pub, `["u1"]`, `,"MuteTime":60,"TopicId":"@TGS#_x@TOPIC#_y"`), 10004},
		{"MuteMissingGroup", cmdMute, mute("@TGS#2NOPE", `["u1"]`, `,"MuteTime":60`), 10010},
		{"MuteBadJSON", cmdMute, `{"GroupId":`, 10015},
		{"MutedListPrivate", cmdMutedList, `{"GroupId":"` + types[Private] + `"}`, 0},
		{"MutedListAVChatRoom", cmdMutedList, `{"GroupId":"` + types[AVChatRoom] + `"}`, 0},
		{"MutedListCommunity", cmdMutedList, `{"GroupId":"` + types[Community] + `"}`, 0},
		{"MutedListNoGroupId", cmdMutedList, `{}`, 10004},
		{"MutedListMissingGroup", cmdMutedList, `{"GroupId":"nope"}`, 10010},
		{"MutedListTopic", cmdMutedList, `{"GroupId":"` + pub + `","TopicId":"t"}`, 10004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustCode(t, post(t, s, tt.command, tt.body), tt.want)
		})
	}
}

// mutedList reads group's muted list.
func mutedList(t *testing.T, s *Server, group string) []mutedAccount {
	t.Helper()
	a := post(t, s, cmdMutedList, `{"GroupId":"`+group+`"}`)
	mustCode(t, a, 0)
	var id string
	field(t, a, "GroupId", &id)
	if id != group {
		t.Fatalf("GroupId=%q, want %q", id, group)
	}
	var list []mutedAccount
	field(t, a, "MutedAccountList", &list)
	return list
}

func TestMuteAndUnmute(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	s := NewServer(t, Options{Now: newClock(start).Now})
	g := s.CreateGroup(Public)

	mustCode(t, post(t, s, cmdMute, `{"GroupId":"`+g+`","Members_Account":["u1","u2","u3"],"MuteTime":3600}`), 0)
	if until, ok := s.MutedUntil(g, "u1"); !ok || !until.Equal(start.Add(time.Hour)) {
		t.Fatalf("MutedUntil(u1)=%v,%v, want %v,true", until, ok, start.Add(time.Hour))
	}
	// Muting again replaces the end time, shorter or longer.
	mustCode(t, post(t, s, cmdMute, `{"GroupId":"`+g+`","Members_Account":["u1"],"MuteTime":60}`), 0)
	mustCode(t, post(t, s, cmdMute, `{"GroupId":"`+g+`","Members_Account":["u2"],"MuteTime":7200}`), 0)
	want := []mutedAccount{
		{"u1", start.Add(time.Minute).Unix()},
		{"u3", start.Add(time.Hour).Unix()},
		{"u2", start.Add(2 * time.Hour).Unix()},
	}
	if got := mutedList(t, s, g); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("MutedAccountList=%v, want %v (by end, then account)", got, want)
	}

	// MuteTime 0 unmutes; unmuting someone not muted is a no-op.
	mustCode(t, post(t, s, cmdMute, `{"GroupId":"`+g+`","Members_Account":["u3","never-muted"],"MuteTime":0}`), 0)
	if s.IsMuted(g, "u3") || s.IsMuted(g, "never-muted") {
		t.Fatal("u3 or never-muted muted after MuteTime 0")
	}
	if !s.IsMuted(g, "u2") {
		t.Fatal("u2 unmuted by a call that did not name it")
	}

	// A mute ends by itself on the emulator's clock.
	s.Advance(time.Minute)
	if s.IsMuted(g, "u1") {
		t.Fatal("u1 muted after its minute passed")
	}
	if got := mutedList(t, s, g); len(got) != 1 || got[0].Account != "u2" {
		t.Fatalf("MutedAccountList=%v, want u2 alone", got)
	}
	// Muting does not touch bans or roles.
	if s.IsBanned(g, "u2") || s.Role(g, "u2") != RoleNotMember {
		t.Fatal("a mute changed the ban list or the roles")
	}
}

// TestAdvance lets bans and mutes end by themselves without waiting: a 7-day ban ends after
// Advance(7d), and a client signing on the real clock keeps working (UserSig expiry is not
// advanced).
func TestAdvance(t *testing.T) {
	s := NewServer(t, Options{BanAnyGroupType: true})
	g := s.CreateGroup(Public)
	s.CreateRoom("r")
	week := strconv.Itoa(7 * 24 * 3600)
	mustCode(t, post(t, s, cmdBan, `{"GroupId":"`+g+`","Members_Account":["u1"],"Duration":`+week+`}`), 0)
	mustCode(t, post(t, s, cmdRoomBan, `{"RoomId":"r","MemberList_Account":["u1"],"Reason":"abuse","Duration":`+week+`}`), 0)
	mustCode(t, post(t, s, cmdMute, `{"GroupId":"`+g+`","Members_Account":["u1"],"MuteTime":`+week+`}`), 0)
	before := s.Now()

	s.Advance(7*24*time.Hour - time.Minute)
	if !s.IsBanned(g, "u1") || !s.IsBannedInRoom("r", "u1") || !s.IsMuted(g, "u1") {
		t.Fatal("ban or mute ended a minute early")
	}
	s.Advance(2 * time.Minute)
	if got := s.Now().Sub(before); got < 7*24*time.Hour+time.Minute {
		t.Fatalf("Now advanced %v, want at least 7d1m", got)
	}
	if s.IsBanned(g, "u1") || s.IsBannedInRoom("r", "u1") || s.IsMuted(g, "u1") {
		t.Fatal("ban or mute still in force after its week")
	}
	a := post(t, s, cmdBanList, `{"GroupId":"`+g+`","Limit":100,"Offset":0}`)
	mustCode(t, a, 0) // the UserSig, signed on the real clock, still passes
	var list []bannedAccount
	field(t, a, "BannedAccountList", &list)
	if len(list) != 0 || len(mutedList(t, s, g)) != 0 {
		t.Fatalf("lists still hold ended entries: bans %v", list)
	}
	if snap := s.Snapshot(); len(snap.Groups[0].Bans) != 0 || len(snap.Groups[0].Mutes) != 0 || !snap.At.After(before) {
		t.Fatalf("snapshot %+v, want no bans or mutes, taken on the advanced clock", snap.Groups[0])
	}
	s.Reset()
	if s.Now().Sub(time.Now()) > time.Minute {
		t.Fatal("Reset kept the advanced clock")
	}
}

// TestPermanent: the uint32 maximum bans and mutes for good, and both lists report 4294967295.
func TestPermanent(t *testing.T) {
	s := NewServer(t)
	g := s.CreateGroup(AVChatRoom)
	s.CreateRoom("r")
	mustCode(t, post(t, s, cmdBan, `{"GroupId":"`+g+`","Members_Account":["u1"],"Duration":4294967295}`), 0)
	mustCode(t, post(t, s, cmdRoomBan, `{"RoomId":"r","MemberList_Account":["u1"],"Reason":"abuse","Duration":4294967295}`), 0)
	mustCode(t, post(t, s, cmdMute, `{"GroupId":"`+g+`","Members_Account":["u1"],"MuteTime":4294967295}`), 0)
	// A long but not permanent ban is capped at the marker too: its end fits a uint32.
	mustCode(t, post(t, s, cmdBan, `{"GroupId":"`+g+`","Members_Account":["u2"],"Duration":4294967294}`), 0)
	s.Mute(g, "u3", Permanent)
	s.Advance(100 * 365 * 24 * time.Hour)

	a := post(t, s, cmdBanList, `{"GroupId":"`+g+`","Limit":100,"Offset":0}`)
	mustCode(t, a, 0)
	var bans []bannedAccount
	field(t, a, "BannedAccountList", &bans)
	if want := []bannedAccount{{"u1", 4294967295}, {"u2", 4294967295}}; fmt.Sprint(bans) != fmt.Sprint(want) {
		t.Fatalf("BannedAccountList=%v, want %v", bans, want)
	}
	if want := []mutedAccount{{"u1", 4294967295}, {"u3", 4294967295}}; fmt.Sprint(mutedList(t, s, g)) != fmt.Sprint(want) {
		t.Fatalf("MutedAccountList=%v, want %v", mutedList(t, s, g), want)
	}
	until, ok := s.RoomBannedUntil("r", "u1")
	if !ok || !IsPermanent(until) {
		t.Fatalf("room ban until %v,%v, want permanent", until, ok)
	}
	if IsPermanent(time.Now().Add(50 * 365 * 24 * time.Hour)) {
		t.Fatal("IsPermanent holds for a ban of 50 years")
	}
}

// TestGroupNotFound10015 follows either reading of 10015: the seed page's JSON error (default),
// or the error table's invalid GroupId, where a dismissed group keeps 10010.
func TestGroupNotFound10015(t *testing.T) {
	for _, table := range []bool{false, true} {
		t.Run(fmt.Sprint("GroupNotFound10015=", table), func(t *testing.T) {
			s := NewServer(t, Options{GroupNotFound10015: table, BanAnyGroupType: true})
			gone := s.CreateGroup(Public)
			s.DeleteGroup(gone)
			missing, dismissed, badJSON := 10010, 10010, 10015
			if table {
				missing, badJSON = 10015, 10011
			}
			bodies := map[string]func(g string) string{
				cmdBan:       func(g string) string { return `{"GroupId":"` + g + `","Members_Account":["u1"],"Duration":60}` },
				cmdUnban:     func(g string) string { return `{"GroupId":"` + g + `","Members_Account":["u1"]}` },
				cmdBanList:   func(g string) string { return `{"GroupId":"` + g + `","Limit":10}` },
				cmdMute:      func(g string) string { return `{"GroupId":"` + g + `","Members_Account":["u1"],"MuteTime":60}` },
				cmdMutedList: func(g string) string { return `{"GroupId":"` + g + `"}` },
				cmdRoles:     func(g string) string { return `{"GroupId":"` + g + `","User_Account":["u1"]}` },
			}
			for cmd, body := range bodies {
				t.Run(cmd, func(t *testing.T) {
					mustCode(t, post(t, s, cmd, body("@TGS#2NEVER")), missing)
					mustCode(t, post(t, s, cmd, body(gone)), dismissed)
					mustCode(t, post(t, s, cmd, `{"GroupId":`), badJSON)
				})
			}
			a := post(t, s, cmdInfo, `{"GroupIdList":["@TGS#2NEVER","`+gone+`"]}`)
			mustCode(t, a, 0)
			var infos []groupInfo
			field(t, a, "GroupInfo", &infos)
			if len(infos) != 2 || infos[0].ErrorCode != missing || infos[1].ErrorCode != dismissed {
				t.Fatalf("GroupInfo=%+v, want codes %d and %d", infos, missing, dismissed)
			}
			// A group created again under a dismissed ID is found again.
			s.CreateGroupWithID(gone, Public)
			mustCode(t, post(t, s, cmdMute, bodies[cmdMute](gone)), 0)
		})
	}
}
