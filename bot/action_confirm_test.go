package bot_test

import (
	"testing"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/tim/timtest"
)

// TestBan_ConfirmOnAnotherReplicaRunsAtOnce: with two replicas, the Confirm click reaches the
// replica that did not open the request (the fake Slack, as Slack does, spreads envelopes
// round-robin over the connections), and the ban runs at once: the replica that opened it keeps
// no lease on it while it waits for the Confirm, so nothing waits for a lease to lapse and a
// sweep to find the request.
func TestBan_ConfirmOnAnotherReplicaRunsAtOnce(t *testing.T) {
	e := newActionEnv(t, withoutBot(), withBotOptions(func(o *bot.Options) {
		o.ConfirmOver = 2
		o.LeaseTTL = time.Minute // longer than the test waits
		o.Sweep = time.Hour      // no sweep comes to the rescue
	}))
	e.startBot()
	e.startBot()
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.command(alice, moderation, "/ban", g+" u1 u2 u3 for 1d -- spam")
	var prompt slacktest.Message
	e.waitFor("the Confirm prompt", func(s *slacktest.Server) bool {
		for _, m := range s.Ephemeral(alice) {
			if hasButton(m, "confirm") {
				prompt = m
				return true
			}
		}
		return false
	})
	r := requestNumber(t, e, 1)
	if _, err := e.slack.Click(alice, moderation, prompt.TS, "confirm", r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the root", func(*slacktest.Server) bool { return len(e.rootMessages()) == 1 })
	unbanWaitRoot(t, e, e.rootMessages()[0].TS, "done")
	for _, u := range []string{"u1", "u2", "u3"} {
		if !e.tim.IsBanned(g, u) {
			t.Fatalf("%s not banned after Confirm", u)
		}
	}
}
