package scale_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/internal/modbotbin"
	"modbot/internal/testutil"
	"modbot/store/storetest"
)

// proc is one replica process: the `modbot run` binary (internal/modbotbin builds it), with the
// world's MODBOT_LEASE_TTL and its own 5 s sweep.
type proc struct {
	cmd  *exec.Cmd
	out  *testutil.Buffer
	done chan error // cmd.Wait's result, once; put back by wait
}

// env is the MODBOT_* environment of a process replica.
func (w *world) env() []string {
	so := w.slack.Options()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"MODBOT_SLACK_APP_TOKEN=" + so.AppToken,
		"MODBOT_SLACK_BOT_TOKEN=" + so.BotToken,
		"MODBOT_SLACK_API_URL=" + w.slack.URL,
		"MODBOT_APPROVAL_CHANNEL=" + approvals,
		"MODBOT_TIM_SDKAPPID=" + strconv.Itoa(w.tim.SDKAppID()),
		"MODBOT_TIM_SECRET_KEY=" + w.tim.SecretKey(),
		"MODBOT_TIM_ADMIN=" + w.tim.Admin(),
		"MODBOT_TIM_BASE_URL=" + w.tim.URL,
		"MODBOT_TIM_RATE=" + strconv.Itoa(w.o.rate),
		"MODBOT_REDIS_URL=" + w.redis.URL(),
		"MODBOT_REDIS_PREFIX=" + w.prefix,
		"MODBOT_BOOTSTRAP_ADMINS=" + carol,
		"MODBOT_MAX_ACCOUNTS=" + strconv.Itoa(w.o.maxAccounts),
		"MODBOT_MAX_OPEN_REQUESTS=1000", // alice opens every request of the suite
		"MODBOT_REQUIRE_REASON=true",
		"MODBOT_HTTP_ADDR=127.0.0.1:0",
		"MODBOT_LOG_LEVEL=debug",
		"MODBOT_DRAIN_TIMEOUT=" + w.drain().String(),
		"MODBOT_LEASE_TTL=" + w.o.leaseTTL.String(),
	}
	if !w.o.noAudit {
		env = append(env, "MODBOT_AUDIT_CHANNEL="+auditCh)
	}
	if w.group != nil {
		env = slices.DeleteFunc(env, func(v string) bool { return strings.HasPrefix(v, "MODBOT_REDIS_URL=") })
		env = append(env, "MODBOT_REDIS_SENTINEL_ADDRS="+strings.Join(w.group.Addrs(), ","),
			"MODBOT_REDIS_SENTINEL_MASTER="+storetest.SentinelMaster,
			"MODBOT_REDIS_MIN_REPLICAS="+strconv.Itoa(w.o.minReplicas))
	}
	return env
}

// drain is MODBOT_DRAIN_TIMEOUT.
func (w *world) drain() time.Duration { return 2 * time.Second }

// startProc starts a `modbot run` process and waits until it is connected to Slack.
func (w *world) startProc() *proc {
	w.tb.Helper()
	bin, err := modbotbin.Build()
	if err != nil {
		w.tb.Fatal(err)
	}
	cmd := exec.Command(bin, "run")
	cmd.Env = w.env()
	p := &proc{cmd: cmd, out: &testutil.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	before := w.slack.ConnectionsOpened()
	if err := cmd.Start(); err != nil {
		w.tb.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	w.tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT) //nolint:errcheck // it may have exited
		cmd.Process.Kill()                  //nolint:errcheck
		<-p.done
		if w.tb.Failed() {
			w.tb.Logf("process %d output (last 20 KB):\n%s", cmd.Process.Pid, tail(p.out.String(), 20000))
		}
	})
	w.waitSlack(fmt.Sprintf("process %d connected", cmd.Process.Pid), 30*time.Second, func(s *slacktest.Server) bool {
		return s.ConnectionsOpened() > before && strings.Contains(p.out.String(), "modbot running")
	})
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// owns reports whether a lease owner (the default replica ID, host-pid-random) is this process.
func (p *proc) owns(owner string) bool {
	return strings.Contains(owner, "-"+strconv.Itoa(p.pid())+"-")
}

// wait waits for the process to exit and returns its exit error, failing after within.
func (p *proc) wait(tb testing.TB, within time.Duration) error {
	tb.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(within):
		tb.Fatalf("process %d did not exit within %v", p.pid(), within)
		return nil
	}
}

// healthAddr is the address of a `modbot run` health listener, from its JSON log.
func (p *proc) healthAddr() string {
	sc := bufio.NewScanner(strings.NewReader(p.out.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "health listener" {
			return line.Addr
		}
	}
	return ""
}

// rssKB is the process's resident set (VmRSS) in KiB, 0 when unknown.
func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// outputs joins every process's output, for the secret scan.
func outputs(ps ...*proc) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.out.String())
	}
	return b.String()
}
