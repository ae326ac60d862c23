package store_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"modbot/store"
	"modbot/store/storetest"
)

// TestSentinel runs the store through real sentinels: it finds the primary, writes a person is
// told about wait for the replicas (MinReplicas) and say so when they do not confirm, and after
// the primary is SIGKILLed the sentinels promote a replica and the store writes there, with every
// confirmed write on it.
func TestSentinel(t *testing.T) {
	g := storetest.StartSentinel(t, 2)
	ctx := t.Context()
	var unconfirmed, redisErrors atomic.Int64
	prefix := storetest.Prefix(t)
	s, err := store.Open(ctx, store.Options{
		SentinelMaster: storetest.SentinelMaster, SentinelAddrs: g.Addrs(), Prefix: prefix,
		MinReplicas:   2,
		OnUnconfirmed: func() { unconfirmed.Add(1) },
		OnError:       func() { redisErrors.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if p, err := s.Primary(ctx); err != nil || p != g.Nodes[0].Addr() {
		t.Fatalf("Primary = %q, %v; want %s", p, err, g.Nodes[0].Addr())
	}
	if si, err := s.ServerInfo(ctx); err != nil || si.Replicas != 2 || si.Role != "master" {
		t.Fatalf("ServerInfo = %+v, %v; want a master with 2 replicas", si, err)
	}

	// Both replicas confirm.
	tctx := store.TrackWrites(ctx)
	if _, err := s.BootstrapAdmins(ctx, []string{admin}); err != nil {
		t.Fatal(err)
	}
	for user, role := range map[string]store.Role{approver1: store.RoleApprover, moderator: store.RoleModerator} {
		if _, err := s.SetRole(tctx, admin, user, role); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{s: s}
	r := f.request(t, 1, time.Hour)
	if store.Unconfirmed(tctx) || unconfirmed.Load() != 0 {
		t.Fatalf("writes with both replicas up were reported unconfirmed (%d)", unconfirmed.Load())
	}

	// One replica gone: a decision still happens, but is reported not yet safely stored; a write
	// nobody is told about does not wait.
	g.Nodes[2].Kill()
	waitReplicas(t, s, 1)
	tctx = store.TrackWrites(ctx)
	start := time.Now()
	r, err = s.Approve(tctx, r.ID, approver1, "op-approve")
	if err != nil || r.State != store.Approved {
		t.Fatalf("Approve with one replica short = %v, %v; want approved", r, err)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("Approve returned after %v: it did not WAIT for the missing replica", took)
	}
	if !store.Unconfirmed(tctx) || unconfirmed.Load() != 1 {
		t.Errorf("Unconfirmed = %v, counted %d; want true, 1", store.Unconfirmed(tctx), unconfirmed.Load())
	}
	pctx := store.TrackWrites(ctx)
	if _, err := s.PutResult(pctx, []byte("page")); err != nil || store.Unconfirmed(pctx) {
		t.Errorf("PutResult: %v, unconfirmed %v; want no wait", err, store.Unconfirmed(pctx))
	}

	// SIGKILL the primary: the sentinels promote the replica left, and writes resume there.
	errsBefore := redisErrors.Load()
	killed := time.Now()
	g.Nodes[0].Kill()
	var resumed time.Duration
	for i := 0; ; i++ {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := s.SetRole(wctx, admin, "UAFTER", store.RoleViewer)
		cancel()
		if err == nil {
			resumed = time.Since(killed)
			break
		}
		if time.Since(killed) > 30*time.Second {
			t.Fatalf("no write succeeded within 30 s of the kill: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p, failover := g.WaitFailover(t, g.Nodes[0], killed, 30*time.Second)
	t.Logf("writes resumed %v after the kill; the sentinels named the new primary after %v", resumed.Round(time.Millisecond), failover.Round(time.Millisecond))
	if p != g.Nodes[1] {
		t.Fatalf("new primary %s, want %s", p.Addr(), g.Nodes[1].Addr())
	}
	if addr, err := s.Primary(ctx); err != nil || addr != p.Addr() {
		t.Errorf("Primary = %q, %v; want %s", addr, err, p.Addr())
	}
	if redisErrors.Load() == errsBefore {
		t.Errorf("no Redis error was counted while the primary was down")
	}
	got, err := s.Request(ctx, r.ID)
	if err != nil || got.State != store.Approved {
		t.Fatalf("the request on the new primary: %v, %v; want approved", got, err)
	}
	if role, err := s.Role(ctx, moderator); err != nil || role != store.RoleModerator {
		t.Errorf("the moderator's role on the new primary: %v, %v", role, err)
	}
}

// With Sentinel and a URL both set, the URL gives the database (and password); its host is not used.
func TestSentinel_URLGivesDB(t *testing.T) {
	g := storetest.StartSentinel(t, 0)
	ctx := t.Context()
	prefix := storetest.Prefix(t)
	s, err := store.Open(ctx, store.Options{
		URL: "redis://unused.invalid:1/3", SentinelMaster: storetest.SentinelMaster, SentinelAddrs: g.Addrs(), Prefix: prefix,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SetRole(ctx, store.SystemActor, admin, store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: g.Nodes[0].Addr(), DB: 3})
	defer rdb.Close()
	if n, err := rdb.Exists(ctx, prefix+"allow").Result(); err != nil || n != 1 {
		t.Fatalf("the allowlist is not in DB 3 of the primary: %d, %v", n, err)
	}
	// No sentinel monitors another name: Primary says so.
	s2, err := store.Open(ctx, store.Options{SentinelMaster: "nope", SentinelAddrs: g.Addrs()[:1], Prefix: prefix})
	if err == nil {
		s2.Close()
		t.Fatal("Open through sentinels that do not know the name succeeded")
	}
	if !strings.Contains(err.Error(), `does not monitor a primary named "nope"`) {
		t.Errorf("Open's error %q does not say that the sentinels do not know the name", err)
	}
}

// waitReplicas waits until the primary counts n connected replicas.
func waitReplicas(t *testing.T, s *store.Store, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		si, err := s.ServerInfo(t.Context())
		if err == nil && si.Replicas == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("primary has %d replicas, want %d (%v)", si.Replicas, n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
