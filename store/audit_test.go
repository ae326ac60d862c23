package store_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
)

// appendEntries writes n entries cycling through actors, groups and accounts
// and returns their IDs, oldest first.
func appendEntries(t *testing.T, s *store.Store, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id, err := s.Append(t.Context(), store.AuditEntry{
			Actor:      fmt.Sprintf("U%d", i%3),
			Action:     "roles",
			TargetKind: "group",
			Target:     fmt.Sprintf("G%d", i%2),
			Accounts:   []string{fmt.Sprintf("acct%d", i%5), "common"},
			Outcome:    "ok",
			Detail:     fmt.Sprint(i),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// query pages through all matching entries and returns their details.
func query(t *testing.T, s *store.Store, f store.AuditFilter, pageSize int) []string {
	t.Helper()
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		page, err := s.Audit(t.Context(), f, cursor, pageSize)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) > pageSize {
			t.Fatalf("page of %d, limit %d", len(page.Entries), pageSize)
		}
		for _, e := range page.Entries {
			got = append(got, e.Detail)
		}
		if page.Next == "" {
			return got
		}
		cursor = page.Next
	}
}

func TestAuditQuery(t *testing.T) {
	s := storetest.New(t)
	appendEntries(t, s, 30)
	want := func(keep func(i int) bool) []string {
		var out []string
		for i := 29; i >= 0; i-- {
			if keep(i) {
				out = append(out, fmt.Sprint(i))
			}
		}
		return out
	}
	tests := []struct {
		name   string
		filter store.AuditFilter
		want   []string
	}{
		{"All", store.AuditFilter{}, want(func(int) bool { return true })},
		{"Actor", store.AuditFilter{Actor: "U1"}, want(func(i int) bool { return i%3 == 1 })},
		{"Group", store.AuditFilter{Group: "G0"}, want(func(i int) bool { return i%2 == 0 })},
		{"Account", store.AuditFilter{Account: "acct4"}, want(func(i int) bool { return i%5 == 4 })},
		{"SecondAccount", store.AuditFilter{Account: "common"}, want(func(int) bool { return true })},
		{"ActorAndGroup", store.AuditFilter{Actor: "U2", Group: "G1"}, want(func(i int) bool { return i%3 == 2 && i%2 == 1 })},
		{"ThreeFilters", store.AuditFilter{Actor: "U0", Group: "G0", Account: "acct0"}, want(func(i int) bool { return i%30 == 0 })},
		{"RoomNotGroup", store.AuditFilter{Room: "G0"}, nil},
		{"NoMatch", store.AuditFilter{Actor: "U1", Account: "acct9"}, nil},
	}
	for _, tc := range tests {
		for _, size := range []int{1, 4, 100} {
			t.Run(fmt.Sprintf("%s/page%d", tc.name, size), func(t *testing.T) {
				if got := query(t, s, tc.filter, size); !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
	}
}

func TestAuditEntryFields(t *testing.T) {
	s := storetest.New(t)
	accounts := make([]string, 25)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("a%02d", i)
	}
	in := store.AuditEntry{Actor: "U1", Action: "unban", TargetKind: "room", Target: "R1", Accounts: accounts,
		RequestID: "req1", RequestNumber: 42, Outcome: "failed", Code: 10004, Detail: "bad", OpID: "op1",
		Kind: store.UnbanAction, ReasonCode: "spam"}
	id, err := s.Append(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Audit(t.Context(), store.AuditFilter{Account: "a24"}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 {
		t.Fatalf("%d entries for the 25th account, want 1", len(page.Entries))
	}
	got := page.Entries[0]
	if got.ID != id || got.Time.IsZero() || got.AccountCount != 25 || !slices.Equal(got.Accounts, accounts[:20]) {
		t.Fatalf("entry %+v", got)
	}
	got.ID, got.Time, got.Accounts, got.AccountCount = "", time.Time{}, accounts, 0
	if !equalEntries(got, in) {
		t.Fatalf("entry %+v, want %+v", got, in)
	}
}

func equalEntries(a, b store.AuditEntry) bool {
	return slices.Equal(a.Accounts, b.Accounts) && a.Actor == b.Actor && a.Action == b.Action &&
		a.TargetKind == b.TargetKind && a.Target == b.Target && a.RequestID == b.RequestID &&
		a.RequestNumber == b.RequestNumber && a.Outcome == b.Outcome && a.Code == b.Code &&
		a.Detail == b.Detail && a.OpID == b.OpID && a.Kind == b.Kind && a.ReasonCode == b.ReasonCode
}

func TestAuditTrimmedByAge(t *testing.T) {
	const retention = time.Second
	s := storetest.New(t, store.Options{AuditRetention: retention})
	ctx := t.Context()
	old := appendEntries(t, s, 3)
	oldMS, _, _ := cutID(old[2])
	waitRedisPast(t, s, time.UnixMilli(oldMS).Add(retention+time.Millisecond)) // entries at exactly now-retention are kept
	appendEntries(t, s, 1)

	for _, f := range []store.AuditFilter{{}, {Actor: "U0"}, {Account: "common"}} {
		page, err := s.Audit(ctx, f, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 1 || page.Entries[0].ID == old[0] {
			t.Fatalf("filter %+v: %d entries, want only the new one", f, len(page.Entries))
		}
	}
	// The old entries are gone from the stream and the indexes themselves.
	n, err := storeXLen(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("stream holds %d entries, want 1", n)
	}
	if got := indexSize(t, s, "audit:acct:common"); got != 1 {
		t.Fatalf("account index holds %d, want 1", got)
	}
}

func TestAuditFeed(t *testing.T) {
	s := storetest.New(t)
	ctx := t.Context()
	const total = 40
	var mu sync.Mutex
	posted := map[string]int{}
	done := make(chan struct{})

	poster := func(owner string) {
		for {
			select {
			case <-done:
				return
			default:
			}
			entries, err := s.FeedNext(ctx, owner, 7)
			if errors.Is(err, store.ErrLeaseHeld) {
				time.Sleep(2 * time.Millisecond)
				continue
			}
			if err != nil {
				t.Error(err)
				return
			}
			if len(entries) == 0 {
				time.Sleep(2 * time.Millisecond)
				continue
			}
			mu.Lock()
			for _, e := range entries {
				posted[e.ID]++
			}
			mu.Unlock()
			if err := s.FeedAck(ctx, owner, entries[len(entries)-1].ID); err != nil {
				t.Error(err)
				return
			}
			// Hand over after every batch, as replicas shutting down would.
			if err := s.FeedRelease(ctx, owner); err != nil {
				t.Error(err)
			}
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { poster("replica-a") })
	wg.Go(func() { poster("replica-b") })
	ids := appendEntries(t, s, total)

	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(posted)
		mu.Unlock()
		if n == total || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(done)
	wg.Wait()
	for _, id := range ids {
		if posted[id] != 1 {
			t.Fatalf("entry %s posted %d times, want once", id, posted[id])
		}
	}
	if len(posted) != total {
		t.Fatalf("%d entries posted, want %d", len(posted), total)
	}
}

func TestAuditFeedFenced(t *testing.T) {
	s := storetest.New(t, store.Options{FeedLease: time.Second})
	ctx := t.Context()
	ids := appendEntries(t, s, 3)
	got, err := s.FeedNext(ctx, "replica-a", 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("FeedNext = %d entries, %v", len(got), err)
	}
	if _, err := s.FeedNext(ctx, "replica-b", 10); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("second poster: err %v, want ErrLeaseHeld", err)
	}
	// replica-a stalls past its lease; replica-b takes over and re-reads
	// the unacknowledged lines; replica-a's late ack is refused.
	deadline := time.Now().Add(10 * time.Second)
	var entries []store.AuditEntry
	for {
		entries, err = s.FeedNext(ctx, "replica-b", 10)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrLeaseHeld) || time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(entries) != 3 || entries[0].ID != ids[0] {
		t.Fatalf("takeover read %d entries", len(entries))
	}
	if err := s.FeedAck(ctx, "replica-a", ids[2]); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("stale ack: err %v, want ErrLeaseLost", err)
	}
	if err := s.FeedAck(ctx, "replica-b", ids[1]); err != nil {
		t.Fatal(err)
	}
	entries, err = s.FeedNext(ctx, "replica-b", 10)
	if err != nil || len(entries) != 1 || entries[0].ID != ids[2] {
		t.Fatalf("after ack: %v, %v", entries, err)
	}
}
