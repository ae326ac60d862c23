package main

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim/timtest"
)

// checkWorld sets the environment of `modbot check` to the fakes and a Redis as docs/DESIGN.md
// requires it (7.x, AOF on, noeviction), with an admin and an approver on the allowlist.
func checkWorld(t *testing.T, redisArgs ...string) (*slacktest.Server, *timtest.Server, *storetest.Server) {
	t.Helper()
	sl := slacktest.NewServer(t, slacktest.Options{})
	tm := timtest.NewServer(t)
	rs := storetest.StartServer(t, append([]string{"--appendonly", "yes"}, redisArgs...)...)
	prefix := storetest.Prefix(t)
	st, err := store.Open(t.Context(), store.Options{URL: rs.URL(), Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for user, role := range map[string]store.Role{"U0ADMIN": store.RoleAdmin, "U0APPROVER": store.RoleApprover} {
		if _, err := st.SetRole(t.Context(), store.SystemActor, user, role); err != nil {
			t.Fatal(err)
		}
	}
	so := sl.Options()
	setEnv(t, map[string]string{
		"MODBOT_SLACK_APP_TOKEN":  so.AppToken,
		"MODBOT_SLACK_BOT_TOKEN":  so.BotToken,
		"MODBOT_SLACK_API_URL":    sl.URL,
		"MODBOT_SLACK_TEAM_ID":    so.TeamID,
		"MODBOT_APPROVAL_CHANNEL": "C0APPROVALS",
		"MODBOT_TIM_SDKAPPID":     strconv.Itoa(tm.SDKAppID()),
		"MODBOT_TIM_SECRET_KEY":   tm.SecretKey(),
		"MODBOT_TIM_ADMIN":        tm.Admin(),
		"MODBOT_TIM_REGION":       "",
		"MODBOT_TIM_BASE_URL":     tm.URL,
		"MODBOT_REDIS_URL":        rs.URL(),
		"MODBOT_REDIS_PREFIX":     prefix,
	})
	return sl, tm, rs
}

// checkLines runs `modbot check` and returns its lines by name ("redis" → "PASS  redis  …").
func checkLines(t *testing.T) (map[string]string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"check"}, &out, &errOut)
	lines := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if len(l) < 25 {
			t.Fatalf("malformed check line %q", l)
		}
		lines[strings.TrimSpace(l[6:23])] = l // "PASS  <name, 17 wide>  <detail>"
	}
	t.Logf("modbot check:\n%s", out.String())
	return lines, err
}

var checkNames = []string{"config", "redis", "redis replicas", "redis persistence", "redis eviction", "allowlist",
	"slack bot token", "slack app token", "slack team", "tencent"}

func TestCheck_AllGreen(t *testing.T) {
	checkWorld(t)
	lines, err := checkLines(t)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	for _, name := range checkNames {
		if got := lines[name]; !strings.HasPrefix(got, "PASS") {
			t.Errorf("%s: %q, want PASS", name, got)
		}
	}
	if got, want := len(lines), len(checkNames); got != want {
		t.Errorf("%d lines, want %d: %v", got, want, lines)
	}
	if !strings.Contains(lines["redis"], "version 7.") {
		t.Errorf("redis line %q does not give the version", lines["redis"])
	}
}

// Each dependency broken in turn: its line turns red (or amber), the others stay green.
func TestCheck_EachDependencyBroken(t *testing.T) {
	tests := []struct {
		name      string
		redisArgs []string
		breakIt   func(t *testing.T, sl *slacktest.Server, tm *timtest.Server, rs *storetest.Server)
		line      string // the line that must not pass
		want      string // its status and a substring
		failed    bool   // whether check must fail (FAIL) rather than warn
	}{
		{name: "RedisDown", breakIt: func(t *testing.T, _ *slacktest.Server, _ *timtest.Server, rs *storetest.Server) { rs.Kill() },
			line: "redis", want: "FAIL  redis", failed: true},
		{name: "BotTokenWrong", breakIt: func(t *testing.T, _ *slacktest.Server, _ *timtest.Server, _ *storetest.Server) {
			t.Setenv("MODBOT_SLACK_BOT_TOKEN", "xoxb-revoked")
		}, line: "slack bot token", want: "FAIL  slack bot token    auth.test: invalid_auth", failed: true},
		{name: "AppTokenWrong", breakIt: func(t *testing.T, _ *slacktest.Server, _ *timtest.Server, _ *storetest.Server) {
			t.Setenv("MODBOT_SLACK_APP_TOKEN", "xapp-revoked")
		}, line: "slack app token", want: "FAIL  slack app token    apps.connections.open: invalid_auth", failed: true},
		{name: "SlackDown", breakIt: func(t *testing.T, sl *slacktest.Server, _ *timtest.Server, _ *storetest.Server) { sl.Close() },
			line: "slack bot token", want: "FAIL  slack bot token", failed: true},
		{name: "TencentKeyWrong", breakIt: func(t *testing.T, _ *slacktest.Server, _ *timtest.Server, _ *storetest.Server) {
			t.Setenv("MODBOT_TIM_SECRET_KEY", "not-the-secret-key")
		}, line: "tencent", want: "FAIL  tencent", failed: true},
		{name: "TencentAdminWrong", breakIt: func(t *testing.T, _ *slacktest.Server, _ *timtest.Server, _ *storetest.Server) {
			t.Setenv("MODBOT_TIM_ADMIN", "moderator1")
		}, line: "tencent", want: "not an App admin", failed: true},
		{name: "TencentDown", breakIt: func(t *testing.T, _ *slacktest.Server, tm *timtest.Server, _ *storetest.Server) { tm.Close() },
			line: "tencent", want: "FAIL  tencent", failed: true},
		{name: "NoAOF", redisArgs: []string{"--appendonly", "no"},
			line: "redis persistence", want: "WARN  redis persistence  appendonly is no"},
		{name: "Evicting", redisArgs: []string{"--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"},
			line: "redis eviction", want: "FAIL  redis eviction", failed: true},
		{name: "OneApprover", breakIt: func(t *testing.T, _ *slacktest.Server, _ *timtest.Server, _ *storetest.Server) {
			var out bytes.Buffer
			if err := run(t.Context(), []string{"revoke", "U0APPROVER"}, &out, &out); err != nil {
				t.Fatal(err)
			}
		}, line: "allowlist", want: "WARN  allowlist"},
		{name: "NoTeamID", breakIt: func(t *testing.T, _ *slacktest.Server, _ *timtest.Server, _ *storetest.Server) {
			t.Setenv("MODBOT_SLACK_TEAM_ID", "")
		}, line: "slack team", want: "WARN  slack team         MODBOT_SLACK_TEAM_ID is unset"},
		{name: "BootstrapAdminsStillSet", breakIt: func(t *testing.T, _ *slacktest.Server, _ *timtest.Server, _ *storetest.Server) {
			t.Setenv("MODBOT_BOOTSTRAP_ADMINS", "U0ADMIN,U0OTHER")
		}, line: "bootstrap admins", want: "WARN  bootstrap admins   MODBOT_BOOTSTRAP_ADMINS is set (2 user(s)) but the allowlist has an admin, so it is ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sl, tm, rs := checkWorld(t, tt.redisArgs...)
			if tt.breakIt != nil {
				tt.breakIt(t, sl, tm, rs)
			}
			lines, err := checkLines(t)
			if !strings.Contains(lines[tt.line], tt.want) {
				t.Errorf("%s line = %q, want %q", tt.line, lines[tt.line], tt.want)
			}
			if tt.failed != errors.Is(err, errCheckFailed) {
				t.Errorf("check error = %v, want failed %v", err, tt.failed)
			}
			if tt.failed && exitCode(err) != 1 {
				t.Errorf("exit code %d, want 1", exitCode(err))
			}
			for _, name := range checkNames {
				l, ok := lines[name]
				if name == tt.line || !ok { // lines after a dead Redis are not printed
					continue
				}
				if tt.name == "SlackDown" && name == "slack app token" {
					continue
				}
				if !strings.HasPrefix(l, "PASS") {
					t.Errorf("%s: %q, want PASS (only %s is broken)", name, l, tt.line)
				}
			}
			for _, l := range lines {
				for _, secret := range []string{"xoxb-slacktest", "xapp-slacktest", timtest.DefaultSecretKey, "usersig=", "ticket="} {
					if strings.Contains(l, secret) {
						t.Errorf("check prints a secret: %q", l)
					}
				}
			}
		})
	}
}

// TestCheck_BootstrapAdminsWithoutAdmin: with no admin on the allowlist MODBOT_BOOTSTRAP_ADMINS
// is what makes one (a first start, or a recovery), so check does not warn about it being set.
func TestCheck_BootstrapAdminsWithoutAdmin(t *testing.T) {
	checkWorld(t)
	t.Setenv("MODBOT_REDIS_PREFIX", storetest.Prefix(t)) // an empty allowlist
	t.Setenv("MODBOT_BOOTSTRAP_ADMINS", "U0ADMIN")
	lines, _ := checkLines(t)
	if l, ok := lines["bootstrap admins"]; ok {
		t.Fatalf("bootstrap admins line = %q, want none while no admin exists", l)
	}
	if l := lines["allowlist"]; !strings.Contains(l, "no admin") {
		t.Fatalf("allowlist line = %q, want it to say there is no admin", l)
	}
}

// Bad configuration is reported before anything is reached: this needs no Redis, Slack or Tencent.
func TestCheck_ConfigErrorsExitTwo(t *testing.T) {
	setEnv(t, validEnv)
	t.Setenv("MODBOT_TIM_SDKAPPID", "abc")
	t.Setenv("MODBOT_REDIS_URL", "")
	err := run(t.Context(), []string{"check"}, &bytes.Buffer{}, &bytes.Buffer{})
	if got, want := exitCode(err), 2; got != want {
		t.Fatalf("exit code %d (%v), want %d", got, err, want)
	}
	for _, name := range []string{"MODBOT_TIM_SDKAPPID", "MODBOT_REDIS_URL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

// Through Sentinel, check names the primary and counts its replicas against
// MODBOT_REDIS_MIN_REPLICAS; it fails when fewer are connected, and warns when Sentinel is used
// with none required.
func TestCheck_Sentinel(t *testing.T) {
	checkWorld(t)
	g := storetest.StartSentinel(t, 1, "--appendonly", "yes")
	st, err := store.Open(t.Context(), store.Options{URL: g.Nodes[0].URL(), Prefix: os.Getenv("MODBOT_REDIS_PREFIX")})
	if err != nil {
		t.Fatal(err)
	}
	for user, role := range map[string]store.Role{"U0ADMIN": store.RoleAdmin, "U0APPROVER": store.RoleApprover} {
		if _, err := st.SetRole(t.Context(), store.SystemActor, user, role); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	t.Setenv("MODBOT_REDIS_URL", "")
	t.Setenv("MODBOT_REDIS_SENTINEL_ADDRS", strings.Join(g.Addrs(), ","))
	t.Setenv("MODBOT_REDIS_SENTINEL_MASTER", storetest.SentinelMaster)
	for _, tt := range []struct {
		min    string
		want   string
		failed bool
	}{
		{"1", "PASS  redis replicas     1 replica(s) connected, MODBOT_REDIS_MIN_REPLICAS is 1", false},
		{"0", "WARN  redis replicas     1 replica(s) connected, MODBOT_REDIS_MIN_REPLICAS is 0: a failover may lose", false},
		{"2", "FAIL  redis replicas     1 replica(s) connected, MODBOT_REDIS_MIN_REPLICAS is 2", true},
	} {
		t.Setenv("MODBOT_REDIS_MIN_REPLICAS", tt.min)
		lines, err := checkLines(t)
		if want := "PASS  redis              reachable, primary " + g.Nodes[0].Addr() + " through Sentinel (" + storetest.SentinelMaster + "), version 7."; !strings.HasPrefix(lines["redis"], want) {
			t.Errorf("min %s: redis line %q, want it to start %q", tt.min, lines["redis"], want)
		}
		if !strings.HasPrefix(lines["redis replicas"], tt.want) {
			t.Errorf("min %s: replicas line %q, want %q", tt.min, lines["redis replicas"], tt.want)
		}
		if tt.failed != errors.Is(err, errCheckFailed) {
			t.Errorf("min %s: check error %v, want failed %v", tt.min, err, tt.failed)
		}
	}
	// The sentinels do not know the name: the redis line says so.
	t.Setenv("MODBOT_REDIS_SENTINEL_MASTER", "other")
	lines, err := checkLines(t)
	if !strings.Contains(lines["redis"], `FAIL  redis`) || !strings.Contains(lines["redis"], `does not monitor a primary named "other"`) || !errors.Is(err, errCheckFailed) {
		t.Errorf("unknown master: redis line %q, err %v", lines["redis"], err)
	}
}
