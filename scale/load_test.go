package scale_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"modbot/tim/timtest"
)

// maxGoroutines bounds each replica's goroutines under load: its pools (16 workers, 4 executors,
// 64 Tencent workers) and connections are fixed, and envelopes beyond its queue are answered
// "busy", so the count must not grow with the number of commands.
const maxGoroutines = 500

// TestLoad: 3 `modbot run` processes take slash commands at 100 a second (mostly /roles and
// /modbot whoami, every tenth an /unban): every command is acked, none refused as busy, every one
// answered through its response_url, each replica's goroutines stay bounded.
func TestLoad(t *testing.T) {
	s := scaleSizes()
	r := load(t, s.loadRate, s.loadFor)
	t.Logf("figure load: %v", r)
	if r.errors != 0 || r.busy != 0 || r.unanswered != 0 {
		t.Errorf("errors=%d busy=%d unanswered=%d, want 0", r.errors, r.busy, r.unanswered)
	}
	for i, g := range r.goroutines {
		if g == 0 || g > maxGoroutines {
			t.Errorf("replica %d: at most %d goroutines seen, want 1..%d", i+1, g, maxGoroutines)
		}
	}
}

// BenchmarkLoad reports ack latency (p50, p99; Slack allows 3 s, the target p99 is 50 ms on
// loopback), errors, and the largest replica's resident memory and goroutines.
func BenchmarkLoad(b *testing.B) {
	s := scaleSizes()
	for b.Loop() {
		r := load(b, s.loadRate, s.loadFor)
		b.Logf("%v", r)
		b.ReportMetric(float64(r.commands), "commands")
		b.ReportMetric(ms(r.p50), "p50-ms")
		b.ReportMetric(ms(r.p99), "p99-ms")
		b.ReportMetric(ms(r.p99)/50, "p99/50ms")
		b.ReportMetric(float64(r.errors+r.busy+r.unanswered), "errors")
		b.ReportMetric(float64(slices.Max(r.rssKB))/1024, "rss-MB-max")
		b.ReportMetric(float64(slices.Max(r.goroutines)), "goroutines-max")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type loadResult struct {
	commands, errors, busy, unanswered int
	p50, p99, max                      time.Duration
	rssKB, goroutines                  []int // per replica: the largest seen
}

func (r loadResult) String() string {
	return fmt.Sprintf("commands=%d errors=%d busy=%d unanswered=%d ack-p50=%v ack-p99=%v ack-max=%v rss-kB=%v goroutines-max=%v",
		r.commands, r.errors, r.busy, r.unanswered, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond),
		r.max.Round(10*time.Microsecond), r.rssKB, r.goroutines)
}

func load(tb testing.TB, rate int, dur time.Duration) loadResult {
	w := newWorld(tb, worldOptions{})
	ps := []*proc{w.startProc(), w.startProc(), w.startProc()}
	g := w.tim.CreateGroup(timtest.Public)
	for _, u := range []string{"u1", "u2", "u3"} {
		w.tim.SetRole(g, u, "Member")
	}
	ug, accounts := w.banned("load", rate*int(dur/time.Second)/10+1)

	// Sample each replica's memory and goroutines while the load runs.
	res := loadResult{rssKB: make([]int, len(ps)), goroutines: make([]int, len(ps))}
	ctx, stop := context.WithCancel(context.Background())
	var sampler sync.WaitGroup
	sampler.Go(func() {
		for {
			for i, p := range ps {
				res.rssKB[i] = max(res.rssKB[i], rssKB(p.pid()))
				res.goroutines[i] = max(res.goroutines[i], goroutines(ctx, p.healthAddr()))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	})

	n := rate * int(dur/time.Second)
	answeredBefore := w.answered()
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i := range n {
		<-tick.C
		user, cmd, text := vic, "/roles", g+" u1 u2 u3"
		switch {
		case i%10 == 0:
			user, cmd, text = alice, "/unban", unbanText(ug, accounts[i/10:i/10+1])
		case i%2 == 1:
			cmd, text = "/modbot", "whoami"
		}
		wg.Go(func() {
			ack, err := w.slack.SlashCommand(user, moderation, cmd, text)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				return
			}
			if strings.Contains(string(ack.Payload), "too busy") {
				res.busy++
			}
			lat = append(lat, ack.Elapsed)
		})
	}
	tick.Stop()
	wg.Wait()
	res.commands = n
	deadline := time.Now().Add(time.Minute)
	for w.answered()-answeredBefore < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	res.unanswered = max(0, n-(w.answered()-answeredBefore))
	stop()
	sampler.Wait()

	slices.Sort(lat)
	if len(lat) > 0 {
		res.p50, res.p99, res.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	}
	if leaked := w.leaks(outputs(ps...)); leaked != 0 {
		tb.Errorf("%d secret(s) leaked", leaked)
	}
	return res
}

// answered counts the response_url posts Slack accepted: every command's answer is one.
func (w *world) answered() int {
	n := 0
	for _, c := range w.slack.Calls() {
		if c.Method == "response_url" && c.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// goroutines reads go_goroutines from a `modbot run` /metrics, 0 when it cannot.
func goroutines(ctx context.Context, addr string) int {
	if addr == "" {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 4<<20))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}
