package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"modbot/bot"
	"modbot/store"
	"modbot/tim"
)

// metrics is modbot's Prometheus instrumentation, on a registry of its own. It is the bot's
// bot.Metrics and the Tencent client's tim.Observer, and wraps the rate limiter. Label values
// come only from fixed sets (command names, outcome classes); user and account IDs never appear.
type metrics struct {
	reg *prometheus.Registry

	timCalls    *prometheus.CounterVec   // command, outcome
	timDuration *prometheus.HistogramVec // command
	timRetries  *prometheus.CounterVec   // command
	limiterWait prometheus.Histogram
	ack         *prometheus.HistogramVec // kind
	decisions   *prometheus.CounterVec   // result
	reconnects  prometheus.Counter
	commands    *prometheus.CounterVec   // cmd, outcome
	cmdDuration *prometheus.HistogramVec // cmd
	cmdNames    []string                 // bot.CommandLabels: the slash commands, buttons and modals
	dropped     *prometheus.CounterVec   // kind
	feedFails   *prometheus.CounterVec   // class

	redisUnconfirmed prometheus.Counter // writes a person was told about that replicas did not confirm
	redisErrors      prometheus.Counter // failed Redis commands
}

// Label values the metrics accept; anything else is counted as "other".
var (
	metricDecisions = bot.DecisionLabels()
	metricAckKinds  = []string{"slash_commands", "interactive", "events_api", "hello", "disconnect"}
	metricTimOut    = append([]string{"ok"}, tim.ErrorClasses()...)
	metricDropped   = bot.DroppedKinds()
	metricFeedFails = bot.FeedFailureClasses()
)

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "modbot_build_info", Help: "Always 1; the version label is the build's.",
	}, []string{"version"})
	build.WithLabelValues(buildVersion()).Set(1)
	latency := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &metrics{
		reg:      reg,
		cmdNames: bot.CommandLabels(),
		timCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modbot_tencent_calls_total", Help: "Tencent REST attempts by command and outcome (ok or the error class).",
		}, []string{"command", "outcome"}),
		timDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "modbot_tencent_call_duration_seconds", Help: "Duration of Tencent REST attempts.", Buckets: latency,
		}, []string{"command"}),
		timRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modbot_tencent_retries_total", Help: "Tencent REST attempts that repeated an earlier attempt of the same call.",
		}, []string{"command"}),
		limiterWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "modbot_ratelimit_wait_seconds", Help: "Time spent waiting for the shared Tencent rate limit.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "modbot_slack_ack_duration_seconds", Help: "Time from reading a Socket Mode envelope to its ack.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"kind"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modbot_approvals_total", Help: "Approval-flow decisions by result.",
		}, []string{"result"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "modbot_socketmode_connections_total", Help: "Socket Mode connections made (the first and every reconnect).",
		}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modbot_commands_total", Help: "Slash commands, clicks and modals handled, by command and outcome.",
		}, []string{"cmd", "outcome"}),
		cmdDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "modbot_command_duration_seconds", Help: "Time from receiving a command or click to the end of its handling.", Buckets: latency,
		}, []string{"cmd"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modbot_dropped_total", Help: "Work refused because the worker queue was full, by kind (command, click, view, audit); each is logged and audited when it can be.",
		}, []string{"kind"}),
		feedFails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modbot_audit_feed_failures_total", Help: "Audit feed posts Slack refused: blocked (the channel is missing, archived or without the bot; the feed backs off and keeps the lines) or transient.",
		}, []string{"class"}),
	}
	m.redisUnconfirmed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "modbot_redis_unconfirmed_writes_total", Help: "Writes a person was told about that fewer than MODBOT_REDIS_MIN_REPLICAS replicas confirmed within a second.",
	})
	m.redisErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "modbot_redis_errors_total", Help: "Redis commands that failed (connection errors, timeouts, error replies).",
	})
	for _, r := range metricDecisions { // a fixed set: every series exists from the start, at 0
		m.decisions.WithLabelValues(r)
	}
	reg.MustRegister(build, m.timCalls, m.timDuration, m.timRetries, m.limiterWait, m.ack, m.decisions,
		m.reconnects, m.commands, m.cmdDuration, m.dropped, m.feedFails, m.redisUnconfirmed, m.redisErrors)
	return m
}

// UnconfirmedWrite counts a write the replicas did not confirm (store.Options.OnUnconfirmed).
func (m *metrics) UnconfirmedWrite() { m.redisUnconfirmed.Inc() }

// RedisError counts a failed Redis command (store.Options.OnError).
func (m *metrics) RedisError() { m.redisErrors.Inc() }

// replicaState is what the running replica reports about itself.
type replicaState interface {
	Ready() bool
	Connected() bool
	Executions() int
}

// backlogReader reads what waits in Redis for some replica.
type backlogReader interface {
	Backlog(ctx context.Context) (store.Backlog, error)
}

// watch exports the replica's state (ready, Socket Mode connected, executions running) and, read
// from Redis at each scrape, the executions no replica works on and the audit feed's lag (only
// with an audit channel: without one nothing posts the feed).
func (m *metrics) watch(r replicaState, st backlogReader, feed bool) {
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	boolean := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	m.reg.MustRegister(
		gauge("modbot_ready", "1 while /readyz answers 200 as far as the bot knows: Socket Mode connected and not draining.",
			func() float64 { return boolean(r.Ready()) }),
		gauge("modbot_socketmode_connected", "1 while a Socket Mode connection is open.",
			func() float64 { return boolean(r.Connected()) }),
		gauge("modbot_executions_in_flight", "Executions this replica runs now.",
			func() float64 { return float64(r.Executions()) }),
		&backlogCollector{st: st, feed: feed,
			stalled: prometheus.NewDesc("modbot_executions_stalled",
				"Approved or executing requests whose lease is free or lapsed (no replica works on them now), read from Redis.", nil, nil),
			lag: prometheus.NewDesc("modbot_audit_feed_lag_seconds",
				"Age of the oldest audit entry not yet posted to the audit channel, read from Redis.", nil, nil),
		})
}

// backlogCollector reads store.Backlog at each scrape, within a second; when Redis does not
// answer it exports nothing (modbot_redis_errors_total counts the failure).
type backlogCollector struct {
	st           backlogReader
	feed         bool
	stalled, lag *prometheus.Desc
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.stalled; ch <- c.lag }

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	b, err := c.st.Backlog(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.stalled, prometheus.GaugeValue, float64(b.Stalled))
	if c.feed {
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, b.FeedLag.Seconds())
	}
}

// Handler serves the registry in Prometheus's text format.
func (m *metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveCall implements tim.Observer.
func (m *metrics) ObserveCall(command string, _ int, err error, d time.Duration, retry bool) {
	command = timCommand(command)
	outcome := "ok"
	if err != nil {
		outcome = oneOf(tim.ErrorClass(err), metricTimOut)
	}
	m.timCalls.WithLabelValues(command, outcome).Inc()
	m.timDuration.WithLabelValues(command).Observe(d.Seconds())
	if retry {
		m.timRetries.WithLabelValues(command).Inc()
	}
}

// Ack implements bot.Metrics.
func (m *metrics) Ack(kind string, d time.Duration) {
	m.ack.WithLabelValues(oneOf(kind, metricAckKinds)).Observe(d.Seconds())
}

// Decision implements bot.Metrics.
func (m *metrics) Decision(result string) {
	m.decisions.WithLabelValues(oneOf(result, metricDecisions)).Inc()
}

// Reconnect implements bot.Metrics.
func (m *metrics) Reconnect() { m.reconnects.Inc() }

// Command implements bot.Metrics.
func (m *metrics) Command(cmd, outcome string, d time.Duration) {
	cmd = oneOf(cmd, m.cmdNames)
	m.commands.WithLabelValues(cmd, labelWord(outcome)).Inc()
	m.cmdDuration.WithLabelValues(cmd).Observe(d.Seconds())
}

// Dropped implements bot.Metrics.
func (m *metrics) Dropped(kind string) { m.dropped.WithLabelValues(oneOf(kind, metricDropped)).Inc() }

// FeedFailure implements bot.Metrics.
func (m *metrics) FeedFailure(class string) {
	m.feedFails.WithLabelValues(oneOf(class, metricFeedFails)).Inc()
}

// Limiter wraps l so that the time spent waiting for it is observed.
func (m *metrics) Limiter(l tim.Limiter) tim.Limiter { return timedLimiter{l: l, wait: m.limiterWait} }

type timedLimiter struct {
	l    tim.Limiter
	wait prometheus.Observer
}

func (t timedLimiter) Wait(ctx context.Context) error {
	start := time.Now()
	err := t.l.Wait(ctx)
	t.wait.Observe(time.Since(start).Seconds())
	return err
}

var (
	_ bot.Metrics  = (*metrics)(nil)
	_ tim.Observer = (*metrics)(nil)
)

// oneOf returns v when it is one of allowed, else "other".
func oneOf(v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return "other"
}

// timCommand keeps a Tencent command ("group_open_http_svc/unban_group_member") when it has the
// shape of one: tim's commands are constants, so the set is fixed.
func timCommand(c string) string {
	service, name, ok := strings.Cut(c, "/")
	if !ok || (service != "group_open_http_svc" && service != "room_engine_http_srv") || labelWord(name) != name {
		return "other"
	}
	return c
}

// labelWord keeps a short lower-case word (an outcome such as "handled"), else "other": it can
// carry neither a Slack ID (upper case) nor free text.
func labelWord(s string) string {
	if s == "" || len(s) > 32 {
		return "other"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_') {
			return "other"
		}
	}
	return s
}
