package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"modbot/store"
	"modbot/tim"
)

// readAt is when the golden results were read.
func readAt() time.Time { return time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC) }

func goldenRoles() rolesResult {
	var roles []tim.MemberRole
	roles = append(roles, tim.MemberRole{Account: "boss", Role: "Owner"})
	roles = append(roles, tim.MemberRole{Account: "a<b&c>", Role: "Admin"}, tim.MemberRole{Account: "mod2", Role: "Admin"})
	for i := range 120 {
		roles = append(roles, tim.MemberRole{Account: tim.UserID(fmt.Sprintf("member%03d", i)), Role: "Member"})
	}
	for i := range 7 {
		roles = append(roles, tim.MemberRole{Account: tim.UserID(fmt.Sprintf("ghost%d", i)), Role: "NotMember"})
	}
	return newRolesResult("@TGS#2golden", roles)
}

func goldenBanned() bannedResult {
	r := bannedResult{Kind: "room", ID: "standup-42", At: readAt()}
	for i := range 60 {
		until := readAt().Add(time.Duration(i+1) * time.Hour).Unix()
		if i >= 57 {
			until = permanentUntil
		}
		r.Entries = append(r.Entries, bannedEntry{Account: fmt.Sprintf("user%02d", i), Until: until})
	}
	return r
}

// goldenMuted is a group's mutes, cut to 40 kept of 45 (the cut note names mutes).
func goldenMuted() bannedResult {
	r := goldenBanned()
	r.Kind, r.ID, r.Muted = "group", "@TGS#2muted", true
	r.keep(40)
	return r
}

func goldenLog() []store.AuditEntry {
	return []store.AuditEntry{
		{ID: "3-0", Time: readAt().Add(2 * time.Minute), Actor: "U0BOB", Action: "approve", TargetKind: "group", Target: "@TGS#2golden",
			RequestNumber: 12, AccountCount: 3, Outcome: "approved", Detail: "1 of 1"},
		{ID: "2-0", Time: readAt().Add(time.Minute), Actor: "U0ALICE", Action: "request", TargetKind: "group", Target: "@TGS#2golden",
			RequestNumber: 12, AccountCount: 3, Outcome: "pending", Detail: "spam wave over <!channel> & *all*\nsecond line"},
		{ID: "1-0", Time: readAt(), Actor: store.SystemActor, Action: "unban", TargetKind: "room", Target: "standup-42",
			AccountCount: 1, Outcome: "failed", Code: 100004},
		{ID: "0-5", Time: readAt(), Actor: "U0CAROL", Action: "allow", TargetKind: "user", Target: "U0VIC", Outcome: "ok", Detail: " -> viewer"},
	}
}

func TestRender_Golden(t *testing.T) {
	roles, banned := goldenRoles(), goldenBanned()
	pending := []store.RequestSummary{
		{ID: "r2", Number: 2, Target: store.Target{Kind: store.KindRoom, ID: "standup-42"}, AccountCount: 1,
			Requester: "U0ALICE", Channel: "C0APPROVALS", ThreadTS: "1700000000.000200", ExpiresAt: readAt().Add(24 * time.Hour)},
		{ID: "r1", Number: 1, Target: store.Target{Kind: store.KindGroup, ID: "@TGS#2<x>"}, AccountCount: 2,
			Requester: "U0ERIN", Channel: "C0APPROVALS", ExpiresAt: readAt().Add(23 * time.Hour)},
	}
	members := []store.Member{{User: "U0CAROL", Role: store.RoleAdmin}, {User: "U0BOB", Role: store.RoleApprover},
		{User: "U0ERIN", Role: store.RoleApprover}, {User: "U0ALICE", Role: store.RoleModerator}, {User: "U0VIC", Role: store.RoleViewer}}
	for _, tc := range []struct {
		name string
		m    message
	}{
		{"read_roles_summary", renderRoles(goldenRoles(), "R1", 0)},
		{"read_roles_page", renderRoles(roles, "R1", 1)},
		{"read_roles_single", renderRoles(newRolesResult("@TGS#2x", []tim.MemberRole{{Account: "u1", Role: "Member"}}), "", 0)},
		{"read_banned_summary", renderBanned(banned, "B1", 0)},
		{"read_banned_page", renderBanned(banned, "B1", 1)},
		{"read_banned_empty", renderBanned(bannedResult{Kind: "group", ID: "@TGS#2e", At: readAt()}, "", 0)},
		{"read_muted_summary", renderBanned(goldenMuted(), "M1", 0)},
		{"read_muted_empty", renderBanned(bannedResult{Kind: "group", ID: "@TGS#2e", At: readAt(), Muted: true}, "", 0)},
		{"read_pending", renderPending(pending, 2)},
		{"read_who", renderWho(members)},
		{"read_whoami", renderWhoami("U0VIC", store.RoleViewer)},
		{"read_log", renderLog("account:u1 by:U0ALICE", 1, goldenLog(), "L0:0", "L2:2")},
		{"read_feed", mustFeed(t, goldenLog())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkReadLimits(t, tc.m)
			checkGolden(t, tc.name, tc.m)
		})
	}
}

func mustFeed(t *testing.T, entries []store.AuditEntry) message {
	names := map[string]string{"U0BOB": "bob", "U0ALICE": "Alice L.", "U0CAROL": "carol"} // U0VIC: lookup failed
	m, n := feedMessage(entries, func(id string) string {
		if name, ok := names[id]; ok {
			return name
		}
		return Code(id)
	})
	if n != len(entries) {
		t.Fatalf("feedMessage took %d of %d entries", n, len(entries))
	}
	return m
}

// TestRender_Escaping: user-supplied text never reaches Slack as live syntax.
func TestRender_Escaping(t *testing.T) {
	out := readJSON(t, renderLog("", 0, goldenLog(), "", ""))
	for _, bad := range []string{"<!channel>", "& *all*"} {
		if strings.Contains(out, bad) {
			t.Errorf("log shows %q unescaped:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "&lt;!channel&gt;") {
		t.Errorf("log lacks the escaped detail:\n%s", out)
	}
	out = readJSON(t, renderRoles(goldenRoles(), "", 0))
	if strings.Contains(out, "a<b&c>") || !strings.Contains(out, "a&lt;b&amp;c&gt;") {
		t.Errorf("roles show the account unescaped:\n%s", out)
	}
}

// TestRender_Limits renders worst cases (long accounts that escaping makes five times longer,
// ten thousand bans, a hundred long log lines) and checks every page against Slack's limits.
func TestRender_Limits(t *testing.T) {
	heavy := strings.Repeat("&", MaxAccountBytes)
	var roles []tim.MemberRole
	for i := range 1000 {
		roles = append(roles, tim.MemberRole{Account: tim.UserID(fmt.Sprintf("%s%04d", heavy[:28], i)), Role: []string{"Owner", "Admin", "Member", "NotMember", "Weird<"}[i%5]})
	}
	rr := newRolesResult(strings.Repeat("<", MaxIDBytes), roles)
	starts := rolesPageStarts(rr)
	seen := 0
	for p := range starts {
		m := renderRoles(rr, "0123456789abcdef0123456789abcdef", p)
		checkReadLimits(t, m)
		seen += strings.Count(readJSON(t, m), strings.Repeat("&amp;", 28))
	}
	if seen != 1000 {
		t.Errorf("accounts over all roles pages = %d, want 1000", seen)
	}

	br := bannedResult{Kind: "room", ID: "r", At: readAt()}
	for i := range 10000 {
		br.Entries = append(br.Entries, bannedEntry{Account: fmt.Sprintf("%s%05d", heavy[:27], i), Until: readAt().Unix() + int64(i)})
	}
	last := len(bannedPageStarts(br)) - 1
	if last+1 < 10000/(pageItems/2) {
		t.Errorf("10,000 bans make %d pages", last+1)
	}
	for _, p := range []int{0, 1, last} {
		checkReadLimits(t, renderBanned(br, "id", p))
	}

	var entries []store.AuditEntry
	for i := range MaxLogCount {
		entries = append(entries, store.AuditEntry{ID: fmt.Sprint(i), Time: readAt(), Actor: "U0ALICE", Action: "request",
			TargetKind: "group", Target: strings.Repeat("<", MaxIDBytes), AccountCount: 1000, Outcome: "pending", Code: 10007,
			Detail: strings.Repeat("<", 1000)})
	}
	checkReadLimits(t, renderLog("account:x", 3, entries, "a:1", "b:3"))
	for rest := entries; len(rest) > 0; {
		m, n := feedMessage(rest, Mention)
		checkReadLimits(t, m)
		rest = rest[n:]
	}
}

func TestPageStarts(t *testing.T) {
	for _, tc := range []struct {
		name            string
		sizes           []int
		items, maxChars int
		want            []int
	}{
		{"Empty", nil, 3, 10, []int{0}},
		{"ByCount", []int{1, 1, 1, 1, 1, 1, 1}, 3, 100, []int{0, 3, 6}},
		{"ByChars", []int{4, 4, 4, 4}, 10, 9, []int{0, 2}},
		{"OversizedAlone", []int{20, 1, 20}, 10, 10, []int{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pageStarts(tc.sizes, tc.items, tc.maxChars); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("pageStarts = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParsePageValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		id   string
		page int
		ok   bool
	}{
		{"abc:0", "abc", 0, true},
		{"abc:12", "abc", 12, true},
		{"abc", "", 0, false},
		{":1", "", 0, false},
		{"abc:-1", "", 0, false},
		{"abc:x", "", 0, false},
	} {
		id, page, ok := parsePageValue(tc.in)
		if id != tc.id || page != tc.page || ok != tc.ok {
			t.Errorf("parsePageValue(%q) = %q, %d, %v; want %q, %d, %v", tc.in, id, page, ok, tc.id, tc.page, tc.ok)
		}
	}
}

func TestPermanent(t *testing.T) {
	if !permanent(permanentUntil, readAt()) || !permanent(readAt().AddDate(100, 0, 0).Unix(), readAt()) {
		t.Error("far futures are not permanent")
	}
	if permanent(readAt().AddDate(1, 0, 0).Unix(), readAt()) {
		t.Error("a one-year ban is permanent")
	}
}

func readJSON(t *testing.T, m message) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.Blocks); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkLimits checks a message against Block Kit's limits (spec/slack.md §5).
func checkReadLimits(t *testing.T, m message) {
	t.Helper()
	if m.Text == "" || utf8.RuneCountInString(m.Text) > maxFallbackText {
		t.Errorf("fallback text has %d characters", utf8.RuneCountInString(m.Text))
	}
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(readJSON(t, m)), &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks, more than %d", len(blocks), maxBlocks)
	}
	total := 0
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if s, ok := x["text"].(string); ok {
				total += utf8.RuneCountInString(s)
			}
			if s, ok := x["value"].(string); ok && len(s) > 2000 {
				t.Errorf("button value of %d bytes", len(s))
			}
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, b := range blocks {
		if tx, ok := b["text"].(map[string]any); ok {
			n := utf8.RuneCountInString(tx["text"].(string))
			if b["type"] == "section" && n > maxSectionText || b["type"] == "header" && n > maxHeaderText {
				t.Errorf("%s block with %d characters", b["type"], n)
			}
		}
		walk(b)
	}
	if total > maxMessageText {
		t.Errorf("%d characters of block text, more than %d", total, maxMessageText)
	}
}

// TestLogFit: with long lines, a page holds only what fits, and the rest is left for the next
// page instead of being dropped.
func TestLogFit(t *testing.T) {
	long := strings.Repeat("x", 300)
	var entries []store.AuditEntry
	for i := range 100 {
		entries = append(entries, store.AuditEntry{ID: fmt.Sprintf("%d-0", 1000-i), Actor: "U0ALICE", Action: "refused", Detail: long})
	}
	n := logFit(entries)
	if n == 0 || n >= len(entries) {
		t.Fatalf("logFit = %d of %d, want some but not all", n, len(entries))
	}
	m := renderLog("", 0, entries[:n], "", "x:1")
	out, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "left out") {
		t.Fatalf("a page of %d entries still left some out", n)
	}
	if m := renderLog("", 0, entries, "", "x:1"); !strings.Contains(jsonOf(t, m.Blocks), "left out") {
		t.Fatal("all 100 long entries fit in one message: the test no longer exercises logFit")
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
