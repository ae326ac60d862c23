package bot

import (
	"fmt"
	"strings"
	"time"

	"modbot/store"
	"modbot/tim"
)

// Usage returns the help for one slash command as Slack mrkdwn, escaped and
// ready to post: what it does, who may use it, its forms, examples and rules.
// It is what a malformed command answers after the problem. An unknown
// command, "" included, gets Help.
func Usage(command string, cfg ParseConfig) string {
	for _, h := range helpTopics(cfg) {
		if h.name == strings.ToLower(command) {
			var b strings.Builder
			h.write(&b)
			b.WriteString("Slash commands typed in a thread never reach a bot (Slack's rule): type them in a channel or DM. Everything else: `/modbot help`\n")
			return Escape(b.String())
		}
	}
	return Help(cfg)
}

// Help returns the help for every command as Slack mrkdwn, escaped and ready
// to post: what /modbot help answers, cut at line ends into sections of at
// most 3,000 characters (helpMessage).
func Help(cfg ParseConfig) string {
	var b strings.Builder
	b.WriteString("*modbot* moderates Tencent Chat from Slack: bans, mutes and unbans, each checked against the accounts' state first, with Undo or a second person's approval, and every command, decision and result in the audit log.\n\n")
	for _, h := range helpTopics(cfg) {
		h.write(&b)
		b.WriteByte('\n')
	}
	b.WriteString("*Good to know*\n")
	b.WriteString("• Group IDs, room IDs and accounts are printable ASCII without spaces or commas: IDs up to 48 bytes, accounts up to 32.\n")
	b.WriteString("• Slash commands typed in a thread never reach a bot (Slack's rule): act on a request in its approval thread with its buttons.\n")
	return Escape(b.String())
}

// helpTopic is the help of one slash command, in plain text with mrkdwn
// formatting; it is escaped as a whole when rendered.
type helpTopic struct {
	name     string
	what     string
	who      string
	forms    [][2]string // the form and, optionally, what it does
	examples []string
	notes    []string
}

func (h helpTopic) write(b *strings.Builder) {
	fmt.Fprintf(b, "*%s*: %s. _%s._\n", h.name, h.what, h.who)
	for _, f := range h.forms {
		if f[1] == "" {
			fmt.Fprintf(b, "`%s`\n", f[0])
		} else {
			fmt.Fprintf(b, "`%s`: %s\n", f[0], f[1])
		}
	}
	for _, e := range h.examples {
		fmt.Fprintf(b, "e.g. `%s`\n", e)
	}
	for _, n := range h.notes {
		fmt.Fprintf(b, "• %s\n", n)
	}
}

// helpTopics is the help of every command, in the order of the command table.
func helpTopics(cfg ParseConfig) []helpTopic {
	var out []helpTopic
	for _, c := range commandTable() {
		out = append(out, c.help(cfg))
	}
	return out
}

// accountListNote says how many accounts a command takes and how to list them.
func accountListNote(cfg ParseConfig) string {
	limit := cfg.MaxAccounts
	if limit <= 0 {
		limit = DefaultMaxAccounts
	}
	return fmt.Sprintf("Up to %s accounts, separated by spaces, commas or new lines (a pasted list works); duplicates are dropped.", withCommas(limit))
}

// policy is the action's policy as configured, or DefaultPolicy's.
func (cfg ParseConfig) policy(a store.ActionKind) Policy {
	p, ok := cfg.Policies[a]
	if !ok {
		return DefaultPolicy(a)
	}
	if p.Duration == 0 {
		p.Duration = DefaultPolicy(a).Duration
	}
	return p
}

// actionDuration is the default duration of a ban or mute, as help shows it.
func actionDuration(a store.ActionKind, cfg ParseConfig) string {
	return FormatActionDuration(cfg.policy(a).Duration)
}

// FormatActionDuration writes a ban or mute duration as a command takes it: "permanent", "7d",
// "12h", "90m" (the largest unit that divides it), or Go's form for odd ones.
func FormatActionDuration(d time.Duration) string {
	if d >= tim.Permanent {
		return "permanent"
	}
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}} {
		if d > 0 && d%u.d == 0 {
			return fmt.Sprintf("%d%s", d/u.d, u.unit)
		}
	}
	return d.String()
}

// durationNote explains `for <duration>` for /ban and /mute.
func durationNote(a store.ActionKind, cfg ParseConfig) string {
	return fmt.Sprintf("`for <n><unit>` anywhere among the accounts sets how long: unit m, h, d or w (`for 30m`, `for 7d`), or `for permanent`; at least 1 minute. Without it: %s. An account named `for` cannot be named in /%s.",
		actionDuration(a, cfg), a)
}

// reasonNote explains the reason of an action command: whether it is needed and its codes.
func reasonNote(a store.ActionKind, cfg ParseConfig) string {
	need := "optional"
	switch {
	case a == store.UnmuteAction:
	case cfg.RequireReasonCode:
		need = "required, starting with a reason code"
	case cfg.RequireReason:
		need = "required"
	}
	s := fmt.Sprintf("The reason (%s, at most %s bytes) starts at a standalone `--`, or the — or – a phone makes of it, and runs to the end.", need, withCommas(MaxReasonBytes))
	if len(cfg.Reasons) > 0 {
		var codes []string
		for _, c := range cfg.Reasons {
			codes = append(codes, fmt.Sprintf("`%s` (%s)", c.Code, c.Label))
		}
		s += " It may start with a reason code, `-- " + cfg.Reasons[0].Code + ": what happened` or just `-- " + cfg.Reasons[0].Code + "`: " + strings.Join(codes, ", ") + "."
	}
	return s
}

// policyNote says whether the action runs at once (with Undo) or waits for approvers.
func policyNote(a store.ActionKind, cfg ParseConfig) string {
	n := cfg.policy(a).Approvals
	if n == 0 {
		return "It runs at once after a look at each account's state, and offers Undo for a while; on many accounts you first see that preview and Confirm."
	}
	if n == 1 {
		return "An approver other than you decides in the approval thread."
	}
	return fmt.Sprintf("%d approvers other than you decide in the approval thread.", n)
}

// actionWho is who may run an action command.
const actionWho = "Moderators, approvers and admins"

// actionNotes are the notes of an action command's help: who decides, the duration (ban and
// mute, which take one), the account list and the reason, then the command's own note.
func actionNotes(a store.ActionKind, cfg ParseConfig, own string) []string {
	notes := []string{policyNote(a, cfg)}
	if !a.Lifts() {
		notes = append(notes, durationNote(a, cfg))
	}
	return append(notes, accountListNote(cfg), reasonNote(a, cfg), own)
}

func helpBan(cfg ParseConfig) helpTopic {
	return helpTopic{
		name: CmdBan,
		what: "ban accounts from a group or a room, for a while or for good",
		who:  actionWho,
		forms: [][2]string{
			{"/ban <group-id> <account>... [for <duration>] -- <reason>"},
			{"/ban room <room-id> <account>... [for <duration>] -- <reason>"},
		},
		examples: []string{
			"/ban @TGS#aJRGC4MH6 alice bob for 7d " + reasonExample(store.BanAction, cfg),
			"/ban room standup-42 carol for permanent -- " + codePrefix(cfg) + "repeated abuse",
		},
		notes: actionNotes(store.BanAction, cfg,
			"`room` right after /ban always means a room: a group whose ID is `room` cannot be named here."),
	}
}

func helpMute(cfg ParseConfig) helpTopic {
	return helpTopic{
		name: CmdMute,
		what: "stop accounts from sending messages in a group, for a while or for good",
		who:  actionWho,
		forms: [][2]string{
			{"/mute <group-id> <account>... [for <duration>] -- <reason>"},
		},
		examples: []string{"/mute @TGS#aJRGC4MH6 alice for 1h " + reasonExample(store.MuteAction, cfg)},
		notes: actionNotes(store.MuteAction, cfg,
			"Groups only: rooms have no mutes (use /ban room). A group whose ID is `room` cannot be named here."),
	}
}

func helpUnmute(cfg ParseConfig) helpTopic {
	return helpTopic{
		name:     CmdUnmute,
		what:     "let muted accounts send messages in a group again",
		who:      actionWho,
		forms:    [][2]string{{"/unmute <group-id> <account>... [-- <reason>]"}},
		examples: []string{"/unmute @TGS#aJRGC4MH6 alice " + reasonExample(store.UnmuteAction, cfg)},
		notes: actionNotes(store.UnmuteAction, cfg,
			"Groups only, and no duration: an unmute lifts the mute at once."),
	}
}

func helpUnban(cfg ParseConfig) helpTopic {
	return helpTopic{
		name: CmdUnban,
		what: "unban accounts from a group or a room",
		who:  actionWho,
		forms: [][2]string{
			{"/unban <group-id> <account>... -- <reason>"},
			{"/unban room <room-id> <account>... -- <reason>"},
		},
		examples: []string{
			"/unban @TGS#aJRGC4MH6 alice bob -- " + codePrefix(cfg) + "spam wave ended",
			"/unban room standup-42 carol -- " + codePrefix(cfg) + "appeal accepted",
		},
		notes: actionNotes(store.UnbanAction, cfg,
			"No duration: an unban lifts the ban at once. `room` right after /unban always means a room: a group whose ID is `room` cannot be named here."),
	}
}

func helpRoles(cfg ParseConfig) helpTopic {
	return helpTopic{
		name:     CmdRoles,
		what:     "each account's role in a group: Owner, Admin, Member or NotMember",
		who:      "Anyone on the allowlist",
		forms:    [][2]string{{"/roles <group-id> <account>..."}},
		examples: []string{"/roles @TGS#aJRGC4MH6 alice bob"},
		notes:    []string{accountListNote(cfg)},
	}
}

func helpBanned(ParseConfig) helpTopic {
	return helpTopic{
		name: CmdBanned,
		what: "who is banned from a room or group, or muted in a group, and until when",
		who:  "Anyone on the allowlist",
		forms: [][2]string{
			{"/banned <room-id>"},
			{"/banned room <room-id>"},
			{"/banned group <group-id>"},
			{"/banned group <group-id> muted", "the group's muted members"},
		},
		examples: []string{"/banned standup-42", "/banned group @TGS#aJRGC4MH6", "/banned group @TGS#aJRGC4MH6 muted"},
	}
}

func helpModbot(ParseConfig) helpTopic {
	var forms [][2]string
	for _, s := range subcommandTable() {
		forms = append(forms, [2]string{s.form, s.what})
	}
	return helpTopic{
		name:     CmdModbot,
		what:     "help, access, the audit log, notes and watched targets",
		who:      "Help: anyone; allow, revoke, watch and unwatch: admins; note: moderators; the rest: anyone on the allowlist",
		forms:    forms,
		examples: []string{"/modbot log account:alice -n 20", "/modbot allow @dana approver"},
		notes:    []string{"Name a person with an @-mention picked from Slack's list, or by member ID (U… or W…)."},
	}
}
