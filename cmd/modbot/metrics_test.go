package main

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"modbot/store"
	"modbot/tim"
)

// scrape returns the registry in Prometheus's text format.
func scrape(t *testing.T, m *metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return string(body)
}

func TestMetrics_Series(t *testing.T) {
	m := newMetrics()
	const unban = "group_open_http_svc/unban_group_member"
	m.ObserveCall(unban, 0, nil, 30*time.Millisecond, false)
	m.ObserveCall(unban, 10002, &tim.Error{Command: unban, Code: 10002}, 20*time.Millisecond, true)
	m.ObserveCall("room_engine_http_srv/get_banned_member_list", 0, context.Canceled, time.Millisecond, false)
	m.Ack("slash_commands", 2*time.Millisecond)
	m.Decision("approved")
	m.Decision("denied")
	m.Reconnect()
	m.Reconnect()
	m.Command("/unban", "handled", 40*time.Millisecond)
	m.Command("approve", "handled", 10*time.Millisecond)
	l := m.Limiter(tim.NewLocalLimiter(0))
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}

	text := scrape(t, m)
	for _, want := range []string{
		`modbot_tencent_calls_total{command="group_open_http_svc/unban_group_member",outcome="ok"} 1`,
		`modbot_tencent_calls_total{command="group_open_http_svc/unban_group_member",outcome="transient"} 1`,
		`modbot_tencent_calls_total{command="room_engine_http_srv/get_banned_member_list",outcome="canceled"} 1`,
		`modbot_tencent_call_duration_seconds_count{command="group_open_http_svc/unban_group_member"} 2`,
		`modbot_tencent_retries_total{command="group_open_http_svc/unban_group_member"} 1`,
		`modbot_ratelimit_wait_seconds_count 1`,
		`modbot_slack_ack_duration_seconds_count{kind="slash_commands"} 1`,
		`modbot_approvals_total{result="approved"} 1`,
		`modbot_approvals_total{result="denied"} 1`,
		`modbot_socketmode_connections_total 2`,
		`modbot_commands_total{cmd="/unban",outcome="handled"} 1`,
		`modbot_commands_total{cmd="approve",outcome="handled"} 1`,
		`modbot_command_duration_seconds_count{cmd="/unban"} 1`,
		`modbot_build_info{version="` + buildVersion() + `"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Label values come from fixed sets: whatever else arrives is "other", so no Slack user ID,
// account or free text becomes a series.
func TestMetrics_LabelsAreBounded(t *testing.T) {
	m := newMetrics()
	m.Command("U0ALICE", "handled", time.Millisecond)
	m.Command("/unban", "Refused by U0ALICE", time.Millisecond)
	m.Decision("approved by U0ALICE")
	m.Ack("acct42", time.Millisecond)
	m.ObserveCall("group_open_http_svc/unban_group_member?u=acct42", 0, nil, time.Millisecond, false)
	m.ObserveCall("acct42/x", 0, nil, time.Millisecond, false)

	text := scrape(t, m)
	for _, leak := range []string{"U0ALICE", "acct42", "Refused"} {
		if strings.Contains(text, leak) {
			t.Errorf("/metrics carries %q", leak)
		}
	}
	for _, want := range []string{
		`modbot_commands_total{cmd="other",outcome="handled"} 1`,
		`modbot_commands_total{cmd="/unban",outcome="other"} 1`,
		`modbot_approvals_total{result="other"} 1`,
		`modbot_slack_ack_duration_seconds_count{kind="other"} 1`,
		`modbot_tencent_calls_total{command="other",outcome="ok"} 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

type fakeReplica struct{}

func (fakeReplica) Ready() bool     { return true }
func (fakeReplica) Connected() bool { return true }
func (fakeReplica) Executions() int { return 3 }

type fakeBacklog struct{ err error }

func (f fakeBacklog) Backlog(context.Context) (store.Backlog, error) {
	return store.Backlog{Stalled: 2, FeedLag: 1500 * time.Millisecond}, f.err
}

// The replica's state, Redis's backlog and the unconfirmed writes and Redis errors are exported;
// the feed lag only with an audit channel, and nothing of the backlog when Redis fails.
func TestMetrics_ReplicaAndRedis(t *testing.T) {
	m := newMetrics()
	m.UnconfirmedWrite()
	m.RedisError()
	m.RedisError()
	m.watch(fakeReplica{}, fakeBacklog{}, true)
	text := scrape(t, m)
	for _, want := range []string{
		"modbot_redis_unconfirmed_writes_total 1", "modbot_redis_errors_total 2", "modbot_ready 1",
		"modbot_socketmode_connected 1", "modbot_executions_in_flight 3", "modbot_executions_stalled 2",
		"modbot_audit_feed_lag_seconds 1.5",
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	m = newMetrics()
	m.watch(fakeReplica{}, fakeBacklog{err: errors.New("redis down")}, false)
	text = scrape(t, m)
	if strings.Contains(text, "modbot_executions_stalled") || strings.Contains(text, "modbot_audit_feed_lag_seconds") {
		t.Errorf("backlog exported although Redis failed:\n%s", text)
	}
}
