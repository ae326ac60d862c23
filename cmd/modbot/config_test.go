package main

import (
	"errors"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// validEnv is a complete, valid environment for `run`.
var validEnv = map[string]string{
	"MODBOT_SLACK_APP_TOKEN":  "xapp-1-A111-222-appsecret",
	"MODBOT_SLACK_BOT_TOKEN":  "xoxb-111-222-secretbot",
	"MODBOT_APPROVAL_CHANNEL": "C0APPROVE",
	"MODBOT_TIM_SDKAPPID":     "1400000001",
	"MODBOT_TIM_SECRET_KEY":   "s3cr3t-key-value",
	"MODBOT_TIM_REGION":       "singapore",
	"MODBOT_REDIS_URL":        "redis://:hunter2@127.0.0.1:6379/0",
}

var all = needs{slack: true, tim: true, redis: true}

func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func TestLoadConfig_Defaults(t *testing.T) {
	setEnv(t, validEnv)
	c, err := loadConfig(all)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"SlackAPIURL", c.SlackAPIURL, "https://slack.com/api/"},
		{"TimAdmin", c.TimAdmin, "administrator"},
		{"TimRate", c.TimRate, 200},
		{"TimSDKAppID", c.TimSDKAppID, 1400000001},
		{"RedisPrefix", c.RedisPrefix, "modbot:"},
		{"UnbanApprovals", c.UnbanApprovals, 1},
		{"RequestTTL", c.RequestTTL, 24 * time.Hour},
		{"RequireReason", c.RequireReason, true},
		{"MaxAccounts", c.MaxAccounts, 1000},
		{"AuditRetention", c.AuditRetention, 2160 * time.Hour},
		{"HTTPAddr", c.HTTPAddr, ":9090"},
		{"DrainTimeout", c.DrainTimeout, 25 * time.Second},
		{"LogLevel", c.LogLevel, "info"},
		{"LogFormat", c.LogFormat, "json"},
		{"LeaseTTL", c.LeaseTTL, 30 * time.Second},
		{"RedisMinReplicas", c.RedisMinReplicas, 0},
		{"RedisSentinelMaster", c.RedisSentinelMaster, ""},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestLoadConfig_Errors(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]string // applied over validEnv; "" unsets by emptying
		want string            // a substring of the one problem reported
	}{
		{"MissingAppToken", map[string]string{"MODBOT_SLACK_APP_TOKEN": ""}, "MODBOT_SLACK_APP_TOKEN is required"},
		{"MissingBotToken", map[string]string{"MODBOT_SLACK_BOT_TOKEN": ""}, "MODBOT_SLACK_BOT_TOKEN is required: the bot token, starting with xoxb-"},
		{"AppTokenIsBotToken", map[string]string{"MODBOT_SLACK_APP_TOKEN": "xoxb-1"}, "starting with xapp-"},
		{"BotTokenIsAppToken", map[string]string{"MODBOT_SLACK_BOT_TOKEN": "xapp-1"}, "starting with xoxb-"},
		{"BadAPIURL", map[string]string{"MODBOT_SLACK_API_URL": "slack.com"}, "MODBOT_SLACK_API_URL must be an https:// URL such as https://slack.com/api/"},
		{"EmptyAPIURL", map[string]string{"MODBOT_SLACK_API_URL": ""}, "MODBOT_SLACK_API_URL must be an https:// URL"},
		{"PlainHTTPAPIURL", map[string]string{"MODBOT_SLACK_API_URL": "http://slack.example.com/api/"}, "MODBOT_SLACK_API_URL must use https:// (http:// is allowed only for a loopback host"},
		{"PlainHTTPAPIURLLookalike", map[string]string{"MODBOT_SLACK_API_URL": "http://127.0.0.1.example.com/api/"}, "127.0.0.1.example.com is not loopback"},
		{"BadTeamID", map[string]string{"MODBOT_SLACK_TEAM_ID": "acme"}, "MODBOT_SLACK_TEAM_ID must be a Slack workspace ID"},
		{"MissingApprovalChannel", map[string]string{"MODBOT_APPROVAL_CHANNEL": ""}, "MODBOT_APPROVAL_CHANNEL is required"},
		{"ApprovalChannelName", map[string]string{"MODBOT_APPROVAL_CHANNEL": "#mod-approvals"}, "MODBOT_APPROVAL_CHANNEL must be a channel ID such as C0123ABCD (not a #name)"},
		{"ApprovalChannelX", map[string]string{"MODBOT_APPROVAL_CHANNEL": "x"}, "MODBOT_APPROVAL_CHANNEL must be a channel ID"},
		{"AuditChannelName", map[string]string{"MODBOT_AUDIT_CHANNEL": "#audit"}, "MODBOT_AUDIT_CHANNEL must be a channel ID"},
		{"SDKAppIDNotNumber", map[string]string{"MODBOT_TIM_SDKAPPID": "abc"}, "MODBOT_TIM_SDKAPPID must be a whole number"},
		{"MissingSDKAppID", map[string]string{"MODBOT_TIM_SDKAPPID": ""}, "MODBOT_TIM_SDKAPPID is required"},
		{"MissingSecretKey", map[string]string{"MODBOT_TIM_SECRET_KEY": ""}, "MODBOT_TIM_SECRET_KEY is required"},
		{"LongAdmin", map[string]string{"MODBOT_TIM_ADMIN": strings.Repeat("a", 33)}, "MODBOT_TIM_ADMIN must be"},
		{"MissingRegion", map[string]string{"MODBOT_TIM_REGION": ""}, "MODBOT_TIM_REGION is required unless MODBOT_TIM_BASE_URL"},
		{"UnknownRegion", map[string]string{"MODBOT_TIM_REGION": "mars"}, `"mars" is not a known region`},
		{"BadBaseURL", map[string]string{"MODBOT_TIM_BASE_URL": "ftp://x"}, "MODBOT_TIM_BASE_URL must be an https:// URL such as https://adminapisgp.im.qcloud.com"},
		{"PlainHTTPBaseURL", map[string]string{"MODBOT_TIM_BASE_URL": "http://adminapisgp.im.qcloud.com"}, "MODBOT_TIM_BASE_URL must use https://"},
		{"PlainHTTPBaseURLPrivateIP", map[string]string{"MODBOT_TIM_BASE_URL": "http://10.0.0.5:8080"}, "10.0.0.5 is not loopback"},
		{"BadRate", map[string]string{"MODBOT_TIM_RATE": "0"}, "MODBOT_TIM_RATE must be a whole number from 1"},
		{"MissingRedis", map[string]string{"MODBOT_REDIS_URL": ""}, "MODBOT_REDIS_URL is required"},
		{"BadRedisScheme", map[string]string{"MODBOT_REDIS_URL": "http://:pw@host:6379"}, "MODBOT_REDIS_URL must be a URL such as redis://[user:password@]host:6379/0"},
		{"EmptyPrefix", map[string]string{"MODBOT_REDIS_PREFIX": ""}, "MODBOT_REDIS_PREFIX must not be empty"},
		{"BadAdmins", map[string]string{"MODBOT_BOOTSTRAP_ADMINS": "U123ABC,@bob"}, `"@bob" is not one`},
		{"BadApprovals", map[string]string{"MODBOT_UNBAN_APPROVALS": "two"}, "MODBOT_UNBAN_APPROVALS must be a whole number from 1 to 10"},
		{"BadTTL", map[string]string{"MODBOT_REQUEST_TTL": "1day"}, "MODBOT_REQUEST_TTL must be a duration"},
		{"ShortTTL", map[string]string{"MODBOT_REQUEST_TTL": "5s"}, "MODBOT_REQUEST_TTL must be a duration of at least 1m0s"},
		{"BadRequireReason", map[string]string{"MODBOT_REQUIRE_REASON": "sometimes"}, "MODBOT_REQUIRE_REASON must be true or false"},
		{"BadMaxAccounts", map[string]string{"MODBOT_MAX_ACCOUNTS": "-1"}, "MODBOT_MAX_ACCOUNTS must be a whole number"},
		{"BadMaxOpenRequests", map[string]string{"MODBOT_MAX_OPEN_REQUESTS": "0"}, "MODBOT_MAX_OPEN_REQUESTS must be a whole number from 1 to 10000"},
		{"BadRetention", map[string]string{"MODBOT_AUDIT_RETENTION": "90d"}, "MODBOT_AUDIT_RETENTION must be a duration"},
		{"BadHTTPAddr", map[string]string{"MODBOT_HTTP_ADDR": "9090"}, "MODBOT_HTTP_ADDR must be host:port"},
		{"BadDrain", map[string]string{"MODBOT_DRAIN_TIMEOUT": "soon"}, "MODBOT_DRAIN_TIMEOUT must be a duration"},
		{"BadLogLevel", map[string]string{"MODBOT_LOG_LEVEL": "loud"}, "MODBOT_LOG_LEVEL must be debug, info, warn or error"},
		{"BadLogFormat", map[string]string{"MODBOT_LOG_FORMAT": "xml"}, "MODBOT_LOG_FORMAT must be json or text"},
		{"BadLeaseTTL", map[string]string{"MODBOT_LEASE_TTL": "30"}, "MODBOT_LEASE_TTL must be a duration of at least 1s"},
		{"ShortLeaseTTL", map[string]string{"MODBOT_LEASE_TTL": "100ms"}, "MODBOT_LEASE_TTL must be a duration of at least 1s"},
		{"BadMinReplicas", map[string]string{"MODBOT_REDIS_MIN_REPLICAS": "one"}, "MODBOT_REDIS_MIN_REPLICAS must be a whole number from 0 to 10"},
		{"SentinelAddrsWithoutMaster", map[string]string{"MODBOT_REDIS_SENTINEL_ADDRS": "s1:26379"}, "MODBOT_REDIS_SENTINEL_MASTER is required with MODBOT_REDIS_SENTINEL_ADDRS"},
		{"SentinelMasterWithoutAddrs", map[string]string{"MODBOT_REDIS_SENTINEL_MASTER": "mymaster"}, "MODBOT_REDIS_SENTINEL_ADDRS is required with MODBOT_REDIS_SENTINEL_MASTER"},
		{"BadSentinelAddr", map[string]string{"MODBOT_REDIS_SENTINEL_ADDRS": "s1:26379,s2", "MODBOT_REDIS_SENTINEL_MASTER": "mymaster"}, `"s2" is not one`},
		{"SentinelAddrPort", map[string]string{"MODBOT_REDIS_SENTINEL_ADDRS": "s1:0", "MODBOT_REDIS_SENTINEL_MASTER": "mymaster"}, "MODBOT_REDIS_SENTINEL_ADDRS must be comma-separated host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, validEnv)
			t.Setenv("MODBOT_REDIS_SENTINEL_PASSWORD", "sentinel-pw")
			setEnv(t, tt.set)
			_, err := loadConfig(all)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *ConfigError", err)
			}
			if got := len(ce.Problems); got != 1 {
				t.Fatalf("%d problems, want 1:\n%v", got, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %q, want it to contain %q", err, tt.want)
			}
			for _, secret := range []string{"secretbot", "appsecret", "s3cr3t-key-value", "hunter2", "sentinel-pw"} {
				if strings.Contains(err.Error(), secret) && !strings.Contains(tt.want, secret) {
					t.Fatalf("err leaks %q: %v", secret, err)
				}
			}
		})
	}
}

func TestLoadConfig_AllProblemsAtOnce(t *testing.T) {
	for k := range validEnv {
		t.Setenv(k, "")
	}
	t.Setenv("MODBOT_TIM_RATE", "fast")
	_, err := loadConfig(all)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *ConfigError", err)
	}
	for _, name := range []string{"MODBOT_SLACK_APP_TOKEN", "MODBOT_SLACK_BOT_TOKEN", "MODBOT_APPROVAL_CHANNEL",
		"MODBOT_TIM_SDKAPPID", "MODBOT_TIM_SECRET_KEY", "MODBOT_TIM_REGION", "MODBOT_REDIS_URL", "MODBOT_TIM_RATE"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}

// A subcommand requires only what it uses: `allow` needs Redis, not Slack or Tencent.
func TestLoadConfig_OnlyWhatIsNeeded(t *testing.T) {
	for k := range validEnv {
		t.Setenv(k, "")
	}
	t.Setenv("MODBOT_REDIS_URL", "redis://127.0.0.1:6379")
	if _, err := loadConfig(needs{redis: true}); err != nil {
		t.Fatalf("redis-only config: %v", err)
	}
}

// Sentinel settings stand instead of MODBOT_REDIS_URL, or beside it (the URL then gives the data
// password and DB); the store gets both, and the Sentinel password is one of the secrets.
func TestLoadConfig_Sentinel(t *testing.T) {
	for _, url := range []string{"", "redis://:hunter2@ignored:6379/3"} {
		setEnv(t, validEnv)
		t.Setenv("MODBOT_REDIS_URL", url)
		t.Setenv("MODBOT_REDIS_SENTINEL_ADDRS", " s1:26379, s2:26379 ,s3:26379")
		t.Setenv("MODBOT_REDIS_SENTINEL_MASTER", "mymaster")
		t.Setenv("MODBOT_REDIS_SENTINEL_PASSWORD", "sentinel-pw")
		t.Setenv("MODBOT_REDIS_MIN_REPLICAS", "1")
		c, err := loadConfig(all)
		if err != nil {
			t.Fatalf("url %q: %v", url, err)
		}
		o := c.storeOptions()
		if got := strings.Join(o.SentinelAddrs, ","); got != "s1:26379,s2:26379,s3:26379" || o.SentinelMaster != "mymaster" || o.SentinelPassword != "sentinel-pw" || o.URL != url {
			t.Errorf("url %q: store options %+v", url, o)
		}
		if c.RedisMinReplicas != 1 || o.MinReplicas != 1 {
			t.Errorf("url %q: min replicas %d, store's %d; want 1", url, c.RedisMinReplicas, o.MinReplicas)
		}
		if !slices.Contains(c.secrets(), "sentinel-pw") {
			t.Errorf("the Sentinel password is not among the secrets the log redacts")
		}
	}
}

// Unprefixed names are never read, even where envconfig would fall back to them.
func TestLoadConfig_IgnoresUnprefixedNames(t *testing.T) {
	setEnv(t, validEnv)
	t.Setenv("MODBOT_REDIS_URL", "")
	for _, name := range []string{"REDIS_URL", "SLACK_BOT_TOKEN", "TIM_REGION", "REQUEST_TTL", "REDISURL"} {
		t.Setenv(name, "redis://stray:6379")
	}
	t.Setenv("TIM_REGION", "mars")
	t.Setenv("REQUEST_TTL", "bogus")
	c, err := loadConfig(all)
	if err == nil || !strings.Contains(err.Error(), "MODBOT_REDIS_URL is required") {
		t.Fatalf("err = %v, want MODBOT_REDIS_URL is required (REDIS_URL must not be read)", err)
	}
	if c.TimRegion != "singapore" || c.RequestTTL != 24*time.Hour {
		t.Fatalf("unprefixed variables were read: region %q, ttl %v", c.TimRegion, c.RequestTTL)
	}
}

func TestLoadConfig_Normalises(t *testing.T) {
	setEnv(t, validEnv)
	t.Setenv("MODBOT_SLACK_API_URL", "http://127.0.0.1:1234/api")
	t.Setenv("MODBOT_TIM_REGION", "")
	t.Setenv("MODBOT_TIM_BASE_URL", "http://127.0.0.1:4321")
	t.Setenv("MODBOT_BOOTSTRAP_ADMINS", " U01ADMIN , W02ADMIN ,")
	c, err := loadConfig(all)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.SlackAPIURL, "http://127.0.0.1:1234/api/"; got != want {
		t.Errorf("SlackAPIURL = %q, want %q", got, want)
	}
	if got, want := strings.Join(c.BootstrapAdmins, ","), "U01ADMIN,W02ADMIN"; got != want {
		t.Errorf("BootstrapAdmins = %q, want %q", got, want)
	}
}

// http:// is accepted for the Slack and Tencent base URLs only when the host is loopback.
func TestLoadConfig_PlainHTTPOnlyOnLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:1234/api/", "http://127.1.2.3/", "http://[::1]:8080/", "http://localhost:9/", "http://LOCALHOST/", "https://slack.example.com/api/"} {
		t.Run(u, func(t *testing.T) {
			setEnv(t, validEnv)
			t.Setenv("MODBOT_TIM_REGION", "")
			t.Setenv("MODBOT_SLACK_API_URL", u)
			t.Setenv("MODBOT_TIM_BASE_URL", u)
			if _, err := loadConfig(all); err != nil {
				t.Fatalf("%s refused: %v", u, err)
			}
		})
	}
}

// A variable that is set but invalid is never reported as missing: the message says what a valid
// value looks like.
func TestLoadConfig_SetButInvalidIsNotRequired(t *testing.T) {
	bad := map[string]string{
		"MODBOT_SLACK_APP_TOKEN": "token", "MODBOT_SLACK_BOT_TOKEN": "token", "MODBOT_SLACK_API_URL": "x",
		"MODBOT_SLACK_TEAM_ID": "x", "MODBOT_APPROVAL_CHANNEL": "x", "MODBOT_AUDIT_CHANNEL": "x",
		"MODBOT_TIM_SDKAPPID": "x", "MODBOT_TIM_ADMIN": strings.Repeat("x", 33), "MODBOT_TIM_REGION": "x",
		"MODBOT_TIM_BASE_URL": "x", "MODBOT_TIM_RATE": "x", "MODBOT_REDIS_URL": "x",
		"MODBOT_BOOTSTRAP_ADMINS": "x", "MODBOT_UNBAN_APPROVALS": "x", "MODBOT_REQUEST_TTL": "x",
		"MODBOT_REQUIRE_REASON": "x", "MODBOT_MAX_ACCOUNTS": "x", "MODBOT_AUDIT_RETENTION": "x",
		"MODBOT_HTTP_ADDR": "x", "MODBOT_DRAIN_TIMEOUT": "x", "MODBOT_LOG_LEVEL": "x", "MODBOT_LOG_FORMAT": "x",
	}
	for _, name := range envNames() {
		v, ok := bad[name]
		if !ok {
			continue // a variable with no invalid value (any text is a valid secret key or prefix)
		}
		t.Run(name, func(t *testing.T) {
			setEnv(t, validEnv)
			t.Setenv(name, v)
			if name == "MODBOT_TIM_BASE_URL" {
				t.Setenv("MODBOT_TIM_REGION", "")
			}
			_, err := loadConfig(all)
			if err == nil {
				t.Fatalf("%s=%q accepted", name, v)
			}
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name %s: %v", name, err)
			}
			if strings.Contains(err.Error(), "is required") {
				t.Fatalf("%s=%q is reported as missing: %v", name, v, err)
			}
		})
	}
}

// envNames are the variables modbot reads: MODBOT_ and each env field's name as split_words
// spells it (SlackApiUrl → SLACK_API_URL).
func envNames() []string {
	var names []string
	typ := reflect.TypeFor[env]()
	for i := range typ.NumField() {
		words := regexp.MustCompile(`[A-Z][a-z0-9]*`).FindAllString(typ.Field(i).Name, -1)
		names = append(names, "MODBOT_"+strings.ToUpper(strings.Join(words, "_")))
	}
	return names
}

// The README's configuration table lists every variable modbot reads, and the README opens with
// the two commands a newcomer needs.
func TestReadme(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	table := regexp.MustCompile("(?m)^\\| `(MODBOT_[A-Z_]+)`(, `(MODBOT_[A-Z_]+)`)? \\|")
	listed := map[string]bool{}
	for _, m := range table.FindAllStringSubmatch(readme, -1) {
		listed[m[1]] = true
		if m[3] != "" {
			listed[m[3]] = true
		}
	}
	names := envNames()
	for _, name := range names {
		if !listed[name] {
			t.Errorf("README's configuration table lacks %s", name)
		}
	}
	if got, want := len(listed), len(names); got != want {
		t.Errorf("README's table lists %d variables, modbot reads %d", got, want)
	}
	_, first, _ := strings.Cut(readme, "```sh\n")
	first, _, _ = strings.Cut(first, "```")
	for _, cmd := range []string{"go run ./cmd/modbot sandbox", "go test ./..."} {
		if !strings.Contains(first, cmd) {
			t.Errorf("README's first commands lack %q:\n%s", cmd, first)
		}
	}
	for _, sub := range []string{"run", "sandbox", "check", "allow", "revoke", "who", "healthcheck", "version", "help"} {
		if !strings.Contains(readme, "`modbot "+sub) {
			t.Errorf("README does not show `modbot %s`", sub)
		}
	}
}
