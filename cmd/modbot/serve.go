package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"modbot/bot"
	"modbot/internal/system"
	"modbot/tim"
)

// serve is `modbot run`: it builds every dependency in order — logger, metrics, then Redis, the
// shared rate limiter, the Tencent client and the bot (system.Open), then the health and metrics
// listener — and runs until ctx
// ends. Then the bot drains (not ready, Socket Mode closed, work in hand finished within
// MODBOT_DRAIN_TIMEOUT, leases released) while /healthz and /readyz keep answering, and serve
// returns nil.
func serve(ctx context.Context, stderr io.Writer) error {
	cfg, err := loadConfig(needs{slack: true, tim: true, redis: true})
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	m := newMetrics()

	so := cfg.storeOptions()
	so.OnUnconfirmed, so.OnError = m.UnconfirmedWrite, m.RedisError
	sys, err := system.Open(ctx, system.Config{
		Store:           so,
		BootstrapAdmins: cfg.BootstrapAdmins,
		Tim: tim.Options{
			SDKAppID:  cfg.TimSDKAppID,
			SecretKey: cfg.TimSecretKey,
			Admin:     cfg.TimAdmin,
			Region:    tim.Region(cfg.TimRegion),
			BaseURL:   cfg.TimBaseURL,
			Observer:  m,
		},
		Rate:           cfg.TimRate,
		WrapLimiter:    m.Limiter,
		Reconcile:      reconcileOptions(cfg, log),
		ReconcileShare: cfg.ReconcileShare,
		Bot: cfg.Actions.options(bot.Options{
			AppToken:        cfg.SlackAppToken,
			BotToken:        cfg.SlackBotToken,
			APIURL:          cfg.SlackAPIURL,
			TeamID:          cfg.SlackTeamID,
			ApprovalChannel: cfg.ApprovalChannel,
			AuditChannel:    cfg.AuditChannel,
			Approvals:       cfg.UnbanApprovals,
			RequestTTL:      cfg.RequestTTL,
			RequireReason:   cfg.RequireReason,
			MaxAccounts:     cfg.MaxAccounts,
			MaxOpenRequests: cfg.MaxOpenRequests,
			LeaseTTL:        cfg.LeaseTTL,
			Digest:          cfg.Digest,
			MaxWatched:      cfg.MaxWatched,
			Logger:          log,
			Metrics:         m,
		}),
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	if n := len(sys.BootstrapAdded); n > 0 {
		log.Info("bootstrap admins added", "count", n)
	}
	st, b := sys.Store, sys.Bot

	m.watch(b, st, cfg.AuditChannel != "")

	// Watched targets: one replica at a time sweeps them on the background lane of the shared
	// rate limit, which yields to commands and executions.
	if sys.Reconciler != nil {
		sweepCtx, stopSweeps := context.WithCancel(ctx)
		sweepsDone := make(chan struct{})
		go func() { defer close(sweepsDone); sys.Reconciler.Run(sweepCtx) }()
		defer func() { stopSweeps(); <-sweepsDone }()
	}

	// The listener outlives ctx: /readyz answers 503 while the bot drains.
	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()
	httpDone := make(chan error, 1)
	if cfg.HTTPAddr != "" {
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("health listener: %w", err)
		}
		log.Info("health listener", "addr", ln.Addr().String())
		h := healthHandler(probes{ready: b.Ready, ping: st.Ping}, m.Handler())
		go func() { httpDone <- serveHTTP(httpCtx, ln, h) }()
	} else {
		httpDone <- nil
	}

	stopLog := context.AfterFunc(ctx, func() {
		log.Info("stopping: draining work in hand", "drain_timeout", cfg.DrainTimeout.String())
	})
	defer stopLog()
	log.Info("modbot running", "version", buildVersion())
	err = b.Run(ctx, cfg.DrainTimeout)
	stopHTTP()
	if herr := <-httpDone; herr != nil && err == nil {
		err = herr
	}
	if err != nil {
		return err
	}
	log.Info("modbot stopped")
	return nil
}
