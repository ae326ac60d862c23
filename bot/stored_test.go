package bot_test

import (
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

// With MODBOT_REDIS_MIN_REPLICAS above the replicas Redis has (the test Redis has none), every
// write a person is told about is done but unconfirmed: the requester's answer and the approval's
// note in the thread say it is not yet safely stored. An execution's lease is unconfirmed too, and
// a lease a failover could lose is not one to send under: nothing reaches Tencent until a replica
// confirms it. Without the setting nothing says so, and the unban runs and is told.
func TestUnconfirmedWritesAreSaid(t *testing.T) {
	for _, min := range []int{0, 1} {
		e := newEnv(t, func(c *envConfig) { c.store = store.Options{MinReplicas: min, ReplicaWait: 50 * time.Millisecond} })
		g := e.tim.CreateGroup(timtest.AVChatRoom)
		e.tim.Ban(g, "u1", time.Hour)
		root := unbanOpen(t, e, alice, g+" u1 -- appeal accepted")
		e.waitEphemeral(alice, "opened in <#"+approvals+">")
		if _, err := e.slack.Click(bob, approvals, root.TS, "approve", ""); err != nil {
			t.Fatal(err)
		}
		approval := func() string {
			for _, m := range e.slack.Thread(approvals, root.TS) {
				if t := m.VisibleText(); strings.Contains(t, "Approved by") {
					return t
				}
			}
			return ""
		}
		e.waitFor("the approval in the thread", func(*slacktest.Server) bool { return approval() != "" })
		if min == 0 {
			e.waitFor("alice's DM", func(s *slacktest.Server) bool { return len(s.DMs(alice)) == 1 })
			if e.tim.IsBanned(g, "u1") {
				t.Fatal("MinReplicas 0: u1 still banned")
			}
		} else {
			time.Sleep(time.Second) // several claims and renewals, none confirmed
			if got := len(unbanCallsWith(t, e, 0, "u1")); got != 0 || !e.tim.IsBanned(g, "u1") {
				t.Fatalf("MinReplicas 1 with no replica: %d unban calls; want none on an unconfirmed lease", got)
			}
			if !strings.Contains(e.logs.String(), "execution waits: the Redis replicas did not confirm its lease") {
				t.Error("MinReplicas 1 with no replica: the log does not say why the execution waits")
			}
		}
		said := map[string]bool{
			"the answer to /unban":       strings.Contains(e.ephemeralText(alice), "not yet safely stored"),
			"the approval in the thread": strings.Contains(approval(), "not yet safely stored"),
		}
		for where, ok := range said {
			if ok != (min > 0) {
				t.Errorf("MinReplicas %d: %s says 'not yet safely stored': %v, want %v", min, where, ok, min > 0)
			}
		}
	}
}
