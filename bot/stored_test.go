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
// write a person is told about is done but unconfirmed: the requester's answer and the outcome's
// DM, and the approval's note in the thread, say it is not yet safely stored. Without the setting nothing says so.
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
		e.waitFor("alice's DM", func(s *slacktest.Server) bool { return len(s.DMs(alice)) == 1 })
		approval := ""
		for _, m := range e.slack.Thread(approvals, root.TS) {
			if t := m.VisibleText(); strings.Contains(t, "Approved by") {
				approval = t
			}
		}
		said := map[string]bool{
			"the answer to /unban":       strings.Contains(e.ephemeralText(alice), "not yet safely stored"),
			"the approval in the thread": strings.Contains(approval, "not yet safely stored"),
			"the outcome's DM":           strings.Contains(e.slack.DMs(alice)[0].VisibleText(), "not yet safely stored"),
		}
		for where, ok := range said {
			if ok != (min > 0) {
				t.Errorf("MinReplicas %d: %s says 'not yet safely stored': %v, want %v", min, where, ok, min > 0)
			}
		}
	}
}
