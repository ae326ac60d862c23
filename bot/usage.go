package bot

import (
	"fmt"
	"strings"
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
			b.WriteString("Everything else: `/modbot help`\n")
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
	b.WriteString("*modbot* moderates Tencent Chat from Slack. An unban needs a second person's approval, and every command, decision and result goes to the audit log.\n\n")
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

func helpUnban(cfg ParseConfig) helpTopic {
	reason := "optional"
	if cfg.RequireReason {
		reason = "required"
	}
	return helpTopic{
		name: CmdUnban,
		what: "ask for accounts to be unbanned; an approver other than you decides in the approval thread",
		who:  "Moderators, approvers and admins",
		forms: [][2]string{
			{"/unban <group-id> <account>... -- <reason>"},
			{"/unban room <room-id> <account>... -- <reason>"},
		},
		examples: []string{
			"/unban @TGS#aJRGC4MH6 alice bob -- spam wave ended",
			"/unban room standup-42 carol -- appeal accepted",
		},
		notes: []string{
			accountListNote(cfg),
			fmt.Sprintf("The reason (%s, at most %s bytes) starts at a standalone `--`, or the — or – a phone makes of it, and runs to the end.", reason, withCommas(MaxReasonBytes)),
			"`room` right after /unban always means a room: a group whose ID is `room` cannot be named here.",
		},
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
		what: "who is banned from a room or group, and until when",
		who:  "Anyone on the allowlist",
		forms: [][2]string{
			{"/banned <room-id>"},
			{"/banned room <room-id>"},
			{"/banned group <group-id>"},
		},
		examples: []string{"/banned standup-42", "/banned group @TGS#aJRGC4MH6"},
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
