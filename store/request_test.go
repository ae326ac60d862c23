package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"modbot/store"
)

func TestCreateRequest(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.request(t, 2, time.Hour, "a1", "a2", "a3")
	if r.Number < 1 || r.ID == "" {
		t.Fatalf("number %d, id %q", r.Number, r.ID)
	}
	if got, want := r.State, store.Pending; got != want {
		t.Fatalf("state %s, want %s", got, want)
	}
	if got, want := r.ApprovalsNeeded, 2; got != want {
		t.Fatalf("approvals needed %d, want %d", got, want)
	}
	if !slices.Equal(r.Accounts, []string{"a1", "a2", "a3"}) {
		t.Fatalf("accounts %v", r.Accounts)
	}
	if d := r.ExpiresAt.Sub(r.CreatedAt); d != time.Hour {
		t.Fatalf("expires - created = %v, want 1h", d)
	}
	if !r.Owes(store.EffectRoot) {
		t.Fatalf("owed %v, want root", r.Owed)
	}
	if got, want := r.Target, (store.Target{Kind: store.KindGroup, ID: "@TGS#1ABC", GroupType: "Public"}); got != want {
		t.Fatalf("target %+v, want %+v", got, want)
	}

	second := f.request(t, 1, time.Hour)
	if got, want := second.Number, r.Number+1; got != want {
		t.Fatalf("second number %d, want %d", got, want)
	}

	byNum, err := f.s.RequestByNumber(ctx, r.Number)
	if err != nil || byNum.ID != r.ID {
		t.Fatalf("RequestByNumber = %v, %v", byNum, err)
	}
	if _, err := f.s.Request(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Request(nope) err %v, want ErrNotFound", err)
	}
	if _, err := f.s.RequestByNumber(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RequestByNumber(999999) err %v, want ErrNotFound", err)
	}

	pending, err := f.s.PendingRequests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(pending), 2; got != want {
		t.Fatalf("%d pending, want %d", got, want)
	}

	l, _, err := f.s.ClaimLease(ctx, r.ID, "replica-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r, err = f.s.SetRoot(ctx, l, "CAPPROVAL", "1700000000.000100")
	if err != nil {
		t.Fatal(err)
	}
	if r.ThreadTS != "1700000000.000100" || r.Owes(store.EffectRoot) {
		t.Fatalf("after SetRoot: ts %q, owed %v", r.ThreadTS, r.Owed)
	}
	if got := auditCount(t, f.s, r.ID, "request", "pending"); got != 1 {
		t.Fatalf("%d request audit entries, want 1", got)
	}
}

func TestCreateRequestSameOp(t *testing.T) {
	f := newFixture(t)
	nr := store.NewRequest{OpID: "trigger-1", Target: store.Target{Kind: store.KindRoom, ID: "room1"},
		Accounts: []string{"a"}, Requester: moderator, TTL: time.Hour}
	r1, err := f.s.CreateRequest(t.Context(), nr)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := f.s.CreateRequest(t.Context(), nr)
	if err != nil {
		t.Fatal(err)
	}
	if r1.ID != r2.ID || r1.Number != r2.Number {
		t.Fatalf("same op created %s (#%d) and %s (#%d)", r1.ID, r1.Number, r2.ID, r2.Number)
	}
}

func TestCreateRequestRefused(t *testing.T) {
	f := newFixture(t)
	base := store.NewRequest{OpID: "x", Target: store.Target{Kind: store.KindGroup, ID: "g"},
		Accounts: []string{"a"}, Requester: moderator, TTL: time.Hour}
	tests := []struct {
		name   string
		edit   func(*store.NewRequest)
		target error
	}{
		{"ViewerRequester", func(n *store.NewRequest) { n.Requester = "UNOBODY" }, store.ErrForbidden},
		{"NoAccounts", func(n *store.NewRequest) { n.Accounts = nil }, nil},
		{"AccountWithSpace", func(n *store.NewRequest) { n.Accounts = []string{"a b"} }, nil},
		{"BadKind", func(n *store.NewRequest) { n.Target.Kind = "channel" }, nil},
		{"NoOp", func(n *store.NewRequest) { n.OpID = "" }, nil},
		{"NoTTL", func(n *store.NewRequest) { n.TTL = 0 }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nr := base
			nr.OpID = tc.name
			tc.edit(&nr)
			_, err := f.s.CreateRequest(t.Context(), nr)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Fatalf("err %v, want %v", err, tc.target)
			}
		})
	}
}
