package scale_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"modbot/bot"
	"modbot/internal/system"
	"modbot/store"
	"modbot/tim"
)

// envReplica makes the test binary run one replica instead of the tests: a real process that the
// process-fault tests can SIGKILL, SIGSTOP and SIGTERM with a short execution lease. `modbot run`
// has no setting for the lease (30 s), which would make each such test wait half a minute; at
// full size (MODBOT_SCALE=full) the tests run `modbot run` itself.
const envReplica = "MODBOT_SCALE_REPLICA"

// Settings only the re-executed replica reads.
const (
	envLeaseTTL = "MODBOT_SCALE_LEASE_TTL"
	envSweep    = "MODBOT_SCALE_SWEEP"
)

func TestMain(m *testing.M) {
	if os.Getenv(envReplica) == "1" {
		os.Exit(replicaMain())
	}
	os.Exit(m.Run())
}

// replicaMain runs a replica from the MODBOT_* environment until SIGTERM, then drains.
func replicaMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := runReplica(ctx, os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "replica:", err)
		return 1
	}
	return 0
}

// runReplica wires a replica the way `modbot run` does (store, shared limiter, tim client, bot),
// from the subset of MODBOT_* the suite sets, plus the lease and sweep settings.
func runReplica(ctx context.Context, getenv func(string) string, logOut io.Writer) error {
	num := func(name string) (int, error) {
		n, err := strconv.Atoi(getenv(name))
		if err != nil {
			return 0, fmt.Errorf("%s: want a number", name)
		}
		return n, nil
	}
	dur := func(name string) (time.Duration, error) {
		d, err := time.ParseDuration(getenv(name))
		if err != nil {
			return 0, fmt.Errorf("%s: want a duration such as 2s", name)
		}
		return d, nil
	}
	appID, err := num("MODBOT_TIM_SDKAPPID")
	if err != nil {
		return err
	}
	rate, err := num("MODBOT_TIM_RATE")
	if err != nil {
		return err
	}
	maxAccounts, err := num("MODBOT_MAX_ACCOUNTS")
	if err != nil {
		return err
	}
	lease, err := dur(envLeaseTTL)
	if err != nil {
		return err
	}
	sweep, err := dur(envSweep)
	if err != nil {
		return err
	}
	drain, err := dur("MODBOT_DRAIN_TIMEOUT")
	if err != nil {
		return err
	}

	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sys, err := system.Open(ctx, system.Config{
		Store: store.Options{URL: getenv("MODBOT_REDIS_URL"), Prefix: getenv("MODBOT_REDIS_PREFIX")},
		Tim: tim.Options{
			SDKAppID: appID, SecretKey: getenv("MODBOT_TIM_SECRET_KEY"), Admin: getenv("MODBOT_TIM_ADMIN"),
			BaseURL: getenv("MODBOT_TIM_BASE_URL"),
		},
		Rate: rate,
		Bot: bot.Options{
			AppToken: getenv("MODBOT_SLACK_APP_TOKEN"), BotToken: getenv("MODBOT_SLACK_BOT_TOKEN"),
			APIURL: getenv("MODBOT_SLACK_API_URL"), ApprovalChannel: getenv("MODBOT_APPROVAL_CHANNEL"),
			AuditChannel: getenv("MODBOT_AUDIT_CHANNEL"), RequireReason: true, MaxAccounts: maxAccounts,
			LeaseTTL: lease, Sweep: sweep, Logger: log,
		},
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	b := sys.Bot
	log.Info("modbot running", "version", "scale-replica")
	return b.Run(ctx, drain)
}
