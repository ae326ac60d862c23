package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"modbot/store"
)

// Options configures a Bot. Zero values take the defaults named on each field.
type Options struct {
	AppToken string // xapp-… app-level token, used only to open Socket Mode connections
	BotToken string // xoxb-… bot token for the Web API
	APIURL   string // Web API base with a trailing slash; default slack.APIURL

	// TeamID, when set, refuses payloads from any other workspace.
	TeamID string
	// ApprovalChannel is the channel ID where unban requests are posted (required).
	ApprovalChannel string
	// AuditChannel is the channel ID of the audit feed; empty turns the feed off.
	AuditChannel string

	Approvals     int           // distinct approvals an unban needs; default 1
	RequestTTL    time.Duration // how long a request waits for a decision; default 24h
	RequireReason bool          // whether /unban needs a reason
	MaxAccounts   int           // most accounts in one request; default 1000

	// MaxOpenRequests is the most requests one person may have open at once; default 20.
	MaxOpenRequests int

	// Policies says, per action, how many approvals it needs and how long a ban or mute lasts
	// when the command names no duration (MODBOT_<ACTION>_APPROVALS, MODBOT_BAN_DURATION,
	// MODBOT_MUTE_DURATION). A missing action takes DefaultPolicy's; Approvals above, when set,
	// overrides the unban policy's approvals (older callers).
	Policies map[store.ActionKind]Policy
	// UndoWindow is how long Undo is offered on an immediate action; default 15m.
	UndoWindow time.Duration
	// ConfirmOver: an immediate action on more accounts first asks its requester to Confirm a
	// preview; default 20.
	ConfirmOver int
	// PreviewPages is the most list pages a preview or an execution's state re-read reads;
	// default 100.
	PreviewPages int
	// Reasons are the reason codes a reason may start with (MODBOT_REASONS), and
	// RequireReasonCode makes a known code required where a reason is.
	Reasons           []ReasonCode
	RequireReasonCode bool

	Workers   int           // commands and clicks handled at once; default 16
	Queue     int           // envelopes waiting for a worker before "busy" answers; default 256
	Executors int           // unban executions run at once by this replica; default 4
	LeaseTTL  time.Duration // execution lease; renewed at a third of it; default 30s
	Sweep     time.Duration // how often expiry, resumable work and owed messages are checked; default 5s
	FeedEvery time.Duration // audit feed pace; default 1s
	ReplicaID string        // names this process in leases; default host-pid-random

	// FeedRetryMax is the longest wait between posts while Slack refuses the audit feed's posts
	// (the wait doubles from 2×FeedEvery); default 5m.
	FeedRetryMax time.Duration

	// MaxWatched caps the watched targets (MODBOT_MAX_WATCHED); default 1000. ReconcileInterval is
	// how often they are swept (MODBOT_RECONCILE_INTERVAL; 0: off), as /modbot watched says.
	MaxWatched        int
	ReconcileInterval time.Duration

	// Digest is when the daily digest is posted to AuditChannel (digest.go); zero: never.
	Digest DigestSchedule

	HTTPClient *http.Client // for the Web API and response_url posts; default a client with a 10s timeout
	Logger     *slog.Logger // default slog.Default()
	Metrics    Metrics      // optional
}

// Metrics receives the bot's measurements (the cmd package backs it with Prometheus). All methods
// must be safe for concurrent use and cheap.
type Metrics interface {
	Ack(kind string, d time.Duration)             // an envelope acknowledged, d after it was read
	Decision(result string)                       // an approval-flow decision: approved, denied, cancelled, expired, refused
	Reconnect()                                   // a new Socket Mode connection
	Command(cmd, outcome string, d time.Duration) // a command or click handled
	Dropped(kind string)                          // work refused because the worker queue was full: command, click, view, audit, event
	FeedFailure(class string)                     // an audit feed post Slack refused: "blocked" (cannot work as things are) or "transient"
}

// Bot is modbot's Slack side: it answers commands and clicks arriving over Socket Mode, runs the
// approval flow, executes unbans and posts the audit feed.
type Bot struct {
	o     Options
	tim   Tencent
	store Store
	log   *slog.Logger

	webAPI // the Web API client (reply.go)
	sm     *socketmode.Client

	appID     atomic.Value // string: the app ID from Socket Mode's hello
	botUserID string
	connected atomic.Bool
	draining  atomic.Bool

	jobs chan func(ctx context.Context)
	ex   *executor // this replica's executions and the Slack messages they owe (executor.go)
	wg   sync.WaitGroup

	traces chan struct{} // semaphore for the audit traces of dropped work (intake.go)
	feed   feedState     // the audit feed's names and backoff, used by its goroutine only (feed.go)
}

// New builds a Bot. It does no I/O; Run connects.
func New(o Options, t Tencent, s Store) (*Bot, error) {
	var errs []error
	if o.AppToken == "" {
		errs = append(errs, errors.New("app token is required"))
	}
	if o.BotToken == "" {
		errs = append(errs, errors.New("bot token is required"))
	}
	if o.ApprovalChannel == "" {
		errs = append(errs, errors.New("approval channel is required"))
	}
	if t == nil || s == nil {
		errs = append(errs, errors.New("a Tencent client and a store are required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("bot options: %w", err)
	}
	setDefault(&o.APIURL, slack.APIURL)
	setDefault(&o.Approvals, 1)
	setDefault(&o.RequestTTL, 24*time.Hour)
	setDefault(&o.MaxAccounts, 1000)
	setDefault(&o.MaxOpenRequests, 20)
	setDefault(&o.Workers, 16)
	setDefault(&o.Queue, 256)
	setDefault(&o.Executors, 4)
	setDefault(&o.LeaseTTL, 30*time.Second)
	setDefault(&o.Sweep, 5*time.Second)
	setDefault(&o.FeedEvery, time.Second)
	setDefault(&o.FeedRetryMax, 5*time.Minute)
	setDefault(&o.UndoWindow, 15*time.Minute)
	setDefault(&o.ConfirmOver, 20)
	setDefault(&o.PreviewPages, 100)
	setDefault(&o.MaxWatched, 1000)
	if o.ReplicaID == "" {
		host, _ := os.Hostname()
		o.ReplicaID = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomID(4))
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	b := &Bot{
		o:     o,
		tim:   t,
		store: s,
		log:   o.Logger,
		jobs:  make(chan func(context.Context), o.Queue),
	}
	b.traces = make(chan struct{}, maxTraces)
	b.appID.Store("")
	b.api = slack.New(o.BotToken,
		slack.OptionAppLevelToken(o.AppToken),
		slack.OptionAPIURL(o.APIURL),
		slack.OptionHTTPClient(o.HTTPClient),
		slack.OptionRetry(3),
	)
	b.ex = newExecutor(execOptions{LeaseTTL: o.LeaseTTL, ReplicaID: o.ReplicaID, Executors: o.Executors, Logger: o.Logger, Metrics: o.Metrics, ReadPages: o.PreviewPages},
		t, s, b.webAPI)
	b.sm = socketmode.New(b.api, socketmode.OptionLog(slogOutput{b.log}))
	return b, nil
}

// Ready reports whether the bot is connected to Slack and not draining.
func (b *Bot) Ready() bool { return b.connected.Load() && !b.draining.Load() }

// Run connects to Slack and serves until ctx ends, then drains: the Socket Mode connection is
// closed first, work already received is finished within drain, and leases are released so that
// another replica resumes at once. It returns nil after a clean drain.
func (b *Bot) Run(ctx context.Context, drain time.Duration) error {
	auth, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("slack auth.test: %w", err)
	}
	b.botUserID = auth.UserID

	// Work outlives ctx by the drain timeout: cancelling ctx stops intake, not work in flight.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	for range b.o.Workers {
		b.wg.Go(func() {
			for job := range b.jobs {
				job(store.TrackWrites(workCtx)) // each job learns whether its writes reached the replicas
			}
		})
	}
	var bg sync.WaitGroup
	bg.Go(func() { b.background(ctx, workCtx) })

	smCtx, stopSocket := context.WithCancel(ctx)
	defer stopSocket()
	smDone := make(chan error, 1)
	go func() { smDone <- b.sm.RunContext(smCtx) }()

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-smDone:
			if ctx.Err() == nil {
				runErr = fmt.Errorf("socket mode: %w", err)
			}
			break loop
		case evt := <-b.sm.Events:
			b.dispatch(evt)
		}
	}

	// Drain: stop reading from Slack, finish what arrived, release leases.
	b.draining.Store(true)
	b.ex.shutdown() // no new executions; running ones may finish within the drain timeout
	b.connected.Store(false)
	stopSocket()
	for {
		select {
		case evt := <-b.sm.Events:
			b.dispatch(evt) // already delivered to us: handle it (the ack may no longer reach Slack)
			continue
		default:
		}
		break
	}
	close(b.jobs)
	done := make(chan struct{})
	go func() { b.wg.Wait(); bg.Wait(); b.ex.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drain):
		b.log.Warn("drain timeout: abandoning work in flight; its leases will lapse", "timeout", drain)
		stopWork()
		<-done
	}
	relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if b.o.AuditChannel != "" {
		if err := b.store.FeedRelease(relCtx, b.o.ReplicaID); err != nil {
			b.log.Warn("release audit feed lease", "err", err)
		}
	}
	return runErr
}

// background runs the periodic work until ctx ends: expiring requests, resuming work no replica
// finished, completing owed Slack messages, and posting the audit feed. Work started here uses
// workCtx, which outlives ctx by the drain timeout.
func (b *Bot) background(ctx, workCtx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { every(ctx, b.o.Sweep, func() { b.ex.sweep(workCtx) }) })
	if b.o.AuditChannel != "" {
		wg.Go(func() { every(ctx, b.o.FeedEvery, func() { b.postFeed(workCtx) }) })
	}
	if b.o.Digest.On() && b.o.AuditChannel != "" { // digest.go
		wg.Go(func() { every(ctx, digestEvery, func() { b.digestTick(workCtx, time.Now()) }) })
	}
	wg.Wait()
}

// every calls f at once and then every d until ctx ends.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// dispatch runs on the event loop: it acknowledges and queues, and never waits on Redis, Tencent or
// the Web API.
func (b *Bot) dispatch(evt socketmode.Event) {
	start := time.Now()
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.connected.Store(true)
		b.o.Metrics.Reconnect()
	case socketmode.EventTypeHello:
		if evt.Request != nil && evt.Request.ConnectionInfo.AppID != "" {
			b.appID.Store(evt.Request.ConnectionInfo.AppID)
		}
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnectionError:
		b.connected.Store(false)
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("slack refused the app token (invalid_auth)")
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			b.ack(evt, nil, start)
			return
		}
		b.ack(evt, b.acceptCommand(evt.Request, cmd), start)
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		var payload any
		if ok {
			payload = b.acceptInteraction(cb)
		}
		b.ack(evt, payload, start)
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		b.ack(evt, nil, start)
		if ok {
			b.acceptEvent(ev)
		}
	}
}

// ack acknowledges an envelope. The wait is bounded so a dead connection cannot stall the loop.
func (b *Bot) ack(evt socketmode.Event, payload any, start time.Time) {
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := b.sm.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil {
		b.log.Warn("ack", "envelope_id", evt.Request.EnvelopeID, "err", err)
		return
	}
	b.o.Metrics.Ack(string(evt.Type), time.Since(start))
}

// submit queues work for the pool; false means the queue is full.
func (b *Bot) submit(job func(ctx context.Context)) bool {
	select {
	case b.jobs <- job:
		return true
	default:
		return false
	}
}

// foreign reports why a payload must be refused: another workspace or another app. Once
// Socket Mode's hello has named this app, a payload that names no app is refused too.
func (b *Bot) foreign(teamID, appID string) string {
	if b.o.TeamID != "" && teamID != b.o.TeamID {
		return "workspace " + teamID
	}
	want, _ := b.appID.Load().(string)
	switch {
	case want == "" || appID == want:
		return ""
	case appID == "":
		return "app (no api_app_id)"
	}
	return "app " + appID
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// slogOutput adapts slog to slack-go's logger interface (Output(calldepth, s)).
type slogOutput struct{ l *slog.Logger }

func (o slogOutput) Output(_ int, s string) error {
	o.l.Debug("socketmode", "msg", s)
	return nil
}

type noMetrics struct{}

func (noMetrics) Ack(string, time.Duration)             {}
func (noMetrics) Decision(string)                       {}
func (noMetrics) Reconnect()                            {}
func (noMetrics) Command(string, string, time.Duration) {}
func (noMetrics) Dropped(string)                        {}
func (noMetrics) FeedFailure(string)                    {}

// randomID returns n random base32 characters.
func randomID(n int) string { return strings.ToLower(rand.Text()[:n]) }
