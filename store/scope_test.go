package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"modbot/store"
)

const (
	groupA = "@TGS#1ABC" // the fixture's group
	groupB = "@TGS#2OTHER"
)

var (
	onA = store.Scope{Kind: store.KindGroup, ID: groupA}
	onB = store.Scope{Kind: store.KindGroup, ID: groupB}
)

// grant gives user role on sc, as the fixture's admin.
func (f *fixture) grant(t *testing.T, user string, role store.Role, sc store.Scope) {
	t.Helper()
	if _, err := f.s.SetScopedRole(t.Context(), admin, user, role, sc); err != nil {
		t.Fatal(err)
	}
}

// TestScopedRoleEffective: on a target the effective role is the higher of the global and the
// scoped one; elsewhere only the global one counts.
func TestScopedRoleEffective(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	room := store.Scope{Kind: store.KindRoom, ID: groupA} // same ID, other kind: another scope
	f.grant(t, "USCOPED", store.RoleApprover, onA)
	f.grant(t, "UVIEW", store.RoleApprover, onA)
	if _, err := f.s.SetRole(ctx, admin, "UVIEW", store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	f.grant(t, approver1, store.RoleViewer, onA) // a lower scoped role does not lower the global one
	for _, tc := range []struct {
		user string
		sc   store.Scope
		want store.Role
	}{
		{"USCOPED", onA, store.RoleApprover},
		{"USCOPED", onB, store.RoleNone},
		{"USCOPED", room, store.RoleNone},
		{"USCOPED", store.Scope{}, store.RoleNone},
		{"UVIEW", onA, store.RoleApprover},
		{"UVIEW", onB, store.RoleViewer},
		{approver1, onA, store.RoleApprover},
		{"UNOBODY", onA, store.RoleNone},
	} {
		got, err := f.s.RoleOn(ctx, tc.user, tc.sc)
		if err != nil || got != tc.want {
			t.Errorf("RoleOn(%s, %q) = %v, %v; want %v", tc.user, tc.sc, got, err, tc.want)
		}
	}
	roles, err := f.s.Roles(ctx, "UVIEW")
	if err != nil {
		t.Fatal(err)
	}
	if roles.Global != store.RoleViewer || fmt.Sprint(roles.Scoped) != "[{group:@TGS#1ABC approver}]" || roles.On(onA) != store.RoleApprover || roles.Highest() != store.RoleApprover {
		t.Fatalf("Roles(UVIEW) = %+v", roles)
	}
	if roles, _ := f.s.Roles(ctx, "UNOBODY"); !roles.None() {
		t.Fatalf("Roles(UNOBODY) = %+v, want none", roles)
	}
	list, err := f.s.ScopedMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(list); got != "[{UAPPR1 group:@TGS#1ABC viewer} {USCOPED group:@TGS#1ABC approver} {UVIEW group:@TGS#1ABC approver}]" {
		t.Fatalf("ScopedMembers = %s", got)
	}
	// Revoking the scoped role leaves the global one, and the user leaves the scoped index.
	if prev, err := f.s.RemoveScopedRole(ctx, admin, "UVIEW", onA); err != nil || prev != store.RoleApprover {
		t.Fatalf("RemoveScopedRole = %v, %v", prev, err)
	}
	if _, err := f.s.RemoveScopedRole(ctx, admin, "UVIEW", onA); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second revoke: %v, want ErrNotFound", err)
	}
	if got, _ := f.s.RoleOn(ctx, "UVIEW", onA); got != store.RoleViewer {
		t.Fatalf("after revoke UVIEW on A is %v, want viewer", got)
	}
	if list, _ := f.s.ScopedMembers(ctx); len(list) != 2 {
		t.Fatalf("ScopedMembers after revoke = %v", list)
	}
	// The audit log names the scope.
	page, err := f.s.Audit(ctx, store.AuditFilter{}, "", 1)
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Detail != "approver ->  on group:"+groupA || page.Entries[0].Action != "revoke" {
		t.Fatalf("last audit entry %+v, %v", page.Entries, err)
	}
}

// TestScopedRoleManagement: only global admins manage the allowlist (a scoped admin cannot,
// even on their own target), and the last-admin rule counts only global admins.
func TestScopedRoleManagement(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.grant(t, "USADMIN", store.RoleAdmin, onA)
	if _, err := f.s.SetScopedRole(ctx, "USADMIN", "UX", store.RoleModerator, onA); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("scoped admin granting on their own target: %v, want ErrForbidden", err)
	}
	if _, err := f.s.SetScopedRole(ctx, approver1, "UX", store.RoleModerator, onA); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("approver granting: %v, want ErrForbidden", err)
	}
	if _, err := f.s.SetScopedRole(ctx, store.SystemActor, "UX", store.RoleModerator, onB); err != nil {
		t.Fatalf("system granting: %v", err)
	}
	// UADMIN is the only global admin: a scoped admin does not make removing them possible.
	if _, err := f.s.RemoveRole(ctx, admin, admin); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("removing the last global admin with a scoped admin left: %v, want ErrLastAdmin", err)
	}
	if _, err := f.s.SetRole(ctx, admin, admin, store.RoleApprover); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("demoting the last global admin: %v, want ErrLastAdmin", err)
	}
	// Scoped admins come and go freely.
	if _, err := f.s.RemoveScopedRole(ctx, admin, "USADMIN", onA); err != nil {
		t.Fatal(err)
	}
	// A global admin's scoped entry does not count as a second admin either.
	f.grant(t, admin, store.RoleAdmin, onB)
	if _, err := f.s.RemoveRole(ctx, admin, admin); !errors.Is(err, store.ErrLastAdmin) {
		t.Fatalf("last admin with a scoped admin entry: %v, want ErrLastAdmin", err)
	}
	// Bad scopes are refused before Redis.
	if _, err := f.s.SetScopedRole(ctx, admin, "UX", store.RoleModerator, store.Scope{Kind: "channel", ID: "x"}); err == nil {
		t.Fatal("a channel scope was accepted")
	}
	if _, err := f.s.SetScopedRole(ctx, admin, "UX", store.RoleModerator, store.Scope{Kind: store.KindRoom, ID: "a,b"}); err == nil || !strings.Contains(err.Error(), "byte") {
		t.Fatalf("a bad room ID: %v", err)
	}
}

func TestParseScope(t *testing.T) {
	for in, want := range map[string]string{
		"group:@TGS#1": "group:@TGS#1", "ROOM:r-1": "room:r-1", "group:a:b": "group:a:b",
		"group:": "error", "chan:x": "error", "room": "error", "room:caf\u00e9": "error",
		"group:" + strings.Repeat("g", 49): "error",
	} {
		sc, err := store.ParseScope(in)
		got := sc.String()
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("ParseScope(%q) = %q (%v), want %q", in, got, err, want)
		}
	}
}

// TestScopedRolesInScripts: every request script checks the effective role on the request's
// target: a scoped moderator may ask on their target only, a scoped approver decide there only,
// and the quorum re-check honours (and drops) scoped approvers.
func TestScopedRolesInScripts(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.grant(t, "USMOD", store.RoleModerator, onA)
	f.grant(t, "USAPPR", store.RoleApprover, onA)
	f.grant(t, "UBAPPR", store.RoleApprover, onB)
	open := func(requester, group string, approvals int) (*store.Request, error) {
		return f.s.CreateRequest(ctx, f.actionReq(store.NewRequest{Requester: requester, Approvals: approvals, TTL: time.Hour,
			Target: store.Target{Kind: store.KindGroup, ID: group, GroupType: "Public"}, Reason: "r"}))
	}
	if _, err := open("USMOD", groupB, 1); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("scoped moderator asking off-scope: %v, want ErrForbidden", err)
	}
	r, err := open("USMOD", groupA, 1)
	if err != nil {
		t.Fatalf("scoped moderator asking on their group: %v", err)
	}
	if _, err := f.s.Approve(ctx, r.ID, "UBAPPR", f.op()); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("approver of group B approving on A: %v, want ErrForbidden", err)
	}
	if _, err := f.s.Deny(ctx, r.ID, "UBAPPR", f.op(), "no"); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("approver of group B denying on A: %v, want ErrForbidden", err)
	}
	if r, err = f.s.Approve(ctx, r.ID, "USAPPR", f.op()); err != nil || r.State != store.Approved {
		t.Fatalf("scoped approver on A: %v, %v", r, err)
	}

	// Quorum of 2: a scoped approval counts while the scope stays, and is dropped when it goes.
	q, err := open(moderator, groupA, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Approve(ctx, q.ID, "USAPPR", f.op()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RemoveScopedRole(ctx, admin, "USAPPR", onA); err != nil {
		t.Fatal(err)
	}
	if q, err = f.s.Approve(ctx, q.ID, approver1, f.op()); err != nil || q.State != store.Pending || fmt.Sprint(q.DroppedApprovals) != "[USAPPR]" {
		t.Fatalf("quorum after the scoped approver lost the scope: %+v, %v", q, err)
	}
	f.grant(t, "USAPPR", store.RoleApprover, onA)
	if _, err := f.s.Approve(ctx, q.ID, "USAPPR", f.op()); err != nil {
		t.Fatal(err)
	}
	f.grant(t, "USAPPR2", store.RoleApprover, onA)
	if q, err = f.s.Request(ctx, q.ID); err != nil || q.State != store.Approved {
		t.Fatalf("quorum with a re-granted scoped approver: %v, %v", q.State, err)
	}
	// The quorum re-check keeps a scoped requester who still has the scope: r was approved above.

	// Retry: a scoped approver of another group may not; one of this group may.
	failed := f.execute(t, r, map[string]store.Outcome{"acct1": {Code: 10002}})
	if _, err := f.s.Retry(ctx, failed.ID, "UBAPPR", f.op()); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("retry off-scope: %v, want ErrForbidden", err)
	}
	if _, err := f.s.Retry(ctx, failed.ID, "USAPPR", f.op()); err != nil {
		t.Fatalf("retry by the scoped approver: %v", err)
	}

	// Undo: the same rule.
	u := f.undoable(t, store.BanAction, 3600, []string{"x1"}, nil, nil)
	if _, err := f.s.Undo(ctx, u.ID, "UBAPPR", f.op()); !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("undo off-scope: %v, want ErrForbidden", err)
	}
	if _, err := f.s.Undo(ctx, u.ID, "USAPPR", f.op()); err != nil {
		t.Fatalf("undo by the scoped approver: %v", err)
	}
}

// TestScriptsCheckRolesOnTarget keeps every request script honest, including those added later:
// a role check in a script other than the allowlist's own passes the request's target to
// role_rank, so a scoped role counts there (and only there).
func TestScriptsCheckRolesOnTarget(t *testing.T) {
	files, err := filepath.Glob("lua/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("lua files: %v, %v", files, err)
	}
	call := regexp.MustCompile(`role_rank\(([^()]*)\)`)
	checked := 0
	for _, file := range files {
		name := filepath.Base(file)
		// lib.lua defines it; the allowlist, watched targets and notes are not about one request's
		// target, so they need a global role.
		if name == "lib.lua" || name == "setrole.lua" || name == "watch.lua" || name == "note.lua" {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			checked++
			if args := strings.Split(m[1], ","); len(args) != 3 {
				t.Errorf("%s: %s checks the global role only; pass the request's target (kind, id)", name, m[0])
			}
		}
	}
	if checked < 5 {
		t.Fatalf("found %d role checks in the scripts, want at least 5", checked)
	}
}
