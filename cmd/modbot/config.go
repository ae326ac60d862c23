package main

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"modbot/bot"
)

// env is the raw environment, read by envconfig with the MODBOT_ prefix. Every field is a string
// so that one malformed value does not hide the others: parse reports all problems at once.
//
// Field names are chosen so that split_words yields the exact variable names; no field carries an
// `envconfig:"…"` tag, because with one envconfig also reads the unprefixed name (a stray
// REDIS_URL) — config_test.go proves it does not.
type env struct {
	SlackAppToken   string `split_words:"true"`
	SlackBotToken   string `split_words:"true"`
	SlackApiUrl     string `split_words:"true" default:"https://slack.com/api/"`
	SlackTeamId     string `split_words:"true"`
	ApprovalChannel string `split_words:"true"`
	AuditChannel    string `split_words:"true"`
	TimSdkappid     string `split_words:"true"`
	TimSecretKey    string `split_words:"true"`
	TimAdmin        string `split_words:"true" default:"administrator"`
	TimRegion       string `split_words:"true"`
	TimBaseUrl      string `split_words:"true"`
	TimRate         string `split_words:"true" default:"200"`
	RedisUrl        string `split_words:"true"`
	RedisPrefix     string `split_words:"true" default:"modbot:"`

	RedisSentinelAddrs    string `split_words:"true"`
	RedisSentinelMaster   string `split_words:"true"`
	RedisSentinelPassword string `split_words:"true"`
	RedisMinReplicas      string `split_words:"true" default:"0"`
	LeaseTtl              string `split_words:"true" default:"30s"`

	BootstrapAdmins string `split_words:"true"`
	UnbanApprovals  string `split_words:"true" default:"1"`
	RequestTtl      string `split_words:"true" default:"24h"`
	RequireReason   string `split_words:"true" default:"true"`
	MaxAccounts     string `split_words:"true" default:"1000"`
	MaxOpenRequests string `split_words:"true" default:"20"`
	AuditRetention  string `split_words:"true" default:"2160h"`
	HttpAddr        string `split_words:"true" default:":9090"`
	DrainTimeout    string `split_words:"true" default:"25s"`
	LogLevel        string `split_words:"true" default:"info"`
	LogFormat       string `split_words:"true" default:"json"`
	DigestAt        string `split_words:"true"`
	DigestTz        string `split_words:"true" default:"UTC"`

	// Watched targets (issue 12).
	ReconcileInterval string `split_words:"true" default:"5m"`
	ReconcileShare    string `split_words:"true" default:"0.25"`
	MaxWatched        string `split_words:"true" default:"1000"`

	// The action pipeline (config_action.go).
	BanApprovals      string `split_words:"true" default:"0"`
	MuteApprovals     string `split_words:"true" default:"0"`
	UnmuteApprovals   string `split_words:"true" default:"0"`
	BanDuration       string `split_words:"true" default:"24h"`
	MuteDuration      string `split_words:"true" default:"1h"`
	UndoWindow        string `split_words:"true" default:"15m"`
	ConfirmOver       string `split_words:"true" default:"20"`
	PreviewPages      string `split_words:"true" default:"100"`
	Reasons           string `split_words:"true"`
	RequireReasonCode string `split_words:"true" default:"false"`
}

// Config is modbot's parsed configuration. The README's configuration table gives the meaning of
// each variable; docs/DESIGN.md (Configuration) the rules they follow.
type Config struct {
	SlackAppToken   string
	SlackBotToken   string
	SlackAPIURL     string
	SlackTeamID     string
	ApprovalChannel string
	AuditChannel    string

	TimSDKAppID  int
	TimSecretKey string
	TimAdmin     string
	TimRegion    string
	TimBaseURL   string
	TimRate      int

	RedisURL    string
	RedisPrefix string

	// RedisSentinelAddrs and RedisSentinelMaster, when set, reach Redis through Sentinel; the
	// data password and DB then come from RedisURL when it is set too.
	RedisSentinelAddrs    []string
	RedisSentinelMaster   string
	RedisSentinelPassword string
	RedisMinReplicas      int           // replicas that must confirm a write a person is told about
	LeaseTTL              time.Duration // execution and audit feed lease length

	BootstrapAdmins []string
	UnbanApprovals  int
	RequestTTL      time.Duration
	RequireReason   bool
	MaxAccounts     int
	MaxOpenRequests int // the most requests one person may have open at once
	AuditRetention  time.Duration

	HTTPAddr     string
	DrainTimeout time.Duration
	LogLevel     string
	LogFormat    string

	Digest            bot.DigestSchedule // MODBOT_DIGEST_AT in MODBOT_DIGEST_TZ (config_digest.go); zero: off
	ReconcileInterval time.Duration      // 0: no sweeps
	ReconcileShare    float64
	MaxWatched        int

	Actions ActionConfig // the action pipeline's settings (config_action.go)
}

// needs says which groups of settings a subcommand requires; the others may be empty.
type needs struct {
	slack, tim, redis bool
}

// regions are the Tencent data centres modbot knows, as MODBOT_TIM_REGION spells them.
var regions = []string{"china", "singapore", "seoul", "tokyo", "frankfurt", "siliconvalley", "jakarta"}

// loadConfig reads MODBOT_* variables and validates those n requires, reporting every problem at
// once. Values of secrets never appear in the errors.
func loadConfig(n needs) (Config, error) {
	var e env
	if err := envconfig.Process("modbot", &e); err != nil {
		return Config{}, fmt.Errorf("read environment: %w", err)
	}
	return e.parse(n)
}

func (e env) parse(n needs) (Config, error) {
	p := parser{}
	c := Config{
		SlackAppToken:   strings.TrimSpace(e.SlackAppToken),
		SlackBotToken:   strings.TrimSpace(e.SlackBotToken),
		SlackTeamID:     strings.TrimSpace(e.SlackTeamId),
		ApprovalChannel: strings.TrimSpace(e.ApprovalChannel),
		AuditChannel:    strings.TrimSpace(e.AuditChannel),
		TimSecretKey:    strings.TrimSpace(e.TimSecretKey),
		TimAdmin:        strings.TrimSpace(e.TimAdmin),
		TimRegion:       strings.ToLower(strings.TrimSpace(e.TimRegion)),
		TimBaseURL:      strings.TrimSpace(e.TimBaseUrl),
		RedisURL:        strings.TrimSpace(e.RedisUrl),
		RedisPrefix:     e.RedisPrefix,
		HTTPAddr:        e.HttpAddr,
		LogLevel:        strings.ToLower(e.LogLevel),
		LogFormat:       strings.ToLower(e.LogFormat),
	}
	c.RedisSentinelMaster = strings.TrimSpace(e.RedisSentinelMaster)
	c.RedisSentinelPassword = strings.TrimSpace(e.RedisSentinelPassword)
	c.SlackAPIURL = p.httpsURL("MODBOT_SLACK_API_URL", e.SlackApiUrl, "https://slack.com/api/ (the default)")
	if c.SlackAPIURL != "" && !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	c.TimRate = p.intRange("MODBOT_TIM_RATE", e.TimRate, 1, 100000)
	c.UnbanApprovals = p.intRange("MODBOT_UNBAN_APPROVALS", e.UnbanApprovals, 1, 10)
	c.MaxAccounts = p.intRange("MODBOT_MAX_ACCOUNTS", e.MaxAccounts, 1, 100000)
	c.MaxOpenRequests = p.intRange("MODBOT_MAX_OPEN_REQUESTS", e.MaxOpenRequests, 1, 10000)
	c.RequestTTL = p.duration("MODBOT_REQUEST_TTL", e.RequestTtl, time.Minute)
	c.AuditRetention = p.duration("MODBOT_AUDIT_RETENTION", e.AuditRetention, time.Hour)
	c.DrainTimeout = p.duration("MODBOT_DRAIN_TIMEOUT", e.DrainTimeout, 0)
	c.LeaseTTL = p.duration("MODBOT_LEASE_TTL", e.LeaseTtl, time.Second)
	c.RedisMinReplicas = p.intRange("MODBOT_REDIS_MIN_REPLICAS", e.RedisMinReplicas, 0, 10)
	c.RedisSentinelAddrs = p.hostPorts("MODBOT_REDIS_SENTINEL_ADDRS", e.RedisSentinelAddrs)
	switch {
	case len(c.RedisSentinelAddrs) > 0 && c.RedisSentinelMaster == "":
		p.add("MODBOT_REDIS_SENTINEL_MASTER", "is required with MODBOT_REDIS_SENTINEL_ADDRS: the primary's name as the sentinels monitor it, such as mymaster")
	case len(c.RedisSentinelAddrs) == 0 && c.RedisSentinelMaster != "" && strings.TrimSpace(e.RedisSentinelAddrs) == "":
		p.add("MODBOT_REDIS_SENTINEL_ADDRS", "is required with MODBOT_REDIS_SENTINEL_MASTER: comma-separated sentinel host:port, such as sentinel-1:26379,sentinel-2:26379,sentinel-3:26379")
	}
	c.RequireReason = p.boolean("MODBOT_REQUIRE_REASON", e.RequireReason)
	c.BootstrapAdmins = p.userIDs("MODBOT_BOOTSTRAP_ADMINS", e.BootstrapAdmins)
	c.Digest = p.digest(e.DigestAt, e.DigestTz, c.AuditChannel)
	c.ReconcileInterval = p.duration("MODBOT_RECONCILE_INTERVAL", e.ReconcileInterval, 0)
	if c.ReconcileInterval > 0 && c.ReconcileInterval < 10*time.Second {
		p.add("MODBOT_RECONCILE_INTERVAL", fmt.Sprintf("must be 0 (off) or at least 10s, such as 5m, not %q", e.ReconcileInterval))
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(e.ReconcileShare), 64); err != nil || !(f > 0 && f <= 1) {
		p.add("MODBOT_RECONCILE_SHARE", fmt.Sprintf("must be a fraction of MODBOT_TIM_RATE above 0 and at most 1, such as 0.25, not %q", e.ReconcileShare))
	} else {
		c.ReconcileShare = f
	}
	c.MaxWatched = p.intRange("MODBOT_MAX_WATCHED", e.MaxWatched, 1, 100000)
	c.Actions = p.actions(e, c.UnbanApprovals)
	if c.SlackTeamID != "" && !isSlackID(c.SlackTeamID, "T", "E") {
		p.add("MODBOT_SLACK_TEAM_ID", "must be a Slack workspace ID such as T0123ABCD")
	}
	if c.AuditChannel != "" && !isSlackID(c.AuditChannel, "C", "G") {
		p.add("MODBOT_AUDIT_CHANNEL", "must be a channel ID such as C0123ABCD (not a #name)")
	}
	if c.RedisPrefix == "" {
		p.add("MODBOT_REDIS_PREFIX", "must not be empty (default modbot:)")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p.add("MODBOT_LOG_LEVEL", "must be debug, info, warn or error")
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		p.add("MODBOT_LOG_FORMAT", "must be json or text")
	}
	if c.HTTPAddr != "" {
		if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || port == "" {
			p.add("MODBOT_HTTP_ADDR", "must be host:port or :port, such as :9090 (empty turns the listener off)")
		}
	}

	if n.slack {
		p.token("MODBOT_SLACK_APP_TOKEN", c.SlackAppToken, "xapp-", "the app-level token with connections:write")
		p.token("MODBOT_SLACK_BOT_TOKEN", c.SlackBotToken, "xoxb-", "the bot token")
		switch {
		case c.ApprovalChannel == "":
			p.add("MODBOT_APPROVAL_CHANNEL", "is required: the channel ID where requests are posted, such as C0123ABCD")
		case !isSlackID(c.ApprovalChannel, "C", "G"):
			p.add("MODBOT_APPROVAL_CHANNEL", "must be a channel ID such as C0123ABCD (not a #name): channel name → About, at the bottom")
		}
	}
	if n.tim {
		c.TimSDKAppID = p.intRange("MODBOT_TIM_SDKAPPID", e.TimSdkappid, 1, 1<<32-1)
		if c.TimSecretKey == "" {
			p.add("MODBOT_TIM_SECRET_KEY", "is required: the app's secret key from the Chat console (Basic configuration)")
		}
		if c.TimAdmin == "" || len(c.TimAdmin) > 32 { // an explicit empty value overrides the default
			p.add("MODBOT_TIM_ADMIN", "must be the App admin identifier (1 to 32 bytes), default administrator")
		}
		switch {
		case c.TimBaseURL != "":
			c.TimBaseURL = p.httpsURL("MODBOT_TIM_BASE_URL", c.TimBaseURL, "https://adminapisgp.im.qcloud.com")
		case c.TimRegion == "":
			p.add("MODBOT_TIM_REGION", "is required unless MODBOT_TIM_BASE_URL is set: one of "+strings.Join(regions, ", "))
		case !slices.Contains(regions, c.TimRegion):
			p.add("MODBOT_TIM_REGION", fmt.Sprintf("%q is not a known region: use one of %s", c.TimRegion, strings.Join(regions, ", ")))
		}
	}
	if n.redis {
		switch {
		case c.RedisURL != "":
			c.RedisURL = p.redisURL("MODBOT_REDIS_URL", c.RedisURL)
		case c.RedisSentinelMaster == "" && strings.TrimSpace(e.RedisSentinelAddrs) == "":
			p.add("MODBOT_REDIS_URL", "is required: redis://[user:password@]host:6379/0 or rediss://… for TLS (or set MODBOT_REDIS_SENTINEL_ADDRS and MODBOT_REDIS_SENTINEL_MASTER)")
		}
	}
	return c, p.err()
}

// parser collects every problem found; each names the variable and what a valid value looks like.
type parser struct{ errs []error }

func (p *parser) add(name, msg string) { p.errs = append(p.errs, fmt.Errorf("%s %s", name, msg)) }

func (p *parser) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &ConfigError{Problems: p.errs}
}

func (p *parser) intRange(name, v string, lo, hi int) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		if strings.TrimSpace(v) == "" {
			p.add(name, fmt.Sprintf("is required: a whole number from %d to %d", lo, hi))
		} else {
			p.add(name, fmt.Sprintf("must be a whole number from %d to %d, not %q", lo, hi, v))
		}
		return 0
	}
	return n
}

func (p *parser) duration(name, v string, min time.Duration) time.Duration {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < min {
		atLeast := ""
		if min > 0 {
			atLeast = " of at least " + min.String()
		}
		p.add(name, fmt.Sprintf("must be a duration%s such as 30s, 15m or 24h, not %q", atLeast, v))
		return 0
	}
	return d
}

func (p *parser) boolean(name, v string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		p.add(name, fmt.Sprintf("must be true or false, not %q", v))
	}
	return b
}

// token checks a secret's prefix without ever echoing the secret.
func (p *parser) token(name, v, prefix, what string) {
	switch {
	case v == "":
		p.add(name, fmt.Sprintf("is required: %s, starting with %s", what, prefix))
	case !strings.HasPrefix(v, prefix):
		p.add(name, fmt.Sprintf("must be %s, starting with %s (the value set has another prefix)", what, prefix))
	}
}

// httpsURL parses an https:// URL, or an http:// one whose host is loopback (127.0.0.0/8, ::1,
// localhost): a bot token or a UserSig must never travel in clear text over a network. example is
// a valid value for the message.
func (p *parser) httpsURL(name, v, example string) string {
	u, err := url.Parse(strings.TrimSpace(v))
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		p.add(name, fmt.Sprintf("must be an https:// URL such as %s (http:// only for a loopback host such as http://127.0.0.1:8080)", example))
		return ""
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		p.add(name, fmt.Sprintf("must use https:// (http:// is allowed only for a loopback host: 127.0.0.1, ::1 or localhost), such as %s; %s is not loopback", example, u.Hostname()))
		return ""
	}
	return u.String()
}

// redisURL parses a redis:// or rediss:// URL. It may carry a password, so the value is never
// echoed.
func (p *parser) redisURL(name, v string) string {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.Host == "" || (u.Scheme != "redis" && u.Scheme != "rediss") {
		p.add(name, "must be a URL such as redis://[user:password@]host:6379/0, or rediss://… for TLS")
		return ""
	}
	return u.String()
}

// isLoopback reports whether host (without port or brackets) is this machine: localhost or an
// address in 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostPorts parses a comma-separated list of host:port addresses (empty: none).
func (p *parser) hostPorts(name, v string) []string {
	var addrs []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		host, port, err := net.SplitHostPort(f)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			p.add(name, fmt.Sprintf("must be comma-separated host:port addresses such as sentinel-1:26379; %q is not one", f))
			continue
		}
		addrs = append(addrs, f)
	}
	return addrs
}

func (p *parser) userIDs(name, v string) []string {
	var ids []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !isSlackID(f, "U", "W") {
			p.add(name, fmt.Sprintf("must be comma-separated Slack member IDs such as U0123ABCD; %q is not one", f))
			continue
		}
		ids = append(ids, f)
	}
	return ids
}

// ConfigError lists every configuration problem; main exits with status 2 on it.
type ConfigError struct{ Problems []error }

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d configuration problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As look at each problem.
func (e *ConfigError) Unwrap() []error { return e.Problems }

// isSlackID reports whether s looks like a Slack ID with one of the given first letters.
func isSlackID(s string, first ...string) bool {
	if len(s) < 3 || len(s) > 24 || !slices.Contains(first, s[:1]) {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// secrets are the configured values that must never be logged: the tokens, the secret key, the
// Redis password and Sentinel's password.
func (c Config) secrets() []string {
	s := []string{c.SlackAppToken, c.SlackBotToken, c.TimSecretKey}
	if c.RedisSentinelPassword != "" {
		s = append(s, c.RedisSentinelPassword)
	}
	if u, err := url.Parse(c.RedisURL); err == nil {
		if p, ok := u.User.Password(); ok {
			s = append(s, p, url.QueryEscape(p))
		}
	}
	return s
}
