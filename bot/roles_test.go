package bot_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/tim/timtest"
)

const cmdRoleInGroup = "group_open_http_svc/get_role_in_group"

func TestRoles_1200AccountsPaged(t *testing.T) {
	e := newEnv(t, withBotOptions(func(o *botOptions) { o.MaxAccounts = 2000 }))
	g := e.tim.CreateGroup(timtest.Public)
	want := map[string]string{} // account → role
	var accounts []string
	for i := range 1200 {
		a := fmt.Sprintf("u%04d", i)
		accounts = append(accounts, a)
		role := timtest.RoleNotMember
		switch {
		case i == 0:
			role = timtest.RoleOwner
		case i <= 4:
			role = timtest.RoleAdmin
		case i <= 604:
			role = timtest.RoleMember
		}
		if role != timtest.RoleNotMember {
			e.tim.SetRole(g, a, role)
		}
		want[a] = role
	}

	e.command(alice, moderation, "/roles", g+" "+strings.Join(accounts, " "))
	msg := answer(e, alice, "1,200 accounts")
	if got, want := e.tim.Calls(cmdRoleInGroup), 3; got != want {
		t.Fatalf("get_role_in_group calls = %d, want %d", got, want)
	}
	if text := msg.VisibleText(); !strings.Contains(text, "1 Owner, 4 Admin, 600 Member, 595 NotMember") {
		t.Fatalf("summary lacks the counts per role:\n%s", text)
	}

	forward, back := pageThrough(e, alice, moderation, msg)
	if len(forward) < 12 {
		t.Fatalf("%d pages, want at least 12 for 1,200 accounts", len(forward))
	}
	for _, dir := range []struct {
		name  string
		pages []string
	}{{"Next", forward}, {"Prev", back}} {
		seen := map[string]int{}
		for _, page := range dir.pages {
			for a, role := range rolesOnPage(page) {
				seen[a]++
				if role != want[a] {
					t.Errorf("%s: %s listed under %s, want %s", dir.name, a, role, want[a])
				}
			}
		}
		for _, a := range accounts {
			if seen[a] != 1 {
				t.Errorf("%s: %s seen %d times across pages, want 1", dir.name, a, seen[a])
			}
		}
	}
	if got, want := e.tim.Calls(cmdRoleInGroup), 3; got != want {
		t.Fatalf("paging called Tencent: get_role_in_group calls = %d, want %d", got, want)
	}
}

func TestRoles_AVChatRoomExplained(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.AVChatRoom)
	e.command(vic, moderation, "/roles", g+" u1 u2")
	text := answer(e, vic, "AVChatRoom").VisibleText()
	for _, want := range []string{"live", "10007", "get_admin_list"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "or the identifier is not an App admin") {
		t.Errorf("an AVChatRoom group got the generic 10007 text:\n%s", text)
	}
}

// TestRoles_AnsweredAnywhere: the answer goes through response_url, so it reaches a channel the
// bot is not in and a DM.
func TestRoles_AnsweredAnywhere(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	e.tim.SetRole(g, "u1", timtest.RoleAdmin)
	dm, err := e.slack.DMChannel(alice)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{elsewhere, dm} {
		t.Run(ch, func(t *testing.T) {
			before := len(e.slack.Ephemeral(alice))
			e.command(alice, ch, "/roles", g+" u1")
			e.waitFor("answer in "+ch, func(s *slacktest.Server) bool {
				for _, m := range s.Ephemeral(alice)[before:] {
					if m.Channel == ch && m.Via == "response_url" && strings.Contains(m.VisibleText(), "`u1`") {
						return true
					}
				}
				return false
			})
		})
	}
	if n := len(e.slack.Messages(elsewhere)); n != 0 {
		t.Fatalf("%d messages posted in a channel the bot is not in", n)
	}
}

// TestRead_TencentErrors: every Tencent refusal reaches the user as its code and meaning, never as
// a raw dump; retryable codes are retried and the command succeeds.
func TestRead_TencentErrors(t *testing.T) {
	e := newEnv(t)
	g := e.tim.CreateGroup(timtest.Public)
	e.tim.SetRole(g, "u1", timtest.RoleMember)
	e.tim.CreateRoom("room-1")
	e.tim.BanInRoom("room-1", "u9", time.Hour)
	for _, tc := range []struct {
		command string // Tencent's
		code    int
		slash   string
		text    string
		want    string // words of the meaning ("" when the command succeeds)
	}{
		{cmdRoleInGroup, 10003, "/roles", g + " u1", "API or command name is wrong"},
		{cmdRoleInGroup, 10004, "/roles", g + " u1", "parameter is invalid"},
		{cmdRoleInGroup, 10007, "/roles", g + " u1", "or the identifier is not an App admin"},
		{cmdRoleInGroup, 10010, "/roles", g + " u1", "does not exist or was disbanded"},
		{cmdRoleInGroup, 10015, "/roles", g + " u1", "group ID is invalid"},
		{cmdRoleInGroup, 10002, "/roles", g + " u1", ""},
		{cmdRoomBanList, 100002, "/banned", "room-1", "parameter is invalid"},
		{cmdRoomBanList, 100004, "/banned", "room-1", "does not exist, or it was destroyed"},
		{cmdRoomBanList, 100005, "/banned", "room-1", "not a member of the room"},
		{cmdRoomBanList, 100006, "/banned", "room-1", "insufficient permission"},
		{cmdRoomBanList, 100001, "/banned", "room-1", ""},
		{"group_open_http_svc/get_group_ban_member", 10010, "/banned", "group " + g, "does not exist or was disbanded"},
	} {
		t.Run(fmt.Sprintf("%s_%d", tc.slash[1:], tc.code), func(t *testing.T) {
			e.tim.FailNext(tc.command, tc.code)
			got := reply(e, alice, moderation, tc.slash, tc.text).VisibleText()
			if tc.want == "" {
				if strings.Contains(got, ":warning:") || !(strings.Contains(got, "`u1`") || strings.Contains(got, "`u9`")) {
					t.Fatalf("code %d was not retried into success:\n%s", tc.code, got)
				}
				return
			}
			for _, want := range []string{fmt.Sprintf("code %d", tc.code), tc.want} {
				if !strings.Contains(got, want) {
					t.Errorf("answer lacks %q:\n%s", want, got)
				}
			}
			for _, raw := range []string{"ErrorInfo", "ErrorCode", "{", "injected", "tim:"} {
				if strings.Contains(got, raw) {
					t.Errorf("answer holds a raw %q:\n%s", raw, got)
				}
			}
		})
	}
}

// answer waits until user has a response_url answer containing want and returns the newest.
func answer(e *env, user, want string) slacktest.Message {
	e.t.Helper()
	var found slacktest.Message
	e.waitFor(user+" answered with "+want, func(s *slacktest.Server) bool {
		ms := s.Ephemeral(user)
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i].Via == "response_url" && strings.Contains(ms[i].VisibleText(), want) {
				found = ms[i]
				return true
			}
		}
		return false
	})
	return found
}

// reply types a command as user and returns the first answer that comes through its
// response_url (not the ack).
func reply(e *env, user, channel, command, text string) slacktest.Message {
	e.t.Helper()
	before := len(e.slack.Ephemeral(user))
	e.command(user, channel, command, text)
	var got slacktest.Message
	e.waitFor(command+" "+text+" answered", func(s *slacktest.Server) bool {
		for _, m := range s.Ephemeral(user)[before:] {
			if m.Via == "response_url" {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

// pageThrough clicks Next on msg until there is none, then Prev until there is none, and returns
// the visible text of each page shown on the way forward and on the way back (in the order
// shown). Each click must replace msg in place.
func pageThrough(e *env, user, channel string, msg slacktest.Message) (forward, back []string) {
	e.t.Helper()
	forward = []string{msg.VisibleText()}
	cur := msg
	for _, dir := range []string{"page_next", "page_prev"} {
		for hasButton(cur, dir) {
			prev := cur.VisibleText()
			if _, err := e.slack.Click(user, channel, cur.TS, dir, ""); err != nil {
				e.t.Fatalf("click %s: %v", dir, err)
			}
			e.waitFor("page replaced", func(s *slacktest.Server) bool {
				for _, m := range s.Ephemeral(user) {
					if m.TS == msg.TS && m.VisibleText() != prev {
						cur = m
						return true
					}
				}
				return false
			})
			if dir == "page_next" {
				forward = append(forward, cur.VisibleText())
			} else {
				back = append(back, cur.VisibleText())
			}
			if len(forward)+len(back) > 500 {
				e.t.Fatal("paging does not end")
			}
		}
		if dir == "page_next" {
			back = []string{cur.VisibleText()}
		}
	}
	return forward, back
}

func hasButton(m slacktest.Message, actionID string) bool {
	for _, id := range m.ActionIDs() {
		if id == actionID {
			return true
		}
	}
	return false
}

var (
	rolesHeading = regexp.MustCompile(`^\*(Owner|Admin|Member|NotMember)\* \(`)
	codeSpanRE   = regexp.MustCompile("`([^`]+)`")
)

// rolesOnPage reads a /roles page: each account under the role heading above it.
func rolesOnPage(text string) map[string]string {
	out := map[string]string{}
	role := ""
	for _, line := range strings.Split(text, "\n") {
		if m := rolesHeading.FindStringSubmatch(line); m != nil {
			role = m[1]
			continue
		}
		if role == "" {
			continue // the summary
		}
		for _, m := range codeSpanRE.FindAllStringSubmatch(line, -1) {
			out[m[1]] = role
		}
	}
	return out
}
