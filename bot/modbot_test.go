package bot_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/tim/timtest"
)

func TestModbot_Whoami(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		user, want string
	}{
		{vic, "*viewer*"}, {alice, "*moderator*"}, {bob, "*approver*"}, {carol, "*admin*"},
		{dave, "not on modbot's allowlist"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			e.command(tc.user, moderation, "/modbot", "whoami")
			answer(e, tc.user, tc.want)
		})
	}
	if got := e.timCalls(); got != 0 {
		t.Fatalf("tencent calls = %d, want 0", got)
	}
}

func TestModbot_Who(t *testing.T) {
	e := newEnv(t)
	e.command(vic, elsewhere, "/modbot", "who")
	text := answer(e, vic, "allowlist").VisibleText()
	for _, want := range []string{
		"*Admins* (1): <@U0CAROL>", "*Approvers* (2): <@U0BOB>, <@U0ERIN>", "*Moderators* (1): <@U0ALICE>", "*Viewers* (1): <@U0VIC>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("who lacks %q:\n%s", want, text)
		}
	}
	e.command(dave, elsewhere, "/modbot", "who")
	answer(e, dave, "not on modbot's allowlist")
}

func TestModbot_AllowRevoke(t *testing.T) {
	e := newEnv(t)
	role := func(user string) store.Role {
		r, err := e.store.Role(t.Context(), user)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	steps := []struct {
		user, text string
		want       string // in the answer
		dave       store.Role
	}{
		{carol, "allow <@U0DAVE|dave> viewer", "<@U0DAVE> is now on modbot's allowlist as *viewer*", store.RoleViewer},
		{carol, "allow U0DAVE approver", "<@U0DAVE> is now *approver* (was viewer)", store.RoleApprover},
		{bob, "allow <@U0DAVE|dave> admin", "needs the *admin* role", store.RoleApprover},
		{bob, "revoke <@U0DAVE|dave>", "needs the *admin* role", store.RoleApprover},
		{carol, "revoke <@U0DAVE|dave>", "<@U0DAVE> is off modbot's allowlist (was approver)", store.RoleNone},
		{carol, "revoke <@U0DAVE|dave>", "<@U0DAVE> is not on modbot's allowlist", store.RoleNone},
		{carol, "revoke <@U0CAROL|carol>", "without an admin", store.RoleNone},
		{carol, "allow <@U0CAROL|carol> viewer", "without an admin", store.RoleNone},
	}
	for i, s := range steps {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if got := reply(e, s.user, moderation, "/modbot", s.text).VisibleText(); !strings.Contains(got, s.want) {
				t.Errorf("%s: answer = %q, want %q", s.text, got, s.want)
			}
			if got := role(dave); got != s.dave {
				t.Errorf("after %q dave is %v, want %v", s.text, got, s.dave)
			}
		})
	}
	if got := role(carol); got != store.RoleAdmin {
		t.Fatalf("the last admin lost the role: %v", got)
	}
	// The store audits every change with carol as the actor; the bot audits the refusals.
	var allows, revokes, refused int
	for _, a := range e.auditEntries() {
		switch {
		case a.Actor == carol && a.Action == "allow" && a.Outcome == "ok":
			allows++
		case a.Actor == carol && a.Action == "revoke" && a.Outcome == "ok":
			revokes++
		case a.Outcome == "refused":
			refused++
		}
	}
	if allows != 2 || revokes != 1 || refused < 4 {
		t.Fatalf("audit: %d allows, %d revokes, %d refusals; want 2, 1, at least 4", allows, revokes, refused)
	}
}

func TestModbot_Pending(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	e.command(alice, moderation, "/unban", g+" u1 u2 -- appeal accepted")
	e.waitFor("the first root message", func(s *slacktest.Server) bool { return len(s.Messages(approvals)) == 1 })
	e.command(alice, moderation, "/unban", "room lobby u3 -- second")
	e.waitFor("two root messages", func(s *slacktest.Server) bool { return len(s.Messages(approvals)) == 2 })
	e.eventually("both roots recorded", func() bool {
		reqs, err := e.store.PendingRequests(t.Context())
		return err == nil && len(reqs) == 2 && reqs[0].ThreadTS != "" && reqs[1].ThreadTS != ""
	})

	text := reply(e, vic, moderation, "/modbot", "pending").VisibleText()
	first := strings.Index(text, "*#2* room `lobby`, 1 account, by <@U0ALICE>, expires <!date^")
	second := strings.Index(text, "*#1* group `"+g+"`, 2 accounts, by <@U0ALICE>, expires <!date^")
	if first < 0 || second < 0 || first > second {
		t.Fatalf("pending does not list #2 then #1:\n%s", text)
	}
	for _, root := range e.rootMessages() {
		link := "<https://slack.com/archives/" + approvals + "/p" + strings.ReplaceAll(root.TS, ".", "") + "|thread>"
		if !strings.Contains(text, link) {
			t.Errorf("pending lacks the link %s:\n%s", link, text)
		}
	}
	e.command(dave, moderation, "/modbot", "pending")
	answer(e, dave, "not on modbot's allowlist")
}

// dateLine matches the start of an audit line.
var dateLine = regexp.MustCompile(`(?m)^<!date\^`)

func TestModbot_Log(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *bot.Options) { o.Reasons = []bot.ReasonCode{{Code: "appeal", Label: "Appeal accepted"}} }))
	ctx := t.Context()
	add := func(actor, kind, target, detail string, accounts ...string) {
		t.Helper()
		_, err := e.store.Append(ctx, store.AuditEntry{Actor: actor, Action: "test", TargetKind: kind, Target: target,
			Accounts: accounts, AccountCount: len(accounts), Outcome: "ok", Detail: detail})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(bob, "group", "@TGS#2one", "m-bob-group", "acct1", "acct2")
	add(alice, "room", "lobby", "m-alice-room", "acct2")
	add(bob, "room", "lobby", "m-bob-room", "acct3")
	add(erin, "group", "@TGS#2two", "m-erin-group", "acct1")
	for _, k := range []struct {
		kind         store.ActionKind
		code, detail string
	}{{store.BanAction, "spam", "m-ban-spam"}, {store.MuteAction, "spam", "m-mute-spam"}, {store.BanAction, "abuse", "m-ban-abuse"}} {
		if _, err := e.store.Append(ctx, store.AuditEntry{Actor: bob, Action: store.AuditAction(k.kind), TargetKind: "group", Target: "@TGS#2two",
			Outcome: "ok", Detail: k.detail, Kind: k.kind, ReasonCode: k.code}); err != nil {
			t.Fatal(err)
		}
	}
	g := e.tim.CreateGroup(timtest.Public)
	e.command(alice, moderation, "/unban", g+" acct9 -- Appeal: m-request <!channel>")
	e.waitFor("root message", func(s *slacktest.Server) bool { return len(s.Messages(approvals)) == 1 })

	for _, tc := range []struct {
		filter string
		want   []string // markers, in order
		not    []string
	}{
		{"account:acct1", []string{"m-erin-group", "m-bob-group"}, []string{"m-alice-room", "m-bob-room"}},
		{"group:@TGS#2one", []string{"m-bob-group"}, []string{"m-erin-group", "m-alice-room"}},
		{"room:lobby", []string{"m-bob-room", "m-alice-room"}, []string{"m-bob-group"}},
		{"by:<@U0BOB|bob>", []string{"m-bob-room", "m-bob-group"}, []string{"m-alice-room", "m-erin-group"}},
		{"by:<@U0BOB|bob> room:lobby", []string{"m-bob-room"}, []string{"m-bob-group", "m-alice-room"}},
		{"#1", []string{"m-request &lt;!channel&gt;"}, []string{"m-bob-group"}},
		{"action:ban", []string{"m-ban-abuse", "m-ban-spam"}, []string{"m-mute-spam", "m-request", "m-bob-group"}},
		{"action:unban", []string{"*request* unban", "m-request"}, []string{"m-ban-spam", "m-bob-group"}},
		{"reason:SPAM", []string{"· reason `spam`", "m-mute-spam", "m-ban-spam"}, []string{"m-ban-abuse", "m-request"}},
		{"action:ban reason:spam group:@TGS#2two", []string{"m-ban-spam"}, []string{"m-mute-spam", "m-ban-abuse", "m-erin-group"}},
		{"action:unmute", []string{"action:unmute"}, []string{"m-"}},
		{"reason:appeal", []string{"*request* unban", "· reason `appeal` · `m-request &lt;!channel&gt;`"}, []string{"m-ban", "m-bob-group"}},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			text := reply(e, vic, moderation, "/modbot", "log "+tc.filter).VisibleText()
			last := -1
			for _, w := range tc.want {
				i := strings.Index(text, w)
				if i < 0 || i < last {
					t.Errorf("log %s lacks %q or shows it out of order:\n%s", tc.filter, w, text)
				}
				last = i
			}
			for _, n := range append(tc.not, "<!channel>") {
				if strings.Contains(text, n) {
					t.Errorf("log %s shows %q:\n%s", tc.filter, n, text)
				}
			}
		})
	}

	if got := len(dateLine.FindAllString(reply(e, vic, moderation, "/modbot", "log -n 3").VisibleText(), -1)); got != 3 {
		t.Fatalf("log -n 3 shows %d entries", got)
	}
	if got := reply(e, vic, moderation, "/modbot", "log #99").VisibleText(); !strings.Contains(got, "no request #99") {
		t.Fatalf("log #99 = %q", got)
	}
}

func TestModbot_LogPaging(t *testing.T) {
	e := newEnv(t)
	for i := range 25 {
		if _, err := e.store.Append(t.Context(), store.AuditEntry{Actor: bob, Action: "test", Outcome: "ok", Detail: fmt.Sprintf("entry-%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	e.command(vic, moderation, "/modbot", "log by:<@U0BOB|bob> -n 10")
	msg := answer(e, vic, "entry-24")
	forward, back := pageThrough(e, vic, moderation, msg)
	if len(forward) != 3 || len(back) != 3 {
		t.Fatalf("pages forward %d, back %d; want 3 and 3", len(forward), len(back))
	}
	entry := regexp.MustCompile(`entry-\d\d`)
	var order []string
	for _, page := range forward {
		order = append(order, entry.FindAllString(page, -1)...)
	}
	if len(order) != 25 {
		t.Fatalf("%d entries over the pages, want 25: %v", len(order), order)
	}
	for i, got := range order {
		if want := fmt.Sprintf("entry-%02d", 24-i); got != want {
			t.Fatalf("entry %d = %s, want %s (newest first, each once)", i, got, want)
		}
	}
	if back[len(back)-1] != forward[0] {
		t.Fatalf("Newer back to the start shows\n%s\nwant\n%s", back[len(back)-1], forward[0])
	}
}

// TestModbot_PendingPaged: more open requests than one message holds are paged with Next / Prev,
// and every one of them is reachable.
func TestModbot_PendingPaged(t *testing.T) {
	e := newEnv(t)
	const n = 150
	for i := range n {
		_, err := e.store.CreateRequest(t.Context(), store.NewRequest{
			OpID: fmt.Sprintf("op-%d", i), Target: store.Target{Kind: store.KindRoom, ID: "lobby"},
			Accounts: []string{fmt.Sprintf("acct%03d", i)}, Reason: "paging", Requester: alice,
			Channel: approvals, TTL: time.Hour,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	first := reply(e, vic, moderation, "/modbot", "pending")
	if !hasButton(first, "page_next") {
		t.Fatalf("150 open requests on one page without Next:\n%s", first.VisibleText())
	}
	forward, _ := pageThrough(e, vic, moderation, first)
	seen := map[string]int{}
	for _, page := range forward {
		for _, m := range regexp.MustCompile(`\*#(\d+)\*`).FindAllStringSubmatch(page, -1) {
			seen[m[1]]++
		}
	}
	for i := 1; i <= n; i++ {
		if got := seen[strconv.Itoa(i)]; got != 1 {
			t.Errorf("request #%d shown %d times across %d pages, want once", i, got, len(forward))
		}
	}
}
