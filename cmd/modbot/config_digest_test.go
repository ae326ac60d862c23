package main

import (
	"strings"
	"testing"
)

// TestLoadConfig_Digest: MODBOT_DIGEST_AT in MODBOT_DIGEST_TZ; a bad value names the variable,
// says what a valid one looks like, and exits 2.
func TestLoadConfig_Digest(t *testing.T) {
	setEnv(t, validEnv)
	c, err := loadConfig(all)
	if err != nil || c.Digest.On() {
		t.Fatalf("default: digest %+v, err %v; want off", c.Digest, err)
	}
	t.Setenv("MODBOT_AUDIT_CHANNEL", "C0AUDIT")
	t.Setenv("MODBOT_DIGEST_AT", "9:05")
	t.Setenv("MODBOT_DIGEST_TZ", "Europe/Berlin")
	if c, err = loadConfig(all); err != nil {
		t.Fatal(err)
	}
	if d := c.Digest; !d.On() || d.Hour != 9 || d.Minute != 5 || d.Zone.String() != "Europe/Berlin" {
		t.Fatalf("digest = %+v", d)
	}

	for _, tt := range []struct {
		name string
		set  map[string]string
		want string
	}{
		{"HourOutOfRange", map[string]string{"MODBOT_DIGEST_AT": "25:00"}, `MODBOT_DIGEST_AT must be a time of day HH:MM on a 24-hour clock, such as 09:00 or 18:30 (empty turns the digest off), not "25:00"`},
		{"NoColon", map[string]string{"MODBOT_DIGEST_AT": "0900"}, `MODBOT_DIGEST_AT must be a time of day HH:MM`},
		{"Minutes", map[string]string{"MODBOT_DIGEST_AT": "09:60"}, `not "09:60"`},
		{"UnknownZone", map[string]string{"MODBOT_DIGEST_TZ": "Mars/Olympus"}, `MODBOT_DIGEST_TZ must be an IANA time zone such as UTC, Europe/Berlin or Asia/Shanghai, not "Mars/Olympus"`},
		{"LocalZone", map[string]string{"MODBOT_DIGEST_TZ": "Local"}, `MODBOT_DIGEST_TZ must be an IANA time zone`},
		{"NoAuditChannel", map[string]string{"MODBOT_AUDIT_CHANNEL": ""}, "MODBOT_DIGEST_AT needs MODBOT_AUDIT_CHANNEL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.set)
			_, err := loadConfig(all)
			if err == nil {
				t.Fatal("no error")
			}
			if got := exitCode(err); got != 2 {
				t.Errorf("exit code %d, want 2", got)
			}
			cfgErr, _ := err.(*ConfigError)
			if cfgErr == nil || len(cfgErr.Problems) != 1 || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error:\n%v\nwant one problem containing %q", err, tt.want)
			}
		})
	}
}
