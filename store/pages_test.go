package store_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
)

func TestResults(t *testing.T) {
	s := storetest.New(t, store.Options{ResultTTL: time.Second})
	ctx := t.Context()
	payload := []byte(`{"rows":[1,2,3]}`)
	id, err := s.PutResult(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetResult(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, payload) {
		t.Fatalf("GetResult = %s, want %s", got, payload)
	}
	if _, err := s.GetResult(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: err %v, want ErrNotFound", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := s.GetResult(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("result never expired")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
