package tim

import (
	"errors"
	"testing"
)

// FuzzDecodeResponse feeds arbitrary bodies to the response decoder of every
// command: it must never panic, and it succeeds only on ErrorCode 0 with ActionStatus OK.
func FuzzDecodeResponse(f *testing.F) {
	for _, name := range []string{"unban_group_member.response.json", "get_role_in_group.response.json", "get_banned_member_list.response.json"} {
		f.Add(readSeed(f, name))
	}
	f.Add([]byte(`{"ActionStatus":"FAIL","ErrorCode":10004,"ErrorInfo":"bad"}`))
	f.Add([]byte(`{"ErrorCode":0,"GroupInfo":[{"GroupId":"g","ErrorCode":10010}]}`))
	f.Add([]byte(`{"ErrorCode":0,"BannedAccountList":[{"Member_Account":"u","BannedUntil":4294967295}],"NextOffset":100}`))
	f.Add([]byte(`<html>502</html>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		outs := []response{&envelope{}, &roleResponse{}, &groupBanListResponse{}, &roomBanListResponse{}, &groupInfoResponse{}}
		for _, out := range outs {
			err := decode("svc/cmd", data, out)
			var te *Error
			switch {
			case err == nil && (out.env().ErrorCode != 0 || out.env().ActionStatus != "OK"):
				t.Fatalf("%T: success with %+v", out, *out.env())
			case errors.As(err, &te) && te.Code == 0:
				t.Fatalf("%T: *Error with code 0", out)
			}
		}
	})
}
