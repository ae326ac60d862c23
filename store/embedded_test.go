package store_test

import (
	"errors"
	"testing"
	"time"

	"modbot/store"
)

func TestOpenEmbedded(t *testing.T) {
	ctx := t.Context()
	s, err := store.OpenEmbedded(ctx, store.Options{ResultTTL: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := s.Prefix(), store.DefaultPrefix; got != want {
		t.Fatalf("prefix %q, want %q", got, want)
	}
	if _, err := s.BootstrapAdmins(ctx, []string{admin}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Role(ctx, admin); got != store.RoleAdmin {
		t.Fatalf("role %v", got)
	}
	// TTLs run on the real clock.
	id, err := s.PutResult(ctx, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.GetResult(ctx, id); errors.Is(err, store.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("result never expired in embedded mode")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := t.Context()
	if _, err := store.Open(ctx, store.Options{}); err == nil {
		t.Fatal("Open without a URL succeeded")
	}
	_, err := store.Open(ctx, store.Options{URL: "http://user:hunter2@localhost"})
	if err == nil {
		t.Fatal("Open with an http URL succeeded")
	}
	if got := err.Error(); contains(got, "hunter2") {
		t.Fatalf("error shows the password: %s", got)
	}
}

func TestRetention(t *testing.T) {
	f := newFixture(t, store.Options{RequestRetention: time.Hour})
	ctx := t.Context()
	r := f.request(t, 1, time.Hour)
	key := f.s.Key("req", r.ID)
	if ttl, _ := f.s.TTL(ctx, key); ttl > 0 {
		t.Fatalf("pending request has TTL %v; expiry is a state, never a key TTL", ttl)
	}
	if _, err := f.s.Deny(ctx, r.ID, approver1, f.op(), ""); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{key, key + ":ops", key + ":owed", f.s.Key("reqnum", itoa(r.Number))} {
		ttl, err := f.s.TTL(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 || ttl > time.Hour {
			t.Fatalf("%s TTL %v after the final state, want (0, 1h]", k, ttl)
		}
	}
}
