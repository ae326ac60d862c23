package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/internal/system"
	"modbot/store"
	"modbot/tim"
	"modbot/tim/timtest"
)

// runSandbox is `modbot sandbox`: the whole system on this machine, on loopback only — an
// in-process Redis, a seeded Tencent emulator, a fake Slack whose web UI stands in for the Slack
// client, and the unmodified bot connected to them over Socket Mode — until ctx ends.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "where the web UI listens: a loopback `host:port`")
	verbose := flags.Bool("v", false, "log what the bot does, not only its warnings")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: sandbox: %v", errUsage, err)
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("%w: sandbox takes no arguments, only flags (-addr, -v)", errUsage)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	sb, err := startSandbox(ctx, *addr, log, sandboxSweepEvery)
	if err != nil {
		return err
	}
	defer sb.Close()
	fmt.Fprint(stdout, sb.banner())
	<-ctx.Done()
	fmt.Fprintln(stdout, "modbot sandbox: stopping")
	return nil
}

// sandbox is a running sandbox. The fake Slack and the emulator live as long as it does; the store,
// the Tencent client and the bot are a generation that Reset replaces.
type sandbox struct {
	url   string // the web UI, e.g. "http://127.0.0.1:8080/"
	slack *slacktest.Server
	emu   *timtest.Server
	log   *slog.Logger
	// sweepEvery is how often the watched targets are swept (sandboxSweepEvery).
	sweepEvery time.Duration

	mu     sync.Mutex // serialises Reset and Close, guards gen and closed
	gen    *generation
	closed bool
}

// generation is one store and the bot that uses it.
type generation struct {
	sys    *system.System
	stop   context.CancelFunc
	done   chan error    // the bot's Run result
	sweeps chan struct{} // closed when the sweep of watched targets stopped
}

// The sandbox's Slack workspace.
const (
	sandboxModerator = "U0ALICE"
	sandboxApprover  = "U0BOB"
	sandboxAdmin     = "U0CAROL"
	sandboxOutsider  = "U0DAVE"

	sandboxModeration = "C0MODERATION"
	sandboxApprovals  = "C0APPROVALS"
	sandboxAudit      = "C0AUDIT"
)

// sandboxPerson is a person of the sandbox's workspace and their allowlist role.
type sandboxPerson struct {
	id, name string
	role     store.Role // RoleNone: not on the allowlist
}

func sandboxPeople() []sandboxPerson {
	return []sandboxPerson{
		{sandboxModerator, "alice", store.RoleModerator},
		{sandboxApprover, "bob", store.RoleApprover},
		{sandboxAdmin, "carol", store.RoleAdmin},
		{sandboxOutsider, "dave", store.RoleNone},
	}
}

// sandboxDrain bounds how long a generation's bot finishes its work when stopped.
const sandboxDrain = 3 * time.Second

// startSandbox starts everything and returns once the bot is connected. addr must be a loopback
// address; port 0 picks a free port.
func startSandbox(ctx context.Context, addr string, log *slog.Logger, sweepEvery time.Duration) (*sandbox, error) {
	if err := loopbackAddr(addr); err != nil {
		return nil, err
	}
	emu := timtest.New(timtest.Options{})
	seedEmulator(emu)
	if err := emu.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start tencent emulator: %w", err)
	}

	sl := slacktest.New(slacktest.Options{TeamDomain: "modbot-sandbox"})
	notes := map[string]string{}
	for _, p := range sandboxPeople() {
		sl.AddUser(p.id, p.name)
		notes[p.id] = roleNote(p.role)
	}
	for _, c := range []struct{ id, name string }{
		{sandboxModeration, "moderation"}, {sandboxApprovals, "mod-approvals"}, {sandboxAudit, "mod-audit"},
	} {
		sl.AddChannel(c.id, c.name, true)
		for _, p := range sandboxPeople() {
			if err := sl.Join(c.id, p.id); err != nil {
				emu.Close()
				return nil, err
			}
		}
	}
	sb := &sandbox{slack: sl, emu: emu, log: log, sweepEvery: sweepEvery}
	sl.SetUI(slacktest.UI{
		Title:       "modbot sandbox",
		Notes:       notes,
		Panels:      []slacktest.Panel{{Title: "Tencent emulator and allowlist", URL: "/sandbox/state"}},
		Suggestions: sandboxSuggestions(),
		// The manifest gives /modbot should_escape: true, so "@dave" arrives as a mention.
		EscapeCommands: []string{"/modbot"},
	})
	sb.mount()
	if err := sl.Start(addr); err != nil {
		emu.Close()
		return nil, fmt.Errorf("sandbox web UI: %w (is another sandbox running? try -addr 127.0.0.1:0)", err)
	}
	sb.url = strings.TrimSuffix(sl.URL, "api/")

	sb.mu.Lock()
	defer sb.mu.Unlock()
	if err := sb.startGeneration(ctx); err != nil {
		sl.Close()
		emu.Close()
		return nil, err
	}
	return sb, nil
}

// URL is the address of the web UI.
func (sb *sandbox) URL() string { return sb.url }

// Reset starts over: the emulator is seeded again with its faults cleared, Redis is a fresh one,
// every Slack message is gone, and a new bot is connected.
func (sb *sandbox) Reset(ctx context.Context) error {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.closed {
		return errors.New("sandbox is closed")
	}
	sb.stopGeneration()
	sb.emu.Reset()
	seedEmulator(sb.emu)
	sb.slack.Reset()
	return sb.startGeneration(ctx)
}

// Close stops the bot (letting it drain briefly), then the fake Slack and the emulator.
func (sb *sandbox) Close() {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.closed {
		return
	}
	sb.closed = true
	sb.stopGeneration()
	sb.slack.Close()
	sb.emu.Close()
}

// startGeneration opens a fresh embedded Redis with the allowlist, builds the Tencent client and
// the bot exactly as `modbot run` does (shorter sweeps, for a snappy UI), runs the bot and waits
// until it is connected. sb.mu must be held.
func (sb *sandbox) startGeneration(ctx context.Context) error {
	o := sb.slack.Options()
	sys, err := system.Open(ctx, system.Config{
		Embedded: true,
		Tim: tim.Options{
			SDKAppID:  sb.emu.SDKAppID(),
			SecretKey: sb.emu.SecretKey(),
			Admin:     sb.emu.Admin(),
			BaseURL:   sb.emu.URL,
		},
		Rate:      timtest.DefaultRate,
		Reconcile: sb.sandboxReconcile(), // sandbox_watch.go
		Bot: bot.Options{
			AppToken:        o.AppToken,
			BotToken:        o.BotToken,
			APIURL:          sb.slack.URL,
			TeamID:          o.TeamID,
			ApprovalChannel: sandboxApprovals,
			AuditChannel:    sandboxAudit,
			Approvals:       1,
			RequestTTL:      24 * time.Hour,
			RequireReason:   true,
			MaxAccounts:     1000,
			Sweep:           time.Second,
			FeedEvery:       500 * time.Millisecond,
			Logger:          sb.log,

			Policies:     sandboxPolicies(),
			UndoWindow:   sandboxUndoWindow,
			ConfirmOver:  sandboxConfirmOver,
			PreviewPages: 100,
			Reasons:      sandboxReasons,
		},
	})
	if err != nil {
		return fmt.Errorf("build the bot: %w", err)
	}
	st, b := sys.Store, sys.Bot
	fail := func(err error) error {
		sys.Close()
		return err
	}
	for _, p := range sandboxPeople() {
		if p.role == store.RoleNone {
			continue
		}
		if _, err := st.SetRole(ctx, store.SystemActor, p.id, p.role); err != nil {
			return fail(fmt.Errorf("allow %s: %w", p.name, err))
		}
	}
	if err := watchSeeded(ctx, st); err != nil {
		return fail(err)
	}

	opened := sb.slack.ConnectionsOpened()
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx, sandboxDrain) }()
	sweeps := make(chan struct{})
	go func() { defer close(sweeps); sys.Reconciler.Run(runCtx) }()
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	connected := make(chan error, 1)
	go func() {
		connected <- sb.slack.WaitFor(waitCtx, func(s *slacktest.Server) bool {
			return s.ConnectionsOpened() > opened && s.Connections() > 0
		})
	}()
	select {
	case err = <-connected:
	case err = <-done:
		err = fmt.Errorf("bot stopped at once: %w", err)
	}
	if err != nil {
		stop()
		<-done
		<-sweeps
		return fail(fmt.Errorf("connect the bot to the fake slack: %w", err))
	}
	sb.gen = &generation{sys: sys, stop: stop, done: done, sweeps: sweeps}
	return nil
}

// stopGeneration stops the bot, waits for it to drain and closes its store. sb.mu must be held.
func (sb *sandbox) stopGeneration() {
	g := sb.gen
	if g == nil {
		return
	}
	sb.gen = nil
	g.stop()
	if err := <-g.done; err != nil {
		sb.log.Warn("bot stopped with an error", "err", err)
	}
	<-g.sweeps
	g.sys.Close()
}

// banner is what the sandbox prints when it is ready.
func (sb *sandbox) banner() string {
	var b strings.Builder
	fmt.Fprintf(&b, "modbot sandbox is running: open %s in your browser.\n\n", sb.url)
	b.WriteString("Everything runs in this process, on loopback: a fake Slack (the web UI), a Tencent Chat\n" +
		"emulator with seeded groups, rooms and bans, an in-process Redis, and the real bot.\n\n")
	b.WriteString("People: ")
	for i, p := range sandboxPeople() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s)", p.name, roleNote(p.role))
	}
	b.WriteString(".\nTry, in #moderation:\n")
	for _, s := range sandboxSuggestions()[:5] {
		fmt.Fprintf(&b, "  as %-6s %s %s\n", userName(s.User)+":", s.Command, s.Text)
	}
	b.WriteString("An unban waits for bob: as bob, click Approve in #mod-approvals and watch the bans go in the\n" +
		"side panel.\n")
	fmt.Fprintf(&b, "A ban or a mute runs at once: its message in #mod-approvals offers Undo for %d minutes (Undo\n"+
		"gives %s its earlier %d-hour ban back); a ban of more than %d accounts waits for your Confirm.\n",
		int(sandboxUndoWindow.Minutes()), seedEarlierBan.account, int(seedEarlierBan.d.Hours()), sandboxConfirmOver)
	fmt.Fprintf(&b, "modbot watches the seeded groups and rooms (/modbot watched), sweeping every %s: ban someone\n"+
		"\"in the app\" from the side panel (Act in the app), see it arrive in #mod-audit, then /lookup them.\n", sb.sweepEvery)
	b.WriteString("Reset, fault injection and latency are in the side panel. Ctrl-C stops the sandbox.\n")
	return b.String()
}

// loopbackAddr accepts host:port where host is a loopback IP or "localhost": the sandbox has no
// authentication, so it must not be reachable from other machines.
func loopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: -addr %q: want host:port, e.g. 127.0.0.1:8080", errUsage, addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%w: -addr %q: the sandbox listens on loopback only (127.0.0.1, ::1 or localhost), "+
			"because anyone who reaches it can act as any of its people", errUsage, addr)
	}
	return nil
}

func roleNote(r store.Role) string {
	if r == store.RoleNone {
		return "not on the allowlist"
	}
	return r.String()
}

func userName(id string) string {
	for _, p := range sandboxPeople() {
		if p.id == id {
			return p.name
		}
	}
	return id
}

// The sandbox's Undo window and Confirm threshold (MODBOT_UNDO_WINDOW, MODBOT_CONFIRM_OVER):
// production's defaults.
const (
	sandboxUndoWindow  = 15 * time.Minute
	sandboxConfirmOver = 20
)

// sandboxReasons are the sandbox's reason codes (MODBOT_REASONS in production), so its help and
// its /ban show them.
var sandboxReasons = []bot.ReasonCode{{Code: "spam", Label: "Spam or scam links"}, {Code: "abuse", Label: "Harassment"}}

// sandboxPolicies are production's defaults: unban waits for one approver, the others run at once.
func sandboxPolicies() map[store.ActionKind]bot.Policy {
	out := map[store.ActionKind]bot.Policy{}
	for _, a := range []store.ActionKind{store.BanAction, store.MuteAction, store.UnmuteAction, store.UnbanAction} {
		out[a] = bot.DefaultPolicy(a)
	}
	return out
}
