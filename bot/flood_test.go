package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

// TestFlood_StrangerClicks is a regression test of issue 10 item 5: a stranger clicking Approve
// 200 times on a 1,000-account request is refused every time, but audited once, with the
// account count and without one index entry per account.
func TestFlood_StrangerClicks(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	accounts := unbanAccounts("a", 1000)
	root := unbanOpen(t, e, alice, g+" "+strings.Join(accounts, " ")+" -- appeal")
	for i := range 200 {
		if _, err := e.slack.Click(dave, approvals, root.TS, "approve", ""); err != nil {
			t.Fatalf("click %d: %v", i, err)
		}
	}
	e.waitFor("200 refusals answered", func(s *slacktest.Server) bool {
		return strings.Count(e.ephemeralText(dave), "not on modbot's allowlist") == 200
	})
	time.Sleep(200 * time.Millisecond) // let any stray audit write land
	var mine []store.AuditEntry
	for _, a := range e.auditEntries() {
		if a.Actor == dave {
			mine = append(mine, a)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("dave's audit entries = %d, want 1", len(mine))
	}
	if a := mine[0]; a.AccountCount != 1000 || len(a.Accounts) != 0 || a.RequestNumber != 1 {
		t.Errorf("entry = %+v, want request #1 with 1,000 accounts counted, none listed", a)
	}
	for _, acct := range []string{accounts[0], accounts[999]} {
		page, err := e.store.Audit(t.Context(), store.AuditFilter{Account: acct}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 1 || page.Entries[0].Action != "request" {
			t.Errorf("%s's index holds %d entries, want only the request's", acct, len(page.Entries))
		}
	}
	if r := unbanRequest(t, e, 1); r.State != store.Pending || len(r.Approvals) != 0 {
		t.Fatalf("request = %s with %d approvals, want pending with none", r.State, len(r.Approvals))
	}
}

// TestFlood_InvalidAndHelp: a person's invalid commands and help requests are audited once a
// minute each, however many they send; every one is still answered.
func TestFlood_InvalidAndHelp(t *testing.T) {
	e := newEnv(t)
	for range 20 {
		e.command(dave, elsewhere, "/unban", "")
		e.command(dave, elsewhere, "/modbot", "help")
	}
	e.eventually("both kinds audited", func() bool {
		var invalid, help int
		for _, a := range e.auditEntries() {
			switch {
			case a.Actor == dave && a.Action == "invalid":
				invalid++
			case a.Actor == dave && a.Action == "help":
				help++
			}
		}
		return invalid == 1 && help == 1
	})
	time.Sleep(200 * time.Millisecond)
	n := 0
	for _, a := range e.auditEntries() {
		if a.Actor == dave {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("dave's audit entries = %d, want 2 (one invalid, one help)", n)
	}
}

// TestFlood_OpenRequestCap is a regression test of issue 10 item 5: past Options.MaxOpenRequests
// a requester is told why nothing was opened, and it is audited.
func TestFlood_OpenRequestCap(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.MaxOpenRequests = 2 }))
	g := e.tim.CreateGroup(timtest.Public)
	unbanOpen(t, e, alice, g+" u1 -- one")
	unbanOpen(t, e, alice, g+" u2 -- two")
	e.command(alice, moderation, "/unban", g+" u3 u4 -- three")
	e.waitEphemeral(alice, "You have 2 requests open already")
	if got := len(e.rootMessages()); got != 2 {
		t.Fatalf("root messages = %d, want 2", got)
	}
	e.eventually("refusal audited", func() bool {
		for _, a := range e.auditEntries() {
			if a.Actor == alice && a.Action == "request" && a.Outcome == "refused" && a.AccountCount == 2 {
				return true
			}
		}
		return false
	})
}

// TestFlood_BannedListingCut is a regression test of issue 10 item 5: a /banned answer past the
// entries modbot keeps for paging says the listing was cut, counts every entry, and what it
// stores stays within the result store's limit.
func TestFlood_BannedListingCut(t *testing.T) {
	e := newEnv(t)
	e.tim.CreateRoom("big")
	const n = 10050
	for i := range n {
		e.tim.BanInRoom("big", fmt.Sprintf("b%05d", i), 48*time.Hour+time.Duration(i)*time.Second)
	}
	e.command(vic, elsewhere, "/banned", "room big")
	msg := answer(e, vic, "10,050 accounts are")
	text := msg.VisibleText()
	for _, want := range []string{"The listing is cut", "10,000 bans that end soonest", "the 50 that end last", "of 10,000"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%.2000s", want, text)
		}
	}
	// The stored result behind the Next button: at most the kept entries, within the limit.
	var next string
	for _, b := range msg.Buttons() {
		if b.ActionID == "page_next" {
			next = b.Value
		}
	}
	id, _, _ := strings.Cut(next, ":")
	raw, err := e.store.GetResult(t.Context(), id)
	if err != nil {
		t.Fatalf("stored result %q: %v", next, err)
	}
	t.Logf("stored result: %d bytes, %.2f of MaxResultBytes", len(raw), float64(len(raw))/store.MaxResultBytes)
	if len(raw) > store.MaxResultBytes/2 {
		t.Errorf("stored result is %d bytes, want well under %d", len(raw), store.MaxResultBytes)
	}
	var r struct {
		Banned struct {
			Entries []json.RawMessage `json:"entries"`
		} `json:"banned"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Banned.Entries) != 10000 {
		t.Errorf("stored entries = %d (err %v), want 10,000", len(r.Banned.Entries), err)
	}
}

// TestFlood_ForeignPayloads: payloads from another workspace are refused every time and audited
// once a minute per person.
func TestFlood_ForeignPayloads(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.TeamID = "T0TESTTEAM" }))
	for range 20 {
		ack, err := e.slack.SlashCommand(alice, moderation, "/roles", "@TGS#1abc u1", slacktest.WithTeamID("T0EVIL"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(ack.Payload), "does not serve this workspace") {
			t.Fatalf("ack = %s, want a refusal", ack.Payload)
		}
	}
	e.eventually("the refusal audited", func() bool { return unbanRefusals(e, alice) == 1 })
	time.Sleep(200 * time.Millisecond)
	if n := unbanRefusals(e, alice); n != 1 {
		t.Fatalf("audited refusals = %d, want 1", n)
	}
}
