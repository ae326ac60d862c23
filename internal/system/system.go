// Package system builds the running modbot from its parts in one place: Redis (the store), the
// shared Tencent rate limiter, the Tencent client and the bot, in that order. `modbot run`, the
// sandbox and the test harnesses all build through it, so the chain is written once.
package system

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"modbot/bot"
	"modbot/store"
	"modbot/tim"
)

// Config is what Build and Open need. Zero values take the defaults named on each field.
type Config struct {
	// Store opens Redis (Open only); Embedded opens an in-process Redis instead (the sandbox).
	Store    store.Options
	Embedded bool
	// BootstrapAdmins are made admins while the allowlist has none (Open only).
	BootstrapAdmins []string

	// Tim configures the Tencent client. When Tim.Limiter is nil the replicas' shared limiter in
	// Redis paces it at Rate calls a second (default tim.DefaultRate), wrapped by WrapLimiter when
	// set (metrics time the waits).
	Tim         tim.Options
	Rate        int
	WrapLimiter func(tim.Limiter) tim.Limiter
	// WrapTencent, when set, stands between the bot and the Tencent client (tests inject faults).
	WrapTencent func(*tim.Client) bot.Tencent

	// Bot configures the bot.
	Bot bot.Options

	// Reconcile configures the sweep of watched targets (off when Reconcile.Interval is 0). Its
	// Tencent reads take the background lane of the shared limiter: at most ReconcileShare of
	// Rate (default 0.25), waiting while interactive work wants the capacity. WrapLimiter wraps
	// that lane too.
	Reconcile      bot.ReconcileOptions
	ReconcileShare float64
}

// System is the running modbot's parts.
type System struct {
	Store *store.Store
	Tim   *tim.Client
	Bot   *bot.Bot
	// Reconciler sweeps the watched targets; nil when Config.Reconcile.Interval is 0.
	Reconciler *bot.Reconciler

	// BootstrapAdded are the users Open made admins.
	BootstrapAdded []string

	ownsStore bool
}

// Open opens Redis as c says (admitting the bootstrap admins) and builds the rest on it. Close
// closes what it opened.
func Open(ctx context.Context, c Config) (*System, error) {
	var (
		st  *store.Store
		err error
	)
	if c.Embedded {
		st, err = store.OpenEmbedded(ctx, c.Store)
	} else {
		st, err = store.Open(ctx, c.Store)
	}
	if err != nil {
		return nil, fmt.Errorf("open redis: %w", err)
	}
	added, err := st.BootstrapAdmins(ctx, c.BootstrapAdmins)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("bootstrap admins: %w", err)
	}
	s, err := Build(st, c)
	if err != nil {
		st.Close()
		return nil, err
	}
	s.BootstrapAdded, s.ownsStore = added, true
	return s, nil
}

// Build builds the Tencent client and the bot on an open store; it does no I/O. The store stays
// the caller's to close.
func Build(st *store.Store, c Config) (*System, error) {
	if st == nil {
		return nil, errors.New("build: no store")
	}
	to := c.Tim
	var shared *store.Limiter
	if to.Limiter == nil {
		rate := c.Rate
		if rate == 0 {
			rate = tim.DefaultRate
		}
		lim, err := st.Limiter(strconv.Itoa(to.SDKAppID), rate)
		if err != nil {
			return nil, err
		}
		to.Limiter, shared = lim, lim
		if c.WrapLimiter != nil {
			to.Limiter = c.WrapLimiter(lim)
		}
	}
	tc, err := tim.New(to)
	if err != nil {
		return nil, err
	}
	var t bot.Tencent = tc
	if c.WrapTencent != nil {
		t = c.WrapTencent(tc)
	}
	bo := c.Bot
	if bo.ReconcileInterval == 0 {
		bo.ReconcileInterval = c.Reconcile.Interval // /modbot watched says how often the sweep runs
	}
	b, err := bot.New(bo, t, st)
	if err != nil {
		return nil, err
	}
	s := &System{Store: st, Tim: tc, Bot: b}
	if c.Reconcile.Interval > 0 {
		if s.Reconciler, err = buildReconciler(c, shared, tc, st); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// buildReconciler builds the sweep on the background lane of the shared limiter (or, when the
// caller brought its own limiter, on the client as it is).
func buildReconciler(c Config, shared *store.Limiter, tc *tim.Client, st *store.Store) (*bot.Reconciler, error) {
	sweepTim := tc
	if shared != nil {
		share := c.ReconcileShare
		if share == 0 {
			share = 0.25
		}
		bg, err := shared.Background(share)
		if err != nil {
			return nil, err
		}
		var lane tim.Limiter = bg
		if c.WrapLimiter != nil {
			lane = c.WrapLimiter(bg)
		}
		sweepTim = tc.WithLimiter(lane)
	}
	return bot.NewReconciler(c.Reconcile, sweepTim, st)
}

// Close closes the store when Open opened it.
func (s *System) Close() error {
	if s.ownsStore {
		return s.Store.Close()
	}
	return nil
}
