package main

import (
	"fmt"
	"log/slog"
	"os"

	"modbot/bot"
)

// reconcileOptions are the sweep's settings for `modbot run`: MODBOT_RECONCILE_INTERVAL (0: off)
// and MODBOT_LEASE_TTL for its lease; internal/system puts its reads on the background lane.
func reconcileOptions(cfg Config, log *slog.Logger) bot.ReconcileOptions {
	host, _ := os.Hostname()
	return bot.ReconcileOptions{
		Interval:  cfg.ReconcileInterval,
		LeaseTTL:  cfg.LeaseTTL,
		ReplicaID: fmt.Sprintf("%s-%d-sweep", host, os.Getpid()),
		Logger:    log.With("part", "sweep"),
	}
}
