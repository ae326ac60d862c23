package bot

import (
	"errors"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// TestLeaseBound_SlackRetryEndsWithLease: a Slack call made under a lease cannot outlive it. Slack
// answers 429 with a Retry-After of 60 s, which slack-go waits out before trying again; under a
// 1 s lease the call ends with the lease, unsent, instead of posting a minute later (by when
// another replica may have taken the request over and posted the same message).
func TestLeaseBound_SlackRetryEndsWithLease(t *testing.T) {
	sl := slacktest.NewServer(t, slacktest.Options{})
	sl.AddChannel("C0APPROVALS", "mod-approvals", true)
	tm := timtest.NewServer(t, timtest.Options{})
	tc, err := tim.New(tim.Options{SDKAppID: tm.SDKAppID(), SecretKey: tm.SecretKey(), Admin: tm.Admin(), BaseURL: tm.URL})
	if err != nil {
		t.Fatal(err)
	}
	so := sl.Options()
	b, err := New(Options{AppToken: so.AppToken, BotToken: so.BotToken, APIURL: sl.URL, ApprovalChannel: "C0APPROVALS"},
		tc, storetest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	posts := func() int {
		n := 0
		for _, c := range sl.Calls() {
			if c.Method == "chat.postMessage" {
				n++
			}
		}
		return n
	}

	const ttl = time.Second
	clock := newLeaseClock(ttl)
	clock.renewed(time.Now())
	ctx := withLeaseClock(t.Context(), clock)
	sl.RateLimitNext("chat.postMessage", time.Minute)
	start := time.Now()
	_, err = b.post(ctx, "C0APPROVALS", "", note("the result"))
	if took := time.Since(start); took > 5*ttl {
		t.Fatalf("the post took %v under a %v lease: it waited out Slack's Retry-After", took, ttl)
	}
	if !errors.Is(err, errLeaseLost) {
		t.Fatalf("post err = %v, want errLeaseLost", err)
	}
	if got := posts(); got != 1 {
		t.Fatalf("chat.postMessage called %d times, want once (the 429)", got)
	}
	// Once the clock lapsed, nothing is sent at all.
	if _, err := b.post(ctx, "C0APPROVALS", "", note("late")); !errors.Is(err, errLeaseLost) {
		t.Fatalf("post after the lease: err = %v, want errLeaseLost", err)
	}
	if err := b.dm(ctx, "U0ALICE", note("late")); !errors.Is(err, errLeaseLost) {
		t.Fatalf("DM after the lease: err = %v, want errLeaseLost", err)
	}
	if got := posts(); got != 1 {
		t.Fatalf("chat.postMessage called %d times, want still once", got)
	}
	if got := len(sl.Messages("C0APPROVALS")); got != 0 {
		t.Fatalf("%d messages posted, want none", got)
	}
	// Without a lease (a reply to a click, say) a call is not bounded by one.
	if _, err := b.post(t.Context(), "C0APPROVALS", "", note("no lease")); err != nil {
		t.Fatal(err)
	}
}
