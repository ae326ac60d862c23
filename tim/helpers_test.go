package tim_test

import (
	"fmt"
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

// Commands as the emulator counts them.
const (
	cmdUnbanGroup   = "group_open_http_svc/unban_group_member"
	cmdBanGroup     = "group_open_http_svc/ban_group_member"
	cmdRoles        = "group_open_http_svc/get_role_in_group"
	cmdGroupBanList = "group_open_http_svc/get_group_ban_member"
	cmdGroupInfo    = "group_open_http_svc/get_group_info"
	cmdMute         = "group_open_http_svc/forbid_send_msg"
	cmdMutedList    = "group_open_http_svc/get_group_muted_account"
	cmdUnbanRoom    = "room_engine_http_srv/unban_room_member"
	cmdBanRoom      = "room_engine_http_srv/ban_room_member"
	cmdRoomBanList  = "room_engine_http_srv/get_banned_member_list"
)

// newClient returns a client of srv with short backoffs; mods adjust its
// options.
func newClient(tb testing.TB, srv *timtest.Server, mods ...func(*tim.Options)) *tim.Client {
	tb.Helper()
	o := tim.Options{
		SDKAppID:  srv.SDKAppID(),
		SecretKey: srv.SecretKey(),
		Admin:     srv.Admin(),
		BaseURL:   srv.URL,
		RetryBase: time.Millisecond,
	}
	for _, m := range mods {
		m(&o)
	}
	c, err := tim.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// accounts returns n accounts named prefix0, prefix1, ….
func accounts(prefix string, n int) []tim.UserID {
	out := make([]tim.UserID, n)
	for i := range out {
		out[i] = tim.UserID(fmt.Sprintf("%s%d", prefix, i))
	}
	return out
}

// mustAllDone fails unless every outcome is done and they name want in order.
func mustAllDone(tb testing.TB, got []tim.Outcome, want []tim.UserID) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%d outcomes, want %d", len(got), len(want))
	}
	for i, o := range got {
		if o.Account != want[i] || o.Err != nil {
			tb.Fatalf("outcome %d = {%s %v}, want {%s <nil>}", i, o.Account, o.Err, want[i])
		}
	}
}
