package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHealthHandler(t *testing.T) {
	var ready, redisUp atomic.Bool
	ready.Store(true)
	redisUp.Store(true)
	h := healthHandler(probes{
		ready: ready.Load,
		ping: func(context.Context) error {
			if !redisUp.Load() {
				return errors.New("connection refused")
			}
			return nil
		},
	}, newMetrics().Handler())
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	steps := []struct {
		name           string
		ready, redisUp bool
		path           string
		status         int
		body           string
	}{
		{"Alive", true, true, "/healthz", 200, "ok"},
		{"Ready", true, true, "/readyz", 200, "ready"},
		{"RedisGone", true, false, "/readyz", 503, "redis does not answer"},
		{"AliveWithoutRedis", true, false, "/healthz", 200, "ok"},
		{"Draining", false, true, "/readyz", 503, "draining"},
		{"AliveWhileDraining", false, true, "/healthz", 200, "ok"},
		{"Metrics", true, true, "/metrics", 200, "modbot_build_info"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			ready.Store(s.ready)
			redisUp.Store(s.redisUp)
			status, body := get(s.path)
			if status != s.status || !strings.Contains(body, s.body) {
				t.Fatalf("GET %s = %d %q, want %d %q", s.path, status, body, s.status, s.body)
			}
		})
	}
}

func TestHealthcheck(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	port := addr[strings.LastIndex(addr, ":"):]

	for k := range validEnv {
		t.Setenv(k, "") // healthcheck needs none of them
	}
	tests := []struct {
		name   string
		env    string // MODBOT_HTTP_ADDR
		args   []string
		status int
		code   int // exit code
	}{
		{"FromEnv", port, nil, 200, 0},
		{"FromEnvWildcardHost", "0.0.0.0" + port, nil, 200, 0},
		{"FromArg", ":1", []string{addr}, 200, 0},
		{"Unhealthy", port, nil, 500, 1},
		{"NoListener", ":1", nil, 200, 1},
		{"ListenerOff", "", nil, 200, 2},
		{"BadAddr", port, []string{"localhost"}, 200, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("MODBOT_HTTP_ADDR", tt.env)
			status.Store(int32(tt.status))
			out, err := modbot(t, append([]string{"healthcheck"}, tt.args...)...)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit code %d (%v), want %d", got, err, tt.code)
			}
			if tt.code == 0 && strings.TrimSpace(out) != "ok" {
				t.Fatalf("output %q, want ok", out)
			}
		})
	}
}
