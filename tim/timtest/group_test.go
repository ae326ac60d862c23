package timtest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestGroupRules runs each group command against the seeds' rules (BanAnyGroupType off).
func TestGroupRules(t *testing.T) {
	s := NewServer(t)
	av := s.CreateGroup(AVChatRoom)
	s.CreateGroupWithID("work", Work)
	types := map[string]string{}
	for _, typ := range []GroupType{Private, Public, ChatRoom, Community, Meeting} {
		types[string(typ)] = s.CreateGroup(typ)
	}
	long := strings.Repeat("x", 1001)

	tests := []struct {
		name, command, body string
		want                int
	}{
		{"UnbanOK", cmdUnban, `{"GroupId":"` + av + `","Members_Account":["u1"]}`, 0},
		{"Unban20", cmdUnban, `{"GroupId":"` + av + `","Members_Account":` + accountsJSON("u", 20) + `}`, 0},
		{"Unban21", cmdUnban, `{"GroupId":"` + av + `","Members_Account":` + accountsJSON("u", 21) + `}`, 10005},
		{"UnbanEmpty", cmdUnban, `{"GroupId":"` + av + `","Members_Account":[]}`, 10004},
		{"UnbanNoGroupId", cmdUnban, `{"Members_Account":["u1"]}`, 10004},
		{"UnbanEmptyAccount", cmdUnban, `{"GroupId":"` + av + `","Members_Account":[""]}`, 10004},
		{"UnbanMissingGroup", cmdUnban, `{"GroupId":"@TGS#aNOPE","Members_Account":["u1"]}`, 10010},
		{"UnbanPublic", cmdUnban, `{"GroupId":"` + types["Public"] + `","Members_Account":["u1"]}`, 10007},
		{"UnbanWork", cmdUnban, `{"GroupId":"work","Members_Account":["u1"]}`, 10007},
		{"UnbanAccountNumber", cmdUnban, `{"GroupId":"` + av + `","Members_Account":[7]}`, 60015},
		{"UnbanGroupIdNumber", cmdUnban, `{"GroupId":7,"Members_Account":["u1"]}`, 10004},
		{"UnbanNamesFoldedCase", cmdUnban, `{"groupid":"` + av + `","members_account":["u1"]}`, 10004},
		{"UnbanNullBody", cmdUnban, `null`, 10015},
		{"UnbanAccountsNotArray", cmdUnban, `{"GroupId":"` + av + `","Members_Account":"u1"}`, 10004},
		{"UnbanBadJSON", cmdUnban, `{"GroupId":`, 10015},
		{"UnbanEmptyBody", cmdUnban, ``, 10015},
		{"UnbanArrayBody", cmdUnban, `[]`, 10015},
		{"BanOK", cmdBan, `{"GroupId":"` + av + `","Members_Account":["u1"],"Duration":60,"Description":"spam"}`, 0},
		{"BanMaxDuration", cmdBan, `{"GroupId":"` + av + `","Members_Account":["u1"],"Duration":4294967295}`, 0},
		{"BanDuration0", cmdBan, `{"GroupId":"` + av + `","Members_Account":["u1"],"Duration":0}`, 10004},
		{"BanNoDuration", cmdBan, `{"GroupId":"` + av + `","Members_Account":["u1"]}`, 10004},
		{"BanNegativeDuration", cmdBan, `{"GroupId":"` + av + `","Members_Account":["u1"],"Duration":-5}`, 10004},
		{"BanDurationOver32Bits", cmdBan, `{"GroupId":"` + av + `","Members_Account":["u1"],"Duration":4294967296}`, 10004},
		{"BanDescription1000", cmdBan, `{"GroupId":"` + av + `","Members_Account":["u1"],"Duration":60,"Description":"` + long[:1000] + `"}`, 0},
		{"BanDescription1001", cmdBan, `{"GroupId":"` + av + `","Members_Account":["u1"],"Duration":60,"Description":"` + long + `"}`, 10004},
		{"Ban21", cmdBan, `{"GroupId":"` + av + `","Members_Account":` + accountsJSON("u", 21) + `,"Duration":60}`, 10005},
		{"BanCommunity", cmdBan, `{"GroupId":"` + types["Community"] + `","Members_Account":["u1"],"Duration":60}`, 10007},
		{"BanMissingGroup", cmdBan, `{"GroupId":"nope","Members_Account":["u1"],"Duration":60}`, 10010},
		{"BanListOK", cmdBanList, `{"GroupId":"` + av + `","Limit":100,"Offset":0}`, 0},
		{"BanListNoLimit", cmdBanList, `{"GroupId":"` + av + `","Offset":0}`, 10004},
		{"BanListLimit101", cmdBanList, `{"GroupId":"` + av + `","Limit":101}`, 10004},
		{"BanListNegativeOffset", cmdBanList, `{"GroupId":"` + av + `","Limit":10,"Offset":-1}`, 10004},
		{"BanListChatRoom", cmdBanList, `{"GroupId":"` + types["ChatRoom"] + `","Limit":10}`, 10007},
		{"BanListMissingGroup", cmdBanList, `{"GroupId":"nope","Limit":10}`, 10010},
		{"Roles500", cmdRoles, `{"GroupId":"` + types["Public"] + `","User_Account":` + accountsJSON("u", 500) + `}`, 0},
		{"Roles501", cmdRoles, `{"GroupId":"` + types["Public"] + `","User_Account":` + accountsJSON("u", 501) + `}`, 10005},
		{"RolesEmpty", cmdRoles, `{"GroupId":"` + types["Public"] + `","User_Account":[]}`, 10004},
		{"RolesAVChatRoom", cmdRoles, `{"GroupId":"` + av + `","User_Account":["u1"]}`, 10007},
		{"RolesMissingGroup", cmdRoles, `{"GroupId":"nope","User_Account":["u1"]}`, 10010},
		{"RolesBadJSON", cmdRoles, `{"GroupId":"x",`, 10015},
		{"RolesWork", cmdRoles, `{"GroupId":"work","User_Account":["u1"]}`, 0},
		{"RolesMeeting", cmdRoles, `{"GroupId":"` + types["Meeting"] + `","User_Account":["u1"]}`, 0},
		{"InfoOK", cmdInfo, `{"GroupIdList":["` + av + `","nope"]}`, 0},
		{"InfoEmpty", cmdInfo, `{"GroupIdList":[]}`, 10004},
		{"Info51", cmdInfo, `{"GroupIdList":` + accountsJSON("g", 51) + `}`, 10004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustCode(t, post(t, s, tt.command, tt.body), tt.want)
		})
	}
}

func TestBanAndUnban(t *testing.T) {
	clk := newClock(time.Unix(1_700_000_000, 0))
	s := NewServer(t, Options{Now: clk.Now})
	g := s.CreateGroup(AVChatRoom)
	if !strings.HasPrefix(g, "@TGS#a") {
		t.Errorf("AVChatRoom ID %q, want the @TGS#a prefix", g)
	}

	mustCode(t, post(t, s, cmdBan, `{"GroupId":"`+g+`","Members_Account":["u1","u2"],"Duration":3600}`), 0)
	until, ok := s.BannedUntil(g, "u1")
	if want := clk.Now().Add(time.Hour); !ok || !until.Equal(want) {
		t.Fatalf("BannedUntil=%v,%v, want %v,true", until, ok, want)
	}
	// Banning again replaces the end time.
	mustCode(t, post(t, s, cmdBan, `{"GroupId":"`+g+`","Members_Account":["u1"],"Duration":60}`), 0)
	if until, _ := s.BannedUntil(g, "u1"); !until.Equal(clk.Now().Add(time.Minute)) {
		t.Fatalf("after a second ban BannedUntil=%v, want a minute from now", until)
	}

	mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["u2","never-banned"]}`), 0)
	if s.IsBanned(g, "u2") {
		t.Fatal("u2 still banned after unban")
	}
	if !s.IsBanned(g, "u1") {
		t.Fatal("u1 unbanned by a call that did not name it")
	}

	// An expired ban counts as not banned, and leaves the list.
	clk.Add(2 * time.Minute)
	if s.IsBanned(g, "u1") {
		t.Fatal("u1 banned after the ban ended")
	}
	a := post(t, s, cmdBanList, `{"GroupId":"`+g+`","Limit":100,"Offset":0}`)
	mustCode(t, a, 0)
	var list []bannedAccount
	field(t, a, "BannedAccountList", &list)
	if len(list) != 0 {
		t.Fatalf("BannedAccountList=%v, want empty", list)
	}
}

func TestStrictUnban(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprint("StrictUnban=", strict), func(t *testing.T) {
			s := NewServer(t, Options{StrictUnban: strict})
			g := s.CreateGroup(AVChatRoom)
			s.Ban(g, "u1", time.Hour)
			s.CreateRoom("r")
			s.BanInRoom("r", "u1", time.Hour)

			wantGroup, wantRoom := 0, 0
			if strict {
				wantGroup, wantRoom = 10004, 100002
			}
			mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["u1","u2"]}`), wantGroup)
			mustCode(t, post(t, s, cmdRoomUnban, `{"RoomId":"r","MemberList_Account":["u1","u2"]}`), wantRoom)
			if got, want := s.IsBanned(g, "u1"), strict; got != want {
				t.Errorf("IsBanned(u1)=%v, want %v (a refused call changes nothing)", got, want)
			}
			if got, want := s.IsBannedInRoom("r", "u1"), strict; got != want {
				t.Errorf("IsBannedInRoom(u1)=%v, want %v", got, want)
			}
		})
	}
}

func TestBanAnyGroupType(t *testing.T) {
	s := NewServer(t, Options{BanAnyGroupType: true})
	for _, typ := range []GroupType{Private, Work, Public, ChatRoom, Meeting, AVChatRoom, Community} {
		t.Run(string(typ), func(t *testing.T) {
			g := s.CreateGroup(typ)
			mustCode(t, post(t, s, cmdBan, `{"GroupId":"`+g+`","Members_Account":["u1"],"Duration":60}`), 0)
			if !s.IsBanned(g, "u1") {
				t.Fatal("not banned")
			}
			mustCode(t, post(t, s, cmdBanList, `{"GroupId":"`+g+`","Limit":1}`), 0)
			mustCode(t, post(t, s, cmdUnban, `{"GroupId":"`+g+`","Members_Account":["u1"]}`), 0)
			if s.IsBanned(g, "u1") {
				t.Fatal("still banned")
			}
			wantRoles := 0
			if typ == AVChatRoom {
				wantRoles = 10007
			}
			mustCode(t, post(t, s, cmdRoles, `{"GroupId":"`+g+`","User_Account":["u1"]}`), wantRoles)
		})
	}
}

// TestBanListPaging pages through 250 bans: 100, 100, 50, ordered by ban end, then account.
func TestBanListPaging(t *testing.T) {
	s := NewServer(t, Options{Now: newClock(time.Unix(1_700_000_000, 0)).Now})
	g := s.CreateGroup(AVChatRoom)
	s.CreateRoom("r")
	for i := range 250 {
		// Three accounts share each end time, so both sort keys matter.
		d := time.Duration(1000-i/3) * time.Minute
		s.Ban(g, fmt.Sprintf("u%03d", i), d)
		s.BanInRoom("r", fmt.Sprintf("u%03d", i), d)
	}

	type pager struct {
		name  string
		fetch func(offset int) answer
		list  func(a answer) ([]bannedAccount, int)
	}
	groupList := func(a answer) ([]bannedAccount, int) {
		var list []bannedAccount
		var next int
		field(t, a, "BannedAccountList", &list)
		field(t, a, "NextOffset", &next)
		return list, next
	}
	roomList := func(a answer) ([]bannedAccount, int) {
		var p bannedPage
		field(t, a, "Response", &p)
		return p.BannedAccountList, p.NextOffset
	}
	pagers := []pager{
		{"Group", func(o int) answer {
			return post(t, s, cmdBanList, fmt.Sprintf(`{"GroupId":%q,"Limit":100,"Offset":%d}`, g, o))
		}, groupList},
		{"RoomOffset", func(o int) answer {
			return post(t, s, cmdRoomList, fmt.Sprintf(`{"RoomId":"r","Limit":100,"Offset":%d}`, o))
		}, roomList},
		{"RoomNext", func(o int) answer {
			return post(t, s, cmdRoomList, fmt.Sprintf(`{"RoomId":"r","Next":"%d"}`, o))
		}, roomList},
	}
	for _, p := range pagers {
		t.Run(p.name, func(t *testing.T) {
			var sizes []int
			var all []bannedAccount
			offset := 0
			for {
				a := p.fetch(offset)
				mustCode(t, a, 0)
				list, next := p.list(a)
				sizes = append(sizes, len(list))
				all = append(all, list...)
				if next == 0 {
					break
				}
				if next <= offset || len(sizes) > 5 {
					t.Fatalf("NextOffset %d after offset %d", next, offset)
				}
				offset = next
			}
			if got, want := fmt.Sprint(sizes), "[100 100 50]"; got != want {
				t.Fatalf("page sizes %s, want %s", got, want)
			}
			for i := 1; i < len(all); i++ {
				a, b := all[i-1], all[i]
				if a.BannedUntil > b.BannedUntil || (a.BannedUntil == b.BannedUntil && a.Account >= b.Account) {
					t.Fatalf("entries %d and %d out of order: %v, %v", i-1, i, a, b)
				}
			}
			if got, want := all[0].Account, "u249"; got != want {
				t.Fatalf("first entry %s, want %s (the earliest end)", got, want)
			}
		})
	}
}

func TestRolesAndInfo(t *testing.T) {
	s := NewServer(t)
	g := s.CreateGroup(Public)
	s.SetGroupName(g, "Fans")
	s.SetRole(g, "o1", RoleOwner)
	s.SetRole(g, "a1", RoleAdmin)
	s.SetRole(g, "m1", RoleMember)
	s.SetRole(g, "o2", RoleOwner) // o1 becomes a Member

	a := post(t, s, cmdRoles, `{"GroupId":"`+g+`","User_Account":["o1","a1","m1","o2","x"]}`)
	mustCode(t, a, 0)
	var roles []memberRole
	field(t, a, "UserIdList", &roles)
	if got, want := fmt.Sprint(roles), "[{o1 Member} {a1 Admin} {m1 Member} {o2 Owner} {x NotMember}]"; got != want {
		t.Fatalf("UserIdList=%s, want %s", got, want)
	}
	if got, want := s.Role(g, "x"), RoleNotMember; got != want {
		t.Fatalf("Role(x)=%s, want %s", got, want)
	}

	av := s.CreateGroup(AVChatRoom)
	s.SetRole(av, "host", RoleOwner)
	a = post(t, s, cmdInfo, `{"GroupIdList":["`+g+`","`+av+`","@TGS#2GONE"]}`)
	mustCode(t, a, 0)
	var infos []groupInfo
	field(t, a, "GroupInfo", &infos)
	if len(infos) != 3 {
		t.Fatalf("GroupInfo has %d entries, want 3", len(infos))
	}
	if i := infos[0]; i.GroupID != g || i.ErrorCode != 0 || i.Type != "Public" || i.Name != "Fans" ||
		i.MemberNum == nil || *i.MemberNum != 4 || i.OwnerAccount != "o2" {
		t.Errorf("GroupInfo[0]=%+v, want Public Fans with 4 members owned by o2", i)
	}
	if i := infos[1]; i.Type != "AVChatRoom" || i.MemberNum == nil || *i.MemberNum != 0 {
		t.Errorf("GroupInfo[1]=%+v, want AVChatRoom without a member count", i)
	}
	if i := infos[2]; i.GroupID != "@TGS#2GONE" || i.ErrorCode != 10010 || i.Type != "" {
		t.Errorf("GroupInfo[2]=%+v, want ErrorCode 10010 alone", i)
	}
}
