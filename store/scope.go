package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Scope is what a role applies to: the zero Scope is global (every target), else one group or
// room. On a target, a person's effective role is the higher of their global role and their role
// scoped to that target (RoleOn); views across targets need a global role.
type Scope struct {
	Kind TargetKind // "" = global
	ID   string
}

// Global reports whether the scope is the zero (global) one.
func (sc Scope) Global() bool { return sc.Kind == "" }

// String is "group:<id>" or "room:<id>", as /modbot allow takes it; "" for the global scope.
func (sc Scope) String() string {
	if sc.Global() {
		return ""
	}
	return string(sc.Kind) + ":" + sc.ID
}

// ScopeOf is the scope of one target (a request's, a command's).
func ScopeOf(t Target) Scope { return Scope{Kind: t.Kind, ID: t.ID} }

// ParseScope reads "group:<id>" or "room:<id>" (the kind in any case). The ID must be non-empty
// printable ASCII without ',' (callers check the byte rules and length where they name them).
func ParseScope(s string) (Scope, error) {
	kind, id, ok := strings.Cut(s, ":")
	k := TargetKind(strings.ToLower(kind))
	if !ok || (k != KindGroup && k != KindRoom) {
		return Scope{}, fmt.Errorf("scope %q: want group:<id> or room:<id>", s)
	}
	if id == "" {
		return Scope{}, fmt.Errorf("scope %q: the %s ID is empty", s, k)
	}
	if len(id) > maxScopeIDBytes {
		return Scope{}, fmt.Errorf("scope %q: the %s ID is %d bytes, at most %d", s, k, len(id), maxScopeIDBytes)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e || c == ',' {
			return Scope{}, fmt.Errorf("scope %q: byte %d is %#02x (an ID is printable ASCII without ',')", s, len(kind)+2+i, c)
		}
	}
	return Scope{Kind: k, ID: id}, nil
}

// maxScopeIDBytes is the longest group or room ID (Tencent's 48 bytes).
const maxScopeIDBytes = 48

// ScopedRole is one role of a person on one target.
type ScopedRole struct {
	Scope Scope
	Role  Role
}

// Roles is everything a person has on the allowlist: a global role (RoleNone if none) and their
// scoped roles, by kind then ID.
type Roles struct {
	Global Role
	Scoped []ScopedRole
}

// None reports whether the person is not on the allowlist at all.
func (r Roles) None() bool { return r.Global == RoleNone && len(r.Scoped) == 0 }

// On is the effective role on the scope: the higher of the global and the scoped role there
// (the global role for the global scope).
func (r Roles) On(sc Scope) Role {
	best := r.Global
	if sc.Global() {
		return best
	}
	for _, s := range r.Scoped {
		if s.Scope == sc && s.Role > best {
			best = s.Role
		}
	}
	return best
}

// Highest is the highest role the person has anywhere (global or scoped).
func (r Roles) Highest() Role {
	best := r.Global
	for _, s := range r.Scoped {
		best = max(best, s.Role)
	}
	return best
}

// ScopedMember is one scoped entry of the allowlist.
type ScopedMember struct {
	User  string
	Scope Scope
	Role  Role
}

// RoleOn returns the user's effective role on the scope now: the higher of the global role and
// the role scoped to it (one round trip). The global scope gives the global role.
func (s *Store) RoleOn(ctx context.Context, user string, sc Scope) (Role, error) {
	if sc.Global() {
		return s.Role(ctx, user)
	}
	pipe := s.rdb.Pipeline()
	g := pipe.HGet(ctx, s.key("allow"), user)
	sr := pipe.HGet(ctx, s.key("allow:s:"+user), sc.String())
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return RoleNone, fmt.Errorf("role of %s on %s: %w", user, sc, err)
	}
	r1, _ := ParseRole(g.Val())
	r2, _ := ParseRole(sr.Val())
	return max(r1, r2), nil
}

// Roles returns the user's global role and every scoped one (one round trip).
func (s *Store) Roles(ctx context.Context, user string) (Roles, error) {
	pipe := s.rdb.Pipeline()
	g := pipe.HGet(ctx, s.key("allow"), user)
	all := pipe.HGetAll(ctx, s.key("allow:s:"+user))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Roles{}, fmt.Errorf("roles of %s: %w", user, err)
	}
	var out Roles
	out.Global, _ = ParseRole(g.Val())
	for k, v := range all.Val() {
		sc, err := ParseScope(k)
		r, _ := ParseRole(v)
		if err == nil && r != RoleNone {
			out.Scoped = append(out.Scoped, ScopedRole{Scope: sc, Role: r})
		}
	}
	slices.SortFunc(out.Scoped, func(a, b ScopedRole) int { return compareScope(a.Scope, b.Scope) })
	return out, nil
}

// ScopedMembers lists every scoped entry of the allowlist, by user, then kind and ID.
func (s *Store) ScopedMembers(ctx context.Context) ([]ScopedMember, error) {
	users, err := s.rdb.SMembers(ctx, s.key("allow:scoped")).Result()
	if err != nil {
		return nil, fmt.Errorf("scoped allowlist: %w", err)
	}
	slices.Sort(users)
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(users))
	for i, u := range users {
		cmds[i] = pipe.HGetAll(ctx, s.key("allow:s:"+u))
	}
	if len(users) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("scoped allowlist: %w", err)
		}
	}
	var out []ScopedMember
	for i, u := range users {
		var mine []ScopedMember
		for k, v := range cmds[i].Val() {
			sc, err := ParseScope(k)
			r, _ := ParseRole(v)
			if err == nil && r != RoleNone {
				mine = append(mine, ScopedMember{User: u, Scope: sc, Role: r})
			}
		}
		slices.SortFunc(mine, func(a, b ScopedMember) int { return compareScope(a.Scope, b.Scope) })
		out = append(out, mine...)
	}
	return out, nil
}

// SetScopedRole gives user the role on one target (the zero Scope: globally, as SetRole), as
// actor, and audits it with the scope. Only a global admin (or SystemActor) may change the
// allowlist, scoped entries included (ErrForbidden). It returns the previous role on that scope.
func (s *Store) SetScopedRole(ctx context.Context, actor, user string, role Role, sc Scope) (Role, error) {
	if role <= RoleNone || role > RoleAdmin {
		return RoleNone, fmt.Errorf("set role of %s: invalid role %v", user, role)
	}
	return s.setRole(ctx, actor, user, role.String(), sc)
}

// RemoveScopedRole takes user's role on one target away (the zero Scope: RemoveRole), as actor,
// and audits it; ErrNotFound if they had none there. Their global role and other scopes stay.
func (s *Store) RemoveScopedRole(ctx context.Context, actor, user string, sc Scope) (Role, error) {
	return s.setRole(ctx, actor, user, "", sc)
}

func compareScope(a, b Scope) int {
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
