package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"modbot/store"
	"modbot/store/storetest"
)

// redisOnly sets only the Redis variables (everything else empty): allow, revoke and who need no
// more. It returns a store on the same Redis and prefix to check the results.
func redisOnly(t *testing.T) *store.Store {
	t.Helper()
	for k := range validEnv {
		t.Setenv(k, "")
	}
	url, prefix := storetest.RedisURL(t), storetest.Prefix(t)
	t.Setenv("MODBOT_REDIS_URL", url)
	t.Setenv("MODBOT_REDIS_PREFIX", prefix)
	st, err := store.Open(t.Context(), store.Options{URL: url, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		storetest.DeleteKeys(t, url, prefix)
	})
	return st
}

// modbot runs a subcommand in-process and returns its output.
func modbot(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), args, &out, &out)
	return out.String(), err
}

func TestAllowlist(t *testing.T) {
	st := redisOnly(t)
	ctx := t.Context()

	out, err := modbot(t, "who")
	if err != nil || !strings.Contains(out, "the allowlist is empty") {
		t.Fatalf("who on an empty list = %q, %v", out, err)
	}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"allow", "U0ALICE", "admin"}, "U0ALICE is now admin (was not on the allowlist)"},
		{[]string{"allow", "W0BOB", "Approver"}, "W0BOB is now approver (was not on the allowlist)"},
		{[]string{"allow", "W0BOB", "moderator"}, "W0BOB is now moderator (was approver)"},
		{[]string{"allow", "U0SARA", "approver", "group:@TGS#1A"}, "U0SARA is now approver on group:@TGS#1A (was not on the allowlist there)"},
		{[]string{"allow", "U0SARA", "moderator", "room:r1"}, "U0SARA is now moderator on room:r1 (was not on the allowlist there)"},
		{[]string{"revoke", "U0SARA", "room:r1"}, "U0SARA no longer has a role on room:r1 (was moderator)"},
	}
	for _, s := range steps {
		out, err := modbot(t, s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("%v = %q, %v; want %q", s.args, out, err, s.want)
		}
	}
	if r, err := st.Role(ctx, "W0BOB"); err != nil || r != store.RoleModerator {
		t.Fatalf("W0BOB's role = %v, %v; want moderator", r, err)
	}
	out, err = modbot(t, "who")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(out), []string{"U0ALICE", "admin", "W0BOB", "moderator", "U0SARA", "approver", "on", "group:@TGS#1A"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("who = %q, want %v", out, want)
	}

	// The last admin stays.
	if _, err := modbot(t, "revoke", "U0ALICE"); err == nil || !strings.Contains(err.Error(), "without an admin") {
		t.Fatalf("revoking the last admin: %v, want a refusal", err)
	}
	if _, err := modbot(t, "allow", "U0ALICE", "viewer"); err == nil || !strings.Contains(err.Error(), "without an admin") {
		t.Fatalf("demoting the last admin: %v, want a refusal", err)
	}
	if _, err := modbot(t, "revoke", "U0SARA", "room:r1"); err == nil || !strings.Contains(err.Error(), "U0SARA has no role on room:r1") {
		t.Fatalf("revoking a scope twice: %v", err)
	}
	if r, err := st.RoleOn(ctx, "U0SARA", store.Scope{Kind: store.KindGroup, ID: "@TGS#1A"}); err != nil || r != store.RoleApprover {
		t.Fatalf("U0SARA on the group = %v, %v; want approver", r, err)
	}
	out, err = modbot(t, "revoke", "W0BOB")
	if err != nil || !strings.Contains(out, "W0BOB removed from the allowlist (was moderator)") {
		t.Fatalf("revoke W0BOB = %q, %v", out, err)
	}
	if _, err := modbot(t, "revoke", "W0BOB"); err == nil || !strings.Contains(err.Error(), "not on the allowlist") {
		t.Fatalf("revoking someone not on the list: %v", err)
	}

	// Changes from the shell are audited as the system actor.
	page, err := st.Audit(ctx, store.AuditFilter{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) == 0 {
		t.Fatal("no audit entries for the allowlist changes")
	}
}

func TestAllowlist_Usage(t *testing.T) {
	redisOnly(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"NoArgs", []string{"allow"}, "usage"},
		{"UnknownRole", []string{"allow", "U0ALICE", "owner"}, `unknown role "owner"`},
		{"NotAMemberID", []string{"allow", "@alice", "admin"}, `"@alice" is not a Slack member ID`},
		{"ChannelID", []string{"revoke", "C0123"}, "is not a Slack member ID"},
		{"WhoWithArgs", []string{"who", "U0ALICE"}, "usage"},
		{"BadScope", []string{"allow", "U0ALICE", "admin", "channel:C1"}, "want group:<id> or room:<id>"},
		{"BadScopeByte", []string{"revoke", "U0ALICE", "room:a,b"}, "byte 7 is 0x2c"},
		{"TooMany", []string{"allow", "U0ALICE", "admin", "group:g", "x"}, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := modbot(t, tt.args...)
			if got, want := exitCode(err), 2; got != want {
				t.Fatalf("exit code %d (%v), want %d", got, err, want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestAllowlist_NeedsRedisURL(t *testing.T) {
	redisOnly(t)
	t.Setenv("MODBOT_REDIS_URL", "")
	_, err := modbot(t, "who")
	var ce *ConfigError
	if !errors.As(err, &ce) || len(ce.Problems) != 1 || !strings.Contains(err.Error(), "MODBOT_REDIS_URL is required") {
		t.Fatalf("err = %v, want exactly MODBOT_REDIS_URL is required", err)
	}
}
