package bot_test

import (
	"strings"
	"testing"
	"time"

	"modbot/tim/timtest"
)

// TestIntake_FullQueueLeavesTrace is the regression test of issue 10 item 6: with the worker
// queue full, a refused command and an audit write that could not be queued are still counted,
// logged and audited ("dropped"), and the ack never waits.
func TestIntake_FullQueueLeavesTrace(t *testing.T) {
	m := &decisionCounter{}
	e := newEnv(t,
		withBotOptions(func(o *botOptions) { o.Workers, o.Queue, o.Metrics = 1, 1, m }),
		func(c *envConfig) { c.tim.Latency = 3 * time.Second })
	g := e.tim.CreateGroup(timtest.Public)

	busy := 0
	for i := 0; i < 5 && busy == 0; i++ {
		ack := e.command(alice, moderation, "/roles", g+" u1")
		if strings.Contains(string(ack.Payload), "too busy") {
			busy++
		}
	}
	if busy == 0 {
		t.Fatal("no command was refused as too busy with one worker and a queue of one")
	}
	// The queue is still full: an invalid command's audit write cannot be queued either.
	ack := e.command(dave, moderation, "/unban", "")
	if !strings.Contains(string(ack.Payload), "Say which group") {
		t.Fatalf("ack = %s, want the usage", ack.Payload)
	}
	e.eventually("both drops counted", func() bool { return m.count("dropped:command") == 1 && m.count("dropped:audit") == 1 })
	e.eventually("both drops audited", func() bool {
		var cmd, audit bool
		for _, a := range e.auditEntries() {
			if a.Action != "dropped" {
				continue
			}
			cmd = cmd || a.Actor == alice && strings.Contains(a.Detail, "/roles: worker queue full, nothing was done")
			audit = audit || a.Actor == dave && strings.Contains(a.Detail, "invalid command")
		}
		return cmd && audit
	})
	if log := e.logs.String(); strings.Count(log, "worker queue full: dropped") != 2 {
		t.Errorf("want two drop log lines, log:\n%s", log)
	}
}
