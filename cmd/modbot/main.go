// Command modbot is a Slack chat-ops bot that moderates a Tencent Cloud Chat community.
//
// main does the OS work only; run dispatches a subcommand, and each subcommand builds its
// dependencies explicitly, in order.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"modbot/store"
)

// version is what a release build stamps with -ldflags "-X main.version=v1.2.3" (the Dockerfile
// passes its VERSION build argument). Left empty, buildVersion reads what the Go toolchain recorded.
var version string

// buildVersion is the version `modbot version`, the logs and modbot_build_info report.
func buildVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

// versionOf picks, in order: the stamped version; the module version the toolchain recorded (a
// tag such as v1.2.3, or a pseudo-version naming the commit, "+dirty" when the tree had changes);
// the VCS revision (12 hex digits, "-dirty" likewise); else "dev" (go run, or a tree without VCS).
func versionOf(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return "dev"
	}
	return rev + dirty
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store.QuietDriver() // failures reach the user once, as errors, through our own logger
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "modbot:", err)
	}
	os.Exit(exitCode(err))
}

// errUsage marks a command line modbot does not understand (exit status 2).
var errUsage = errors.New("usage")

// exitCode is the process status for run's error: 0 for none, 2 for bad configuration or a bad
// command line, 1 for anything else (a failed check, an unreachable dependency).
func exitCode(err error) int {
	var cfgErr *ConfigError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &cfgErr), errors.Is(err, errUsage):
		return 2
	}
	return 1
}

const usage = `modbot — a Slack chat-ops bot for Tencent Cloud Chat moderation

Usage:
  modbot sandbox [-addr host:port]  try modbot in your browser: fake Slack, Tencent and Redis, all local
  modbot run                        run the bot (MODBOT_SLACK_*, MODBOT_TIM_*, MODBOT_REDIS_URL or _SENTINEL_*)
  modbot check                      check the configuration and reach Redis, Slack and Tencent
  modbot allow <slack-user-id> <role> [group:<id> | room:<id>]
                                    put someone on the allowlist (viewer, moderator, approver, admin),
                                    everywhere or on one group or room
  modbot revoke <slack-user-id> [group:<id> | room:<id>]
                                    take someone off the allowlist, or their role on one target
  modbot who                        print the allowlist
  modbot healthcheck [host:port]    probe /healthz of a running modbot (default MODBOT_HTTP_ADDR)
  modbot version                    print the version
  modbot help                       print this help

allow, revoke and who need only Redis: MODBOT_REDIS_URL or MODBOT_REDIS_SENTINEL_ADDRS and
MODBOT_REDIS_SENTINEL_MASTER (and MODBOT_REDIS_PREFIX if set).
Configuration is read from MODBOT_* environment variables; see README.md.
Exit status: 0 success, 1 a check or dependency failed, 2 bad configuration or usage.
`

// run dispatches a subcommand. It returns a *ConfigError for bad configuration and errUsage for
// a bad command line (both exit status 2).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "help"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, "modbot", buildVersion())
		return nil
	case "run":
		if len(args) > 0 {
			return fmt.Errorf("%w: run takes no arguments", errUsage)
		}
		return serve(ctx, stderr)
	case "check":
		if len(args) > 0 {
			return fmt.Errorf("%w: check takes no arguments", errUsage)
		}
		return check(ctx, stdout)
	case "allow", "revoke", "who":
		return allowlist(ctx, cmd, args, stdout)
	case "healthcheck":
		return healthcheck(ctx, args, stdout)
	case "sandbox":
		return runSandbox(ctx, args, stdout, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown subcommand %q", errUsage, cmd)
	}
}
