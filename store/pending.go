package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrTooManyOpen: the requester already has as many open requests as
// NewRequest.MaxOpen allows. The error is a *TooManyOpenError.
var ErrTooManyOpen = errors.New("too many open requests")

// TooManyOpenError says how many requests the requester has open and the most allowed.
type TooManyOpenError struct {
	Open, Max int
}

func (e *TooManyOpenError) Error() string {
	return fmt.Sprintf("%d open requests, the most one person may have is %d", e.Open, e.Max)
}

// Is matches ErrTooManyOpen.
func (e *TooManyOpenError) Is(target error) bool { return target == ErrTooManyOpen }

func tooManyOpen(rest []any) error {
	e := &TooManyOpenError{}
	if len(rest) == 2 {
		a, _ := rest[0].(string)
		b, _ := rest[1].(string)
		e.Open, _ = strconv.Atoi(a)
		e.Max, _ = strconv.Atoi(b)
	}
	return fmt.Errorf("create request: %w", e)
}

// RequestSummary is a request as listings show it: everything but the
// account list, which it only counts.
type RequestSummary struct {
	ID              string
	Number          int64
	Action          ActionKind // UnbanAction for requests stored before actions
	Target          Target
	Requester       string
	Channel         string
	ThreadTS        string
	CreatedAt       time.Time
	ExpiresAt       time.Time
	State           State
	AccountCount    int
	ApprovalsNeeded int
	Approvals       int
}

// pendingScript is pending.lua (with lib.lua in front).
var pendingScript = redis.NewScript(mustRead("lib") + mustRead("pending"))

// PendingSummaries lists up to max requests waiting for a decision (0 = 500),
// soonest expiry first, without their account lists, and how many there are
// in all. A request past its expiry stays listed until ExpireDue expires it.
func (s *Store) PendingSummaries(ctx context.Context, max int) ([]RequestSummary, int, error) {
	if max <= 0 {
		max = 500
	}
	v, err := s.run(ctx, pendingScript, max)
	if err != nil {
		return nil, 0, fmt.Errorf("pending requests: %w", err)
	}
	list, _ := v.([]any)
	if len(list) != 2 {
		return nil, 0, fmt.Errorf("pending requests: unexpected reply %T", v)
	}
	total, _ := list[0].(int64)
	rows, _ := list[1].([]any)
	out := make([]RequestSummary, 0, len(rows))
	for _, row := range rows {
		h := pairs(row)
		if State(h["state"]) != Pending {
			continue
		}
		out = append(out, RequestSummary{
			ID:              h["id"],
			Number:          atoi64(h["number"]),
			Action:          ActionKind(h["action"]).orUnban(),
			Target:          Target{Kind: TargetKind(h["kind"]), ID: h["target"], GroupType: h["group_type"]},
			Requester:       h["requester"],
			Channel:         h["channel"],
			ThreadTS:        h["thread_ts"],
			CreatedAt:       msTime(h["created_ms"]),
			ExpiresAt:       msTime(h["expires_ms"]),
			State:           State(h["state"]),
			AccountCount:    int(atoi64(h["count"])),
			ApprovalsNeeded: int(atoi64(h["needed"])),
			Approvals:       int(atoi64(h["approvals"])),
		})
	}
	return out, int(total), nil
}
