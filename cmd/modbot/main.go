// Command modbot is a Slack chat-ops bot that moderates a Tencent Cloud Chat community.
//
// main does the OS work only; run builds every dependency explicitly, in order.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	var cfgErr *ConfigError
	switch {
	case err == nil:
	case errors.As(err, &cfgErr), errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "modbot:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "modbot:", err)
		os.Exit(1)
	}
}

// errUsage marks a command line modbot does not understand.
var errUsage = errors.New("usage")

const usage = `modbot — a Slack chat-ops bot for Tencent Cloud Chat moderation

Usage:
  modbot run       run the bot (needs MODBOT_SLACK_*, MODBOT_TIM_*, MODBOT_REDIS_URL)
  modbot version   print the version
  modbot help      print this help

Configuration is read from MODBOT_* environment variables; see README.md.
`

// run dispatches a subcommand. It returns a *ConfigError for bad configuration (exit status 2).
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
		fmt.Fprintln(stdout, "modbot", version)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown subcommand %q", errUsage, cmd)
	}
}
