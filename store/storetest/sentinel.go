package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SentinelMaster is the name the test sentinels monitor their primary by.
const SentinelMaster = "modbot-test"

// Sentinel timings of the test group, tuned down for fast tests (production uses seconds to
// tens of seconds): a primary that does not answer for DownAfter is down, and a failover that
// has not finished in FailoverTimeout is tried again.
const (
	DownAfter       = 1000 * time.Millisecond
	FailoverTimeout = 5 * time.Second
)

// Sentinel is a Redis replication group on loopback, every process on a port of its own and
// killed when the test ends: one primary, its replicas and three sentinels (quorum 2) watching
// them. Without redis-server the test is skipped, or fails when MODBOT_TEST_REDIS_REQUIRED=1.
type Sentinel struct {
	Nodes     []*Server // Nodes[0] started as the primary; the others as its replicas
	Sentinels []*Server
}

// StartSentinel starts a primary with `replicas` replicas (each with the extra redis-server
// arguments args, e.g. "--appendonly", "yes") and three sentinels, and waits until every
// sentinel knows the replicas and the other sentinels, so that a failover can start at once.
func StartSentinel(tb testing.TB, replicas int, args ...string) *Sentinel {
	tb.Helper()
	primary := StartServer(tb, args...)
	g := &Sentinel{Nodes: []*Server{primary}}
	host, port := "127.0.0.1", strconv.Itoa(primary.port)
	for range replicas {
		g.Nodes = append(g.Nodes, StartServer(tb, append([]string{"--replicaof", host, port}, args...)...))
	}
	for i := range 3 {
		dir := tb.TempDir()
		conf := filepath.Join(dir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor %s %s %s 2\n"+
			"sentinel down-after-milliseconds %[1]s %[4]d\n"+
			"sentinel failover-timeout %[1]s %[5]d\n"+
			"sentinel parallel-syncs %[1]s 1\n",
			SentinelMaster, host, port, DownAfter.Milliseconds(), FailoverTimeout.Milliseconds())
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			tb.Fatal(err)
		}
		p, err := freePort()
		if err != nil {
			tb.Fatal(err)
		}
		s := &Server{port: p, dir: dir, conf: conf}
		if err := s.run(); err != nil {
			tb.Fatalf("storetest: sentinel %d: %v", i+1, err)
		}
		tb.Cleanup(s.Kill)
		g.Sentinels = append(g.Sentinels, s)
	}
	g.waitKnown(tb, replicas)
	return g
}

// Addrs are the sentinels' host:port addresses.
func (g *Sentinel) Addrs() []string {
	var out []string
	for _, s := range g.Sentinels {
		out = append(out, s.Addr())
	}
	return out
}

// Primary asks the sentinels which node is the primary now and returns it (nil when the
// sentinels name none of Nodes).
func (g *Sentinel) Primary(ctx context.Context) (*Server, error) {
	var lastErr error
	for _, s := range g.Sentinels {
		sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
		addr, err := sc.GetMasterAddrByName(ctx, SentinelMaster).Result()
		sc.Close()
		if err != nil {
			lastErr = err
			continue
		}
		for _, n := range g.Nodes {
			if n.Addr() == addr[0]+":"+addr[1] {
				return n, nil
			}
		}
		return nil, fmt.Errorf("sentinels name %s:%s, none of the nodes", addr[0], addr[1])
	}
	return nil, fmt.Errorf("no sentinel answers: %w", lastErr)
}

// WaitFailover waits until the sentinels name a primary other than old and that node answers as
// a master, and returns it with how long that took from since.
func (g *Sentinel) WaitFailover(tb testing.TB, old *Server, since time.Time, within time.Duration) (*Server, time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		p, err := g.Primary(ctx)
		if err == nil && p != old && role(ctx, p) == "master" {
			cancel()
			return p, time.Since(since)
		}
		cancel()
		if time.Now().After(deadline) {
			tb.Fatalf("storetest: no failover within %v (primary %v, err %v)", within, p, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitKnown waits until every sentinel sees the replicas (connected) and the two other sentinels.
func (g *Sentinel) waitKnown(tb testing.TB, replicas int) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range g.Sentinels {
		sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr()})
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			reps, err1 := sc.Replicas(ctx, SentinelMaster).Result()
			peers, err2 := sc.Sentinels(ctx, SentinelMaster).Result()
			cancel()
			up := 0
			for _, r := range reps {
				if r["master-link-status"] == "ok" {
					up++
				}
			}
			if err1 == nil && err2 == nil && up == replicas && len(peers) == len(g.Sentinels)-1 {
				break
			}
			if time.Now().After(deadline) {
				sc.Close()
				tb.Fatalf("storetest: sentinel %s sees %d of %d replicas and %d other sentinels (%v, %v)",
					s.Addr(), up, replicas, len(peers), err1, err2)
			}
			time.Sleep(50 * time.Millisecond)
		}
		sc.Close()
	}
}

// role is what INFO replication says of a node ("master", "slave"), "" when it does not answer.
func role(ctx context.Context, s *Server) string {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer rdb.Close()
	text, err := rdb.Info(ctx, "replication").Result()
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "role:"); ok {
			return v
		}
	}
	return ""
}
