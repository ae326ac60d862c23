package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"modbot/store/storetest"
)

func TestClaimOnce(t *testing.T) {
	s := storetest.New(t)
	ctx := t.Context()
	const replicas = 10
	var wg sync.WaitGroup
	won := make([]bool, replicas)
	for i := range replicas {
		wg.Go(func() {
			ok, err := s.Claim(ctx, "ev:Ev1", fmt.Sprintf("replica-%d", i), time.Minute)
			if err != nil {
				t.Error(err)
			}
			won[i] = ok
		})
	}
	wg.Wait()
	winner := -1
	for i, ok := range won {
		if ok {
			if winner >= 0 {
				t.Fatalf("replicas %d and %d both claimed", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("nobody claimed")
	}
	owner := fmt.Sprintf("replica-%d", winner)

	// The winner's retried claim (lost reply) is still its own.
	if ok, err := s.Claim(ctx, "ev:Ev1", owner, time.Minute); err != nil || !ok {
		t.Fatalf("owner re-claim = %v, %v; want true", ok, err)
	}
	// Release by someone else does nothing; by the owner frees the key.
	if ok, err := s.Release(ctx, "ev:Ev1", "intruder"); err != nil || ok {
		t.Fatalf("foreign release = %v, %v", ok, err)
	}
	if ok, err := s.Release(ctx, "ev:Ev1", owner); err != nil || !ok {
		t.Fatalf("owner release = %v, %v", ok, err)
	}
	if ok, err := s.Claim(ctx, "ev:Ev1", "replica-x", time.Minute); err != nil || !ok {
		t.Fatalf("claim after release = %v, %v", ok, err)
	}
	// Done: nobody claims it again, not even the last owner.
	if err := s.Done(ctx, "ev:Ev1"); err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"replica-x", "replica-y"} {
		if ok, err := s.Claim(ctx, "ev:Ev1", o, time.Minute); err != nil || ok {
			t.Fatalf("claim by %s after Done = %v, %v", o, ok, err)
		}
	}
	if ok, _ := s.Release(ctx, "ev:Ev1", "replica-x"); ok {
		t.Fatal("released a done key")
	}
}

func TestClaimExpires(t *testing.T) {
	s := storetest.New(t)
	ctx := t.Context()
	if ok, err := s.Claim(ctx, "cmd:T1", "replica-a", 20*time.Millisecond); err != nil || !ok {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := s.Claim(ctx, "cmd:T1", "replica-b", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the claim never expired")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
