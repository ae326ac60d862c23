package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"modbot/bot"
	"modbot/store"
	"modbot/tim"
)

// errCheckFailed is returned by `modbot check` when any line is FAIL (exit status 1).
var errCheckFailed = errors.New("check failed")

// probeTimeout bounds each dependency's probe.
const probeTimeout = 10 * time.Second

// check is `modbot check`: it validates the whole configuration (as `run` needs it), then reaches
// each dependency and prints one PASS, WARN or FAIL line per finding: Redis (reachable — through
// Sentinel, which node is the primary —, version, mode, replicas connected against
// MODBOT_REDIS_MIN_REPLICAS, persistence, eviction policy, who can approve), Slack (the bot token
// with auth.test, the app token with apps.connections.open, and whether MODBOT_SLACK_TEAM_ID pins
// the workspace) and Tencent (one signed call). It fails if any line does.
func check(ctx context.Context, stdout io.Writer) error {
	cfg, err := loadConfig(needs{slack: true, tim: true, redis: true})
	if err != nil {
		return err
	}
	r := &report{w: stdout}
	r.pass("config", "every MODBOT_* variable is valid")
	checkRedis(ctx, cfg, r)

	sctx, cancel := context.WithTimeout(ctx, probeTimeout)
	for _, p := range bot.CheckSlack(sctx, bot.Options{
		AppToken: cfg.SlackAppToken, BotToken: cfg.SlackBotToken, APIURL: cfg.SlackAPIURL, TeamID: cfg.SlackTeamID,
	}) {
		if p.Err != nil {
			r.fail(p.Name, p.Err.Error())
		} else {
			r.pass(p.Name, p.Detail)
		}
	}
	cancel()
	if cfg.SlackTeamID == "" {
		r.warn("slack team", "MODBOT_SLACK_TEAM_ID is unset, so payloads from any workspace are accepted: set it to this workspace's ID (T…, on the slack bot token line above)")
	} else {
		r.pass("slack team", "payloads from workspaces other than "+cfg.SlackTeamID+" are refused")
	}

	checkTencent(ctx, cfg, r)
	if r.failed > 0 {
		return fmt.Errorf("%w: %d of %d lines are FAIL", errCheckFailed, r.failed, r.lines)
	}
	return nil
}

// checkRedis reaches Redis and holds what it says about itself against the requirements in
// docs/DESIGN.md (Redis and the key schema).
func checkRedis(ctx context.Context, cfg Config, r *report) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	st, err := store.Open(ctx, cfg.storeOptions())
	if err != nil {
		r.fail("redis", err.Error())
		return
	}
	defer st.Close()
	si, err := st.ServerInfo(ctx)
	if err != nil {
		r.fail("redis", err.Error())
		return
	}
	node := ""
	if cfg.RedisSentinelMaster != "" {
		addr, err := st.Primary(ctx)
		if err != nil {
			r.fail("redis", err.Error())
			return
		}
		node = fmt.Sprintf("primary %s through Sentinel (%s), ", addr, cfg.RedisSentinelMaster)
	}
	switch where := fmt.Sprintf("%sversion %s, %s, %s", node, si.Version, si.Mode, si.Role); {
	case !si.VersionAtLeast(7, 0):
		r.fail("redis", where+": modbot needs Redis 7.0 or later")
	case si.Mode == "cluster":
		r.fail("redis", where+": Redis Cluster is not supported; use a single node or Sentinel")
	case si.Role != "" && si.Role != "master":
		r.fail("redis", where+": this is a read-only replica; point MODBOT_REDIS_URL at the master")
	default:
		r.pass("redis", "reachable, "+where)
	}
	checkReplicas(cfg, si, r)
	if si.AppendOnly {
		r.pass("redis persistence", "appendonly yes")
	} else {
		r.warn("redis persistence", "appendonly is no: enable AOF (appendonly yes) so that requests, the audit log and the allowlist survive a restart")
	}
	switch {
	case si.MaxmemoryPolicy == "noeviction":
		r.pass("redis eviction", "maxmemory-policy noeviction")
	case si.Maxmemory == 0:
		r.warn("redis eviction", fmt.Sprintf("maxmemory-policy is %s (no maxmemory set, so nothing is evicted yet): set noeviction", si.MaxmemoryPolicy))
	default:
		r.fail("redis eviction", fmt.Sprintf("maxmemory-policy is %s: an evicting Redis silently drops requests and the allowlist; set noeviction", si.MaxmemoryPolicy))
	}

	members, err := st.Members(ctx)
	if err != nil {
		r.fail("allowlist", err.Error())
		return
	}
	var admins, approvers int
	for _, m := range members {
		if m.Role >= store.RoleApprover {
			approvers++
		}
		if m.Role == store.RoleAdmin {
			admins++
		}
	}
	need := max(2, cfg.UnbanApprovals+1)
	summary := fmt.Sprintf("%d on the allowlist, %d can approve (approver or admin), %d admin(s)", len(members), approvers, admins)
	switch {
	case admins == 0:
		r.warn("allowlist", summary+": no admin; add one with `modbot allow <slack-user-id> admin` or MODBOT_BOOTSTRAP_ADMINS")
	case approvers < need:
		r.warn("allowlist", fmt.Sprintf("%s: fewer than %d people can approve, so an unban (needing %d approval(s), never the requester's) may wait forever; add approvers with `modbot allow <slack-user-id> approver`",
			summary, need, cfg.UnbanApprovals))
	default:
		r.pass("allowlist", summary)
	}
	if len(cfg.BootstrapAdmins) > 0 && admins > 0 {
		r.warn("bootstrap admins", fmt.Sprintf("MODBOT_BOOTSTRAP_ADMINS is set (%d user(s)) but the allowlist has an admin, so it is ignored: unset it (it only helps a first start or a recovery when no admin is left)",
			len(cfg.BootstrapAdmins)))
	}
}

// checkReplicas holds the primary's connected replicas against MODBOT_REDIS_MIN_REPLICAS: with
// fewer, every write a person is told about would be reported "not yet safely stored".
func checkReplicas(cfg Config, si store.ServerInfo, r *report) {
	have := fmt.Sprintf("%d replica(s) connected, MODBOT_REDIS_MIN_REPLICAS is %d", si.Replicas, cfg.RedisMinReplicas)
	switch {
	case si.Replicas < cfg.RedisMinReplicas:
		r.fail("redis replicas", have+": writes a person is told about would wait a second and be reported not yet safely stored; add replicas or lower the setting")
	case cfg.RedisSentinelMaster != "" && cfg.RedisMinReplicas == 0:
		r.warn("redis replicas", have+": a failover may lose what someone was just told happened; set MODBOT_REDIS_MIN_REPLICAS=1")
	default:
		r.pass("redis replicas", have)
	}
}

// checkTencent makes one signed call with the configured SDKAppID, key, admin and region.
func checkTencent(ctx context.Context, cfg Config, r *report) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	tc, err := tim.New(tim.Options{
		SDKAppID:    cfg.TimSDKAppID,
		SecretKey:   cfg.TimSecretKey,
		Admin:       cfg.TimAdmin,
		Region:      tim.Region(cfg.TimRegion),
		BaseURL:     cfg.TimBaseURL,
		MaxAttempts: 2,
	})
	if err != nil {
		r.fail("tencent", err.Error())
		return
	}
	where := cfg.TimRegion
	if cfg.TimBaseURL != "" {
		where = cfg.TimBaseURL
	}
	if err := tc.Probe(ctx); err != nil {
		r.fail("tencent", err.Error())
		return
	}
	r.pass("tencent", fmt.Sprintf("a signed call was accepted (SDKAppID %d, admin %s, %s)", cfg.TimSDKAppID, cfg.TimAdmin, where))
}

// report prints check's lines, aligned: "PASS  redis              reachable, …".
type report struct {
	w             io.Writer
	lines, failed int
}

func (r *report) pass(what, detail string) { r.line("PASS", what, detail) }
func (r *report) warn(what, detail string) { r.line("WARN", what, detail) }
func (r *report) fail(what, detail string) { r.failed++; r.line("FAIL", what, detail) }

func (r *report) line(status, what, detail string) {
	r.lines++
	fmt.Fprintf(r.w, "%s  %-17s  %s\n", status, what, detail)
}
