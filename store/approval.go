package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// ErrExpiredHere is part of the error of a decision that found its request past expires_at and
// expired it itself (errors.Is also matches ErrExpired and ErrAlreadyDecided): the caller counts
// that expiry, which no sweep will report again.
var ErrExpiredHere = errors.New("expired by this operation")

// Approve records actor's approval of a pending request under operation
// opID (the click's ID). When the approvals reach the number needed, each
// is checked again against the allowlist at that moment: one whose author is
// no longer an approver stops counting (Request.DroppedApprovals) and the
// request stays Pending if that leaves it short; a requester who is no
// longer a moderator cancels it (State Cancelled, DecidedBy SystemActor,
// CancelReason "requester no longer allowed"). Otherwise it becomes Approved
// and is offered for execution (see ClaimLease).
//
// It fails with ErrSelfApproval (actor is the requester), ErrForbidden
// (actor is not an approver at this moment), ErrAlreadyApproved (actor
// approved before), ErrExpired (past expires_at: this call expires it), a
// *DecidedError (no longer pending), or ErrNotFound. The same opID sent
// again (a retried script) succeeds again and returns the request as it is.
func (s *Store) Approve(ctx context.Context, id, actor, opID string) (*Request, error) {
	return s.decide(ctx, id, "approve", actor, opID, "")
}

// Deny vetoes a pending request: one Deny by an approver other than the
// requester decides it. reason may be empty. Errors as for Approve.
func (s *Store) Deny(ctx context.Context, id, actor, opID, reason string) (*Request, error) {
	return s.decide(ctx, id, "deny", actor, opID, reason)
}

// Cancel withdraws a pending request; only its requester may (else
// ErrNotRequester), whatever their role now: withdrawing never acts on
// anyone. Errors as for Approve.
func (s *Store) Cancel(ctx context.Context, id, actor, opID string) (*Request, error) {
	return s.decide(ctx, id, "cancel", actor, opID, "")
}

// Retry restarts a partial or failed request ("Retry failed"): failed
// accounts lose their outcome, the request becomes Executing with a free
// lease, and a ClaimLease by any replica runs the remaining accounts.
// Approvers and the requester (while a moderator) may retry; others get
// ErrForbidden, other states ErrNotRetryable. The same opID sent again succeeds again.
func (s *Store) Retry(ctx context.Context, id, actor, opID string) (*Request, error) {
	if opID == "" {
		return nil, errors.New("retry: no op ID")
	}
	status, rest, err := s.runStatus(ctx, s.scripts.retry, id, actor, opID)
	if err != nil {
		return nil, fmt.Errorf("retry request %s: %w", id, err)
	}
	switch status {
	case "ok", "dup":
		return decoded(rest[0], status == "dup")
	case "notretryable":
		return nil, fmt.Errorf("retry request %s (%s): %w", id, str(rest, 0), ErrNotRetryable)
	case "undone":
		return nil, fmt.Errorf("retry request %s: %w", id, &UndoneError{ID: id, UndoID: str(rest, 0), By: str(rest, 1), At: msTime(str(rest, 2))})
	}
	return nil, replyError("retry request "+id+" by "+actor, id, status, rest)
}

// ExpireDue expires up to max (≤ 0: all) pending requests, and confirming
// ones, whose expires_at has passed by Redis's clock and returns those this
// call expired. Any number of replicas may sweep at once: each request is
// expired exactly once.
func (s *Store) ExpireDue(ctx context.Context, max int) ([]*Request, error) {
	now, err := s.Now(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, index := range []string{"pending", "confirming"} {
		due, err := s.rdb.ZRangeByScore(ctx, s.key("req", index), &redis.ZRangeBy{
			Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10), Count: int64(max),
		}).Result()
		if err != nil {
			return nil, fmt.Errorf("due requests: %w", err)
		}
		ids = append(ids, due...)
	}
	if max > 0 && len(ids) > max {
		ids = ids[:max]
	}
	var out []*Request
	for _, id := range ids {
		status, rest, err := s.runStatus(ctx, s.scripts.expire, id)
		if err != nil {
			return out, fmt.Errorf("expire request %s: %w", id, err)
		}
		if status == "ok" {
			r, err := decodeRequest(rest[0])
			if err != nil {
				return out, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *Store) decide(ctx context.Context, id, action, actor, opID, reason string) (*Request, error) {
	if opID == "" {
		return nil, fmt.Errorf("%s: no op ID", action)
	}
	status, rest, err := s.runStatus(ctx, s.scripts.decide, id, action, actor, opID, reason)
	if err != nil {
		return nil, fmt.Errorf("%s request %s: %w", action, id, err)
	}
	if status == "ok" || status == "dup" {
		return decoded(rest[0], status == "dup")
	}
	return nil, replyError(action+" request "+id+" by "+actor, id, status, rest)
}

// decoded decodes a decision's snapshot, marking a repeated operation.
func decoded(snapshot any, repeat bool) (*Request, error) {
	r, err := decodeRequest(snapshot)
	if r != nil {
		r.Repeat = repeat
	}
	return r, err
}

// replyError turns a script's refusal into the package's errors.
func replyError(what, id, status string, rest []any) error {
	var err error
	switch status {
	case "notfound":
		err = ErrNotFound
	case "decided":
		err = &DecidedError{ID: id, State: State(str(rest, 0)), By: str(rest, 1), At: msTime(str(rest, 2))}
	case "expired":
		err = fmt.Errorf("%w: %w", ErrExpiredHere, &DecidedError{ID: id, State: Expired, At: msTime(str(rest, 0))})
	case "confirmexpired":
		err = fmt.Errorf("%w: %w", ErrConfirmExpired, &DecidedError{ID: id, State: Expired, At: msTime(str(rest, 0))})
		if str(rest, 1) == "here" {
			err = fmt.Errorf("%w: %w", ErrExpiredHere, err)
		}
	case "notconfirming":
		err = fmt.Errorf("%w (state %s)", ErrNotConfirming, str(rest, 0))
	case "confirming":
		err = ErrAwaitingConfirm
	case "forbidden":
		err = ErrForbidden
	case "self":
		err = ErrSelfApproval
	case "already":
		err = ErrAlreadyApproved
	case "notrequester":
		err = ErrNotRequester
	case "leaselost":
		err = ErrLeaseLost
	case "held":
		err = &LeaseHeldError{Owner: str(rest, 0), Until: msTime(str(rest, 1))}
	case "nowork":
		err = fmt.Errorf("%w (state %s)", ErrNoWork, str(rest, 0))
	case "badstate":
		err = fmt.Errorf("request is %s, not executing", str(rest, 0))
	case "lastadmin":
		err = ErrLastAdmin
	default:
		err = fmt.Errorf("unexpected reply %q", status)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// str is the i-th element of a script reply as a string.
func str(list []any, i int) string {
	if i >= len(list) {
		return ""
	}
	switch v := list[i].(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}
