package storetest_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"modbot/store/storetest"
)

func TestNew(t *testing.T) {
	t.Logf("backend: %s", storetest.Backend(t))
	var prefixes []string
	t.Run("Write", func(t *testing.T) {
		a, b := storetest.New(t), storetest.New(t)
		if a.Prefix() == b.Prefix() {
			t.Fatalf("two stores share prefix %q", a.Prefix())
		}
		prefixes = append(prefixes, a.Prefix(), b.Prefix())
		for _, s := range []interface {
			PutResult(context.Context, []byte) (string, error)
		}{a, b} {
			if _, err := s.PutResult(t.Context(), []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	})
	// The subtest's cleanup deleted its keys.
	opt, err := redis.ParseURL(storetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	for _, p := range prefixes {
		keys, err := rdb.Keys(t.Context(), p+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 0 {
			t.Fatalf("keys left behind: %v", keys)
		}
	}
}

func TestStartServer(t *testing.T) {
	srv := storetest.StartServer(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.Set(t.Context(), "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	srv.Restart(t) // no persistence: the key is gone, the port is the same
	if n, err := rdb.Exists(t.Context(), "k").Result(); err != nil || n != 0 {
		t.Fatalf("after restart: exists=%d, err=%v", n, err)
	}
}
