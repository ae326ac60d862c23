package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"modbot/store"
	"modbot/tim"
)

// UseActionCommands registers /ban, /mute and /unmute for one test, until the action parser is
// in the command table, with a small parser of their own: "[room] <id> <account>... [for
// <n><m|h|d|w>|permanent] [-- [code:] reason]". The pipeline is what these tests exercise. Call
// it before starting bots; the commands go away when the test ends.
func UseActionCommands(tb testing.TB) {
	tb.Cleanup(func() { testCommands = nil })
	for _, a := range []store.ActionKind{store.BanAction, store.MuteAction, store.UnmuteAction} {
		testCommands = append(testCommands, command{
			CommandSpec: CommandSpec{Command: "/" + string(a)},
			role:        store.RoleModerator,
			parse:       func(in cmdText, cfg ParseConfig) (Command, error) { return testParseAction(a, in, cfg) },
			handle:      handler((*Bot).handleAction),
		})
	}
}

func testParseAction(a store.ActionKind, in cmdText, cfg ParseConfig) (*ActionCmd, error) {
	args, reason, _ := in.splitReason()
	var d time.Duration
	var rest []cmdToken
	for i := 0; i < len(args); i++ {
		if args[i].s != "for" {
			rest = append(rest, args[i])
			continue
		}
		if i+1 == len(args) {
			return nil, errors.New("for without a duration")
		}
		i++
		v := args[i].s
		if v == "permanent" {
			d = tim.Permanent
			continue
		}
		n, err := strconv.Atoi(v[:len(v)-1])
		unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[v[len(v)-1]]
		if err != nil || unit == 0 {
			return nil, fmt.Errorf("bad duration %q", v)
		}
		d = time.Duration(n) * unit
	}
	if len(rest) == 0 {
		return nil, errors.New("say which group")
	}
	target, rest, err := parseTarget(rest, true)
	if err != nil {
		return nil, err
	}
	accounts, err := parseAccounts(rest, cfg, "after the ID")
	if err != nil {
		return nil, err
	}
	c := &ActionCmd{Action: a, Target: target, Accounts: accounts, Duration: d, Reason: cleanReason(reason)}
	if code, text, ok := strings.Cut(c.Reason, ":"); ok && code == "spam" {
		c.ReasonCode, c.Reason = code, strings.TrimSpace(text)
	}
	return c, nil
}
