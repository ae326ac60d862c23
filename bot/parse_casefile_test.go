package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"modbot/store"
)

func TestParseCaseFileCommands(t *testing.T) {
	cfg := ParseConfig{RequireReason: true}
	long := strings.Repeat("x", 100)
	for _, c := range []struct {
		name, cmd, text string
		want            Command
	}{
		{"Lookup", "/lookup", "u7", &LookupCmd{Account: "u7"}},
		{"LookupTargets", "/lookup", "u7 group:@TGS#aJRGC4MH6 room:standup-42", &LookupCmd{Account: "u7",
			Targets: []LookupTarget{{store.KindGroup, "@TGS#aJRGC4MH6"}, {store.KindRoom, "standup-42"}}}},
		{"LookupTargetFirst", "/LOOKUP", "Room:r1, u7", &LookupCmd{Account: "u7", Targets: []LookupTarget{{store.KindRoom, "r1"}}}},
		{"LookupPhoneSpace", "/lookup", "u7 group: g1", &LookupCmd{Account: "u7", Targets: []LookupTarget{{store.KindGroup, "g1"}}}},
		{"Note", "/modbot", "note u7 -- warned in DM, twice\nsee thread", &ModbotCmd{Sub: SubNote, Case: CaseArgs{Account: "u7", Text: "warned in DM, twice\nsee thread"}}},
		{"NoteEmDashEntities", "/modbot", "NOTE u7 — said &lt;3 &amp; left", &ModbotCmd{Sub: SubNote, Case: CaseArgs{Account: "u7", Text: "said <3 & left"}}},
		{"Watch", "/modbot", "watch group @TGS#aJRGC4MH6", &ModbotCmd{Sub: SubWatch, Case: CaseArgs{Kind: store.KindGroup, ID: "@TGS#aJRGC4MH6"}}},
		{"WatchRoomKey", "/modbot", "watch room:standup-42", &ModbotCmd{Sub: SubWatch, Case: CaseArgs{Kind: store.KindRoom, ID: "standup-42"}}},
		{"Unwatch", "/modbot", "unwatch Room r1", &ModbotCmd{Sub: SubUnwatch, Case: CaseArgs{Kind: store.KindRoom, ID: "r1"}}},
		{"Watched", "/modbot", "watched", &ModbotCmd{Sub: SubWatched}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse(c.cmd, c.text, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}

	for _, c := range []struct {
		name, cmd, text string
		names           []string // what the problem must say
	}{
		{"LookupEmpty", "/lookup", "", []string{"say which account to look up"}},
		{"LookupNoAccount", "/lookup", "group:g1", []string{"say which account to look up before group:"}},
		{"LookupTwoAccounts", "/lookup", "u7 u8", []string{`"u8"`, "one account at a time"}},
		{"LookupBadByte", "/lookup", "u\u00e97", []string{"account", "0xc3", "position 2", "not ASCII"}},
		{"LookupLongAccount", "/lookup", long, []string{"is 100 bytes", "at most 32"}},
		{"LookupBadGroupID", "/lookup", "u7 group:g\x01", []string{"group ID", "0x01", "control character"}},
		{"LookupUnknownKey", "/lookup", "u7 by:U123", []string{`"by:U123"`, "unknown option", "group:<id> and room:<id>"}},
		{"LookupUnknownColon", "/lookup", "u7 chan:x", []string{`"chan:x"`, "unknown option"}},
		{"LookupTwice", "/lookup", "u7 group:a group:b", []string{"group: is given twice"}},
		{"LookupKeyNoValue", "/lookup", "u7 room:", []string{"room: needs an ID"}},
		{"LookupReason", "/lookup", "u7 -- why", []string{`"--"`, "takes none"}},
		{"NoteNoAccount", "/modbot", "note", []string{"say which account the note is about"}},
		{"NoteNoAccountOnlyText", "/modbot", "note -- hello", []string{"say which account the note is about"}},
		{"NoteNoDashes", "/modbot", "note u7 was rude", []string{`"was"`, `after " -- "`}},
		{"NoteNoText", "/modbot", "note u7", []string{`the note goes after " -- "`}},
		{"NoteEmptyText", "/modbot", "note u7 -- \n ", []string{"the note after \"--\" is empty"}},
		{"NoteTooLong", "/modbot", "note u7 -- " + strings.Repeat("é", 501), []string{"1,002 bytes", "at most 1,000"}},
		{"NoteBadAccount", "/modbot", "note <@U123|bob> -- x", []string{"Slack user mention", "not an account"}},
		{"WatchNothing", "/modbot", "watch", []string{"say what to watch", "/modbot watch group <id>"}},
		{"WatchBadKind", "/modbot", "watch channel c1", []string{`"channel" is not group or room`}},
		{"WatchNoID", "/modbot", "unwatch room", []string{`give the room ID after "room"`}},
		{"WatchBadID", "/modbot", "watch group @TGS#a\u00a0b", []string{`unexpected "b" after /modbot watch`}},
		{"WatchLongID", "/modbot", "watch group " + strings.Repeat("g", 49), []string{"49 bytes", "at most 48"}},
		{"WatchCommaID", "/modbot", "watch group a\x7fb", []string{"0x7f", "control character"}},
		{"WatchTwo", "/modbot", "watch group g1 g2", []string{`unexpected "g2" after /modbot watch`}},
		{"WatchedArgs", "/modbot", "watched all", []string{`unexpected "all" after /modbot watched`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.cmd, c.text, cfg)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("%v: want a usage error", err)
			}
			if ue.Command != c.cmd {
				t.Errorf("usage of %q, want %q", ue.Command, c.cmd)
			}
			for _, w := range c.names {
				if !strings.Contains(ue.Problem, w) {
					t.Errorf("problem %q does not say %q", ue.Problem, w)
				}
			}
		})
	}
}

func TestUsageCaseFiles(t *testing.T) {
	cfg := ParseConfig{}
	u := Usage(CmdLookup, cfg)
	for _, w := range []string{"*/lookup*", "`/lookup &lt;account&gt; [group:&lt;id&gt;] [room:&lt;id&gt;]`", "Anyone on the allowlist", "e.g. `/lookup alice"} {
		if !strings.Contains(u, w) {
			t.Errorf("Usage(/lookup) lacks %q:\n%s", w, u)
		}
	}
	m := Usage(CmdModbot, cfg)
	for _, w := range []string{"`/modbot note &lt;account&gt; -- &lt;text&gt;`", "`/modbot watch group|room &lt;id&gt;`", "`/modbot unwatch group|room &lt;id&gt;`", "`/modbot watched`"} {
		if !strings.Contains(m, w) {
			t.Errorf("Usage(/modbot) lacks %q:\n%s", w, m)
		}
	}
}
