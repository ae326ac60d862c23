// Package scale is modbot's scale and fault suite: Go tests that prove the properties operators
// rely on when several replicas share one Slack app, one Redis and one Tencent app, and Go
// benchmarks that measure them. It has no code of its own; everything is in its tests.
//
// Every run starts the fake Slack (bot/slacktest, which spreads envelopes round-robin over every
// open Socket Mode connection as Slack does), the Tencent emulator (tim/timtest), a redis-server of
// its own (store/storetest) and several replicas: in-process bots (system.Build with distinct replica
// IDs, each with its own Redis pool, shared rate limiter and tim client) or real processes — the
// `modbot run` binary built with CGO_ENABLED=0 (internal/modbotbin), given a short execution lease
// with MODBOT_LEASE_TTL.
//
// The properties:
//
//   - TestExactlyOnce: unban requests opened and approved concurrently across 3 replicas, with
//     redelivered and resent envelopes, double clicks and racing approvers: every request executed,
//     none lost, none duplicated, and no account's unban sent again once it succeeded (counted per
//     group and account from the emulator's log). Then, on the same replicas, bans (each waiting
//     for a Confirm clicked twice) and mutes, each command delivered twice, and Undo clicked three
//     times at once on most: each action and each Undo runs once, no account is sent twice for
//     one request (counted per account and call kind), an overwritten shorter ban comes back.
//   - TestSharedRateLimit: 3 replicas unbanning at once never exceed MODBOT_TIM_RATE calls in any
//     sliding one-second window at the emulator, which refuses none.
//   - TestFaults: Redis killed and restarted, Tencent answering 30% of calls with 10002 or HTTP
//     502, Tencent slow (2 s a call), Slack disconnects and abrupt closes during approvals.
//   - TestProcessFaults: a replica killed with SIGKILL while executing (an unban, and a confirmed
//     ban then undone), one paused with SIGSTOP past its lease and resumed with SIGCONT, and a
//     SIGTERM drain.
//   - TestLoad: slash commands at 100 a second; ack latency, errors, goroutines and memory.
//   - TestFailover: Redis under Sentinel (primary, two replicas, three sentinels) and three
//     `modbot run` processes with MODBOT_REDIS_MIN_REPLICAS=1; the primary SIGKILLed while a
//     2,000-account unban executes and 100 requests are being approved: no decision a thread
//     showed is lost, nothing is executed or sent twice, and how long commands went unanswered
//     is reported against Sentinel's own failover time (MODBOT_SCALE=full also runs it with 0).
//
// Each reports figures (requests lost, executed twice, secrets leaked…) in its log.
//
// # Sizes
//
// `go test ./scale/` (as CI runs it) uses small sizes that still prove each property and finish
// in well under a minute and a half on two cores under -race. MODBOT_SCALE=full selects the sizes
// of issue 7 (200 requests; 3 × 10,000 accounts at 200 calls a second; 30 s of load at 100
// commands a second; process faults with `modbot run`'s default 30 s lease):
//
//	go test -count=1 -v -run . ./scale/                                       # small, as CI
//	MODBOT_SCALE=full go test -count=1 -v -timeout 30m -run . ./scale/        # full-size tests
//	MODBOT_SCALE=full go test -count=1 -run '^$' -bench . -benchtime 1x -timeout 30m ./scale/
//
// docs/BENCHMARKS.md lists the latest figures.
package scale
