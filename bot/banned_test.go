package bot_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

const cmdRoomBanList = "room_engine_http_srv/get_banned_member_list"

func TestBanned_Room250Paged(t *testing.T) {
	e := newEnv(t)
	e.tim.CreateRoom("standup-42")
	forever := time.Until(time.Unix(4294967295, 0))
	var accounts []string
	for i := range 250 {
		a := fmt.Sprintf("b%03d", i)
		accounts = append(accounts, a)
		d := 48*time.Hour + time.Duration(i)*time.Minute
		switch {
		case i < 10:
			d = time.Duration(i+1) * time.Hour // ends within 24 h
		case i >= 247:
			d = forever
		}
		e.tim.BanInRoom("standup-42", a, d)
	}

	e.command(vic, elsewhere, "/banned", "room standup-42")
	msg := answer(e, vic, "250 accounts are")
	if got, want := e.tim.Calls(cmdRoomBanList), 3; got != want {
		t.Fatalf("get_banned_member_list calls = %d, want %d", got, want)
	}
	text := msg.VisibleText()
	for _, want := range []string{"10 bans end within 24 hours", "3 are permanent", "until <!date^"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}

	forward, back := pageThrough(e, vic, elsewhere, msg)
	if len(forward) != 5 || len(back) != 5 {
		t.Fatalf("pages forward %d, back %d; want 5 and 5 (50 a page)", len(forward), len(back))
	}
	var order []string
	seen := map[string]int{}
	for _, page := range forward {
		for _, a := range bannedOnPage(page) {
			order = append(order, a)
			seen[a]++
		}
	}
	for _, a := range accounts {
		if seen[a] != 1 {
			t.Errorf("%s seen %d times across pages, want 1", a, seen[a])
		}
	}
	// Soonest end first, permanent bans last.
	if len(order) == 250 && (order[0] != "b000" || order[249] != "b249") {
		t.Errorf("order starts %s and ends %s, want b000 … b249", order[0], order[249])
	}
	if last := forward[4]; strings.Count(last, "permanently") != 3 {
		t.Errorf("last page shows %d permanent bans, want 3:\n%s", strings.Count(last, "permanently"), last)
	}
	if got, want := e.tim.Calls(cmdRoomBanList), 3; got != want {
		t.Fatalf("paging called Tencent: calls = %d, want %d", got, want)
	}
}

func TestBanned_GroupAndEmpty(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom) // the emulator bans in live groups only, as older editions do
	e.tim.Ban(g, "spammer", 2*time.Hour)
	e.tim.CreateRoom("quiet")

	e.command(alice, moderation, "/banned", "group "+g)
	msg := answer(e, alice, "1 account is")
	if text := msg.VisibleText(); !strings.Contains(text, "`spammer` until") || len(msg.Buttons()) != 0 {
		t.Fatalf("group ban list = %q with %d buttons, want spammer and no paging", text, len(msg.Buttons()))
	}
	e.command(alice, moderation, "/banned", "quiet")
	answer(e, alice, "Nobody is banned from room `quiet`")
}

// /banned group <id> muted lists the group's mutes (get_group_muted_account), not its bans.
func TestBanned_GroupMuted(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	e.tim.Mute(g, "loud", 90*time.Minute)
	e.tim.Mute(g, "forever", tim.Permanent)
	e.tim.Ban(g, "banned-only", time.Hour)

	e.command(alice, moderation, "/banned", "group "+g+" MUTED")
	msg := answer(e, alice, "2 accounts are* muted in group")
	text := msg.VisibleText()
	for _, want := range []string{"Muted in group", "1 mute ends within 24 hours", "1 is permanent", "`loud` until", "`forever` permanently"} {
		if !strings.Contains(text, want) {
			t.Errorf("muted list lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "banned-only") {
		t.Errorf("muted list shows a ban:\n%s", text)
	}
	if got := e.tim.Calls("group_open_http_svc/get_group_muted_account"); got != 1 {
		t.Errorf("get_group_muted_account calls = %d, want 1", got)
	}

	quiet := e.tim.CreateGroup(timtest.Public)
	e.command(alice, moderation, "/banned", "group "+quiet+" muted")
	answer(e, alice, "Nobody is muted in group `"+quiet+"`")
}

// TestPage_ExpiredAndRefused: a page click is authorized at the moment of the click, and a
// result gone from Redis says so.
func TestPage_ExpiredAndRefused(t *testing.T) {
	e := newEnv(t)
	e.tim.CreateRoom("big")
	for i := range 60 {
		e.tim.BanInRoom("big", fmt.Sprintf("x%02d", i), time.Hour)
	}
	e.command(vic, moderation, "/banned", "big")
	msg := answer(e, vic, "60 accounts are")
	if _, err := e.slack.Click(vic, moderation, msg.TS, "page_next", ""); err != nil {
		t.Fatal(err)
	}
	msg = answer(e, vic, "Page 2 of 2")

	if _, err := e.store.RemoveRole(t.Context(), carol, vic); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slack.Click(vic, moderation, msg.TS, "page_prev", ""); err != nil {
		t.Fatal(err)
	}
	answer(e, vic, "not on modbot's allowlist")
	if m, ok := ephemeralByTS(e, vic, msg.TS); !ok || !strings.Contains(m.VisibleText(), "Page 2 of 2") {
		t.Fatalf("a refused click changed the page:\n%s", m.VisibleText())
	}

	e.command(alice, moderation, "/banned", "big")
	msg = answer(e, alice, "60 accounts are")
	storetest.DeleteKeys(t, storetest.RedisURL(t), e.store.Prefix()+"result:")
	if _, err := e.slack.Click(alice, moderation, msg.TS, "page_next", ""); err != nil {
		t.Fatal(err)
	}
	answer(e, alice, "expired")
}

// ephemeralByTS returns the message user saw privately at ts, as it is now.
func ephemeralByTS(e *env, user, ts string) (slacktest.Message, bool) {
	for _, m := range e.slack.Ephemeral(user) {
		if m.TS == ts {
			return m, true
		}
	}
	return slacktest.Message{}, false
}

var bannedLineRE = regexp.MustCompile("^• `([^`]+)`")

// bannedOnPage lists the accounts of a /banned page in order.
func bannedOnPage(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if m := bannedLineRE.FindStringSubmatch(line); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}
