package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"

	"modbot/bot"
	"modbot/store"
	"modbot/tim"
)

// serve is `modbot run`: it builds every dependency in order — logger, metrics, Redis, the shared
// rate limiter, the Tencent client, the bot, the health and metrics listener — and runs until ctx
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

	st, err := store.Open(ctx, store.Options{
		URL:            cfg.RedisURL,
		Prefix:         cfg.RedisPrefix,
		AuditRetention: cfg.AuditRetention,
	})
	if err != nil {
		return fmt.Errorf("open redis: %w", err)
	}
	defer st.Close()
	added, err := st.BootstrapAdmins(ctx, cfg.BootstrapAdmins)
	if err != nil {
		return fmt.Errorf("bootstrap admins: %w", err)
	}
	if len(added) > 0 {
		log.Info("bootstrap admins added", "count", len(added))
	}

	limiter, err := st.Limiter(strconv.Itoa(cfg.TimSDKAppID), cfg.TimRate)
	if err != nil {
		return err
	}
	tc, err := tim.New(tim.Options{
		SDKAppID:  cfg.TimSDKAppID,
		SecretKey: cfg.TimSecretKey,
		Admin:     cfg.TimAdmin,
		Region:    tim.Region(cfg.TimRegion),
		BaseURL:   cfg.TimBaseURL,
		Limiter:   m.Limiter(limiter),
		Observer:  m,
	})
	if err != nil {
		return err
	}

	b, err := bot.New(bot.Options{
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
		Logger:          log,
		Metrics:         m,
	}, tc, st)
	if err != nil {
		return err
	}

	// Watched targets: one replica at a time sweeps them on the background lane of the shared
	// rate limit, which yields to commands and executions.
	sweeps, err := newReconciler(cfg, limiter, tc, st, m, log)
	if err != nil {
		return err
	}
	sweepCtx, stopSweeps := context.WithCancel(ctx)
	sweepsDone := make(chan struct{})
	go func() { defer close(sweepsDone); sweeps.Run(sweepCtx) }()
	defer func() { stopSweeps(); <-sweepsDone }()

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
