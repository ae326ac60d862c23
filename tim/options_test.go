package tim_test

import (
	"strings"
	"testing"

	"modbot/tim"
)

func TestNew_ReportsEveryProblem(t *testing.T) {
	const secret = "s3cr3t-k3y-that-must-not-leak"
	_, err := tim.New(tim.Options{SecretKey: secret, Admin: "bad admin", Region: "mars", Workers: -1, MaxAttempts: -2})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"SDKAppID", "Admin", `Region "mars"`, "Workers -1", "MaxAttempts -2"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, secret) {
		t.Fatalf("error %q shows the secret key", msg)
	}

	_, err = tim.New(tim.Options{SDKAppID: 1, BaseURL: "ftp://x?y=1"})
	if err == nil || !strings.Contains(err.Error(), "SecretKey is empty") || !strings.Contains(err.Error(), "BaseURL") {
		t.Fatalf("err = %v, want SecretKey and BaseURL named", err)
	}
	if _, err := tim.New(tim.Options{SDKAppID: 1, SecretKey: "k", Region: tim.Jakarta}); err != nil {
		t.Fatalf("valid options: %v", err)
	}
}

func TestParseRegion(t *testing.T) {
	tests := []struct{ in, host string }{
		{"china", "console.tim.qq.com"},
		{"Singapore", "adminapisgp.im.qcloud.com"},
		{"seoul", "adminapikr.im.qcloud.com"},
		{"tokyo", "adminapijpn.im.qcloud.com"},
		{"frankfurt", "adminapiger.im.qcloud.com"},
		{" siliconvalley ", "adminapiusa.im.qcloud.com"},
		{"jakarta", "adminapiidn.im.qcloud.com"},
		{"mumbai", ""},
		{"", ""},
	}
	for _, tt := range tests {
		r, err := tim.ParseRegion(tt.in)
		if got := r.Host(); got != tt.host || (err == nil) != (tt.host != "") {
			t.Fatalf("ParseRegion(%q) = %q (host %q), %v; want host %q", tt.in, r, got, err, tt.host)
		}
	}
}

func TestMeaning(t *testing.T) {
	codes := []int{
		10002, 10003, 10004, 10005, 10006, 10007, 10008, 10010, 10011, 10012, 10015, 10016, 10017, 10018, 10019, 10021, 10026, 10059,
		60002, 60003, 60004, 60005, 60006, 60007, 60008, 60009, 60010, 60011, 60012, 60013, 60014, 60015, 60016, 60017, 60018, 60019, 60020, 60021,
		70001, 70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020, 70050, 70051, 70052, 70107, 70114, 70169, 70206, 70398, 70402, 70403, 70500,
		100001, 100002, 100004, 100005, 100006,
	}
	for _, c := range codes {
		if tim.Meaning(c) == "" {
			t.Errorf("Meaning(%d) is empty", c)
		}
	}
	for _, cause := range []string{"group type", "edition", "console", "App admin"} {
		if !strings.Contains(tim.Meaning(10007), cause) {
			t.Errorf("Meaning(10007) does not name %q", cause)
		}
	}
	if tim.Meaning(12345) != "" {
		t.Error("Meaning of an unknown code is not empty")
	}
}

func TestErrorClass(t *testing.T) {
	tests := []struct {
		code      int
		class     string
		retryable bool
	}{
		{10002, "transient", true}, {60008, "transient", true}, {70169, "transient", true}, {70500, "transient", true}, {100001, "transient", true},
		{60007, "throttled", true}, {60011, "throttled", true}, {60018, "throttled", true}, {60019, "throttled", true}, {10006, "throttled", true},
		{70001, "credentials", false}, {70052, "credentials", false},
		{70050, "permanent", false}, {10004, "permanent", false}, {70009, "permanent", false}, {100004, "permanent", false},
	}
	for _, tt := range tests {
		err := &tim.Error{Command: "c/d", Code: tt.code}
		if got := tim.ErrorClass(err); got != tt.class {
			t.Errorf("ErrorClass(%d) = %q, want %q", tt.code, got, tt.class)
		}
		if got := tim.Retryable(err); got != tt.retryable {
			t.Errorf("Retryable(%d) = %v, want %v", tt.code, got, tt.retryable)
		}
	}
	err := &tim.Error{Command: "room_engine_http_srv/ban_room_member", Code: 100004, Info: "gone", RequestID: "Id-1"}
	if got, want := err.Error(), "tim: room_engine_http_srv/ban_room_member: error 100004 (the room does not exist, or it was destroyed): gone [RequestId Id-1]"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
