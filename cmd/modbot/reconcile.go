package main

import (
	"fmt"
	"log/slog"
	"os"

	"modbot/bot"
	"modbot/store"
	"modbot/tim"
)

// newReconciler builds the sweep of watched targets: its Tencent reads go through the
// background lane of the shared limiter (at most MODBOT_RECONCILE_SHARE of MODBOT_TIM_RATE,
// waiting while interactive work wants the capacity).
func newReconciler(cfg Config, limiter *store.Limiter, tc *tim.Client, st *store.Store, m *metrics, log *slog.Logger) (*bot.Reconciler, error) {
	bg, err := limiter.Background(cfg.ReconcileShare)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return bot.NewReconciler(bot.ReconcileOptions{
		Interval:  cfg.ReconcileInterval,
		ReplicaID: fmt.Sprintf("%s-%d-sweep", host, os.Getpid()),
		Logger:    log.With("part", "sweep"),
	}, tc.WithLimiter(m.Limiter(bg)), st)
}
