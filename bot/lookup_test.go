package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

func goldenCaseFile() CaseFile {
	now := readAt()
	return CaseFile{
		Account: "u7<b>",
		Now:     now,
		Presence: []store.Presence{
			{Kind: store.KindGroup, ID: "@TGS#2golden", List: store.ListBans, Until: now.Add(48 * time.Hour), AsOf: now.Add(-3 * time.Minute)},
			{Kind: store.KindGroup, ID: "@TGS#2golden", List: store.ListMutes, Until: time.Unix(4294967295, 0), AsOf: now.Add(-3 * time.Minute)},
		},
		Live: []LiveState{
			{Target: LookupTarget{store.KindRoom, "room-1"}, Banned: true, BanUntil: now.Add(time.Hour)},
			{Target: LookupTarget{store.KindGroup, "@TGS#other"}, MuteRead: true},
			{Target: LookupTarget{store.KindGroup, "@TGS#gone"}, Err: "could not read its ban list: Tencent 10010: the group does not exist"},
		},
		History: []store.AuditEntry{
			{ID: "1-1", Time: now.Add(-time.Hour), Actor: store.OutsideActor, Action: "ban", TargetKind: "group", Target: "@TGS#2golden", AccountCount: 1, Outcome: store.OutcomeOutside, Detail: "u7<b>: until 2025-03-06 10:00 UTC"},
			{ID: "1-0", Time: now.Add(-48 * time.Hour), Actor: "UANA", Action: "unban", TargetKind: "group", Target: "@TGS#2golden", AccountCount: 3, Outcome: "done", RequestNumber: 12},
		},
		Older:  "res1:1",
		Notes:  []store.Note{{At: now.Add(-2 * time.Hour), By: "UBOB", Text: "warned twice <!channel>\nsecond line"}},
		Counts: store.CaseCounts{Bans: 2, Mutes: 1, Unbans: 1},
	}
}

func TestRenderCaseFileGolden(t *testing.T) {
	m := renderCaseFile(goldenCaseFile())
	checkGolden(t, "case_file", m)
	raw := fmt.Sprint(m.Blocks)
	if strings.Contains(raw, "<!channel>") {
		t.Fatal("a note's <!channel> reached the message unescaped")
	}
	empty := renderCaseFile(CaseFile{Account: "nobody", Now: readAt()})
	checkGolden(t, "case_file_empty", empty)
}

func TestRenderWatchedGolden(t *testing.T) {
	now := readAt()
	list := []store.Watched{
		{Kind: store.KindGroup, ID: "@TGS#2golden", LastSweep: now.Add(-2 * time.Minute), State: store.WatchOK, Bans: 1200, Mutes: 3, Changes: 27,
			Recent: []string{"25 changes (25 ban outside modbot)", "ban ended u1", "unban outside modbot u<2>", "older"}},
		{Kind: store.KindRoom, ID: "room-1", LastSweep: now.Add(-3 * time.Hour), State: store.WatchPartial, Bans: 100000,
			Note: "the ban list is longer than Tencent's page cap: read the first 100,000; the rest is kept from the last sweep"},
		{Kind: store.KindGroup, ID: "@TGS#gone", LastSweep: now.Add(-50 * time.Hour), State: store.WatchGone, Note: "Tencent says the group does not exist (Tencent 10010: the group does not exist); still watched until /modbot unwatch"},
		{Kind: store.KindGroup, ID: "@TGS#new", State: store.WatchNew},
	}
	checkGolden(t, "watched", renderWatched(list, now, 5*time.Minute))
	checkGolden(t, "watched_empty_off", renderWatched(nil, now, 0))
	if list[0].Recent[2] != "unban outside modbot u<2>" {
		t.Fatal("rendering changed the caller's data")
	}
}

func TestHistoryLine(t *testing.T) {
	last := store.AuditEntry{ID: "1-0", Actor: "UANA", Action: "ban"}
	for _, c := range []struct {
		counts store.CaseCounts
		reason string
		want   string
	}{
		{store.CaseCounts{}, "", ""},
		{store.CaseCounts{Bans: 2, LastBan: last}, "spam: posted links", "`u7`: banned twice in 90 days, last by <@UANA> for spam: posted links"},
		{store.CaseCounts{Bans: 1, LastBan: store.AuditEntry{ID: "2-0", Actor: store.OutsideActor}}, "", "`u7`: banned once in 90 days, last outside modbot"},
		{store.CaseCounts{Mutes: 3, Unbans: 1}, "", "`u7`: muted 3 times in 90 days; unbanned once"},
		{store.CaseCounts{Bans: 1, LastBan: last}, "<!here>", "`u7`: banned once in 90 days, last by <@UANA> for &lt;!here&gt;"},
	} {
		if got := historyLine("u7", c.counts, c.reason, Mention); got != c.want {
			t.Errorf("historyLine(%+v, %q) = %q, want %q", c.counts, c.reason, got, c.want)
		}
	}
}

// TestLookupManyEntries: an account with 10,000 audit entries gets its first page, an Older
// cursor, counts and the history line, without reading all of them one by one.
func TestLookupManyEntries(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	for i := range 10_000 {
		action, actor := store.ActionBan, "UANA"
		if i%2 == 1 {
			action, actor = store.ActionUnban, "UBOB"
		}
		if _, err := st.Append(ctx, store.AuditEntry{Actor: actor, Action: action, TargetKind: "group", Target: "g1",
			Accounts: []string{"u7"}, Outcome: "done"}); err != nil {
			t.Fatal(err)
		}
	}
	srv := timtest.NewServer(t, timtest.Options{Rate: -1})
	g := srv.CreateGroup(timtest.AVChatRoom)
	srv.Ban(g, "u7", time.Hour)
	tc, err := tim.New(tim.Options{SDKAppID: srv.SDKAppID(), SecretKey: srv.SecretKey(), Admin: srv.Admin(), BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddNote(ctx, store.SystemActor, "u7", "x", "op"); err == nil {
		t.Fatal("a note by someone not on the allowlist was accepted")
	}
	cf, page, err := readCaseFile(ctx, st, tc, "u7", []LookupTarget{{store.KindGroup, g}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cf.History) != caseHistory || page.Next == "" || cf.History[0].Action != "unban" {
		t.Fatalf("history %d entries, next %q: want the newest %d and a next page", len(cf.History), page.Next, caseHistory)
	}
	if cf.Counts.Bans+cf.Counts.Unbans != store.CaseScanMax || !cf.Counts.Capped {
		t.Fatalf("counts %+v: want the newest %d counted and the cap said", cf.Counts, store.CaseScanMax)
	}
	if len(cf.Live) != 1 || !cf.Live[0].Banned || !cf.Live[0].MuteRead {
		t.Fatalf("live read %+v: want banned, muted list read", cf.Live)
	}
	line, err := caseHistoryText(ctx, st, []string{"u7"}, Mention)
	if err != nil || !strings.HasPrefix(line, fmt.Sprintf("`u7`: banned %s times in 90 days, last by <@UANA>", withCommas(store.CaseScanMax/2))) {
		t.Fatalf("history line %q, %v", line, err)
	}
	m := renderCaseFile(cf)
	if len(m.Blocks) > maxBlocks {
		t.Fatalf("%d blocks", len(m.Blocks))
	}
}

func TestNotes(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	if _, err := st.SetRole(ctx, store.SystemActor, "UMOD", store.RoleModerator); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetRole(ctx, store.SystemActor, "UVIEW", store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddNote(ctx, "UVIEW", "u7", "hello", "op1"); err == nil {
		t.Fatal("a viewer added a note")
	}
	for _, bad := range []string{"", "  ", strings.Repeat("x", store.MaxNoteBytes+1)} {
		if _, err := st.AddNote(ctx, "UMOD", "u7", bad, "op"); err == nil {
			t.Fatalf("note %q accepted", Truncate(bad, 20))
		}
	}
	for i := range store.MaxNotes + 5 {
		if _, err := st.AddNote(ctx, "UMOD", "u7", fmt.Sprintf("note %d", i), "op"); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := st.Notes(ctx, "u7", 0)
	if err != nil || len(notes) != store.MaxNotes || notes[0].Text != fmt.Sprintf("note %d", store.MaxNotes+4) || notes[0].By != "UMOD" {
		t.Fatalf("notes: %d, first %+v, %v", len(notes), notes[0], err)
	}
	page, _ := st.Audit(ctx, store.AuditFilter{Account: "u7"}, "", 1)
	if len(page.Entries) != 1 || page.Entries[0].Action != store.ActionNote {
		t.Fatalf("a note is not audited on the account: %+v", page.Entries)
	}
}

// TestWatchNonexistentTarget: watching a group or room Tencent does not know is refused with a
// clear answer, before anything is stored.
func TestWatchNonexistentTarget(t *testing.T) {
	for _, o := range []timtest.Options{{Rate: -1}, {Rate: -1, GroupNotFound10015: true}} {
		srv := timtest.NewServer(t, o)
		tc, err := tim.New(tim.Options{SDKAppID: srv.SDKAppID(), SecretKey: srv.SecretKey(), Admin: srv.Admin(), BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, c := range []struct {
			kind store.TargetKind
			id   string
		}{{store.KindGroup, "@TGS#nothere"}, {store.KindRoom, "no-room"}} {
			refusal, err := checkTargetExists(ctx, tc, c.kind, c.id)
			if err != nil || !strings.Contains(refusal, "does not exist") || !strings.Contains(refusal, Code(c.id)) {
				t.Errorf("%s %s (10015 reading %v): %q, %v", c.kind, c.id, o.GroupNotFound10015, refusal, err)
			}
		}
		g := srv.CreateGroup(timtest.Public)
		if refusal, err := checkTargetExists(ctx, tc, store.KindGroup, g); refusal != "" || err != nil {
			t.Errorf("an existing group: %q, %v", refusal, err)
		}
	}
	full := watchReply(store.KindGroup, "g", &store.WatchFullError{Max: 1000, Count: 1000})
	if !strings.Contains(full, "MODBOT_MAX_WATCHED") || !strings.Contains(full, "1000") {
		t.Errorf("full: %q", full)
	}
}
