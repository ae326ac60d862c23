package tim_test

import (
	"strings"
	"testing"

	"modbot/tim"
	"modbot/tim/timtest"
)

func TestClient_Probe(t *testing.T) {
	srv := timtest.NewServer(t)
	tests := []struct {
		name     string
		mod      func(*tim.Options)
		fault    int    // injected into get_group_info when non-zero
		wantCode int    // the Tencent code of the error; 0 with wantHint "" means success
		wantHint string // a substring of the error
	}{
		{name: "OK", mod: func(*tim.Options) {}},
		{name: "WrongSecretKey", mod: func(o *tim.Options) { o.SecretKey = "not-the-key" },
			wantCode: 70009, wantHint: "secret key does not belong"},
		{name: "WrongSDKAppID", mod: func(o *tim.Options) { o.SDKAppID++ },
			wantCode: 70020, wantHint: "check the SDKAppID and the region"},
		{name: "NotAnAppAdmin", mod: func(o *tim.Options) { o.Admin = "moderator1" },
			wantCode: 60010, wantHint: "not an App admin"},
		{name: "AdminRefusedByCommand", mod: func(*tim.Options) {}, fault: 70403,
			wantCode: 70403, wantHint: "not an App admin"},
		{name: "Unreachable", mod: func(o *tim.Options) { o.BaseURL, o.MaxAttempts = "http://127.0.0.1:1", 1 },
			wantHint: "could not be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, srv, tt.mod)
			if tt.fault != 0 {
				srv.FailNext(cmdGroupInfo, tt.fault)
			}
			err := c.Probe(t.Context())
			if tt.wantHint == "" {
				if err != nil {
					t.Fatalf("Probe: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Probe succeeded, want an error")
			}
			if got := tim.Code(err); got != tt.wantCode {
				t.Errorf("code = %d, want %d (%v)", got, tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantHint) {
				t.Errorf("err = %q, want it to say %q", err, tt.wantHint)
			}
			for _, secret := range []string{srv.SecretKey(), "usersig="} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("err leaks %q: %v", secret, err)
				}
			}
		})
	}
}

// A probe is one call (two when a refused UserSig is renewed), however it ends.
func TestClient_Probe_OneCall(t *testing.T) {
	srv := timtest.NewServer(t)
	if err := newClient(t, srv).Probe(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Calls(cmdGroupInfo), 1; got != want {
		t.Fatalf("get_group_info calls = %d, want %d", got, want)
	}
}
