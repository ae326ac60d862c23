package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"modbot/store"
	"modbot/tim"
)

// Execution: one replica at a time, under a fenced lease, acts on a request's remaining accounts
// and completes the Slack side effects the request owes (root message, result, expiry, the
// requester's notice). A replica that crashed or stopped leaves the lease to lapse or releases
// it; another resumes from the recorded outcomes.

// errLeaseLost is the cause of an execution stopping because another replica took it over.
var errLeaseLost = errors.New("execution lease lost")

// execTencent is what an execution asks of Tencent: the bulk writes of every action kind and the
// reads its re-check needs. *tim.Client satisfies it.
type execTencent interface {
	GroupBannedMembers(ctx context.Context, g tim.GroupID) ([]tim.BannedMember, error)
	RoomBannedMembers(ctx context.Context, r tim.RoomID) ([]tim.BannedMember, error)
	GroupBannedMembersUpTo(ctx context.Context, g tim.GroupID, maxPages int) ([]tim.BannedMember, error)
	RoomBannedMembersUpTo(ctx context.Context, r tim.RoomID, maxPages int) ([]tim.BannedMember, error)
	GroupMutedMembers(ctx context.Context, g tim.GroupID) ([]tim.MutedMember, error)
	UnbanGroupMembers(ctx context.Context, g tim.GroupID, accounts []tim.UserID, o tim.BulkOptions) ([]tim.Outcome, error)
	UnbanRoomMembers(ctx context.Context, r tim.RoomID, accounts []tim.UserID, o tim.BulkOptions) ([]tim.Outcome, error)
	BanGroupMembers(ctx context.Context, g tim.GroupID, accounts []tim.UserID, d time.Duration, description string, o tim.BulkOptions) ([]tim.Outcome, error)
	BanRoomMembers(ctx context.Context, r tim.RoomID, accounts []tim.UserID, d time.Duration, reason string, o tim.BulkOptions) ([]tim.Outcome, error)
	MuteGroupMembers(ctx context.Context, g tim.GroupID, accounts []tim.UserID, d time.Duration, o tim.BulkOptions) ([]tim.Outcome, error)
	UnmuteGroupMembers(ctx context.Context, g tim.GroupID, accounts []tim.UserID, o tim.BulkOptions) ([]tim.Outcome, error)
}

// execStore is what an execution keeps in Redis: leases, outcomes, the request's Slack messages and
// the sweep's queues. *store.Store satisfies it.
type execStore interface {
	Executions
	ExpireDue(ctx context.Context, max int) ([]*store.Request, error)
	CloseUndoWindows(ctx context.Context, max int) ([]string, error)
	SetRoot(ctx context.Context, l store.Lease, channel, ts string) (*store.Request, error)
	ClearOwed(ctx context.Context, l store.Lease, effects ...store.Effect) (*store.Request, error)
}

// slackPoster is what an execution asks of Slack; webAPI satisfies it. Every call ends by the lease
// clock its context carries (leaseBound).
type slackPoster interface {
	post(ctx context.Context, channel, threadTS string, m message) (string, error)
	update(ctx context.Context, channel, ts string, m message) error
	dm(ctx context.Context, user string, m message) error
	deleteMessage(ctx context.Context, channel, ts string) error
}

// execOptions configures an executor. Zero values take the defaults named on each field.
type execOptions struct {
	LeaseTTL  time.Duration // execution lease; renewed at a third of it; default 30s
	ReplicaID string        // names this process in leases (required)
	Executors int           // executions run at once; default 4
	Logger    *slog.Logger  // default slog.Default()
	Metrics   Metrics       // only Decision("expired") is used; optional
	ReadPages int           // most list pages an execution's state re-read reads; default 100
}

// executor runs requests' executions and delivers the Slack messages they owe: at most one per
// request on this replica (a second claim by the same owner would extend the same lease), at most
// execOptions.Executors at once, none started once shutdown was called. It needs no Socket Mode
// loop: Bot.Run drives its sweep, clicks start executions, and a test can drive it alone.
type executor struct {
	o     execOptions
	tim   execTencent
	store execStore
	slack slackPoster
	log   *slog.Logger

	slots chan struct{} // semaphore for executions
	wg    sync.WaitGroup

	mu       sync.Mutex
	stopping bool
	running  map[string]bool
}

// newExecutor builds an executor; it does no I/O.
func newExecutor(o execOptions, t execTencent, s execStore, sl slackPoster) *executor {
	setDefault(&o.LeaseTTL, 30*time.Second)
	setDefault(&o.Executors, 4)
	setDefault(&o.ReadPages, 100)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	return &executor{o: o, tim: t, store: s, slack: sl, log: o.Logger, slots: make(chan struct{}, o.Executors)}
}

// begin registers an execution of id, unless this replica works on id already or is draining.
func (x *executor) begin(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.stopping || x.running[id] {
		return false
	}
	x.holdLocked(id)
	x.wg.Add(1)
	return true
}

// hold registers work on id (e.g. posting its root), unless this replica works on id already: a
// lease cannot tell this replica's goroutines apart.
func (x *executor) hold(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.running[id] {
		return false
	}
	x.holdLocked(id)
	return true
}

func (x *executor) holdLocked(id string) {
	if x.running == nil {
		x.running = map[string]bool{}
	}
	x.running[id] = true
}

func (x *executor) end(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.running, id)
}

// shutdown refuses new executions. Running ones go on while Run drains; when the drain timeout
// cancels their context they stop and release their leases, so another replica resumes at once.
func (x *executor) shutdown() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.stopping = true
}

// wait returns when every execution started has returned.
func (x *executor) wait() { x.wg.Wait() }

// startExecution works on request id in the background, without blocking the caller: it executes
// an approved or resumable request and completes whatever Slack side effects it owes. The work is
// tracked by wait (Run's drain waits for it) and bounded by execOptions.Executors. It does nothing
// when this replica already works on id or is draining.
func (b *executor) start(ctx context.Context, id string) {
	if !b.begin(id) {
		return
	}
	go func() {
		defer b.wg.Done()
		defer b.end(id)
		select {
		case b.slots <- struct{}{}:
			defer func() { <-b.slots }()
		case <-ctx.Done():
			return
		}
		b.execute(store.TrackWrites(ctx), id) // its own tracker: the outcome's DM says if it is unconfirmed
	}()
}

// execute claims the request's lease and does what the request needs; it returns when the work is
// done, the lease is lost, or ctx ends (the drain timed out: the lease is released so another
// replica resumes at once).
func (b *executor) execute(ctx context.Context, id string) {
	clock := newLeaseClock(b.o.LeaseTTL)
	asked := time.Now()
	cctx := store.TrackWrites(ctx)
	l, req, err := b.store.ClaimLease(cctx, id, b.o.ReplicaID, b.o.LeaseTTL)
	switch {
	case errors.Is(err, store.ErrLeaseHeld), errors.Is(err, store.ErrNoWork), errors.Is(err, store.ErrNotFound):
		return
	case err != nil:
		if ctx.Err() == nil {
			b.log.Warn("claim request", "request_id", id, "err", err)
		}
		return
	}
	// A lease the replicas did not confirm (Options.MinReplicas) may not survive a failover, and
	// another replica could then claim the request while this one sends: give it back and let a
	// later sweep try again, sending nothing meanwhile. (Renewals are held to the same rule in
	// keepLease: only a confirmed one moves the clock.)
	if store.Unconfirmed(cctx) {
		b.log.Warn("execution waits: the Redis replicas did not confirm its lease (MODBOT_REDIS_MIN_REPLICAS)", "request_id", id)
		if err := b.store.ReleaseLease(ctx, l); err != nil && !errors.Is(err, store.ErrLeaseLost) {
			b.log.Warn("release lease", "request_id", id, "err", err)
		}
		return
	}
	clock.renewed(asked)
	ctx, cancel := context.WithCancelCause(withLeaseClock(ctx, clock))
	// Every Tencent write asks the lease clock (the bulk call's gate) right before it is sent: a
	// replica paused past its lease (SIGSTOP, a long GC, a frozen VM) sends nothing when it wakes,
	// even before a renewal could tell it the lease is gone.
	gate := func() error {
		if clock.lapsed() {
			cancel(errLeaseLost)
			return errLeaseLost
		}
		return nil
	}
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		b.keepLease(ctx, l, clock, cancel)
	}()
	keep := false // true: let the lease lapse, so the next attempt waits a lease TTL
	defer func() {
		cause := context.Cause(ctx)
		cancel(nil)
		<-renewed
		if errors.Is(cause, errLeaseLost) || (keep && !errors.Is(cause, context.Canceled)) {
			return
		}
		rctx, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer done()
		if err := b.store.ReleaseLease(rctx, l); err != nil && !errors.Is(err, store.ErrLeaseLost) {
			b.log.Warn("release lease", "request_id", id, "err", err)
		}
	}()

	if req.State == store.Executing && req.ThreadTS == "" && req.Owes(store.EffectRoot) {
		// A confirmed or resumed action shows its root before anything is sent.
		if err := b.renewForSlack(ctx, l); err == nil {
			if now, err := b.postRootMessage(ctx, l, req); err == nil {
				req = now
			} else if ctx.Err() == nil {
				b.log.Warn("post root message before executing", "request_id", id, "err", err)
			}
		}
	}
	if req.State == store.Executing {
		req, err = b.run(ctx, l, req, gate)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, store.ErrLeaseLost) {
				b.log.Error("execute request", "request_id", id, "err", err)
			}
			return
		}
	}
	if err := b.completeOwed(ctx, l, req); err != nil {
		keep = true
		if ctx.Err() == nil {
			b.log.Warn("owed slack messages; will retry", "request_id", id, "err", err)
		}
	}
}

// keepLease renews the lease every third of its TTL until ctx ends. When the lease is lost, or
// this replica cannot be sure it still holds it, it cancels the work: the old owner must send
// nothing more.
func (b *executor) keepLease(ctx context.Context, l store.Lease, clock *leaseClock, cancel context.CancelCauseFunc) {
	every := max(b.o.LeaseTTL/3, 10*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		asked := time.Now()
		rctx, done := context.WithTimeout(store.TrackWrites(ctx), every)
		_, err := b.store.RenewLease(rctx, l, b.o.LeaseTTL)
		unconfirmed := store.Unconfirmed(rctx)
		done()
		switch {
		case err == nil && unconfirmed:
			// Renewed on the primary only: a failover could lose it, so the clock does not move.
		case err == nil:
			clock.renewed(asked)
		case ctx.Err() != nil:
			return
		case errors.Is(err, store.ErrLeaseLost), errors.Is(err, store.ErrNotFound), clock.lapsed():
			b.log.Warn("execution lease lost; stopping", "request_id", l.RequestID, "err", err)
			cancel(errLeaseLost)
			return
		default:
			b.log.Warn("renew lease", "request_id", l.RequestID, "err", err)
		}
	}
}

// leaseClock is this replica's own, pessimistic view of its lease: it counts from the moment a
// claim or renewal was asked (not answered) and gives up a tenth of the TTL early, on the local
// monotonic clock, so it never believes in a lease Redis already considers lapsed.
//
// Work done under a lease carries its clock in its context (withLeaseClock): every Slack call
// made with that context is refused once the clock lapsed and otherwise gets a deadline at the
// clock's expiry (leaseBound). slack-go waits out a 429's Retry-After (60 s when the header is
// missing) with the request's context, so the wait ends at that deadline too: a Slack call never
// runs past the lease, and the replica that takes the request over after it cannot meet a late
// post or DM of the old owner.
type leaseClock struct {
	ttl   time.Duration
	mu    sync.Mutex
	until time.Time
}

type leaseClockKey struct{}

// withLeaseClock makes Slack calls made with ctx end by the lease clock's expiry.
func withLeaseClock(ctx context.Context, c *leaseClock) context.Context {
	return context.WithValue(ctx, leaseClockKey{}, c)
}

// leaseBound bounds a Slack call by the lease clock ctx carries, if any: it fails with
// errLeaseLost when the clock lapsed, and otherwise returns ctx with a deadline at its expiry.
func leaseBound(ctx context.Context) (context.Context, context.CancelFunc, error) {
	c, _ := ctx.Value(leaseClockKey{}).(*leaseClock)
	if c == nil {
		return ctx, func() {}, nil
	}
	until := c.expiry()
	if !time.Now().Before(until) {
		return nil, nil, errLeaseLost
	}
	ctx, cancel := context.WithDeadlineCause(ctx, until, errLeaseLost)
	return ctx, cancel, nil
}

// renewForSlack renews the lease before a step of Slack calls and moves the lease clock ctx
// carries forward, so the step gets a whole lease.
func (b *executor) renewForSlack(ctx context.Context, l store.Lease) error {
	asked := time.Now()
	if _, err := b.store.RenewLease(ctx, l, b.o.LeaseTTL); err != nil {
		return err
	}
	if c, _ := ctx.Value(leaseClockKey{}).(*leaseClock); c != nil {
		c.renewed(asked)
	}
	return nil
}

func newLeaseClock(ttl time.Duration) *leaseClock { return &leaseClock{ttl: ttl} }

// renewed records a claim or renewal asked at asked that Redis granted.
func (c *leaseClock) renewed(asked time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.until = asked.Add(c.ttl - c.ttl/10)
}

// lapsed reports whether the lease may have lapsed by now.
func (c *leaseClock) lapsed() bool {
	return !time.Now().Before(c.expiry())
}

// expiry is when the lease may lapse, on the local clock.
func (c *leaseClock) expiry() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.until
}

// run acts on the request's remaining accounts (actionKinds says how) and finishes it. An account
// is recorded done only when Tencent accepted a call carrying it. The first run (not a "Retry
// failed") re-reads the target's live state and records skipped the accounts a complete read shows
// need nothing (needsSend); after "Retry failed" nothing is skipped: every failed account is sent
// to Tencent again.
func (b *executor) run(ctx context.Context, l store.Lease, req *store.Request, gate func() error) (*store.Request, error) {
	kind, err := kindOf(req)
	if err != nil {
		return nil, err
	}
	if err := b.updateRoot(ctx, req); err != nil {
		b.log.Warn("update root", "request_id", req.ID, "err", err)
	}
	accounts := req.Remaining()
	// Unban and Undo requests were read when asked for and are idempotent where it matters: they
	// re-read only when resuming (an earlier owner may have sent accounts it never recorded, even
	// when a Redis failover lost every trace of it but the claim that started the execution).
	resuming := len(req.Outcomes) > 0 || req.ProgressTS != "" || req.ExecClaims > 1
	prog, err := b.startProgress(ctx, l, req)
	if err != nil {
		return nil, err
	}
	reread := resuming || (req.Action != store.UnbanAction && req.UndoOf == "")
	if req.Retries == 0 && reread && len(accounts) > 0 {
		before := len(accounts)
		if accounts, err = b.skipSettled(ctx, l, req, kind, accounts); err != nil {
			prog.stop()
			return nil, err
		}
		if len(accounts) < before {
			prog.addSkipped(before - len(accounts))
		}
	}
	if len(accounts) > 0 {
		err := b.send(ctx, l, req, kind, accounts, prog, gate)
		prog.stop()
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	prog.stop()
	req, err = b.store.Finish(ctx, l)
	if err != nil {
		return nil, fmt.Errorf("finish: %w", err)
	}
	return req, nil
}

// send hands accounts to Tencent, one bulk call per distinct duration (one unless req is an Undo
// request), recording each settled chunk's outcomes (fenced by the lease). Accounts Tencent
// refuses before any call (invalid input) are recorded failed.
func (b *executor) send(ctx context.Context, l store.Lease, req *store.Request, kind actionKind, accounts []string, prog *progress, gate func() error) error {
	record := func(settled []tim.Outcome) error {
		outs := make([]store.Outcome, 0, len(settled))
		for _, o := range settled {
			if out, ok := storeOutcome(o); ok {
				outs = append(outs, out)
			}
		}
		if err := b.store.RecordOutcomes(ctx, l, outs); err != nil {
			return err
		}
		prog.add(outs)
		return nil
	}
	o := tim.BulkOptions{Progress: record, Gate: gate}
	order, groups := byDuration(req, accounts)
	for _, d := range order {
		users := groups[d]
		_, err := sendFor(ctx, b.tim, req.Target, kind.mutes, d, tencentReason(req), users, o)
		var ie *tim.InputError
		if errors.As(err, &ie) {
			outs := make([]store.Outcome, len(users))
			for i, a := range users {
				outs[i] = store.Outcome{Account: string(a), Info: Truncate(ie.Error(), 200)}
			}
			err = b.store.RecordOutcomes(ctx, l, outs)
			prog.add(outs)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// storeOutcome turns a tim outcome into what the store records; accounts never sent (the
// operation stopped first) are not recorded, so they stay remaining.
func storeOutcome(o tim.Outcome) (store.Outcome, bool) {
	switch {
	case o.Err == nil:
		return store.Outcome{Account: string(o.Account), Done: true}, true
	case errors.Is(o.Err, tim.ErrNotAttempted), errors.Is(o.Err, errLeaseLost), tim.ErrorClass(o.Err) == "canceled":
		return store.Outcome{}, false
	}
	out := store.Outcome{Account: string(o.Account), Code: tim.Code(o.Err)}
	var te *tim.Error
	if errors.As(o.Err, &te) {
		out.Info = Truncate(te.Info, 200)
	} else {
		out.Info = Truncate(o.Err.Error(), 200)
	}
	return out, true
}
