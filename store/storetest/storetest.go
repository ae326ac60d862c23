// Package storetest gives tests a *store.Store on a real Redis, each with
// its own key prefix.
//
// Which Redis, in order:
//   - MODBOT_TEST_REDIS_URL, when set (a server the tests share; never flushed);
//   - else, unless MODBOT_TEST_REDIS=miniredis, a redis-server from PATH,
//     started once per test binary on a free port (no persistence) and
//     killed when the binary exits;
//   - else an in-process miniredis, which the test log mentions. With
//     MODBOT_TEST_REDIS_REQUIRED=1 (CI) a missing redis-server fails instead.
//
// Run a suite once on each backend:
//
//	go test ./...                            # real redis-server
//	MODBOT_TEST_REDIS=miniredis go test ./... # miniredis
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"modbot/store"
)

// Environment variables storetest reads.
const (
	EnvURL      = "MODBOT_TEST_REDIS_URL"      // use this Redis
	EnvBackend  = "MODBOT_TEST_REDIS"          // "miniredis" forces miniredis
	EnvRequired = "MODBOT_TEST_REDIS_REQUIRED" // "1": a real Redis is mandatory
)

// InstallRedis says how to get a redis-server, for the messages of tests that need one.
const InstallRedis = "install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set " + EnvRequired + "=1 to make this a failure"

// New returns a Store on the test Redis with a key prefix of its own,
// closed and its keys deleted when the test ends. opts may set retention
// and TTL options; URL and Prefix are storetest's.
func New(tb testing.TB, opts ...store.Options) *store.Store {
	tb.Helper()
	var o store.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.URL = RedisURL(tb)
	o.Prefix = Prefix(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := store.Open(ctx, o)
	if err != nil {
		tb.Fatalf("storetest: open store: %v", err)
	}
	tb.Cleanup(func() {
		s.Close()
		DeleteKeys(tb, o.URL, o.Prefix)
	})
	return s
}

// Prefix returns a key prefix unique to this call, naming the test.
func Prefix(tb testing.TB) string {
	var b [4]byte
	rand.Read(b[:])
	name := strings.NewReplacer(" ", "_", "/", ".", ":", ".").Replace(tb.Name())
	return fmt.Sprintf("test:%s:%s:", name, hex.EncodeToString(b[:]))
}

// RedisURL returns the URL of the test Redis (see the package comment).
func RedisURL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	if os.Getenv(EnvBackend) == "miniredis" {
		return miniURL(tb)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv(EnvRequired) == "1" {
			tb.Fatalf("storetest: %s=1 but no redis-server in PATH; %s", EnvRequired, InstallRedis)
		}
		tb.Log("storetest: no redis-server in PATH, so this test runs on the embedded miniredis instead; for a real one, " + InstallRedis)
		return miniURL(tb)
	}
	shared.once.Do(func() {
		shared.srv, shared.err = start("", nil)
	})
	if shared.err != nil {
		tb.Fatalf("storetest: %v", shared.err)
	}
	return shared.srv.URL()
}

// Backend names the Redis tests run against: "url", "redis-server" or "miniredis".
func Backend(tb testing.TB) string {
	u := RedisURL(tb)
	switch {
	case os.Getenv(EnvURL) != "":
		return "url"
	case u == mini.url:
		return "miniredis"
	}
	return "redis-server"
}

// DeleteKeys deletes every key starting with prefix (and the rate limiter's
// "rate:"+prefix keys) from the Redis at url; never FLUSHALL.
func DeleteKeys(tb testing.TB, url, prefix string) {
	tb.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		tb.Errorf("storetest: %v", err)
		return
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, pattern := range []string{prefix + "*", "rate:" + prefix + "*"} {
		iter := rdb.Scan(ctx, 0, pattern, 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Logf("storetest: scan %s: %v", pattern, err) // the server may be gone (restart tests)
			return
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			if err := rdb.Del(ctx, keys[:n]...).Err(); err != nil {
				tb.Logf("storetest: delete keys: %v", err)
				return
			}
			keys = keys[n:]
		}
	}
}

// shared is the redis-server every test of this binary shares.
var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// mini is the miniredis every test of this binary shares.
var mini struct {
	once sync.Once
	url  string
	err  error
}

func miniURL(tb testing.TB) string {
	tb.Helper()
	mini.once.Do(func() {
		m := miniredis.NewMiniRedis()
		m.ClockTTL(true)
		if mini.err = m.Start(); mini.err == nil {
			mini.url = "redis://" + m.Addr()
		}
	})
	if mini.err != nil {
		tb.Fatalf("storetest: start miniredis: %v", mini.err)
	}
	return mini.url
}
