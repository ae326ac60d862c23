package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
)

// TestRedisRestart kills an AOF-backed redis-server (appendfsync always)
// while requests are being written and starts it again on the same port:
// the store reconnects by itself and every acknowledged write survives.
func TestRedisRestart(t *testing.T) {
	srv := storetest.StartServer(t, "--appendonly", "yes", "--appendfsync", "always")
	ctx := t.Context()
	s, err := store.Open(ctx, store.Options{URL: srv.URL(), Prefix: "restart:"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SetRole(ctx, store.SystemActor, moderator, store.RoleModerator); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var acked []*store.Request
	failures := 0
	ackedCount := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	failedCount := func() int { mu.Lock(); defer mu.Unlock(); return failures }
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			opCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			r, err := s.CreateRequest(opCtx, store.NewRequest{
				OpID: fmt.Sprintf("op-%d", i), Target: store.Target{Kind: store.KindRoom, ID: "room"},
				Accounts: []string{fmt.Sprintf("a%d", i)}, Requester: moderator, TTL: time.Hour,
			})
			cancel()
			mu.Lock()
			if err == nil {
				acked = append(acked, r)
			} else {
				failures++
			}
			mu.Unlock()
			if err != nil {
				time.Sleep(10 * time.Millisecond) // do not spin while Redis is down
			}
		}
	})
	waitFor(t, func() bool { return ackedCount() >= 20 })
	srv.Kill()
	waitFor(t, func() bool { return failedCount() >= 1 }) // writes fail while it is down
	srv.Restart(t)
	before := ackedCount()
	waitFor(t, func() bool { return ackedCount() >= before+20 })
	close(stop)
	wg.Wait()
	t.Logf("%d writes acknowledged, %d failed while Redis was down", len(acked), failures)

	for _, r := range acked {
		got, err := s.Request(ctx, r.ID)
		if err != nil {
			t.Fatalf("acknowledged request #%d lost: %v", r.Number, err)
		}
		if got.Number != r.Number || got.Accounts[0] != r.Accounts[0] {
			t.Fatalf("request #%d came back as #%d %v", r.Number, got.Number, got.Accounts)
		}
	}
	if got, _ := s.Role(ctx, moderator); got != store.RoleModerator {
		t.Fatalf("allowlist lost: %s is %v", moderator, got)
	}
}

// waitFor polls cond until it holds, failing the test after 20 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
