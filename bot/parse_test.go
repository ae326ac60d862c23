package bot

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"modbot/store"
	"modbot/tim"
)

func groupTarget(id string) Target { return Target{Kind: TargetGroup, Group: tim.GroupID(id)} }
func roomTarget(id string) Target  { return Target{Kind: TargetRoom, Room: tim.RoomID(id)} }

// testReasons are the reason codes of the parse tests.
var testReasons = []ReasonCode{{"spam", "Spam or scam links"}, {"abuse", "Harassment"}}

func TestParse(t *testing.T) {
	strictCfg, laxCfg := ParseConfig{RequireReason: true}, ParseConfig{}
	codesCfg := ParseConfig{RequireReason: true, Reasons: testReasons}
	codesRequired := ParseConfig{RequireReason: true, Reasons: testReasons, RequireReasonCode: true}
	reason1000 := strings.Repeat("é", 500)
	tests := []struct {
		name      string
		cmd, text string
		cfg       ParseConfig
		want      Command
	}{
		// /unban
		{"Unban", "/unban", "@TGS#aJRGC4MH6 alice bob -- spam wave ended", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("@TGS#aJRGC4MH6"), Accounts: users("alice", "bob"), Reason: "spam wave ended"}},
		{"UnbanRoom", "/unban", "room standup-42 carol -- appeal accepted", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: roomTarget("standup-42"), Accounts: users("carol"), Reason: "appeal accepted"}},
		{"UnbanRoomKeywordAnyCase", "/unban", "Room r1 carol -- ok", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: roomTarget("r1"), Accounts: users("carol"), Reason: "ok"}},
		{"UnbanGroupWordIsAGroupID", "/unban", "group alice -- ok", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("group"), Accounts: users("alice"), Reason: "ok"}},
		{"CommandAnyCase", "/UNBAN", "g a -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "r"}},
		{"EmDash", "/unban", "g a b — phone typed this", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a", "b"), Reason: "phone typed this"}},
		{"EnDash", "/unban", "g a – r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "r"}},
		{"ReasonKeepsLaterDashes", "/unban", "g a -- one -- two — three", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "one -- two — three"}},
		{"ReasonMultiline", "/unban", "g a --\n  line one\nline two\n", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "line one\nline two"}},
		{"ReasonKeepsCommas", "/unban", "g a -- spam, then more spam", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "spam, then more spam"}},
		{"ReasonSpecialMentionStaysText", "/unban", "g a -- <!channel> look <!subteam^S123|@mods>", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "<!channel> look <!subteam^S123|@mods>"}},
		{"ReasonUserMentionStaysText", "/unban", "g a -- thanks <@U123ABC|bob>", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "thanks <@U123ABC|bob>"}},
		{"ReasonEntitiesUnescaped", "/unban", "g a -- a &amp; b &lt;3 &gt;_&lt; &amp;lt;", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "a & b <3 >_< &lt;"}},
		{"ReasonTypedChannelIsText", "/unban", "g a -- &lt;!channel&gt;", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "<!channel>"}},
		{"ReasonLinkUnwrapped", "/unban", "g a -- see <https://example.com/x?a=1&amp;b=2|example.com/x> and <https://t.co/y>", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "see example.com/x and https://t.co/y"}},
		{"ReasonControlCharsReplaced", "/unban", "g a -- bad\x00byte\xff\tend", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "bad\uFFFDbyte\uFFFD\tend"}},
		{"ReasonTrimmedOfInvisibleSpaces", "/unban", "g a --\u200b\u00a0why\ufeff ", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "why"}},
		{"Reason1000Bytes", "/unban", "g a -- " + reason1000, strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: reason1000}},
		{"NoReasonWhenNotRequired", "/unban", "g a", laxCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a")}},
		{"EmptyReasonWhenNotRequired", "/unban", "g a -- ", laxCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a")}},
		{"PastedList", "/unban", "g\talice,bob\u00a0carol\u200bdave\r\nerin, ,frank\u202fgus\u2007hal\ufeffivy\u2060jo\u3000kim\u2003lee -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users(strings.Fields("alice bob carol dave erin frank gus hal ivy jo kim lee")...), Reason: "r"}},
		{"DuplicatesFolded", "/unban", "g bob alice bob Bob alice,bob -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("bob", "alice", "Bob"), Reason: "r"}},
		{"MailtoLinkIsTheWordTyped", "/unban", "g <mailto:alice@example.com|alice@example.com>,<mailto:bob@example.com> -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("alice@example.com", "bob@example.com"), Reason: "r"}},
		{"LinkAsGroupID", "/unban", "<http://example.com|example.com> <tel:+15551234|+15551234> -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("example.com"), Accounts: users("+15551234"), Reason: "r"}},
		{"EntitiesInAccounts", "/unban", "g a&amp;b a&lt;b&gt; -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a&b", "a<b>"), Reason: "r"}},
		{"StrayAngleIsText", "/unban", "g a<b <d -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a<b", "<d"), Reason: "r"}},
		{"LongestIDs", "/unban", strings.Repeat("g", 48) + " " + strings.Repeat("a", 32) + " -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget(strings.Repeat("g", 48)), Accounts: users(strings.Repeat("a", 32)), Reason: "r"}},
		// /ban, /mute, /unmute and the action rules
		{"Ban", "/ban", "@TGS#aJRGC4MH6 alice bob -- spam wave", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("@TGS#aJRGC4MH6"), Accounts: users("alice", "bob"), Reason: "spam wave"}},
		{"BanRoomFor", "/ban", "room standup-42 carol for 7d -- abuse", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: roomTarget("standup-42"), Accounts: users("carol"), Duration: 7 * 24 * time.Hour, Reason: "abuse"}},
		{"BanForAmongAccounts", "/ban", "g a for 30m b -- r", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a", "b"), Duration: 30 * time.Minute, Reason: "r"}},
		{"BanForFirst", "/ban", "g FOR 2W a -- r", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), Duration: 14 * 24 * time.Hour, Reason: "r"}},
		{"BanForHours", "/ban", "g a for 12h -- r", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), Duration: 12 * time.Hour, Reason: "r"}},
		{"BanPermanent", "/ban", "g a for permanent -- r", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), Duration: tim.Permanent, Reason: "r"}},
		{"BanOneMinute", "/ban", "g a for 1m -- r", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), Duration: time.Minute, Reason: "r"}},
		{"BanLongestMinutes", "/ban", "g a for 71582788m -- r", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), Duration: 71582788 * time.Minute, Reason: "r"}},
		{"BanNoReasonWhenNotRequired", "/ban", "g a", laxCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a")}},
		{"Mute", "/mute", "g alice for 1h -- flooding", strictCfg,
			&ActionCmd{Action: store.MuteAction, Target: groupTarget("g"), Accounts: users("alice"), Duration: time.Hour, Reason: "flooding"}},
		{"MuteGroupWordIsAGroupID", "/mute", "group a -- r", strictCfg,
			&ActionCmd{Action: store.MuteAction, Target: groupTarget("group"), Accounts: users("a"), Reason: "r"}},
		{"UnmuteNeedsNoReason", "/unmute", "g alice", strictCfg,
			&ActionCmd{Action: store.UnmuteAction, Target: groupTarget("g"), Accounts: users("alice")}},
		{"UnmuteNeedsNoCode", "/unmute", "g alice -- calmed down", codesRequired,
			&ActionCmd{Action: store.UnmuteAction, Target: groupTarget("g"), Accounts: users("alice"), Reason: "calmed down"}},
		{"UnbanAccountNamedFor", "/unban", "g for a -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("for", "a"), Reason: "r"}},
		{"UnmuteAccountNamedForLast", "/unmute", "g a for", strictCfg,
			&ActionCmd{Action: store.UnmuteAction, Target: groupTarget("g"), Accounts: users("a", "for")}},
		{"ReasonCode", "/ban", "g a -- spam: posted links 5 times", codesCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), ReasonCode: "spam", Reason: "posted links 5 times"}},
		{"ReasonCodeAlone", "/ban", "g a -- spam", codesCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), ReasonCode: "spam"}},
		{"ReasonCodeAnyCaseNoColon", "/mute", "g a -- SPAM links again", codesCfg,
			&ActionCmd{Action: store.MuteAction, Target: groupTarget("g"), Accounts: users("a"), ReasonCode: "spam", Reason: "links again"}},
		{"ReasonCodeRequiredGiven", "/unban", "g a -- abuse:appeal accepted", codesRequired,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), ReasonCode: "abuse", Reason: "appeal accepted"}},
		{"UnknownCodeIsText", "/ban", "g a -- scam: fake giveaway", codesCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "scam: fake giveaway"}},
		{"CodeNeedsWholeWord", "/ban", "g a -- spammer", codesCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "spammer"}},
		{"NoCodesConfigured", "/ban", "g a -- spam: x", strictCfg,
			&ActionCmd{Action: store.BanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "spam: x"}},
		{"AtCap", "/unban", "g a b c a -- r", ParseConfig{RequireReason: true, MaxAccounts: 3},
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a", "b", "c"), Reason: "r"}},
		{"PrintableASCII", "/unban", "@TGS#_x@TOPIC#_y !\"#$%'()*+-./:;=?@[\\]^_`{|}~ -- r", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("@TGS#_x@TOPIC#_y"), Accounts: users("!\"#$%'()*+-./:;=?@[\\]^_`{|}~"), Reason: "r"}},
		{"SurroundingSpace", "/unban", "  \n g  a \t -- r  ", strictCfg,
			&ActionCmd{Action: store.UnbanAction, Target: groupTarget("g"), Accounts: users("a"), Reason: "r"}},

		// /roles
		{"Roles", "/roles", "@TGS#aJRGC4MH6 alice bob,alice", strictCfg,
			&RolesCmd{Group: "@TGS#aJRGC4MH6", Accounts: users("alice", "bob")}},
		{"RolesRoomWordIsAGroupID", "/roles", "room alice", strictCfg,
			&RolesCmd{Group: "room", Accounts: users("alice")}},

		// /banned
		{"BannedRoom", "/banned", "standup-42", strictCfg, &BannedCmd{Target: roomTarget("standup-42")}},
		{"BannedRoomKeyword", "/banned", "room standup-42", strictCfg, &BannedCmd{Target: roomTarget("standup-42")}},
		{"BannedGroup", "/banned", "group @TGS#aJRGC4MH6", strictCfg, &BannedCmd{Target: groupTarget("@TGS#aJRGC4MH6")}},
		{"BannedGroupKeywordAnyCase", "/banned", " GROUP\u00a0g\n", strictCfg, &BannedCmd{Target: groupTarget("g")}},
		{"BannedRoomNamedRoom", "/banned", "room room", strictCfg, &BannedCmd{Target: roomTarget("room")}},

		// /modbot
		{"ModbotBareIsHelp", "/modbot", " ", strictCfg, &ModbotCmd{Sub: SubHelp}},
		{"Help", "/modbot", "help", strictCfg, &ModbotCmd{Sub: SubHelp}},
		{"HelpTopic", "/modbot", "Help unban", strictCfg, &ModbotCmd{Sub: SubHelp, Topic: CmdUnban}},
		{"HelpTopicSlash", "/modbot", "help /BANNED", strictCfg, &ModbotCmd{Sub: SubHelp, Topic: CmdBanned}},
		{"Whoami", "/modbot", "whoami", strictCfg, &ModbotCmd{Sub: SubWhoami}},
		{"Who", "/modbot", "WHO", strictCfg, &ModbotCmd{Sub: SubWho}},
		{"Pending", "/modbot", "pending", strictCfg, &ModbotCmd{Sub: SubPending}},
		{"AllowMentionWithLabel", "/modbot", "allow <@U123ABC|bob> approver", strictCfg,
			&ModbotCmd{Sub: SubAllow, User: "U123ABC", Role: store.RoleApprover}},
		{"AllowMentionWithoutLabel", "/modbot", "allow <@U123ABC> Moderator", strictCfg,
			&ModbotCmd{Sub: SubAllow, User: "U123ABC", Role: store.RoleModerator}},
		{"AllowMemberIDW", "/modbot", "allow W0ENTERPRISE1 admin", strictCfg,
			&ModbotCmd{Sub: SubAllow, User: "W0ENTERPRISE1", Role: store.RoleAdmin}},
		{"AllowViewer", "/modbot", "allow U1AB viewer", strictCfg,
			&ModbotCmd{Sub: SubAllow, User: "U1AB", Role: store.RoleViewer}},
		{"RevokeMention", "/modbot", "revoke <@W42XY|dana>", strictCfg, &ModbotCmd{Sub: SubRevoke, User: "W42XY"}},
		{"RevokeMemberID", "/modbot", "revoke U42XY", strictCfg, &ModbotCmd{Sub: SubRevoke, User: "U42XY"}},
		{"BannedGroupMuted", "/banned", "Group g Muted", strictCfg, &BannedCmd{Target: groupTarget("g"), Muted: true}},
		{"BannedGroupNamedMuted", "/banned", "group muted", strictCfg, &BannedCmd{Target: groupTarget("muted")}},
		{"LogActionReason", "/modbot", "log action:BAN reason:Spam", strictCfg,
			&ModbotCmd{Sub: SubLog, Log: LogFilter{Action: store.BanAction, Reason: "spam", Count: 10}}},
		{"LogActionSpaced", "/modbot", "log action: unmute reason: off-topic_2", strictCfg,
			&ModbotCmd{Sub: SubLog, Log: LogFilter{Action: store.UnmuteAction, Reason: "off-topic_2", Count: 10}}},
		{"LogDefaults", "/modbot", "log", strictCfg, &ModbotCmd{Sub: SubLog, Log: LogFilter{Count: 10}}},
		{"LogAllFilters", "/modbot", "log account:alice group:@TGS#aJRGC4MH6 room:r1 by:<@U1AB|bob> #42 -n 50", strictCfg,
			&ModbotCmd{Sub: SubLog, Log: LogFilter{Account: "alice", Group: "@TGS#aJRGC4MH6", Room: "r1", By: "U1AB", Request: 42, Count: 50}}},
		{"LogFiltersAnyOrderAndCase", "/modbot", "log -n5 By:U1AB Account:a&amp;b", strictCfg,
			&ModbotCmd{Sub: SubLog, Log: LogFilter{Account: "a&b", By: "U1AB", Count: 5}}},
		{"LogSpaceAfterColon", "/modbot", "log account: alice by: <@U1AB|bob>", strictCfg,
			&ModbotCmd{Sub: SubLog, Log: LogFilter{Account: "alice", By: "U1AB", Count: 10}}},
		{"LogLimits", "/modbot", "log -n 100 #9223372036854775807", strictCfg,
			&ModbotCmd{Sub: SubLog, Log: LogFilter{Request: 9223372036854775807, Count: 100}}},
		{"LogAccountWithColon", "/modbot", "log account:a:b", strictCfg,
			&ModbotCmd{Sub: SubLog, Log: LogFilter{Account: "a:b", Count: 10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.cmd, tt.text, tt.cfg)
			if err != nil {
				t.Fatalf("Parse(%q, %q): %v", tt.cmd, tt.text, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q, %q)\n got %#v\nwant %#v", tt.cmd, tt.text, got, tt.want)
			}
			if got, want := got.Name(), strings.ToLower(tt.cmd); got != want {
				t.Fatalf("Name()=%q, want %q", got, want)
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	strictCfg, laxCfg := ParseConfig{RequireReason: true}, ParseConfig{}
	codesRequired := ParseConfig{RequireReason: true, Reasons: testReasons, RequireReasonCode: true}
	long := strings.Repeat("x", 100)
	tests := []struct {
		name      string
		cmd, text string
		cfg       ParseConfig
		usage     string   // UsageError.Command
		want      string   // exact Problem, when set
		names     []string // substrings Problem must hold: the offending input, quoted
	}{
		{"UnknownCommand", "/kick", "g a", strictCfg, "", `modbot has no command "/kick"`, nil},

		// missing pieces
		{"UnbanEmpty", "/unban", "", strictCfg, CmdUnban, "say which group and which accounts to unban", nil},
		{"UnbanOnlySpaces", "/unban", " \t\u00a0\u200b,\n", strictCfg, CmdUnban, "say which group and which accounts to unban", nil},
		{"UnbanOnlyReason", "/unban", "-- because", strictCfg, CmdUnban, "say which group and which accounts to unban", nil},
		{"UnbanNoAccounts", "/unban", "g -- r", strictCfg, CmdUnban, "name at least one account after the group ID", nil},
		{"UnbanRoomNoID", "/unban", "room", strictCfg, CmdUnban, `give the room ID after "room"`, nil},
		{"UnbanRoomNoAccounts", "/unban", "room r1", strictCfg, CmdUnban, "name at least one account after the room ID", nil},
		{"UnbanRoomNoIDBeforeReason", "/unban", "room -- r", strictCfg, CmdUnban, `give the room ID after "room"`, nil},
		{"BannedDashBeforeID", "/banned", "group -- r", strictCfg, CmdBanned, `"--" came before the group ID: give the ID first`, nil},
		{"RolesEmpty", "/roles", "", strictCfg, CmdRoles, "say which group and which accounts to look up", nil},
		{"RolesNoAccounts", "/roles", "g", strictCfg, CmdRoles, "name at least one account after the group ID", nil},
		{"BannedEmpty", "/banned", "", strictCfg, CmdBanned, `say which room (or "group" and which group) to list`, nil},
		{"BannedGroupNoID", "/banned", "group", strictCfg, CmdBanned, `give the group ID after "group"`, nil},

		// the reason
		{"ReasonMissing", "/unban", "g a", strictCfg, CmdUnban,
			`a reason is required: end the command with " -- " and why, e.g. "-- appeal accepted"`, nil},
		{"ReasonEmpty", "/unban", "g a --  \n", strictCfg, CmdUnban,
			`the reason after "--" is empty: say why these accounts should be unbanned`, nil},
		{"ReasonTooLong", "/unban", "g a -- " + strings.Repeat("r", 1001), strictCfg, CmdUnban,
			"the reason is 1,001 bytes; it can be at most 1,000 bytes", nil},
		{"ReasonTooLongNotRequired", "/unban", "g a -- " + strings.Repeat("é", 501), laxCfg, CmdUnban,
			"the reason is 1,002 bytes; it can be at most 1,000 bytes", nil},
		{"ReasonGlued", "/unban", "g a --spam", laxCfg, CmdUnban,
			`"--spam" looks like the start of the reason: put a space after "--"`, nil},
		{"ReasonGluedEmDash", "/unban", "g a —spam -- r", strictCfg, CmdUnban, "", []string{`"—spam"`}},
		{"RolesTakesNoReason", "/roles", "g a -- why", strictCfg, CmdRoles, `"--" starts a reason, but /roles takes none`, nil},
		{"RolesTakesNoReasonEmDash", "/roles", "g — why", strictCfg, CmdRoles, "", []string{`"—"`}},

		// IDs and accounts
		{"AccountNonASCII", "/unban", "g bob\u00e9 -- r", strictCfg, CmdUnban,
			`account "bobé" has byte 0xc3 at position 4 ('é' is not ASCII); accounts are printable ASCII without spaces or commas`, nil},
		{"AccountControl", "/unban", "g a\x01b -- r", strictCfg, CmdUnban,
			`account "a\x01b" has byte 0x01 at position 2 (a control character); accounts are printable ASCII without spaces or commas`, nil},
		{"AccountDEL", "/roles", "g a\x7f", strictCfg, CmdRoles, "", []string{`"a\x7f"`, "0x7f", "position 2"}},
		{"AccountInvalidUTF8", "/unban", "g ab\xff -- r", strictCfg, CmdUnban,
			`account "ab\xff" has byte 0xff at position 3; accounts are printable ASCII without spaces or commas`, nil},
		{"AccountEmoji", "/roles", "g ok 🙂x", strictCfg, CmdRoles, "", []string{`"🙂x"`, "0xf0", "position 1"}},
		{"AccountRTLOverride", "/roles", "g a\u202eb", strictCfg, CmdRoles, "", []string{`"a\u202eb"`, "0xe2", "position 2"}},
		{"Account33Bytes", "/unban", "g " + strings.Repeat("a", 33) + " -- r", strictCfg, CmdUnban,
			`account "` + strings.Repeat("a", 33) + `" is 33 bytes; accounts are at most 32 bytes`, nil},
		{"AccountVeryLongIsShortenedInMessage", "/roles", "g " + long, strictCfg, CmdRoles,
			`account "` + long[:61] + `…" is 100 bytes; accounts are at most 32 bytes`, nil},
		{"Group49Bytes", "/unban", strings.Repeat("g", 49) + " a -- r", strictCfg, CmdUnban,
			`group ID "` + strings.Repeat("g", 49) + `" is 49 bytes; group IDs are at most 48 bytes`, nil},
		{"Room49Bytes", "/banned", strings.Repeat("r", 49), strictCfg, CmdBanned, "", []string{`room ID "` + strings.Repeat("r", 49) + `"`, "49 bytes"}},
		{"GroupNonASCII", "/banned", "group gr\u00fcn", strictCfg, CmdBanned, "", []string{`group ID "grün"`, "0xc3", "position 3"}},
		{"RoomNonASCII", "/unban", "room caf\u00e9 a -- r", strictCfg, CmdUnban, "", []string{`room ID "café"`, "0xc3", "position 4"}},
		{"MentionAsAccount", "/unban", "g <@U123ABC|bob> -- r", strictCfg, CmdUnban,
			`"<@U123ABC|bob>" is a Slack user mention, not an account`, nil},
		{"SpecialAsAccount", "/unban", "g <!channel> -- r", strictCfg, CmdUnban,
			`"<!channel>" is a Slack special mention, not an account`, nil},
		{"SubteamAsAccount", "/roles", "g a<!subteam^S1|@mods>", strictCfg, CmdRoles, "", []string{`"a<!subteam^S1|@mods>"`, "special mention"}},
		{"ChannelAsGroup", "/unban", "<#C123|general> a -- r", strictCfg, CmdUnban,
			`"<#C123|general>" is a Slack channel link, not a group ID`, nil},
		{"ChannelAsRoom", "/banned", "room <#C123>", strictCfg, CmdBanned, "", []string{`"<#C123>"`, "not a room ID"}},

		// caps
		{"OverCap", "/unban", "g a b c a -- r", ParseConfig{RequireReason: true, MaxAccounts: 2}, CmdUnban,
			"3 different accounts given; one command takes at most 2: split the list", nil},
		{"OverDefaultCap", "/roles", "g " + numberedAccounts(1001), strictCfg, CmdRoles,
			"1,001 different accounts given; one command takes at most 1,000: split the list", nil},
		{"BannedExtra", "/banned", "r1 r2", strictCfg, CmdBanned, `unexpected "r2" after the room ID: /banned lists one room or group`, nil},
		{"BannedReason", "/banned", "group g -- r", strictCfg, CmdBanned, `unexpected "--" after the group ID: /banned lists one room or group`, nil},

		// /modbot
		{"UnknownSubcommand", "/modbot", "frobnicate", strictCfg, CmdModbot,
			`unknown subcommand "frobnicate": use help, whoami, who, pending, log, allow, revoke, note, watch, unwatch or watched`, nil},
		{"MentionAsSubcommand", "/modbot", "<@U1AB|bob>", strictCfg, CmdModbot, "", []string{`"<@U1AB|bob>"`, "unknown subcommand"}},
		{"HelpUnknownTopic", "/modbot", "help kick", strictCfg, CmdModbot, "", []string{`"kick"`, "ban, mute, unmute, unban"}},
		{"WhoExtra", "/modbot", "who me", strictCfg, CmdModbot, `unexpected "me" after /modbot who`, nil},
		{"AllowNoUser", "/modbot", "allow", strictCfg, CmdModbot, "say who to allow: mention them, e.g. /modbot allow @alice", nil},
		{"AllowNoRole", "/modbot", "allow <@U1AB|bob>", strictCfg, CmdModbot,
			"say which role to grant: viewer, moderator, approver or admin", nil},
		{"AllowUnknownRole", "/modbot", "allow U1AB god", strictCfg, CmdModbot,
			`unknown role "god": the roles are viewer, moderator, approver and admin`, nil},
		// the action rules
		{"BanForMissing", "/ban", "g a for -- r", strictCfg, CmdBan,
			`"for" needs a duration after it: for 30m, for 12h, for 7d, for 2w or for permanent (an account named "for" cannot be named in /ban)`, nil},
		{"MuteForAtEnd", "/mute", "g a for", strictCfg, CmdMute, "", []string{`"for" needs a duration`, "/mute"}},
		{"BanUnknownUnit", "/ban", "g a for 7y -- r", strictCfg, CmdBan,
			`"7y" has an unknown unit "y": use m (minutes), h (hours), d (days) or w (weeks), e.g. for 30m, for 12h, for 7d, for 2w or for permanent`, nil},
		{"BanSeconds", "/ban", "g a for 90s -- r", strictCfg, CmdBan, "", []string{`"90s" has an unknown unit "s"`}},
		{"BanNoUnit", "/ban", "g a for 90 -- r", strictCfg, CmdBan, "", []string{`"90" is not a duration`}},
		{"BanGoDuration", "/ban", "g a for 1h30m -- r", strictCfg, CmdBan, "", []string{`"1h30m" is not a duration`}},
		{"BanNegative", "/ban", "g a for -5m -- r", strictCfg, CmdBan, "", []string{`"-5m" is not a duration`}},
		{"BanForAccountWord", "/ban", "g a for bob -- r", strictCfg, CmdBan, "", []string{`"bob" is not a duration`}},
		{"BanUnderAMinute", "/ban", "g a for 0m -- r", strictCfg, CmdBan, "for 0m is under a minute: the shortest is for 1m", nil},
		{"BanOverMax", "/ban", "g a for 71582789m -- r", strictCfg, CmdBan,
			"for 71582789m is longer than Tencent allows (4,294,967,295 seconds, about 136 years): use for permanent", nil},
		{"BanOverflow", "/ban", "g a for 99999999999999999999999w -- r", strictCfg, CmdBan, "", []string{"longer than Tencent allows"}},
		{"BanTwoDurations", "/ban", "g a for 7d b for 1d -- r", strictCfg, CmdBan, `two durations given (for 7d and for "1d"): give one`, nil},
		{"UnbanDuration", "/unban", "g a for 7d -- r", strictCfg, CmdUnban, "/unban takes no duration (for 7d): an unban lifts the ban for good, at once", nil},
		{"UnmuteDuration", "/unmute", "g a for permanent", strictCfg, CmdUnmute, "", []string{"/unmute takes no duration (for permanent)"}},
		{"MuteRoom", "/mute", "room r a -- r", strictCfg, CmdMute, "", []string{"/mute works on groups only", "rooms have no mutes", "/ban room"}},
		{"UnmuteRoom", "/unmute", "ROOM r a", strictCfg, CmdUnmute, "", []string{"/unmute works on groups only"}},
		{"BanNoAccounts", "/ban", "g for 1d -- r", strictCfg, CmdBan, "name at least one account after the group ID", nil},
		{"BanEmpty", "/ban", "", strictCfg, CmdBan, "say which group and which accounts to ban", nil},
		{"BanReasonRequired", "/ban", "g a for 1d", strictCfg, CmdBan, "", []string{"a reason is required", "-- posted scam links"}},
		{"MuteReasonEmpty", "/mute", "g a --", strictCfg, CmdMute, `the reason after "--" is empty: say why these accounts should be muted`, nil},
		{"CodeRequiredMissing", "/ban", "g a -- posted links", codesRequired, CmdBan,
			`the reason does not start with a reason code: start the reason with one of spam or abuse, e.g. "-- spam: what happened"`, nil},
		{"CodeRequiredNoReason", "/unban", "g a", ParseConfig{Reasons: testReasons, RequireReasonCode: true}, CmdUnban,
			"", []string{"a reason code is required", "spam or abuse"}},
		{"CodeRequiredUnknownCode", "/mute", "g a -- scam: x", codesRequired, CmdMute, "", []string{"does not start with a reason code"}},
		{"BannedRoomMuted", "/banned", "room r muted", strictCfg, CmdBanned, "", []string{"rooms have no mutes", "/banned group <group-id> muted"}},
		{"BannedBareRoomMuted", "/banned", "r muted", strictCfg, CmdBanned, "", []string{"rooms have no mutes"}},
		{"BannedMutedExtra", "/banned", "group g muted x", strictCfg, CmdBanned, "", []string{`unexpected "x" after the group ID`}},
		{"LogUnknownAction", "/modbot", "log action:kick", strictCfg, CmdModbot,
			`unknown action "kick": use action:ban, action:mute, action:unmute or action:unban`, nil},
		{"LogActionNoValue", "/modbot", "log action:", strictCfg, CmdModbot, "action: needs a value, e.g. action:ban", nil},
		{"LogBadReasonCode", "/modbot", "log reason:sp/am", strictCfg, CmdModbot, "", []string{`"sp/am" is not a reason code`, "reason:spam"}},
		{"LogReasonTwice", "/modbot", "log reason:a reason:b", strictCfg, CmdModbot, "reason: is given twice: /modbot log takes each filter once", nil},
		{"AllowPlainName", "/modbot", "allow @bob admin", strictCfg, CmdModbot,
			`"@bob" is plain text, not a mention: type @ and pick the person from Slack's list, or give their member ID (U… or W…, under ⋮ in their profile)`, nil},
		{"AllowLowercaseID", "/modbot", "allow u1ab admin", strictCfg, CmdModbot, "", []string{`"u1ab" is not a Slack user`}},
		{"AllowChannel", "/modbot", "allow <#C1AB|mods> admin", strictCfg, CmdModbot, "", []string{`"<#C1AB|mods>" is not a Slack user`}},
		{"AllowBadMentionID", "/modbot", "allow <@bob> admin", strictCfg, CmdModbot, "", []string{`"<@bob>" is not a Slack user`}},
		{"RevokeExtra", "/modbot", "revoke U1AB now", strictCfg, CmdModbot, "", []string{`"now" is not a target`, "group:<id> or room:<id>"}},
		{"LogPlainBy", "/modbot", "log by:@bob", strictCfg, CmdModbot, "", []string{`"@bob" is plain text, not a mention`}},
		{"LogUnknownFilter", "/modbot", "log user:bob", strictCfg, CmdModbot,
			`unknown filter "user:bob": use account:<id>, group:<id>, room:<id>, by:@user, action:<kind>, reason:<code>, #<n> or -n <count>`, nil},
		{"LogMentionFilter", "/modbot", "log <@U1AB|bob>", strictCfg, CmdModbot, "", []string{`"<@U1AB|bob>"`, "unknown filter"}},
		{"LogNZero", "/modbot", "log -n 0", strictCfg, CmdModbot, `-n needs a number from 1 to 100, not "0"`, nil},
		{"LogNTooBig", "/modbot", "log -n 101", strictCfg, CmdModbot, `-n needs a number from 1 to 100, not "101"`, nil},
		{"LogNWord", "/modbot", "log -n ten", strictCfg, CmdModbot, `-n needs a number from 1 to 100, not "ten"`, nil},
		{"LogNSigned", "/modbot", "log -n +5", strictCfg, CmdModbot, "", []string{`"+5"`}},
		{"LogNMissing", "/modbot", "log account:a -n", strictCfg, CmdModbot, "-n needs a number from 1 to 100", nil},
		{"LogNTwice", "/modbot", "log -n 5 -n 6", strictCfg, CmdModbot, "-n is given twice: /modbot log takes each filter once", nil},
		{"LogRequestWord", "/modbot", "log #abc", strictCfg, CmdModbot, `"#abc" is not a request number: use # and the number, e.g. #42`, nil},
		{"LogRequestZero", "/modbot", "log #0", strictCfg, CmdModbot, "", []string{`"#0"`}},
		{"LogRequestBare", "/modbot", "log #", strictCfg, CmdModbot, "", []string{`"#"`}},
		{"LogRequestOverflow", "/modbot", "log #9223372036854775808", strictCfg, CmdModbot, "", []string{`"#9223372036854775808"`}},
		{"LogFilterTwice", "/modbot", "log account:a account:b", strictCfg, CmdModbot,
			"account: is given twice: /modbot log takes each filter once", nil},
		{"LogFilterNoValue", "/modbot", "log account:", strictCfg, CmdModbot, "account: needs a value, e.g. account:alice", nil},
		{"LogBadAccount", "/modbot", "log account:" + strings.Repeat("a", 33), strictCfg, CmdModbot, "", []string{`account "` + strings.Repeat("a", 33) + `"`, "33 bytes"}},
		{"LogBadGroup", "/modbot", "log group:gr\u00fcn", strictCfg, CmdModbot, "", []string{`group ID "grün"`}},
		{"LogDash", "/modbot", "log -- why", strictCfg, CmdModbot, "", []string{`"--"`, "unknown filter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, err := Parse(tt.cmd, tt.text, tt.cfg)
			if err == nil {
				t.Fatalf("Parse(%q, %q) = %#v, want an error", tt.cmd, tt.text, cmd)
			}
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v is a %T, want *UsageError", err, err)
			}
			if got, want := ue.Command, tt.usage; got != want {
				t.Errorf("Command=%q, want %q", got, want)
			}
			if tt.want != "" && ue.Problem != tt.want {
				t.Errorf("Problem\n got %s\nwant %s", ue.Problem, tt.want)
			}
			for _, s := range tt.names {
				if !strings.Contains(ue.Problem, s) {
					t.Errorf("Problem %s does not name %s", ue.Problem, s)
				}
			}
			if tt.want == "" && len(tt.names) == 0 {
				t.Fatal("case checks neither the message nor what it names")
			}
		})
	}
}

func TestUsageError_Error(t *testing.T) {
	if got, want := (&UsageError{Command: CmdUnban, Problem: "x"}).Error(), "/unban: x"; got != want {
		t.Fatalf("Error()=%q, want %q", got, want)
	}
	if got, want := (&UsageError{Problem: "x"}).Error(), "x"; got != want {
		t.Fatalf("Error()=%q, want %q", got, want)
	}
}

func TestTarget_String(t *testing.T) {
	if got, want := roomTarget("r1").String(), "room r1"; got != want {
		t.Fatalf("String()=%q, want %q", got, want)
	}
	if got, want := groupTarget("@TGS#x").String(), "group @TGS#x"; got != want {
		t.Fatalf("String()=%q, want %q", got, want)
	}
	if got, want := TargetKind(7).String(), "TargetKind(7)"; got != want {
		t.Fatalf("String()=%q, want %q", got, want)
	}
}

// TestParse_HelpExamples parses every example the help shows, as Slack
// would send it.
func TestParse_HelpExamples(t *testing.T) {
	for _, strictCfg := range []ParseConfig{{RequireReason: true}, {RequireReason: true, RequireReasonCode: true, Reasons: testReasons}} {
		for _, h := range helpTopics(strictCfg) {
			for _, e := range h.examples {
				name, text, _ := strings.Cut(e, " ")
				text = Escape(text)
				if name == CmdModbot { // should_escape: Slack turns a picked @dana into a mention
					text = strings.ReplaceAll(text, "@dana", "<@U0DANA|dana>")
				}
				if _, err := Parse(name, text, strictCfg); err != nil {
					t.Errorf("example %q: %v", e, err)
				}
			}
		}
	}
}

// fuzzCommands are the commands FuzzParse tries.
var fuzzCommands = []string{CmdUnban, CmdRoles, CmdBanned, CmdModbot, CmdBan, CmdMute, CmdUnmute}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", " ", "@TGS#aJRGC4MH6 alice bob -- spam wave ended", "room r1 a,b\u00a0c — why",
		"g <@U1AB|bob> <!channel> <#C1|x> <mailto:a@b.c|a@b.c> <http://x.y> -- <!here> &amp;&lt;&gt;",
		"group g", "g a --spam", "g a\u200bb\ufeffc -- &lt;@U1&gt;", "<", "<<>>", "<@>", "<|>", "&amp",
		"help unban", "allow <@U1AB|bob> admin", "revoke W2CD", "allow @bob admin",
		"log account:a group:g room:r by:<@U1AB|x> #4 -n 7", "log by: <@U1|x> account: -n",
		"g " + strings.Repeat("a", 33) + " -- " + strings.Repeat("é", 501),
		"g a for 7d b -- spam: links", "room r a for permanent -- abuse", "g for", "g a for 0m", "g a FOR 2W -- Spam",
		"g a for 4294967295m", "g a for 71582788m for 1h", "g for for 1d -- spam:", "g a for 1h -- spam:: x",
		"log action:ban reason:spam", "log action: mute reason: x", "group g muted", "room r muted",
	} {
		for which := range uint8(len(fuzzCommands)) {
			f.Add(which, s, which%2 == 0, uint8(0), which%4)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, text string, requireReason bool, maxAccounts, codes uint8) {
		name := fuzzCommands[int(which)%len(fuzzCommands)]
		cfg := ParseConfig{RequireReason: requireReason, MaxAccounts: int(maxAccounts % 8)}
		if codes&1 != 0 {
			cfg.Reasons = []ReasonCode{{"spam", "Spam or scam links"}, {"abuse", "Harassment"}, {"x-1_", "Other"}}
		}
		cfg.RequireReasonCode = codes&2 != 0
		cmd, err := Parse(name, text, cfg)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v is a %T, want *UsageError", err, err)
			}
			if ue.Command != name || ue.Problem == "" || !utf8.ValidString(ue.Problem) || len(ue.Problem) > 600 {
				t.Fatalf("bad UsageError %#v", ue)
			}
			return
		}
		checkParsed(t, cmd, cfg)
		again, err := Parse(name, canonicalText(cmd), cfg)
		if err != nil {
			t.Fatalf("canonical %q of %#v: %v", canonicalText(cmd), cmd, err)
		}
		if !reflect.DeepEqual(again, cmd) {
			t.Fatalf("canonical %q parsed to %#v, want %#v", canonicalText(cmd), again, cmd)
		}
	})
}

// checkParsed checks what every successful parse promises.
func checkParsed(t *testing.T, cmd Command, cfg ParseConfig) {
	t.Helper()
	limit := cfg.MaxAccounts
	if limit == 0 {
		limit = DefaultMaxAccounts
	}
	id := func(what, s string, maxBytes int) {
		if s == "" || len(s) > maxBytes {
			t.Fatalf("%s %q: %d bytes, want 1..%d", what, s, len(s), maxBytes)
		}
		for i := 0; i < len(s); i++ {
			if s[i] < 0x21 || s[i] > 0x7e || s[i] == ',' {
				t.Fatalf("%s %q: byte 0x%02x at %d", what, s, s[i], i)
			}
		}
	}
	accounts := func(list []string) {
		if len(list) == 0 || len(list) > limit {
			t.Fatalf("%d accounts, want 1..%d", len(list), limit)
		}
		seen := map[string]bool{}
		for _, a := range list {
			id("account", a, MaxAccountBytes)
			if seen[a] {
				t.Fatalf("account %q twice", a)
			}
			seen[a] = true
		}
	}
	target := func(tg Target) {
		if tg.Kind != TargetGroup && tg.Kind != TargetRoom {
			t.Fatalf("target kind %v", tg.Kind)
		}
		id("target", tg.ID(), MaxIDBytes)
	}
	switch c := cmd.(type) {
	case *ActionCmd:
		target(c.Target)
		accounts(accountStrings(c.Accounts))
		needed := c.Action != store.UnmuteAction && (cfg.RequireReason || cfg.RequireReasonCode)
		if len(c.Reason) > MaxReasonBytes || !utf8.ValidString(c.Reason) || (needed && c.Reason == "" && c.ReasonCode == "") {
			t.Fatalf("reason %q code %q", c.Reason, c.ReasonCode)
		}
		if c.Action != store.UnmuteAction && cfg.RequireReasonCode && c.ReasonCode == "" {
			t.Fatalf("no reason code in %#v", c)
		}
		if c.ReasonCode != "" && !slices.ContainsFunc(cfg.Reasons, func(r ReasonCode) bool { return r.Code == c.ReasonCode }) {
			t.Fatalf("unknown reason code %q", c.ReasonCode)
		}
		if c.Action.Mutes() && c.Target.Kind != TargetGroup {
			t.Fatalf("%s on %v", c.Action, c.Target)
		}
		if c.Duration != 0 && (c.Action.Lifts() || c.Duration < time.Minute || c.Duration > tim.Permanent) {
			t.Fatalf("%s for %v", c.Action, c.Duration)
		}
		if c.Reason != strings.TrimSpace(c.Reason) {
			t.Fatalf("reason %q not trimmed", c.Reason)
		}
	case *RolesCmd:
		id("group", string(c.Group), MaxIDBytes)
		accounts(accountStrings(c.Accounts))
	case *BannedCmd:
		target(c.Target)
		if c.Muted && c.Target.Kind != TargetGroup {
			t.Fatalf("muted list of %v", c.Target)
		}
	case *ModbotCmd:
		switch c.Sub {
		case SubHelp, SubWhoami, SubWho, SubPending:
		case SubAllow, SubRevoke:
			if !isMemberID(c.User) || (c.Sub == SubAllow) != (c.Role > store.RoleNone) {
				t.Fatalf("user %q role %q", c.User, c.Role)
			}
		case SubLog:
			l := c.Log
			for _, f := range []struct {
				what, s  string
				maxBytes int
			}{{"account", l.Account, MaxAccountBytes}, {"group", l.Group, MaxIDBytes}, {"room", l.Room, MaxIDBytes}} {
				if f.s != "" {
					id(f.what, f.s, f.maxBytes)
				}
			}
			if (l.By != "" && !isMemberID(l.By)) || l.Request < 0 || l.Count < 1 || l.Count > MaxLogCount {
				t.Fatalf("log filter %#v", l)
			}
		default:
			t.Fatalf("subcommand %q", c.Sub)
		}
	default:
		t.Fatalf("command %T", cmd)
	}
}

// canonicalText writes a parsed command back as Slack would send it.
func canonicalText(cmd Command) string {
	var w []string
	switch c := cmd.(type) {
	case *ActionCmd:
		if c.Target.Kind == TargetRoom {
			w = append(w, "room")
		}
		w = append(w, c.Target.ID())
		w = append(w, accountStrings(c.Accounts)...)
		if c.Duration != 0 {
			w = append(w, "for", FormatActionDuration(c.Duration))
		}
		switch {
		case c.ReasonCode != "" && c.Reason != "":
			w = append(w, "--", c.ReasonCode+": "+c.Reason)
		case c.ReasonCode != "":
			w = append(w, "--", c.ReasonCode)
		case c.Reason != "":
			w = append(w, "--", c.Reason)
		}
	case *RolesCmd:
		w = append(append(w, string(c.Group)), accountStrings(c.Accounts)...)
	case *BannedCmd:
		w = append(w, c.Target.String())
		if c.Muted {
			w = append(w, "muted")
		}
	case *ModbotCmd:
		w = append(w, string(c.Sub))
		switch c.Sub {
		case SubHelp:
			w = append(w, strings.TrimPrefix(c.Topic, "/"))
		case SubAllow, SubRevoke:
			w = append(w, c.User, c.Role.String())
		case SubLog:
			l := c.Log
			for _, f := range [][2]string{{"account:", l.Account}, {"group:", l.Group}, {"room:", l.Room}, {"by:", l.By}, {"action:", string(l.Action)}, {"reason:", l.Reason}} {
				if f[1] != "" {
					w = append(w, f[0]+f[1])
				}
			}
			if l.Request != 0 {
				w = append(w, "#"+strconv.FormatInt(l.Request, 10))
			}
			w = append(w, "-n", strconv.Itoa(l.Count))
		}
	}
	return Escape(strings.Join(w, " "))
}

func numberedAccounts(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("acct%d", i)
	}
	return strings.Join(w, ",")
}

func BenchmarkParse_1000Accounts(b *testing.B) {
	strictCfg := ParseConfig{RequireReason: true}
	text := "@TGS#aJRGC4MH6 " + numberedAccounts(1000) + " -- spam wave ended"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(CmdUnban, text, strictCfg); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUsage(t *testing.T) {
	cfg := ParseConfig{RequireReason: true}
	tests := []struct {
		cmd  string
		want []string
	}{
		{CmdUnban, []string{"*/unban*", "`/unban &lt;group-id&gt; &lt;account&gt;... -- &lt;reason&gt;`", "`/unban room &lt;room-id&gt;",
			"e.g. `/unban @TGS#aJRGC4MH6 alice bob -- spam wave ended`", "Up to 1,000 accounts", "required, at most 1,000 bytes", "`room` right after /unban", "Moderators"}},
		{CmdBan, []string{"*/ban*", "`/ban &lt;group-id&gt; &lt;account&gt;... [for &lt;duration&gt;] -- &lt;reason&gt;`",
			"`/ban room &lt;room-id&gt;", "`for 30m`", "`for permanent`", "at least 1 minute", "Without it: 1d", "account named `for` cannot be named in /ban",
			"runs at once", "Undo", "Confirm", "required, at most 1,000 bytes", "Moderators"}},
		{CmdMute, []string{"*/mute*", "`/mute &lt;group-id&gt; &lt;account&gt;... [for &lt;duration&gt;] -- &lt;reason&gt;`", "Without it: 1h",
			"account named `for` cannot be named in /mute", "rooms have no mutes"}},
		{CmdUnmute, []string{"*/unmute*", "`/unmute &lt;group-id&gt; &lt;account&gt;... [-- &lt;reason&gt;]`", "The reason (optional", "no duration"}},
		{CmdRoles, []string{"*/roles*", "`/roles &lt;group-id&gt; &lt;account&gt;...`", "e.g. `/roles @TGS#aJRGC4MH6 alice bob`", "NotMember"}},
		{CmdBanned, []string{"*/banned*", "`/banned &lt;room-id&gt;`", "`/banned room &lt;room-id&gt;`", "`/banned group &lt;group-id&gt;`", "until when"}},
		{CmdModbot, []string{"*/modbot*", "`/modbot help [command]`", "`/modbot whoami`", "`/modbot who`", "`/modbot pending`",
			"`/modbot log [account:&lt;id&gt;] [group:&lt;id&gt;] [room:&lt;id&gt;] [by:@user] [action:&lt;kind&gt;] [reason:&lt;code&gt;] [#&lt;n&gt;] [-n &lt;count&gt;]`",
			"`/modbot allow @user &lt;role&gt; [group:&lt;id&gt; | room:&lt;id&gt;]`", "`/modbot revoke @user [group:&lt;id&gt; | room:&lt;id&gt;]`", "viewer &lt; moderator &lt; approver &lt; admin", "member ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			u := Usage(strings.ToUpper(tt.cmd), cfg)
			for _, w := range tt.want {
				if !strings.Contains(u, w) {
					t.Errorf("Usage(%s) lacks %q:\n%s", tt.cmd, w, u)
				}
			}
			if strings.ContainsAny(u, "<>") {
				t.Errorf("Usage(%s) has an unescaped < or >:\n%s", tt.cmd, u)
			}
			if !strings.Contains(u, "`/modbot help`") || strings.Contains(u, "*Good to know*") {
				t.Errorf("Usage(%s) should point to /modbot help, not be all of it:\n%s", tt.cmd, u)
			}
		})
	}
	codes := ParseConfig{RequireReason: true, RequireReasonCode: true, Reasons: testReasons,
		Policies: map[store.ActionKind]Policy{store.BanAction: {Duration: tim.Permanent}, store.MuteAction: {Approvals: 2, Duration: 90 * time.Minute}}}
	for cmd, want := range map[string][]string{
		CmdBan:    {"required, starting with a reason code", "`spam` (Spam or scam links), `abuse` (Harassment)", "`-- spam: what happened`", "Without it: permanent", "`/ban @TGS#aJRGC4MH6 alice bob for 7d -- spam: posted scam links`"},
		CmdMute:   {"2 approvers other than you decide", "Without it: 90m"},
		CmdUnmute: {"The reason (optional", "`spam` (Spam or scam links)"},
		CmdUnban:  {"An approver other than you decides"},
	} {
		u := Usage(cmd, codes)
		for _, w := range want {
			if !strings.Contains(u, w) {
				t.Errorf("Usage(%s) with reason codes lacks %q:\n%s", cmd, w, u)
			}
		}
	}
	if got, want := Usage("/nope", cfg), Help(cfg); got != want {
		t.Errorf("Usage(/nope) is not Help:\n%s", got)
	}
	if got, want := Usage("", cfg), Help(cfg); got != want {
		t.Errorf("Usage(\"\") is not Help:\n%s", got)
	}
}

func TestHelp(t *testing.T) {
	h := Help(ParseConfig{RequireReason: true, MaxAccounts: 25000})
	for _, w := range []string{"*/unban*", "*/roles*", "*/banned*", "*/modbot*", "Up to 25,000 accounts",
		"reason (required", "a standalone `--`", "— or –", "never reach a bot", "buttons", "approval thread",
		"printable ASCII", "up to 48 bytes", "up to 32", "Anyone on the allowlist", "admins"} {
		if !strings.Contains(h, w) {
			t.Errorf("Help lacks %q", w)
		}
	}
	if strings.ContainsAny(h, "<>") {
		t.Errorf("Help has an unescaped < or >:\n%s", h)
	}
	for _, part := range splitText(h, maxSectionText) {
		if n := utf8.RuneCountInString(part); n > 3000 {
			t.Errorf("a part of Help is %d characters; a section holds 3,000", n)
		}
	}
	if n := utf8.RuneCountInString(h); n > 11000 {
		t.Errorf("Help is %d characters; a message holds about 12,000", n)
	}
	checkGolden(t, "help", helpMessage("", ParseConfig{RequireReason: true}))
	checkGolden(t, "help_codes", helpMessage("", ParseConfig{RequireReason: true, RequireReasonCode: true, Reasons: testReasons,
		Policies: map[store.ActionKind]Policy{store.BanAction: {Duration: 7 * 24 * time.Hour}, store.UnbanAction: {Approvals: 2}}}))
	for _, c := range []string{CmdBan, CmdMute, CmdUnmute, CmdUnban} {
		checkGolden(t, "help_"+strings.TrimPrefix(c, "/"), helpMessage(c, ParseConfig{RequireReason: true, Reasons: testReasons}))
	}
	if h := Help(ParseConfig{}); !strings.Contains(h, "reason (optional") {
		t.Errorf("Help without RequireReason does not say the reason is optional:\n%s", h)
	}
}

// users types a test's accounts.
func users(accounts ...string) []tim.UserID {
	out := make([]tim.UserID, len(accounts))
	for i, a := range accounts {
		out[i] = tim.UserID(a)
	}
	return out
}
