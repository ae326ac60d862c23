package tim

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// readSeed returns a fixture of testdata/seeds.
func readSeed(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seeds", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// strictDecode decodes data into v and fails on any field v does not know.
func strictDecode(tb testing.TB, data []byte, v any) {
	tb.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		tb.Fatalf("decode into %T: %v", v, err)
	}
}

func TestSeeds_RequestsRoundTrip(t *testing.T) {
	tests := []struct {
		file string
		v    any
	}{
		{"unban_group_member.request.json", &groupMembersRequest{}},
		{"get_role_in_group.request.json", &roleRequest{}},
		{"get_banned_member_list.request.json", &roomBanListRequest{}},
		{"ban_group_member.request.json", &banGroupRequest{}},
		{"get_group_ban_member.request.json", &banListRequest{}},
		{"forbid_send_msg.request.json", &muteRequest{}},
		{"get_group_muted_account.request.json", &mutedListRequest{}},
		{"ban_room_member.request.json", &banRoomRequest{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readSeed(t, tt.file)
			strictDecode(t, data, tt.v)
			again, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			var want, got map[string]any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(again, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip = %s, want the fields of %s", again, data)
			}
		})
	}
}

func TestSeeds_Responses(t *testing.T) {
	for _, name := range []string{"ban_group_member", "forbid_send_msg"} {
		t.Run(name, func(t *testing.T) {
			var r envelope
			data := readSeed(t, name+".response.json")
			strictDecode(t, data, &r)
			if r != (envelope{ActionStatus: "OK"}) {
				t.Fatalf("envelope = %+v, want OK with code 0", r)
			}
			if err := decode(name, data, &envelope{}); err != nil {
				t.Fatalf("decode: %v", err)
			}
		})
	}
	t.Run("ban_room_member", func(t *testing.T) {
		var r envelope
		strictDecode(t, readSeed(t, "ban_room_member.response.json"), &r)
		if r.ActionStatus != "OK" || r.ErrorCode != 0 || r.RequestID == "" {
			t.Fatalf("envelope = %+v, want OK with code 0 and a RequestId", r)
		}
	})
	t.Run("get_group_ban_member", func(t *testing.T) {
		var r groupBanListResponse
		data := readSeed(t, "get_group_ban_member.response.json")
		strictDecode(t, data, &r)
		want := banPage{BannedAccountList: []bannedAccount{{Account: "u1", BannedUntil: 1660875916}}, NextOffset: 2}
		if !reflect.DeepEqual(r.banPage, want) {
			t.Fatalf("page = %+v, want %+v (flat, not wrapped in Response)", r.banPage, want)
		}
	})
	t.Run("get_group_muted_account", func(t *testing.T) {
		var r mutedListResponse
		data := readSeed(t, "get_group_muted_account.response.json")
		strictDecode(t, data, &r)
		if r.GroupID != "@TGS#2FZNNRAEU" || len(r.MutedAccountList) != 1 ||
			r.MutedAccountList[0].Account != "tommy" || r.MutedAccountList[0].MutedUntil != 1458115189 {
			t.Fatalf("muted list = %+v, want tommy until 1458115189 in @TGS#2FZNNRAEU", r)
		}
		if err := decode(cmdMutedList, data, &mutedListResponse{}); err != nil {
			t.Fatalf("decode: %v", err)
		}
	})

	t.Run("unban_group_member", func(t *testing.T) {
		var r envelope
		strictDecode(t, readSeed(t, "unban_group_member.response.json"), &r)
		if r != (envelope{ActionStatus: "OK"}) {
			t.Fatalf("envelope = %+v, want OK with code 0", r)
		}
	})
	t.Run("get_role_in_group", func(t *testing.T) {
		var r roleResponse
		strictDecode(t, readSeed(t, "get_role_in_group.response.json"), &r)
		var got []MemberRole
		for _, u := range r.UserIDList {
			got = append(got, MemberRole{Account: u.Account, Role: u.Role})
		}
		want := []MemberRole{{"leckie", "Owner"}, {"peter", "Member"}, {"wesley", "NotMember"}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("roles = %v, want %v", got, want)
		}
	})
	t.Run("get_banned_member_list", func(t *testing.T) {
		var r roomBanListResponse
		data := readSeed(t, "get_banned_member_list.response.json")
		strictDecode(t, data, &r)
		if got, want := r.RequestID, "Id-99d6df2213b54216a02bc18024a5c218-O-Seq-57681"; got != want {
			t.Fatalf("RequestId = %q, want %q", got, want)
		}
		want := banPage{BannedAccountList: []bannedAccount{{Account: "user2", BannedUntil: 1703559417}}}
		if !reflect.DeepEqual(r.Response, want) {
			t.Fatalf("Response = %+v, want %+v", r.Response, want)
		}
		if err := decode(cmdRoomBanList, data, &roomBanListResponse{}); err != nil {
			t.Fatalf("decode: %v", err)
		}
		if got, want := time.Unix(r.Response.BannedAccountList[0].BannedUntil, 0).UTC(), time.Date(2023, 12, 26, 2, 56, 57, 0, time.UTC); !got.Equal(want) {
			t.Fatalf("BannedUntil = %v, want %v", got, want)
		}
	})
}
