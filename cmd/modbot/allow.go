package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"modbot/store"
)

// allowlist runs `modbot allow <slack-user-id> <role> [group:<id> | room:<id>]`, `modbot revoke
// <slack-user-id> [group:<id> | room:<id>]` and `modbot who`: the allowlist from a shell, for the
// first admin. They need only Redis; changes are made as store.SystemActor and audited like those
// made in Slack, and the last global admin cannot be removed or demoted.
func allowlist(ctx context.Context, cmd string, args []string, stdout io.Writer) error {
	var (
		user  string
		role  store.Role
		scope store.Scope
	)
	if (cmd == "allow" && len(args) == 3) || (cmd == "revoke" && len(args) == 2) {
		sc, err := store.ParseScope(args[len(args)-1])
		if err != nil {
			return fmt.Errorf("%w: %s %s: %v", errUsage, cmd, args[0], err)
		}
		scope, args = sc, args[:len(args)-1]
	}
	switch {
	case cmd == "allow" && len(args) == 2:
		user = args[0]
		r, err := store.ParseRole(args[1])
		if err != nil {
			return fmt.Errorf("%w: allow %s: %v", errUsage, user, err)
		}
		role = r
	case cmd == "revoke" && len(args) == 1:
		user = args[0]
	case cmd == "who" && len(args) == 0:
	default:
		return fmt.Errorf("%w: modbot allow <slack-user-id> <role> [group:<id> | room:<id>] | revoke <slack-user-id> [group:<id> | room:<id>] | who", errUsage)
	}
	if cmd != "who" && !isSlackID(user, "U", "W") {
		return fmt.Errorf("%w: %q is not a Slack member ID: want one such as U0123ABCD (in Slack: profile > ⋮ > Copy member ID)", errUsage, user)
	}

	cfg, err := loadConfig(needs{redis: true})
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.storeOptions())
	if err != nil {
		return fmt.Errorf("open redis: %w", err)
	}
	defer st.Close()

	switch cmd {
	case "allow":
		prev, err := st.SetScopedRole(ctx, store.SystemActor, user, role, scope)
		if err != nil {
			return allowError(err)
		}
		if !scope.Global() {
			fmt.Fprintf(stdout, "%s is now %s on %s (was %s there)\n", user, role, scope, roleOrNone(prev))
			break
		}
		fmt.Fprintf(stdout, "%s is now %s (was %s)\n", user, role, roleOrNone(prev))
	case "revoke":
		prev, err := st.RemoveScopedRole(ctx, store.SystemActor, user, scope)
		if errors.Is(err, store.ErrNotFound) && !scope.Global() {
			return fmt.Errorf("%s has no role on %s", user, scope)
		}
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s is not on the allowlist", user)
		}
		if err == nil && !scope.Global() {
			fmt.Fprintf(stdout, "%s no longer has a role on %s (was %s)\n", user, scope, prev)
			break
		}
		if err != nil {
			return allowError(err)
		}
		fmt.Fprintf(stdout, "%s removed from the allowlist (was %s)\n", user, prev)
	case "who":
		members, err := st.Members(ctx)
		if err != nil {
			return err
		}
		scoped, err := st.ScopedMembers(ctx)
		if err != nil {
			return err
		}
		if len(members) == 0 && len(scoped) == 0 {
			fmt.Fprintln(stdout, "the allowlist is empty: add the first admin with `modbot allow <slack-user-id> admin`")
		}
		for _, m := range members {
			fmt.Fprintf(stdout, "%-12s %s\n", m.User, m.Role)
		}
		for _, m := range scoped {
			fmt.Fprintf(stdout, "%-12s %s on %s\n", m.User, m.Role, m.Scope)
		}
	}
	return nil
}

// allowError explains a refused allowlist change.
func allowError(err error) error {
	if errors.Is(err, store.ErrLastAdmin) {
		return errors.New("refused: that would leave the allowlist without an admin; make someone else admin first")
	}
	return err
}

func roleOrNone(r store.Role) string {
	if r == store.RoleNone {
		return "not on the allowlist"
	}
	return r.String()
}
