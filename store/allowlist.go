package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Role is what a Slack user may do; each role has the rights of those below:
// RoleViewer < RoleModerator < RoleApprover < RoleAdmin.
type Role int

// Roles, in order. RoleNone is a user not on the allowlist.
const (
	RoleNone Role = iota
	RoleViewer
	RoleModerator
	RoleApprover
	RoleAdmin
)

// SystemActor is the actor of changes made outside Slack (the `modbot
// allow` subcommand, bootstrap). SetRole skips the admin check for it.
// It cannot be a Slack user ID.
const SystemActor = "@system"

var roleNames = [...]string{"", "viewer", "moderator", "approver", "admin"}

// String is the role's name ("viewer" … "admin"; "" for RoleNone).
func (r Role) String() string {
	if r < RoleNone || r > RoleAdmin {
		return fmt.Sprintf("Role(%d)", int(r))
	}
	return roleNames[r]
}

// ParseRole reads a role name ("viewer", "moderator", "approver", "admin",
// any case).
func ParseRole(s string) (Role, error) {
	if i := slices.Index(roleNames[:], strings.ToLower(s)); i > 0 {
		return Role(i), nil
	}
	return RoleNone, fmt.Errorf("unknown role %q (want viewer, moderator, approver or admin)", s)
}

// Member is a user on the allowlist.
type Member struct {
	User string // Slack user ID
	Role Role
}

// Role returns the user's role now, RoleNone if not on the allowlist.
// It is the global role: RoleOn gives the effective role on a target, Roles every scope.
func (s *Store) Role(ctx context.Context, user string) (Role, error) {
	v, err := s.rdb.HGet(ctx, s.key("allow"), user).Result()
	if errors.Is(err, redis.Nil) {
		return RoleNone, nil
	}
	if err != nil {
		return RoleNone, fmt.Errorf("role of %s: %w", user, err)
	}
	r, _ := ParseRole(v)
	return r, nil
}

// Members lists the allowlist, highest role first, then by user ID.
func (s *Store) Members(ctx context.Context) ([]Member, error) {
	m, err := s.rdb.HGetAll(ctx, s.key("allow")).Result()
	if err != nil {
		return nil, fmt.Errorf("allowlist: %w", err)
	}
	out := make([]Member, 0, len(m))
	for u, v := range m {
		r, _ := ParseRole(v)
		out = append(out, Member{User: u, Role: r})
	}
	slices.SortFunc(out, func(a, b Member) int {
		if a.Role != b.Role {
			return int(b.Role - a.Role)
		}
		return strings.Compare(a.User, b.User)
	})
	return out, nil
}

// SetRole gives user the role, as actor, and audits it. actor must be an
// admin at that moment (else ErrForbidden) or SystemActor. Demoting the last
// admin fails with ErrLastAdmin, atomically. It returns the previous role.
func (s *Store) SetRole(ctx context.Context, actor, user string, role Role) (Role, error) {
	if role <= RoleNone || role > RoleAdmin {
		return RoleNone, fmt.Errorf("set role of %s: invalid role %v", user, role)
	}
	return s.setRole(ctx, actor, user, role.String(), Scope{})
}

// RemoveRole takes user off the allowlist, as actor, and audits it; rules
// as for SetRole. A user not on the list gives ErrNotFound. It returns the
// previous role.
func (s *Store) RemoveRole(ctx context.Context, actor, user string) (Role, error) {
	return s.setRole(ctx, actor, user, "", Scope{})
}

// BootstrapAdmins makes each user an admin, but only while the allowlist has
// no admin at all (a first start, or a recovery after every admin was
// removed outside modbot); it returns those it made admins. Once an admin
// exists it changes nothing, so an admin revoked later is not made admin
// again at the next start.
func (s *Store) BootstrapAdmins(ctx context.Context, users []string) ([]string, error) {
	if len(users) == 0 {
		return nil, nil
	}
	args := make([]any, len(users))
	for i, u := range users {
		args[i] = u
	}
	v, err := s.run(ctx, s.scripts.bootstrap, args...)
	if err != nil {
		return nil, fmt.Errorf("bootstrap admins: %w", err)
	}
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for i := range list {
		out = append(out, str(list, i))
	}
	return out, nil
}

func (s *Store) setRole(ctx context.Context, actor, user, role string, sc Scope) (Role, error) {
	if user == "" || actor == "" {
		return RoleNone, errors.New("set role: no user or actor")
	}
	if !sc.Global() {
		if _, err := ParseScope(sc.String()); err != nil {
			return RoleNone, fmt.Errorf("set role of %s: %w", user, err)
		}
	}
	status, rest, err := s.runStatus(ctx, s.scripts.setRole, actor, user, role, sc.String())
	if err != nil {
		return RoleNone, fmt.Errorf("set role of %s: %w", user, err)
	}
	if status != "ok" {
		return RoleNone, replyError("set role of "+user+" by "+actor, "", status, rest)
	}
	prev, _ := ParseRole(str(rest, 0))
	return prev, nil
}
