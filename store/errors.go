package store

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Test for them with errors.Is; the store wraps them with
// context, and a *DecidedError matches ErrAlreadyDecided.
var (
	// ErrNotFound: no such request, role or result (or it expired).
	ErrNotFound = errors.New("not found")
	// ErrAlreadyDecided: the request is no longer pending (approved,
	// denied, cancelled, expired, …) and this operation did not decide it.
	// The error is a *DecidedError saying who decided what and when.
	ErrAlreadyDecided = errors.New("already decided")
	// ErrSelfApproval: the requester tried to approve or deny their own request.
	ErrSelfApproval = errors.New("requester cannot decide their own request")
	// ErrForbidden: the actor's role, read at the moment of the operation, is too low.
	ErrForbidden = errors.New("role too low")
	// ErrExpired: the request passed its expires_at without a decision. A
	// *DecidedError with State Expired matches it too.
	ErrExpired = errors.New("request expired")
	// ErrAlreadyApproved: this approver already approved the request.
	ErrAlreadyApproved = errors.New("already approved by this approver")
	// ErrLastAdmin: the change would leave the allowlist without an admin.
	ErrLastAdmin = errors.New("cannot remove or demote the last admin")
	// ErrLeaseLost: the lease changed owner or epoch; the caller must stop
	// working on the request (another replica has taken over).
	ErrLeaseLost = errors.New("lease lost")
	// ErrLeaseHeld: another owner holds a live lease; try again later.
	ErrLeaseHeld = errors.New("lease held by another owner")
	// ErrNoWork: the request needs nothing done (ClaimLease).
	ErrNoWork = errors.New("request needs no work")
	// ErrNotRequester: only the requester may cancel (or confirm) a request.
	ErrNotRequester = errors.New("only the requester can cancel or confirm")
	// ErrNotRetryable: Retry on a request that is not partial or failed.
	ErrNotRetryable = errors.New("request is not partial or failed")
)

// DecidedError says that a request was already decided, by whom and when.
// errors.Is(err, ErrAlreadyDecided) holds for it, and so does
// errors.Is(err, ErrExpired) when State is Expired.
type DecidedError struct {
	ID    string
	State State     // the request's state now
	By    string    // Slack user who decided (empty for an expiry)
	At    time.Time // when it was decided
}

func (e *DecidedError) Error() string {
	if e.By == "" {
		return fmt.Sprintf("request %s already %s at %s", e.ID, e.State, e.At.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("request %s already %s by %s at %s", e.ID, e.State, e.By, e.At.UTC().Format(time.RFC3339))
}

// Is matches ErrAlreadyDecided, and ErrExpired for an expired request.
func (e *DecidedError) Is(target error) bool {
	return target == ErrAlreadyDecided || (target == ErrExpired && e.State == Expired)
}

// LeaseHeldError says who holds a lease another owner asked for, and until when.
// errors.Is(err, ErrLeaseHeld) holds for it.
type LeaseHeldError struct {
	Owner string
	Until time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("lease held by %s until %s", e.Owner, e.Until.UTC().Format(time.RFC3339Nano))
}

// Is matches ErrLeaseHeld.
func (e *LeaseHeldError) Is(target error) bool { return target == ErrLeaseHeld }

// Errors of the action pipeline's Confirm and Undo.
var (
	// ErrNotConfirming: Confirm on a request that never waited for a Confirm.
	ErrNotConfirming = errors.New("request does not wait for a Confirm")
	// ErrAwaitingConfirm: Approve or Deny on a request that waits for its requester's Confirm.
	ErrAwaitingConfirm = errors.New("request waits for its requester's Confirm")
	// ErrConfirmExpired: Confirm after ConfirmWindow; the request is expired (errors.Is also
	// matches ErrExpired).
	ErrConfirmExpired = errors.New("confirm window of 10 minutes has passed")
	// ErrUndoWindowClosed: Undo after Request.UndoUntil.
	ErrUndoWindowClosed = errors.New("undo window has closed")
	// ErrAlreadyUndone: a second Undo. The error is an *UndoneError.
	ErrAlreadyUndone = errors.New("already undone")
	// ErrNotUndoable: Undo on a request that offers none (approved actions, Undo requests) or
	// is not done or partial.
	ErrNotUndoable = errors.New("request cannot be undone")
	// ErrNothingToUndo: Undo on a request none of whose accounts is done.
	ErrNothingToUndo = errors.New("no account was changed: nothing to undo")
)

// UndoneError says that a request was already undone: by whom, when, and the Undo request.
// errors.Is(err, ErrAlreadyUndone) holds for it.
type UndoneError struct {
	ID     string    // the request undone
	UndoID string    // its Undo request
	By     string    // who clicked Undo
	At     time.Time // when
}

func (e *UndoneError) Error() string {
	return fmt.Sprintf("request %s already undone by %s at %s", e.ID, e.By, e.At.UTC().Format(time.RFC3339))
}

// Is matches ErrAlreadyUndone.
func (e *UndoneError) Is(target error) bool { return target == ErrAlreadyUndone }
