package bot_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/internal/system"
	"modbot/internal/testutil"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// The people and channels of every end-to-end test.
const (
	alice = "U0ALICE" // moderator
	bob   = "U0BOB"   // approver
	carol = "U0CAROL" // admin
	dave  = "U0DAVE"  // not on the allowlist
	vic   = "U0VIC"   // viewer
	erin  = "U0ERIN"  // approver

	approvals  = "C0APPROVALS" // the approval channel; the bot is a member
	auditCh    = "C0AUDIT"     // the audit channel; the bot is a member
	moderation = "C0MOD"       // where moderators type; the bot is a member
	elsewhere  = "C0ELSEWHERE" // a channel the bot is not in
)

// env is one end-to-end world: a fake Slack, the Tencent emulator, a real Redis (or miniredis
// where no redis-server exists), the real tim client and one or more bots connected over Socket
// Mode exactly as in production.
type env struct {
	t     *testing.T
	slack *slacktest.Server
	tim   *timtest.Server
	store *store.Store
	opts  bot.Options
	logs  *testutil.Buffer

	mu      sync.Mutex
	bots    []*runningBot
	tencent func(*tim.Client) bot.Tencent // what the bots call Tencent through
}

type runningBot struct {
	bot    *bot.Bot
	cancel context.CancelFunc
	done   chan error
}

// envOption adjusts an env before its first bot starts.
type envOption func(*envConfig)

type envConfig struct {
	bot     bot.Options
	tim     timtest.Options
	store   store.Options
	noStart bool
	tencent func(*tim.Client) bot.Tencent
}

type botOptions = bot.Options

func withBotOptions(f func(*bot.Options)) envOption { return func(c *envConfig) { f(&c.bot) } }

// withoutBot sets the world up but starts no bot (call e.startBot).
func withoutBot() envOption { return func(c *envConfig) { c.noStart = true } }

// withTencent puts f's Tencent between the bots and the real tim client (e.g. to change what a
// read returns).
func withTencent(f func(*tim.Client) bot.Tencent) envOption {
	return func(c *envConfig) { c.tencent = f }
}

// newEnv builds the world and starts one bot; everything stops at the end of the test.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{
		tim: timtest.Options{Rate: -1},
		bot: bot.Options{
			RequireReason: true,
			Sweep:         100 * time.Millisecond,
			FeedEvery:     50 * time.Millisecond,
			LeaseTTL:      3 * time.Second,
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{t: t, logs: &testutil.Buffer{}, tencent: cfg.tencent}
	e.slack = slacktest.NewServer(t, slacktest.Options{})
	for _, u := range []struct{ id, name string }{
		{alice, "alice"}, {bob, "bob"}, {carol, "carol"}, {dave, "dave"}, {vic, "vic"}, {erin, "erin"},
	} {
		e.slack.AddUser(u.id, u.name)
	}
	e.slack.AddChannel(approvals, "mod-approvals", true)
	e.slack.AddChannel(auditCh, "mod-audit", true)
	e.slack.AddChannel(moderation, "moderation", true)
	e.slack.AddChannel(elsewhere, "random", false)

	e.tim = timtest.NewServer(t, cfg.tim)
	e.store = storetest.New(t, cfg.store)
	ctx := t.Context()
	for user, role := range map[string]store.Role{
		alice: store.RoleModerator, bob: store.RoleApprover, erin: store.RoleApprover,
		carol: store.RoleAdmin, vic: store.RoleViewer,
	} {
		if _, err := e.store.SetRole(ctx, store.SystemActor, user, role); err != nil {
			t.Fatalf("allow %s: %v", user, err)
		}
	}

	so := e.slack.Options()
	o := cfg.bot
	o.AppToken, o.BotToken, o.APIURL = so.AppToken, so.BotToken, e.slack.URL
	o.ApprovalChannel = approvals
	if o.AuditChannel == "" {
		o.AuditChannel = auditCh
	}
	o.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.opts = o
	if !cfg.noStart {
		e.startBot()
	}
	t.Cleanup(func() {
		e.stopAll()
		e.checkNoSecretsLogged()
		if t.Failed() {
			t.Logf("bot log:\n%s", e.logs.String())
		}
	})
	return e
}

// checkNoSecretsLogged fails the test when the bot's debug log holds a token, the Tencent secret
// key, a UserSig or a response_url: every end-to-end test, fault paths included, checks it.
func (e *env) checkNoSecretsLogged() {
	e.t.Helper()
	log := e.logs.String()
	so := e.slack.Options()
	for what, secret := range map[string]string{
		"bot token": so.BotToken, "app token": so.AppToken, "Tencent secret key": e.tim.SecretKey(),
		"an xoxb- token": "xoxb-", "an xapp- token": "xapp-",
		"a UserSig": "usersig=", "a response_url": strings.TrimSuffix(e.slack.URL, "api/") + "response/",
	} {
		if strings.Contains(log, secret) {
			e.t.Errorf("the bot's log contains %s", what)
		}
	}
}

// startBot starts one more replica (with its own ReplicaID) and waits until it is connected.
func (e *env) startBot() *runningBot {
	e.t.Helper()
	o := e.opts
	e.mu.Lock()
	o.ReplicaID = "replica-" + string(rune('a'+len(e.bots)))
	e.mu.Unlock()
	sys, err := system.Build(e.store, system.Config{
		Tim: tim.Options{
			SDKAppID:  e.tim.SDKAppID(),
			SecretKey: e.tim.SecretKey(),
			Admin:     e.tim.Admin(),
			BaseURL:   e.tim.URL,
			Limiter:   tim.NewLocalLimiter(1000),
		},
		WrapTencent: e.tencent,
		Bot:         o,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	b := sys.Bot
	ctx, cancel := context.WithCancel(context.Background())
	rb := &runningBot{bot: b, cancel: cancel, done: make(chan error, 1)}
	before := e.slack.ConnectionsOpened()
	go func() { rb.done <- b.Run(ctx, 5*time.Second) }()
	e.mu.Lock()
	e.bots = append(e.bots, rb)
	e.mu.Unlock()
	e.waitFor("bot connected", func(s *slacktest.Server) bool { return s.ConnectionsOpened() > before && b.Ready() })
	return rb
}

// stop stops one bot and waits for its drain.
func (rb *runningBot) stop(t *testing.T) {
	t.Helper()
	rb.cancel()
	select {
	case err := <-rb.done:
		if err != nil {
			t.Errorf("bot.Run: %v", err)
		}
		rb.done <- err // let stopAll read it again
	case <-time.After(15 * time.Second):
		t.Fatal("bot did not stop within 15s")
	}
}

func (e *env) stopAll() {
	e.mu.Lock()
	bots := e.bots
	e.mu.Unlock()
	for _, rb := range bots {
		rb.cancel()
		select {
		case <-rb.done:
		case <-time.After(15 * time.Second):
			e.t.Error("a bot did not stop within 15s")
		}
	}
}

// waitFor polls the fake Slack's state until cond holds, failing the test after 10s.
func (e *env) waitFor(what string, cond func(*slacktest.Server) bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 10*time.Second)
	defer cancel()
	if err := e.slack.WaitFor(ctx, cond); err != nil {
		e.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// eventually polls any condition (emulator or store state) until it holds, failing after 10s.
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("waiting for %s: timed out", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// command types a slash command as user in channel and returns the ack.
func (e *env) command(user, channel, command, text string) slacktest.Ack {
	e.t.Helper()
	ack, err := e.slack.SlashCommand(user, channel, command, text)
	if err != nil {
		e.t.Fatalf("%s %s: %v", command, text, err)
	}
	if ack.Elapsed > 3*time.Second {
		e.t.Errorf("%s acked after %v, past Slack's 3s", command, ack.Elapsed)
	}
	return ack
}

// ephemeralText is everything user has seen privately (acks and response_url posts), joined.
func (e *env) ephemeralText(user string) string {
	var b strings.Builder
	for _, m := range e.slack.Ephemeral(user) {
		b.WriteString(m.VisibleText())
		b.WriteString("\n")
	}
	return b.String()
}

// waitEphemeral waits until user has privately seen text containing want.
func (e *env) waitEphemeral(user, want string) {
	e.t.Helper()
	e.waitFor(user+" sees "+want, func(s *slacktest.Server) bool { return strings.Contains(e.ephemeralText(user), want) })
}

// rootMessages are the root messages of the approval channel.
func (e *env) rootMessages() []slacktest.Message { return e.slack.Messages(approvals) }

// timCalls counts the emulator's calls of every command.
func (e *env) timCalls() int { return len(e.tim.Log()) }

// auditEntries reads the newest audit entries (up to 100).
func (e *env) auditEntries() []store.AuditEntry {
	e.t.Helper()
	page, err := e.store.Audit(e.t.Context(), store.AuditFilter{}, "", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Entries
}
