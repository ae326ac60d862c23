package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"modbot/store"
	"modbot/tim"
)

// The sweep of watched targets (docs/DESIGN.md, "Case files, watched targets and outside
// changes"): one replica at a time, under the sweep lease, every ReconcileOptions.Interval,
// reads each watched target's ban list (and a group's muted list), compares it with the last
// snapshot (reconcile_diff.go), and stores the new snapshot with an audit entry for every
// difference that modbot's own recorded actions do not explain — all in one atomic commit per
// target, so a sweep that stops half-way (Redis down, lease lost) is caught up by the next
// without duplicate entries.

// SweepTencent is what the sweep reads from Tencent. A *tim.Client on the background lane of
// the shared rate limit (tim.Client.WithLimiter with store.Limiter.Background) satisfies it.
type SweepTencent interface {
	GroupBannedMembers(ctx context.Context, g tim.GroupID) ([]tim.BannedMember, error)
	RoomBannedMembers(ctx context.Context, r tim.RoomID) ([]tim.BannedMember, error)
	GroupMutedMembers(ctx context.Context, g tim.GroupID) ([]tim.MutedMember, error)
}

// SweepStore is what the sweep keeps in Redis. *store.Store satisfies it.
type SweepStore interface {
	WatchedTargets(ctx context.Context) ([]store.Watched, error)
	ClaimSweep(ctx context.Context, owner string, ttl time.Duration) (store.SweepLease, error)
	RenewSweep(ctx context.Context, l store.SweepLease, ttl time.Duration) (store.SweepLease, error)
	FinishSweep(ctx context.Context, l store.SweepLease, interval time.Duration) error
	ReleaseSweep(ctx context.Context, l store.SweepLease) error
	Snapshot(ctx context.Context, num int64, list store.SnapList) (map[string]int64, error)
	CommitSweep(ctx context.Context, l store.SweepLease, ttl time.Duration, c store.SweepCommit) error
	RecordedActions(ctx context.Context, kind store.TargetKind, id string, since time.Time, accounts []string) (map[string]map[string]bool, error)
	InFlight(ctx context.Context, kind store.TargetKind, id string) (map[string]bool, error)
	Now(ctx context.Context) (time.Time, error)
}

// ReconcileOptions configure the sweep. Zero values take the defaults.
type ReconcileOptions struct {
	Interval    time.Duration // MODBOT_RECONCILE_INTERVAL; 0 turns sweeping off
	LeaseTTL    time.Duration // sweep lease; default 30s (MODBOT_LEASE_TTL)
	ReplicaID   string        // lease owner; required
	Workers     int           // targets read at once; default 4
	Tick        time.Duration // how often a replica checks whether a sweep is due; default min(Interval, 5s)
	SummaryOver int           // more changes than this on one target in one sweep: one summary line; default 20
	Logger      *slog.Logger
}

// Reconciler sweeps the watched targets.
type Reconciler struct {
	o   ReconcileOptions
	tc  SweepTencent
	st  SweepStore
	log *slog.Logger
}

// NewReconciler returns a Reconciler; Run does nothing when o.Interval is 0.
func NewReconciler(o ReconcileOptions, tc SweepTencent, st SweepStore) (*Reconciler, error) {
	if o.ReplicaID == "" {
		return nil, errors.New("reconcile: no replica ID")
	}
	if o.Interval < 0 {
		return nil, fmt.Errorf("reconcile: interval %v (want 0 for off, or positive)", o.Interval)
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 30 * time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Tick <= 0 {
		o.Tick = min(max(o.Interval, time.Second), 5*time.Second)
	}
	if o.SummaryOver <= 0 {
		o.SummaryOver = 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Reconciler{o: o, tc: tc, st: st, log: o.Logger}, nil
}

// Run sweeps whenever a sweep is due and no other replica holds the lease, until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	if r.o.Interval == 0 {
		return
	}
	t := time.NewTicker(r.o.Tick)
	defer t.Stop()
	for {
		rep, err := r.SweepOnce(ctx)
		switch {
		case err == nil:
			r.log.Info("sweep done", "targets", rep.Targets, "changes", rep.Changes, "failed", rep.Failed)
		case errors.Is(err, store.ErrNotDue), errors.Is(err, store.ErrLeaseHeld), ctx.Err() != nil:
		default:
			r.log.Warn("sweep stopped; the next one catches up", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SweepReport says what one sweep did.
type SweepReport struct {
	Targets int // targets swept (committed)
	Changes int // audit entries written for changes
	Failed  int // targets that could not be read (kept as they were)
}

// SweepOnce runs one sweep round if it is due and the lease is free: every watched target not
// tried yet in this round. It returns store.ErrNotDue or store.ErrLeaseHeld when there is
// nothing for this replica to do, and stops at the first Redis failure (the lease then lapses
// and the next sweep continues the round).
func (r *Reconciler) SweepOnce(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	l, err := r.st.ClaimSweep(ctx, r.o.ReplicaID, r.o.LeaseTTL)
	if err != nil {
		return rep, err
	}
	targets, err := r.st.WatchedTargets(ctx)
	if err != nil {
		return rep, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	lease := l
	current := func() store.SweepLease { mu.Lock(); defer mu.Unlock(); return lease }
	renewed := make(chan struct{})
	go func() { // keep the lease while Tencent's reads take their time
		defer close(renewed)
		t := time.NewTicker(r.o.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			nl, err := r.st.RenewSweep(ctx, current(), r.o.LeaseTTL)
			if err != nil {
				cancel(fmt.Errorf("renew sweep lease: %w", err))
				return
			}
			mu.Lock()
			lease = nl
			mu.Unlock()
		}
	}()
	work := make(chan store.Watched)
	var wg sync.WaitGroup
	var firstErr error
	for range r.o.Workers {
		wg.Go(func() {
			for w := range work {
				n, failed, err := r.sweepTarget(ctx, current(), w)
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
					}
					cancel(err)
				case failed:
					rep.Failed++
				default:
					rep.Targets++
					rep.Changes += n
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, w := range targets {
		if w.Round == l.Seq {
			continue // done in this round before the sweep that stopped
		}
		select {
		case work <- w:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = context.Cause(ctx)
	}
	cancel(nil)
	<-renewed
	if firstErr != nil {
		if ctx.Err() != nil && context.Cause(ctx) == context.Canceled {
			// Shutdown: hand the round to another replica at once.
			_ = r.st.ReleaseSweep(context.WithoutCancel(ctx), current())
		}
		return rep, firstErr
	}
	if err := r.st.FinishSweep(context.WithoutCancel(ctx), current(), r.o.Interval); err != nil {
		return rep, err
	}
	return rep, nil
}

// sweepTarget reads, diffs and commits one target. It reports the changes written and whether
// the target could not be read; an error means stop the sweep (Redis, lease).
func (r *Reconciler) sweepTarget(ctx context.Context, l store.SweepLease, w store.Watched) (int, bool, error) {
	var reads []read
	bans, banErr := r.readBans(ctx, w)
	if ctx.Err() != nil {
		return 0, false, context.Cause(ctx)
	}
	reads = append(reads, read{list: store.ListBans, rows: bans, complete: banErr == nil})
	var muteErr error
	if w.Kind == store.KindGroup && banErr == nil {
		var muted []tim.MutedMember
		muted, muteErr = r.tc.GroupMutedMembers(ctx, tim.GroupID(w.ID))
		if ctx.Err() != nil {
			return 0, false, context.Cause(ctx)
		}
		if muteErr == nil {
			rows := make(map[string]int64, len(muted))
			for _, m := range muted {
				rows[string(m.Account)] = m.Until.Unix()
			}
			reads = append(reads, read{list: store.ListMutes, rows: rows, complete: true})
		}
	}
	c := store.SweepCommit{Target: w, OpID: fmt.Sprintf("sweep:%d:%d", l.Seq, w.Num), Recent: w.Recent,
		Bans: w.Bans, Mutes: w.Mutes}
	switch {
	case gone(w.Kind, banErr):
		c.State, c.Gone = store.WatchGone, true
		c.Note = fmt.Sprintf("Tencent says the %s does not exist (%s); still watched until /modbot unwatch", w.Kind, errorNote(banErr))
		if !w.Gone {
			c.Entries = append(c.Entries, store.SweepEntry{Actor: store.TencentActor, Action: store.ActionGone, Outcome: "gone", Detail: c.Note})
			c.Recent = append([]string{"the " + string(w.Kind) + " no longer exists"}, c.Recent...)
		}
		return len(c.Entries), false, r.commit(ctx, l, c)
	case banErr != nil && len(bans) == 0:
		c.State, c.Note = store.WatchFailed, "could not read the ban list: "+errorNote(banErr)
		return 0, true, r.commit(ctx, l, c)
	case banErr != nil:
		c.State, c.Note = store.WatchPartial, partialNote(banErr, len(bans))
	case muteErr != nil:
		c.State, c.Note = store.WatchPartial, "could not read the muted list: "+errorNote(muteErr)+"; kept from the last sweep"
	default:
		c.State = store.WatchOK
	}
	c.Swept = true
	now, err := r.st.Now(ctx)
	if err != nil {
		return 0, false, err
	}
	baseline := w.LastSweep.IsZero()
	var changes []change
	olds := map[store.SnapList]map[string]int64{}
	for _, rd := range reads {
		old, err := r.st.Snapshot(ctx, w.Num, rd.list)
		if err != nil {
			return 0, false, err
		}
		olds[rd.list] = old
		if !baseline {
			changes = append(changes, diff(rd, old, now)...)
		}
	}
	// Explain the changes: first what is in flight (approved or executing requests on this
	// target), then what modbot recorded as done since the last sweep read the lists.
	var deferred map[string]bool
	if len(changes) > 0 {
		inflight, err := r.st.InFlight(ctx, w.Kind, w.ID)
		if err != nil {
			return 0, false, err
		}
		accounts := make([]string, 0, len(changes))
		for _, ch := range changes {
			accounts = append(accounts, ch.account)
		}
		since := w.LastSweep.Add(-max(10*time.Minute, r.o.Interval))
		recorded, err := r.st.RecordedActions(ctx, w.Kind, w.ID, since, accounts)
		if err != nil {
			return 0, false, err
		}
		kept := changes[:0]
		deferred = map[string]bool{}
		for _, ch := range changes {
			switch {
			case recorded[ch.account][string(ch.explainedBy())]:
			case inflight[ch.account]:
				deferred[string(ch.list)+ch.account] = true
			default:
				kept = append(kept, ch)
			}
		}
		changes = kept
	}
	for _, rd := range reads {
		old := olds[rd.list]
		rows := rd.rows
		if !rd.complete { // keep what was not read
			rows = make(map[string]int64, len(old)+len(rd.rows))
			for a, u := range old {
				rows[a] = u
			}
			for a, u := range rd.rows {
				rows[a] = u
			}
		}
		for k := range deferred { // leave a change in flight for the next sweep
			if store.SnapList(k[:1]) != rd.list {
				continue
			}
			a := k[1:]
			if u, ok := old[a]; ok {
				rows[a] = u
			} else {
				delete(rows, a)
			}
		}
		sl := store.SweepList{List: rd.list, Rows: rows, Set: map[string]int64{}}
		for a, u := range rows {
			if ou, ok := old[a]; !ok || ou != u {
				sl.Set[a] = u
			}
		}
		for a := range old {
			if _, ok := rows[a]; !ok {
				sl.Unset = append(sl.Unset, a)
			}
		}
		c.Lists = append(c.Lists, sl)
		if rd.list == store.ListBans {
			c.Bans = len(rows)
		} else {
			c.Mutes = len(rows)
		}
	}
	slices.SortFunc(changes, func(a, b change) int { return strings.Compare(string(a.list)+a.account, string(b.list)+b.account) })
	quiet := len(changes) > r.o.SummaryOver
	counts := map[string]int{}
	var order []string
	for _, ch := range changes {
		e := ch.entry()
		e.Quiet = quiet
		c.Entries = append(c.Entries, e)
		label := changeLabel(e)
		if counts[label] == 0 {
			order = append(order, label)
		}
		counts[label]++
		if !quiet {
			c.Recent = append([]string{ch.account + " " + label}, c.Recent...)
		}
	}
	if quiet {
		parts := make([]string, len(order))
		for i, lb := range order {
			parts[i] = fmt.Sprintf("%d %s", counts[lb], lb)
		}
		c.Summary = &store.SweepEntry{Actor: store.OutsideActor, Action: store.ActionChanges, Outcome: store.OutcomeOutside,
			Detail: fmt.Sprintf("%d changes: %s; every one is in /modbot log %s:%s", len(changes), strings.Join(parts, ", "), w.Kind, w.ID)}
		c.Count = len(changes)
		c.Recent = append([]string{fmt.Sprintf("%d changes (%s)", len(changes), strings.Join(parts, ", "))}, c.Recent...)
	}
	if len(c.Recent) > 5 {
		c.Recent = c.Recent[:5]
	}
	return len(c.Entries), false, r.commit(ctx, l, c)
}

// commit stores one target's sweep; a target unwatched meanwhile is not an error.
func (r *Reconciler) commit(ctx context.Context, l store.SweepLease, c store.SweepCommit) error {
	err := r.st.CommitSweep(ctx, l, r.o.LeaseTTL, c)
	if errors.Is(err, store.ErrNotWatched) {
		return nil
	}
	return err
}

// readBans reads a target's whole ban list (what was read, with the error if it stopped).
func (r *Reconciler) readBans(ctx context.Context, w store.Watched) (map[string]int64, error) {
	var list []tim.BannedMember
	var err error
	if w.Kind == store.KindRoom {
		list, err = r.tc.RoomBannedMembers(ctx, tim.RoomID(w.ID))
	} else {
		list, err = r.tc.GroupBannedMembers(ctx, tim.GroupID(w.ID))
	}
	rows := make(map[string]int64, len(list))
	for _, b := range list {
		rows[string(b.Account)] = b.Until.Unix()
	}
	return rows, err
}

// gone reports whether err says the target does not exist: 10010 (or 10015, the error table's
// reading) for a group, 100004 for a room.
func gone(kind store.TargetKind, err error) bool {
	switch tim.Code(err) {
	case 10010, 10015:
		return kind == store.KindGroup
	case 100004:
		return kind == store.KindRoom
	}
	return false
}

func errorNote(err error) string {
	if c := tim.Code(err); c != 0 {
		if m := tim.Meaning(c); m != "" {
			return fmt.Sprintf("Tencent %d: %s", c, m)
		}
		return fmt.Sprintf("Tencent %d", c)
	}
	return Truncate(err.Error(), 200)
}

func partialNote(err error, n int) string {
	if errors.Is(err, tim.ErrTooManyPages) {
		return fmt.Sprintf("the ban list is longer than Tencent's page cap: read the first %s; the rest is kept from the last sweep", withCommas(n))
	}
	return fmt.Sprintf("read %s rows, then %s; the rest is kept from the last sweep", withCommas(n), errorNote(err))
}
