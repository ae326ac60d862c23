package timtest

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// TestAuthentication checks the query string, the App admin and the UserSig, signed by the real
// library and verified by the emulator's own code.
func TestAuthentication(t *testing.T) {
	const foreignKey = "0000000000000000000000000000000000000000000000000000000000000000"
	clk := newClock(time.Now())
	s := NewServer(t, Options{Now: clk.Now, Admins: []string{"administrator", "ops"}})
	g := s.CreateGroup(AVChatRoom)
	app := s.SDKAppID()
	sign := func(appid int, key, id string, expire int) string {
		sig, err := tencentyun.GenUserSig(appid, key, id, expire)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	good := sign(app, s.SecretKey(), "administrator", 3600)
	query := func(appid, id, sig, random, ct string) url.Values {
		return url.Values{"sdkappid": {appid}, "identifier": {id}, "usersig": {sig}, "random": {random}, "contenttype": {ct}}
	}
	appS := strconv.Itoa(app)

	tests := []struct {
		name    string
		method  string
		path    string
		q       url.Values
		advance time.Duration // moves the server's clock for this case
		want    int
	}{
		{name: "OK", q: query(appS, "administrator", good, "99999999", "json")},
		{name: "SecondAdmin", q: query(appS, "ops", sign(app, s.SecretKey(), "ops", 3600), "0", "json")},
		{name: "RandomMax", q: query(appS, "administrator", good, "4294967295", "json")},
		{name: "Expired", q: query(appS, "administrator", good, "1", "json"), advance: 2 * time.Hour, want: 70001},
		{name: "StillValidAtExpiry", q: query(appS, "administrator", good, "1", "json"), advance: 3590 * time.Second},
		{name: "Empty", q: query(appS, "administrator", "", "1", "json"), want: 70002},
		{name: "Truncated", q: query(appS, "administrator", good[:len(good)/2], "1", "json"), want: 70003},
		{name: "TruncatedByOne", q: query(appS, "administrator", good[:len(good)-1], "1", "json"), want: 70003},
		{name: "Garbage", q: query(appS, "administrator", "not a sig", "1", "json"), want: 70003},
		{name: "ForeignKey", q: query(appS, "administrator", sign(app, foreignKey, "administrator", 3600), "1", "json"), want: 70009},
		{name: "WrongIdentifier", q: query(appS, "administrator", sign(app, s.SecretKey(), "ops", 3600), "1", "json"), want: 70013},
		{name: "WrongSDKAppIDInSig", q: query(appS, "administrator", sign(app+1, s.SecretKey(), "administrator", 3600), "1", "json"), want: 70014},
		{name: "OtherApp", q: query(strconv.Itoa(app+1), "administrator", sign(app+1, s.SecretKey(), "administrator", 3600), "1", "json"), want: 70020},
		{name: "MissingSDKAppID", q: query("", "administrator", good, "1", "json"), want: 60012},
		{name: "SDKAppIDNotNumber", q: query("abc", "administrator", good, "1", "json"), want: 60006},
		{name: "MissingIdentifier", q: query(appS, "", good, "1", "json"), want: 60004},
		{name: "NotAdmin", q: query(appS, "alice", sign(app, s.SecretKey(), "alice", 3600), "1", "json"), want: 60010},
		{name: "MissingRandom", q: query(appS, "administrator", good, "", "json"), want: 60002},
		{name: "RandomOver32Bits", q: query(appS, "administrator", good, "4294967296", "json"), want: 60002},
		{name: "RandomNegative", q: query(appS, "administrator", good, "-1", "json"), want: 60002},
		{name: "ContentTypeNotJSON", q: query(appS, "administrator", good, "1", "xml"), want: 60002},
		{name: "GET", method: http.MethodGet, q: query(appS, "administrator", good, "1", "json"), want: 60002},
		{name: "UnknownService", path: "/v4/nosuch_svc/unban_group_member", q: query(appS, "administrator", good, "1", "json"), want: 60009},
		{name: "NotV4", path: "/v3/group_open_http_svc/unban_group_member", q: query(appS, "administrator", good, "1", "json"), want: 60009},
		{name: "UnknownGroupCommand", path: "/v4/group_open_http_svc/nosuch", q: query(appS, "administrator", good, "1", "json"), want: 10003},
		{name: "UnknownRoomCommand", path: "/v4/room_engine_http_srv/nosuch", q: query(appS, "administrator", good, "1", "json"), want: 60009},
	}
	body := `{"GroupId":"` + g + `","Members_Account":["u1"]}`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.Add(tt.advance)
			defer clk.Add(-tt.advance)
			method, path := tt.method, tt.path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = "/v4/" + cmdUnban
			}
			req, err := http.NewRequest(method, s.URL+path+"?"+tt.q.Encode(), bytes.NewBufferString(body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			a := decodeAnswer(t, resp)
			mustCode(t, a, tt.want)
			for _, secret := range []string{s.SecretKey(), tt.q.Get("usersig")} {
				if secret != "" && bytes.Contains(a.Raw, []byte(secret)) {
					t.Fatalf("answer %s holds a secret", a.Raw)
				}
			}
		})
	}
}

// TestVerifyUserSigAlphabet checks the URL-safe alphabet is undone: a signature whose base64 form
// holds '+', '/' and '=' must survive the round trip through '*', '-' and '_'.
func TestVerifyUserSigAlphabet(t *testing.T) {
	const key = DefaultSecretKey
	seen := map[rune]bool{}
	for i := 0; i < 200 && len(seen) < 3; i++ {
		id := "user" + strconv.Itoa(i)
		sig, err := tencentyun.GenUserSig(DefaultSDKAppID, key, id, 86400)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sig {
			if c == '*' || c == '-' || c == '_' {
				seen[c] = true
			}
		}
		if code, info := verifyUserSig(sig, DefaultSDKAppID, key, id, time.Now()); code != 0 {
			t.Fatalf("%s: code %d (%s), want 0", id, code, info)
		}
	}
	if len(seen) < 3 {
		t.Fatalf("the signatures tried used only %v of * - _", seen)
	}
}
