package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// probes are what /readyz asks: whether the bot is connected to Slack and not draining, and
// whether Redis answers.
type probes struct {
	ready func() bool
	ping  func(ctx context.Context) error
}

// healthHandler serves /healthz (the process is alive: no dependency is asked, so a Redis blip
// does not restart it), /readyz (Redis answers within a second, Socket Mode is connected, not
// draining) and /metrics.
func healthHandler(p probes, metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !p.ready() {
			http.Error(w, "not ready: not connected to Slack, or draining", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := p.ping(ctx); err != nil {
			http.Error(w, "not ready: redis does not answer", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", metrics)
	return mux
}

// healthcheck is `modbot healthcheck [host:port]`: it asks /healthz of the modbot listening at
// the address (default MODBOT_HTTP_ADDR, an unspecified host meaning this machine) and fails
// unless it answers 200. The image's HEALTHCHECK runs it: a distroless image has no curl or shell.
func healthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	var addr string
	switch len(args) {
	case 0:
		cfg, err := loadConfig(needs{})
		if err != nil {
			return err
		}
		if cfg.HTTPAddr == "" {
			return fmt.Errorf("%w: MODBOT_HTTP_ADDR is empty, so there is no listener to ask", errUsage)
		}
		addr = cfg.HTTPAddr
	case 1:
		addr = args[0]
	default:
		return fmt.Errorf("%w: healthcheck [host:port]", errUsage)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: healthcheck address %q: want host:port or :port", errUsage, addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// serveHTTP serves h on ln until ctx ends, then shuts the listener down gracefully.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("health listener: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("health listener: %w", err)
	}
	return nil
}
