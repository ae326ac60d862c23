package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Lease is the right to work on a request: execute it, or complete the
// Slack side effects it owes. Every progress write carries it and fails with
// ErrLeaseLost once another owner has taken the request over.
type Lease struct {
	RequestID string
	Owner     string    // e.g. the replica's ID
	Epoch     int64     // increases with every new grant
	Until     time.Time // deadline by Redis's clock; Renew before it passes
}

// Work is a request some replica should pick up with ClaimLease.
type Work struct {
	RequestID string
	Reason    WorkReason
}

// WorkReason says why a request needs work.
type WorkReason string

// Work reasons.
const (
	WorkApproved  WorkReason = "approved"  // approved, nobody executing it yet
	WorkExecuting WorkReason = "executing" // executing, but its lease lapsed or is free (crash, Retry)
	WorkOwed      WorkReason = "owed"      // Slack side effects still owed (Request.Owed)
)

// NeedsWork lists up to max requests that need a replica, oldest first:
// approved but unclaimed, executing with a lapsed or free lease, and any
// (pending or final) request owing Slack side effects whose lease is free.
func (s *Store) NeedsWork(ctx context.Context, max int) ([]Work, error) {
	if max <= 0 {
		max = 100
	}
	v, err := s.run(ctx, s.scripts.work, max)
	if err != nil {
		return nil, fmt.Errorf("requests needing work: %w", err)
	}
	list, _ := v.([]any)
	out := make([]Work, 0, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		out = append(out, Work{RequestID: str(list, i), Reason: WorkReason(str(list, i+1))})
	}
	return out, nil
}

// ClaimLease gives owner the request's lease for ttl and returns it with
// the request. An approved request becomes executing; an executing one is
// resumed (Request.Remaining lists what is left); otherwise the lease covers
// the owed Slack side effects. A live lease of another owner fails with a
// *LeaseHeldError (errors.Is ErrLeaseHeld); a request needing nothing
// fails with ErrNoWork. A lapsed lease is taken over with Epoch+1, which
// fences the previous owner out. Claiming again while holding it extends it.
func (s *Store) ClaimLease(ctx context.Context, id, owner string, ttl time.Duration) (Lease, *Request, error) {
	if owner == "" || ttl <= 0 {
		return Lease{}, nil, errors.New("claim lease: owner and ttl required")
	}
	status, rest, err := s.runStatus(ctx, s.scripts.claim, id, owner, ttl.Milliseconds())
	if err != nil {
		return Lease{}, nil, fmt.Errorf("claim lease on %s: %w", id, err)
	}
	if status != "ok" {
		return Lease{}, nil, replyError("claim lease on "+id+" for "+owner, id, status, rest)
	}
	r, err := decodeRequest(rest[0])
	if err != nil {
		return Lease{}, nil, err
	}
	return r.Lease, r, nil
}

// RenewLease extends the lease to ttl from now (Redis's clock) and returns
// it updated, or fails with ErrLeaseLost. Renew well before Until.
func (s *Store) RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	if ttl <= 0 {
		return l, errors.New("renew lease: ttl required")
	}
	until, err := s.lease(ctx, l, ttl.Milliseconds())
	if err != nil {
		return l, err
	}
	l.Until = until
	return l, nil
}

// ReleaseLease gives the lease up (graceful shutdown, or work complete) so
// another replica can resume at once. It fails with ErrLeaseLost if the lease
// was already taken over.
func (s *Store) ReleaseLease(ctx context.Context, l Lease) error {
	_, err := s.lease(ctx, l, 0)
	return err
}

// RecordOutcomes stores per-account outcomes of an executing request
// (typically one chunk's) and audits them, fenced by the lease.
func (s *Store) RecordOutcomes(ctx context.Context, l Lease, outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	args := []any{l.RequestID, l.Owner, l.Epoch}
	for _, o := range outcomes {
		args = append(args, o.Account, encodeOutcome(o))
	}
	status, rest, err := s.runStatus(ctx, s.scripts.outcomes, args...)
	if err != nil {
		return fmt.Errorf("record outcomes of %s: %w", l.RequestID, err)
	}
	if status != "ok" {
		return replyError("record outcomes of "+l.RequestID, l.RequestID, status, rest)
	}
	return nil
}

// SetProgressTS remembers the ts of the request's single progress message,
// fenced by the lease.
func (s *Store) SetProgressTS(ctx context.Context, l Lease, ts string) error {
	status, rest, err := s.runStatus(ctx, s.scripts.progress, l.RequestID, l.Owner, l.Epoch, ts)
	if err != nil {
		return fmt.Errorf("set progress of %s: %w", l.RequestID, err)
	}
	if status != "ok" {
		return replyError("set progress of "+l.RequestID, l.RequestID, status, rest)
	}
	return nil
}

// Finish ends an execution, fenced by the lease: the request becomes Done
// (all accounts done), Failed (none) or Partial. Accounts without an outcome
// are recorded failed with Info "not attempted". The result and the
// requester's notice become owed; the owner keeps the lease to post them,
// marks them with ClearOwed and then calls ReleaseLease.
func (s *Store) Finish(ctx context.Context, l Lease) (*Request, error) {
	status, rest, err := s.runStatus(ctx, s.scripts.finish, l.RequestID, l.Owner, l.Epoch)
	if err != nil {
		return nil, fmt.Errorf("finish %s: %w", l.RequestID, err)
	}
	if status != "ok" {
		return nil, replyError("finish "+l.RequestID, l.RequestID, status, rest)
	}
	return decodeRequest(rest[0])
}

// SetRoot records the root message of the request's approval thread
// (channel and ts) and marks EffectRoot done, fenced by the lease: once
// another owner took the request over it fails with ErrLeaseLost and
// changes nothing (the caller deletes the message it posted).
func (s *Store) SetRoot(ctx context.Context, l Lease, channel, ts string) (*Request, error) {
	if ts == "" {
		return nil, errors.New("set root: no ts")
	}
	return s.owed(ctx, l, channel, ts, EffectRoot)
}

// ClearOwed marks Slack side effects of a request done, fenced by the lease
// (ErrLeaseLost once another owner took the request over).
func (s *Store) ClearOwed(ctx context.Context, l Lease, effects ...Effect) (*Request, error) {
	return s.owed(ctx, l, "", "", effects...)
}

func (s *Store) owed(ctx context.Context, l Lease, channel, ts string, effects ...Effect) (*Request, error) {
	id := l.RequestID
	args := []any{id, l.Owner, l.Epoch, channel, ts}
	for _, e := range effects {
		args = append(args, string(e))
	}
	status, rest, err := s.runStatus(ctx, s.scripts.owed, args...)
	if err != nil {
		return nil, fmt.Errorf("mark effects of %s: %w", id, err)
	}
	if status != "ok" {
		return nil, replyError("mark effects of "+id+" for "+l.Owner, id, status, rest)
	}
	return decodeRequest(rest[0])
}

// lease renews (ms > 0) or releases (ms == 0) a lease.
func (s *Store) lease(ctx context.Context, l Lease, ms int64) (time.Time, error) {
	status, rest, err := s.runStatus(ctx, s.scripts.renew, l.RequestID, l.Owner, l.Epoch, ms)
	if err != nil {
		return time.Time{}, fmt.Errorf("lease on %s: %w", l.RequestID, err)
	}
	if status != "ok" {
		return time.Time{}, replyError("lease on "+l.RequestID+" for "+l.Owner, l.RequestID, status, rest)
	}
	return msTime(str(rest, 0)), nil
}
