package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"modbot/store"
)

// allowlist runs `modbot allow <slack-user-id> <role>`, `modbot revoke <slack-user-id>` and
// `modbot who`: the allowlist from a shell, for the first admin. They need only Redis; changes
// are made as store.SystemActor and audited like those made in Slack, and the last admin cannot
// be removed or demoted.
func allowlist(ctx context.Context, cmd string, args []string, stdout io.Writer) error {
	var (
		user string
		role store.Role
	)
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
		return fmt.Errorf("%w: modbot allow <slack-user-id> <role> | revoke <slack-user-id> | who", errUsage)
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
		prev, err := st.SetRole(ctx, store.SystemActor, user, role)
		if err != nil {
			return allowError(err)
		}
		fmt.Fprintf(stdout, "%s is now %s (was %s)\n", user, role, roleOrNone(prev))
	case "revoke":
		prev, err := st.RemoveRole(ctx, store.SystemActor, user)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s is not on the allowlist", user)
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
		if len(members) == 0 {
			fmt.Fprintln(stdout, "the allowlist is empty: add the first admin with `modbot allow <slack-user-id> admin`")
		}
		for _, m := range members {
			fmt.Fprintf(stdout, "%-12s %s\n", m.User, m.Role)
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
