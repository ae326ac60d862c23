package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"modbot/store"
	"modbot/store/storetest"
)

func TestRoles(t *testing.T) {
	s := storetest.New(t)
	ctx := t.Context()
	added, err := s.BootstrapAdmins(ctx, []string{"UA", "UB"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(added, []string{"UA", "UB"}) {
		t.Fatalf("bootstrapped %v", added)
	}
	if _, err := s.SetRole(ctx, "UA", "UB", store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	// A later bootstrap, with an admin on the list, changes nothing.
	added, err = s.BootstrapAdmins(ctx, []string{"UA", "UB", "UC"})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 0 {
		t.Fatalf("second bootstrap added %v, want none", added)
	}
	if _, err := s.SetRole(ctx, "UA", "UC", store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Role(ctx, "UB"); got != store.RoleViewer {
		t.Fatalf("UB is %v, want viewer", got)
	}
	if got, _ := s.Role(ctx, "UNKNOWN"); got != store.RoleNone {
		t.Fatalf("unknown user is %v", got)
	}
	if _, err := s.SetRole(ctx, "UB", "UD", store.RoleModerator); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("viewer granting: err %v, want ErrForbidden", err)
	}
	if _, err := s.SetRole(ctx, store.SystemActor, "UD", store.RoleApprover); err != nil {
		t.Fatal(err)
	}
	prev, err := s.RemoveRole(ctx, "UA", "UB")
	if err != nil || prev != store.RoleViewer {
		t.Fatalf("RemoveRole = %v, %v", prev, err)
	}
	if _, err := s.RemoveRole(ctx, "UA", "UB"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing twice: err %v, want ErrNotFound", err)
	}
	members, err := s.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Member{{"UA", store.RoleAdmin}, {"UC", store.RoleAdmin}, {"UD", store.RoleApprover}}
	if !slices.Equal(members, want) {
		t.Fatalf("members %v, want %v", members, want)
	}
}

// TestBootstrap_RevokedStaysRevoked: MODBOT_BOOTSTRAP_ADMINS grants admin only while the
// allowlist has no admin, so an admin revoked after the first start is not made admin again by
// the next start (every start calls BootstrapAdmins), while a list left without any admin can be
// recovered by it.
func TestBootstrap_RevokedStaysRevoked(t *testing.T) {
	s := storetest.New(t)
	ctx := t.Context()
	boot := []string{"UA", "UB"}
	if added, err := s.BootstrapAdmins(ctx, boot); err != nil || !slices.Equal(added, boot) {
		t.Fatalf("first start: added %v, err %v; want %v", added, err, boot)
	}
	if _, err := s.RemoveRole(ctx, "UA", "UB"); err != nil { // UB is offboarded
		t.Fatal(err)
	}
	for start := 2; start <= 3; start++ {
		added, err := s.BootstrapAdmins(ctx, boot)
		if err != nil {
			t.Fatal(err)
		}
		if len(added) != 0 {
			t.Fatalf("start %d: bootstrap added %v, want none (UA is an admin)", start, added)
		}
		if got, _ := s.Role(ctx, "UB"); got != store.RoleNone {
			t.Fatalf("start %d: revoked UB is %v, want not on the allowlist", start, got)
		}
	}
	// A demoted bootstrap admin stays demoted too.
	if _, err := s.SetRole(ctx, "UA", "UB", store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BootstrapAdmins(ctx, boot); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Role(ctx, "UB"); got != store.RoleViewer {
		t.Fatalf("demoted UB is %v after a start, want viewer", got)
	}

	t.Run("Recovery", func(t *testing.T) {
		// Every admin removed by hand in Redis: the next start makes the listed users admins,
		// raising UB from viewer.
		if err := s.DeleteRole(ctx, "UA"); err != nil {
			t.Fatal(err)
		}
		added, err := s.BootstrapAdmins(ctx, boot)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(added, boot) {
			t.Fatalf("recovery added %v, want %v", added, boot)
		}
		for _, u := range boot {
			if got, _ := s.Role(ctx, u); got != store.RoleAdmin {
				t.Fatalf("%s is %v after recovery, want admin", u, got)
			}
		}
		page, err := s.Audit(ctx, store.AuditFilter{Actor: store.SystemActor}, "", 20)
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, e := range page.Entries {
			if e.Action == "bootstrap" {
				details = append(details, e.Target+":"+e.Detail)
			}
		}
		if !slices.Contains(details, "UB:viewer -> admin") {
			t.Fatalf("bootstrap audit %v, want UB's viewer -> admin", details)
		}
	})
}

func TestParseRole(t *testing.T) {
	for _, r := range []store.Role{store.RoleViewer, store.RoleModerator, store.RoleApprover, store.RoleAdmin} {
		got, err := store.ParseRole(r.String())
		if err != nil || got != r {
			t.Fatalf("ParseRole(%q) = %v, %v", r.String(), got, err)
		}
	}
	if _, err := store.ParseRole("owner"); err == nil {
		t.Fatal("ParseRole(owner) succeeded")
	}
}

func TestLastAdmin(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *store.Store, t *testing.T) error
	}{
		{"Remove", func(s *store.Store, t *testing.T) error {
			_, err := s.RemoveRole(t.Context(), "UA", "UA")
			return err
		}},
		{"Demote", func(s *store.Store, t *testing.T) error {
			_, err := s.SetRole(t.Context(), "UA", "UA", store.RoleApprover)
			return err
		}},
		{"System", func(s *store.Store, t *testing.T) error {
			_, err := s.RemoveRole(t.Context(), store.SystemActor, "UA")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.New(t)
			if _, err := s.BootstrapAdmins(t.Context(), []string{"UA"}); err != nil {
				t.Fatal(err)
			}
			if err := tc.change(s, t); !errors.Is(err, store.ErrLastAdmin) {
				t.Fatalf("err %v, want ErrLastAdmin", err)
			}
			if got, _ := s.Role(t.Context(), "UA"); got != store.RoleAdmin {
				t.Fatalf("UA is %v, want admin", got)
			}
		})
	}
}

func TestAdminsRemovingEachOther(t *testing.T) {
	for range 20 {
		s := storetest.New(t)
		ctx := t.Context()
		if _, err := s.BootstrapAdmins(ctx, []string{"UA", "UB"}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		wg.Go(func() { <-start; _, errs[0] = s.RemoveRole(ctx, "UA", "UB") })
		wg.Go(func() { <-start; _, errs[1] = s.RemoveRole(ctx, "UB", "UA") })
		close(start)
		wg.Wait()
		members, err := s.Members(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != 1 || members[0].Role != store.RoleAdmin {
			t.Fatalf("members %v, want one admin (errs %v)", members, errs)
		}
		failed := 0
		for _, err := range errs {
			if err != nil {
				failed++
				if !errors.Is(err, store.ErrForbidden) && !errors.Is(err, store.ErrLastAdmin) {
					t.Fatalf("err %v, want ErrForbidden or ErrLastAdmin", err)
				}
			}
		}
		if failed != 1 {
			t.Fatalf("%d removals failed, want 1", failed)
		}
	}
}
