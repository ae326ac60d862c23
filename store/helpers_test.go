package store_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
)

// fixture is a store with an admin, approvers and a moderator on the allowlist.
type fixture struct {
	s   *store.Store
	ops atomic.Int64
}

const (
	admin     = "UADMIN"
	approver1 = "UAPPR1"
	approver2 = "UAPPR2"
	moderator = "UMOD"
)

func newFixture(t *testing.T, opts ...store.Options) *fixture {
	t.Helper()
	f := &fixture{s: storetest.New(t, opts...)}
	ctx := t.Context()
	if _, err := f.s.BootstrapAdmins(ctx, []string{admin}); err != nil {
		t.Fatal(err)
	}
	for user, role := range map[string]store.Role{approver1: store.RoleApprover, approver2: store.RoleApprover, moderator: store.RoleModerator} {
		if _, err := f.s.SetRole(ctx, admin, user, role); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// op returns a fresh operation ID.
func (f *fixture) op() string { return fmt.Sprintf("op-%d", f.ops.Add(1)) }

// request opens a request by moderator for accounts.
func (f *fixture) request(t *testing.T, approvals int, ttl time.Duration, accounts ...string) *store.Request {
	t.Helper()
	if len(accounts) == 0 {
		accounts = []string{"acct1", "acct2"}
	}
	r, err := f.s.CreateRequest(t.Context(), store.NewRequest{
		OpID:      f.op(),
		Target:    store.Target{Kind: store.KindGroup, ID: "@TGS#1ABC", GroupType: "Public"},
		Accounts:  accounts,
		Reason:    "appeal accepted",
		Requester: moderator,
		Channel:   "CAPPROVAL",
		TTL:       ttl,
		Approvals: approvals,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// approved opens a request and approves it.
func (f *fixture) approved(t *testing.T, accounts ...string) *store.Request {
	t.Helper()
	r := f.request(t, 1, time.Hour, accounts...)
	r, err := f.s.Approve(t.Context(), r.ID, approver1, f.op())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// waitRedisPast polls Redis's clock until it is past t.
func waitRedisPast(t *testing.T, s *store.Store, at time.Time) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		now, err := s.Now(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if now.After(at) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis clock %v never passed %v", now, at)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// auditCount counts the request's audit entries with this action and outcome.
func auditCount(t *testing.T, s *store.Store, requestID string, action store.AuditAction, outcome store.AuditOutcome) int {
	t.Helper()
	n := 0
	cursor := ""
	for {
		page, err := s.Audit(context.Background(), store.AuditFilter{RequestID: requestID}, cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			if e.Action == action && (outcome == "" || e.Outcome == outcome) {
				n++
			}
		}
		if page.Next == "" {
			return n
		}
		cursor = page.Next
	}
}

func cutID(id string) (ms, seq int64, ok bool) {
	var n int
	n, _ = fmt.Sscanf(id, "%d-%d", &ms, &seq)
	return ms, seq, n == 2
}

func storeXLen(t *testing.T, s *store.Store) (int64, error) {
	t.Helper()
	return s.XLen(t.Context())
}

func indexSize(t *testing.T, s *store.Store, key string) int64 {
	t.Helper()
	n, err := s.ZCard(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
