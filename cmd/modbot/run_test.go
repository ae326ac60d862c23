package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/internal/modbotbin"
	"modbot/internal/testutil"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim/timtest"
)

// mustBinary is the built modbot binary.
func mustBinary(t *testing.T) string {
	t.Helper()
	bin, err := modbotbin.Build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// People of the process-level tests.
const (
	alice = "U0ALICE" // admin (MODBOT_BOOTSTRAP_ADMINS)
	bob   = "U0BOB"   // approver
)

// world is the fakes and a Redis, for real `modbot run` processes.
type world struct {
	slack *slacktest.Server
	tim   *timtest.Server
	redis *storetest.Server // the test's own redis-server (newWorldOwnRedis); nil on a shared Redis
	store *store.Store
	env   []string
	log   *testutil.Buffer // every process's output, for the secret scan
}

// newWorld runs on the Redis the test binary shares (a redis-server when one is installed, else
// miniredis: see storetest), under a key prefix of the test's own.
func newWorld(t *testing.T, extraEnv ...string) *world {
	t.Helper()
	return newWorldOn(t, nil, storetest.RedisURL(t), extraEnv...)
}

// newWorldOwnRedis runs on a redis-server of the test's own, which the test may kill and restart;
// without redis-server the test is skipped.
func newWorldOwnRedis(t *testing.T, extraEnv ...string) *world {
	t.Helper()
	rs := storetest.StartServer(t, "--appendonly", "yes")
	return newWorldOn(t, rs, rs.URL(), extraEnv...)
}

func newWorldOn(t *testing.T, rs *storetest.Server, redisURL string, extraEnv ...string) *world {
	t.Helper()
	w := &world{
		slack: slacktest.NewServer(t, slacktest.Options{}),
		tim:   timtest.NewServer(t),
		redis: rs,
		log:   &testutil.Buffer{},
	}
	w.slack.AddUser(alice, "alice")
	w.slack.AddUser(bob, "bob")
	w.slack.AddChannel("C0APPROVALS", "mod-approvals", true)
	w.slack.AddChannel("C0AUDIT", "mod-audit", true)
	w.slack.AddChannel("C0MOD", "moderation", true)
	prefix := storetest.Prefix(t)
	st, err := store.Open(t.Context(), store.Options{URL: redisURL, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		storetest.DeleteKeys(t, redisURL, prefix)
	})
	w.store = st
	so := w.slack.Options()
	w.env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"MODBOT_SLACK_APP_TOKEN=" + so.AppToken,
		"MODBOT_SLACK_BOT_TOKEN=" + so.BotToken,
		"MODBOT_SLACK_API_URL=" + w.slack.URL,
		"MODBOT_APPROVAL_CHANNEL=C0APPROVALS",
		"MODBOT_AUDIT_CHANNEL=C0AUDIT",
		"MODBOT_TIM_SDKAPPID=" + strconv.Itoa(w.tim.SDKAppID()),
		"MODBOT_TIM_SECRET_KEY=" + w.tim.SecretKey(),
		"MODBOT_TIM_ADMIN=" + w.tim.Admin(),
		"MODBOT_TIM_BASE_URL=" + w.tim.URL,
		"MODBOT_REDIS_URL=" + redisURL,
		"MODBOT_REDIS_PREFIX=" + prefix,
		"MODBOT_BOOTSTRAP_ADMINS=" + alice,
		"MODBOT_HTTP_ADDR=127.0.0.1:0",
		"MODBOT_LOG_LEVEL=debug",
		"MODBOT_DRAIN_TIMEOUT=5s",
	}, extraEnv...)
	t.Cleanup(func() {
		w.checkNoSecrets(t)
		if t.Failed() {
			t.Logf("modbot log:\n%s", w.log.String())
		}
	})
	return w
}

// proc is one running `modbot run`.
type proc struct {
	cmd  *exec.Cmd
	out  *testutil.Buffer // this process's output
	addr string           // its health listener
	done chan error       // cmd.Wait's result, once
}

// start runs `modbot run` and waits until its listener is up and it is connected to Slack.
func (w *world) start(t *testing.T) *proc {
	t.Helper()
	before := w.slack.ConnectionsOpened()
	p := &proc{cmd: exec.Command(mustBinary(t), "run"), out: &testutil.Buffer{}, done: make(chan error, 1)}
	p.cmd.Env = w.env
	tee := io.MultiWriter(p.out, w.log)
	p.cmd.Stdout, p.cmd.Stderr = tee, tee
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	eventually(t, "the health listener's address in the log", func() bool {
		p.addr = listenAddr(p.out.String())
		return p.addr != ""
	})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := w.slack.WaitFor(ctx, func(s *slacktest.Server) bool { return s.ConnectionsOpened() > before }); err != nil {
		t.Fatalf("modbot did not connect: %v\n%s", err, p.out.String())
	}
	eventually(t, "/readyz 200", func() bool { return p.get(t, "/readyz") == http.StatusOK })
	return p
}

// stop sends SIGTERM and waits for the exit status, failing after within.
func (p *proc) stop(t *testing.T, within time.Duration) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return p.wait(t, within)
}

func (p *proc) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(within):
		t.Fatalf("modbot did not exit within %v of SIGTERM", within)
		return nil
	}
}

// get fetches path from the health listener and returns the status (0 when it did not answer).
func (p *proc) get(t *testing.T, path string) int {
	status, _ := p.fetch(t, path)
	return status
}

func (p *proc) fetch(t *testing.T, path string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// listenAddr finds the health listener's address in a JSON log.
func listenAddr(log string) string {
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "health listener" {
			return line.Addr
		}
	}
	return ""
}

// checkNoSecrets fails when any process's log holds a token, the secret key, a UserSig or a
// response_url: the process-level counterpart of bot's checkNoSecretsLogged.
func (w *world) checkNoSecrets(t *testing.T) {
	t.Helper()
	log := w.log.String()
	so := w.slack.Options()
	for what, secret := range map[string]string{
		"the bot token": so.BotToken, "the app token": so.AppToken, "a bot token (xoxb-)": "xoxb-",
		"an app token (xapp-)": "xapp-", "the Tencent secret key": w.tim.SecretKey(), "a UserSig": "usersig=",
		"a response_url": strings.TrimSuffix(w.slack.URL, "api/") + "response/", "a Socket Mode ticket": "ticket=",
	} {
		if strings.Contains(log, secret) {
			t.Errorf("the modbot log contains %s", what)
		}
	}
}

// eventually polls cond until it holds, failing after 20s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRun_HealthReadinessAndMetrics(t *testing.T) {
	w := newWorldOwnRedis(t) // it kills and restarts Redis
	p := w.start(t)

	if got := p.get(t, "/healthz"); got != http.StatusOK {
		t.Fatalf("/healthz = %d, want 200", got)
	}
	hc := exec.Command(mustBinary(t), "healthcheck", p.addr)
	hc.Env = []string{"PATH=" + os.Getenv("PATH")}
	if out, err := hc.CombinedOutput(); err != nil {
		t.Fatalf("modbot healthcheck %s: %v\n%s", p.addr, err, out)
	}

	// A command that calls Tencent, so that the series have values.
	g := w.tim.CreateGroup(timtest.Public)
	if _, err := w.slack.SlashCommand(alice, "C0MOD", "/roles", g+" u1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the /roles call at Tencent", func() bool { return w.tim.Calls("group_open_http_svc/get_role_in_group") > 0 })
	var metrics string
	eventually(t, "the /roles command counted", func() bool {
		_, metrics = p.fetch(t, "/metrics")
		return strings.Contains(metrics, `modbot_commands_total{cmd="/roles"`)
	})
	for _, series := range []string{
		`modbot_tencent_calls_total{command="group_open_http_svc/get_role_in_group",outcome="ok"} 1`,
		`modbot_tencent_call_duration_seconds_count{command="group_open_http_svc/get_role_in_group"}`,
		"modbot_ratelimit_wait_seconds_count",
		`modbot_slack_ack_duration_seconds_count{kind="slash_commands"}`,
		"modbot_socketmode_connections_total 1",
		`modbot_build_info{version="test"} 1`,
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if !strings.Contains(metrics, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
	for _, id := range []string{alice, g, "u1"} {
		if strings.Contains(metrics, id) {
			t.Errorf("/metrics carries the ID %q", id)
		}
	}
	checkMetricsList(t, metrics, func() string { _, m := p.fetch(t, "/metrics"); return m })

	// Redis goes away: not ready, still alive; it comes back: ready again.
	w.redis.Kill()
	eventually(t, "/readyz 503 without Redis", func() bool { return p.get(t, "/readyz") == http.StatusServiceUnavailable })
	if got := p.get(t, "/healthz"); got != http.StatusOK {
		t.Fatalf("/healthz = %d without Redis, want 200 (liveness asks no dependency)", got)
	}
	w.redis.Restart(t)
	eventually(t, "/readyz 200 with Redis back", func() bool { return p.get(t, "/readyz") == http.StatusOK })

	if err := p.stop(t, 15*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// While a command is in hand, SIGTERM makes the process not ready at once; it finishes the
// command (the user gets the answer) and exits 0.
func TestRun_DrainsCommandInHand(t *testing.T) {
	w := newWorld(t)
	p := w.start(t)
	g := w.tim.CreateGroup(timtest.Public)
	w.tim.SetLatency(1500 * time.Millisecond)
	if _, err := w.slack.SlashCommand(alice, "C0MOD", "/roles", g+" u1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the /roles call in flight", func() bool { return w.tim.Calls("group_open_http_svc/get_role_in_group") > 0 })
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	eventually(t, "/readyz 503 while draining", func() bool { return p.get(t, "/readyz") == http.StatusServiceUnavailable })
	if err := p.wait(t, 15*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	var answered bool
	for _, m := range w.slack.Ephemeral(alice) {
		answered = answered || strings.Contains(m.VisibleText(), "u1")
	}
	if !answered {
		t.Fatalf("alice got no /roles answer before the process exited: %+v", w.slack.Ephemeral(alice))
	}
}

// SIGTERM while an approved unban is executing: the process exits 0 within the drain timeout and
// the request ends done, finished by that process or resumed by a second one.
func TestRun_SIGTERMWhileUnbanExecutes(t *testing.T) {
	const drain = 5 * time.Second
	// 200 accounts are 10 calls; at 5 calls a second with 200 ms each they take about two seconds.
	w := newWorld(t, "MODBOT_TIM_RATE=5", "MODBOT_REQUIRE_REASON=true")
	if _, err := w.store.SetRole(t.Context(), store.SystemActor, bob, store.RoleApprover); err != nil {
		t.Fatal(err)
	}
	g := w.tim.CreateGroup(timtest.AVChatRoom)
	accounts := make([]string, 200)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("acct%03d", i)
		w.tim.Ban(g, accounts[i], time.Hour)
	}
	w.tim.SetLatency(200 * time.Millisecond)
	p := w.start(t)

	if _, err := w.slack.SlashCommand(alice, "C0MOD", "/unban", g+" "+strings.Join(accounts, " ")+" -- appeal accepted"); err != nil {
		t.Fatal(err)
	}
	var root slacktest.Message
	eventually(t, "the request's root message", func() bool {
		for _, m := range w.slack.Messages("C0APPROVALS") {
			if len(m.Buttons()) > 0 {
				root = m
				return true
			}
		}
		return false
	})
	if _, err := w.slack.Click(bob, "C0APPROVALS", root.TS, "approve", ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the unban in flight", func() bool { return w.tim.Calls("group_open_http_svc/unban_group_member") > 0 })

	start := time.Now()
	if err := p.stop(t, drain+5*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	t.Logf("exited %v after SIGTERM", time.Since(start).Round(time.Millisecond))

	req := w.request(t)
	if req.State != store.Done {
		t.Logf("the first process left the request %s with %d of %d outcomes; starting a second", req.State, len(req.Outcomes), len(accounts))
		p2 := w.start(t)
		eventually(t, "the request done by the second process", func() bool { return w.request(t).State == store.Done })
		if err := p2.stop(t, drain+5*time.Second); err != nil {
			t.Fatalf("second process: exit after SIGTERM: %v", err)
		}
	}
	for _, a := range accounts {
		if w.tim.IsBanned(g, a) {
			t.Fatalf("%s is still banned", a)
		}
	}
}

// request reads the world's only unban request.
func (w *world) request(t *testing.T) *store.Request {
	t.Helper()
	req, err := w.store.RequestByNumber(t.Context(), 1)
	if err != nil {
		t.Fatalf("request #1: %v", err)
	}
	return req
}

func TestRun_ConfigErrorsExitTwo(t *testing.T) {
	cmd := exec.Command(mustBinary(t), "run")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "REDIS_URL=redis://stray:6379"}
	var out bytes.Buffer
	cmd.Stderr = &out
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit = %v, want status 2\n%s", err, out.String())
	}
	for _, name := range []string{"MODBOT_SLACK_APP_TOKEN", "MODBOT_SLACK_BOT_TOKEN", "MODBOT_APPROVAL_CHANNEL",
		"MODBOT_TIM_SDKAPPID", "MODBOT_TIM_SECRET_KEY", "MODBOT_TIM_REGION", "MODBOT_REDIS_URL"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("stderr does not name %s:\n%s", name, out.String())
		}
	}
}

func TestRun_HealthcheckFailsWithoutListener(t *testing.T) {
	cmd := exec.Command(mustBinary(t), "healthcheck", "127.0.0.1:1")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit = %v, want status 1\n%s", err, out)
	}
}

// metricsList is the list of the metric families a running modbot exports (modbot_* and
// process_*), which deploy/'s tests hold the dashboard and the alerts against.
const metricsList = "../../deploy/metrics.txt"

// checkMetricsList compares the families of a live /metrics with deploy/metrics.txt; with -update
// it rewrites the file. The families read from Redis at each scrape (within a second) may be
// missing from one scrape of a busy machine, so a difference is confirmed on a few more.
func checkMetricsList(t *testing.T, text string, again func() string) {
	t.Helper()
	list := func(text string) string {
		var b strings.Builder
		b.WriteString("# The metric families a running `modbot run` exports at /metrics (name and type), read from a live\n" +
			"# process by go test ./cmd/modbot -run TestRun_HealthReadinessAndMetrics -update. deploy/'s tests check\n" +
			"# that the dashboard and the alerts query only these.\n")
		for line := range strings.SplitSeq(text, "\n") {
			f := strings.Fields(line)
			if len(f) == 4 && f[0] == "#" && f[1] == "TYPE" && (strings.HasPrefix(f[2], "modbot_") || strings.HasPrefix(f[2], "process_")) {
				b.WriteString(f[2] + " " + f[3] + "\n")
			}
		}
		return b.String()
	}
	live := list(text)
	if *update {
		if err := os.WriteFile(metricsList, []byte(live), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(metricsList)
	for i := 0; i < 5 && err == nil && string(old) != live; i++ {
		time.Sleep(200 * time.Millisecond)
		live = list(again())
	}
	if err != nil || string(old) != live {
		t.Errorf("%s differs from a live /metrics (%v); run go test ./cmd/modbot -run TestRun_HealthReadinessAndMetrics -update\n--- live\n%s", metricsList, err, live)
	}
}
