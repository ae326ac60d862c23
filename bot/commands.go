package bot

import (
	"context"
	"strconv"
	"time"

	"modbot/store"
	"modbot/tim"
)

// CommandSpec is a slash command as the Slack app manifest declares it. The manifest must list
// exactly the commands the bot handles; cmd/modbot's tests compare the two.
type CommandSpec struct {
	Command      string // "/unban"
	Description  string // shown in Slack's command picker
	UsageHint    string // shown after the command while typing
	ShouldEscape bool   // Slack escapes mentions and channels as <@U…|name>; false keeps @TGS#… literal
}

// command is everything modbot knows about one slash command, in one place: its manifest entry,
// the least role that may run it, its parser, its handler and its help. Commands (the manifest),
// Parse, the worker's dispatch and role check, Help and Usage, and CommandLabels all read
// commandTable; a new command is one more entry (and its Cmd… constant and …Cmd type).
type command struct {
	CommandSpec
	// role is the least role that may run the command, checked by the worker at the moment it
	// runs; store.RoleNone leaves the check to the handler (/modbot checks per subcommand).
	role store.Role
	// parse reads the command's text (already lexed); its errors become a *UsageError.
	parse func(in cmdText, cfg ParseConfig) (Command, error)
	// handle does the work; its Command is what parse returned.
	handle func(b *Bot, ctx context.Context, inv *invocation, c Command)
	// help is the command's entry in /modbot help and the usage shown after a problem.
	help func(cfg ParseConfig) helpTopic
}

// actionCommand is the table entry of an action command (/ban, /mute, /unmute, /unban): for
// moderators, read by parseAction and run by handleAction.
func actionCommand(spec CommandSpec, a store.ActionKind, help func(ParseConfig) helpTopic) command {
	return command{
		CommandSpec: spec,
		role:        store.RoleModerator,
		parse:       parseAction(a),
		handle:      handler((*Bot).handleAction),
		help:        help,
	}
}

// commandTable lists every slash command, in the order help shows them. It is a function, not a
// variable, because handlers and help refer back to it.
func commandTable() []command {
	return []command{
		actionCommand(CommandSpec{CmdBan, "Ban Tencent Chat accounts from a group or room, for a while or for good", "<group-id> | room <room-id>  <account>...  [for 7d]  -- <reason>", false}, store.BanAction, helpBan),
		actionCommand(CommandSpec{CmdMute, "Stop Tencent Chat accounts from sending in a group, for a while or for good", "<group-id>  <account>...  [for 1h]  -- <reason>", false}, store.MuteAction, helpMute),
		actionCommand(CommandSpec{CmdUnmute, "Let muted Tencent Chat accounts send in a group again", "<group-id>  <account>...  [-- <reason>]", false}, store.UnmuteAction, helpUnmute),
		actionCommand(CommandSpec{CmdUnban, "Ask for Tencent Chat accounts to be unbanned (needs an approver)", "<group-id> | room <room-id>  <account>...  -- <reason>", false}, store.UnbanAction, helpUnban),
		{
			CommandSpec: CommandSpec{CmdRoles, "Show accounts' roles in a Tencent Chat group", "<group-id> <account>...", false},
			role:        store.RoleViewer,
			parse:       func(in cmdText, cfg ParseConfig) (Command, error) { return parseRoles(in.tokens(), cfg) },
			handle:      handler((*Bot).handleRoles),
			help:        helpRoles,
		}, {
			CommandSpec: CommandSpec{CmdBanned, "List who is banned from a room or group (or muted in a group), and until when", "<room-id> | room <room-id> | group <group-id> [muted]", false},
			role:        store.RoleViewer,
			parse:       func(in cmdText, _ ParseConfig) (Command, error) { return parseBanned(in.tokens()) },
			handle:      handler((*Bot).handleBanned),
			help:        helpBanned,
		}, {
			CommandSpec: CommandSpec{CmdLookup, "Show a Tencent Chat account's case file: bans, mutes, history, notes", "<account> [group:<id>] [room:<id>]", false},
			role:        store.RoleViewer,
			parse:       func(in cmdText, _ ParseConfig) (Command, error) { return parseLookup(in.tokens()) },
			handle:      handler((*Bot).handleLookup),
			help:        helpLookup,
		}, {
			CommandSpec: CommandSpec{CmdModbot, "modbot help, access, the audit log and watched targets", "help | whoami | who | pending | log [filters] | allow @user <role> | revoke @user | note | watch | unwatch | watched", true},
			role:        store.RoleNone, // per subcommand: subcommandTable
			parse:       func(in cmdText, _ ParseConfig) (Command, error) { return parseModbotText(in) },
			handle:      handler((*Bot).handleModbot),
			help:        helpModbot,
		}}
}

// handler adapts a handler of one command type to the table's signature.
func handler[C Command](f func(*Bot, context.Context, *invocation, C)) func(*Bot, context.Context, *invocation, Command) {
	return func(b *Bot, ctx context.Context, inv *invocation, c Command) { f(b, ctx, inv, c.(C)) }
}

// lookupCommand finds a slash command (lower case) in the table.
func lookupCommand(name string) (command, bool) {
	for _, c := range commandTable() {
		if c.Command == name {
			return c, true
		}
	}
	return command{}, false
}

// Commands lists every slash command the bot handles.
func Commands() []CommandSpec {
	var out []CommandSpec
	for _, c := range commandTable() {
		out = append(out, c.CommandSpec)
	}
	return out
}

// CommandLabels are the values Metrics.Command may be given as cmd: every slash command, button
// and modal. A metrics backend pre-registers them and counts anything else as "other".
func CommandLabels() []string {
	var out []string
	for _, c := range commandTable() {
		out = append(out, c.Command)
	}
	return append(out, actionApprove, actionDeny, actionCancel, actionRetry, actionUndo, actionConfirm, actionPagePrev, actionPageNext, viewDeny, eventAppHomeOpened)
}

// DecisionLabels are the values Metrics.Decision may be given.
func DecisionLabels() []string {
	return []string{"approved", "denied", "cancelled", "expired", "refused"}
}

// DroppedKinds are the values Metrics.Dropped may be given.
func DroppedKinds() []string { return []string{"command", "click", "view", "audit", "event"} }

// FeedFailureClasses are the values Metrics.FeedFailure may be given.
func FeedFailureClasses() []string { return []string{"blocked", "transient"} }

// subcommand is everything modbot knows about one /modbot subcommand: the least role that may run
// it, its help line, its parser and its handler.
type subcommand struct {
	name Subcommand
	role store.Role // checked by the worker at the moment it runs; RoleNone for help
	form string     // as /modbot help shows it
	what string     // what it does, for /modbot help
	// parse reads the arguments after the subcommand into c and returns those it did not use.
	parse func(c *ModbotCmd, args []cmdToken) ([]cmdToken, error)
	// handle does the work (help never reaches a worker: it is answered in the ack).
	handle func(b *Bot, ctx context.Context, inv *invocation, c *ModbotCmd)
}

// subcommandTable lists /modbot's subcommands in the order help shows them.
func subcommandTable() []subcommand {
	return []subcommand{
		{SubHelp, store.RoleNone, "/modbot help [command]", "this help", parseHelpTopic, nil},
		{SubWhoami, store.RoleViewer, "/modbot whoami", "your role", noArgs, (*Bot).whoami},
		{SubWho, store.RoleViewer, "/modbot who", "everyone with access", noArgs, (*Bot).who},
		{SubPending, store.RoleViewer, "/modbot pending", "open requests, with links to their threads", noArgs, (*Bot).pending},
		{SubLog, store.RoleViewer, "/modbot log [account:<id>] [group:<id>] [room:<id>] [by:@user] [action:<kind>] [reason:<code>] [#<n>] [-n <count>]",
			"the latest audit entries matching every filter, newest first (" + strconv.Itoa(DefaultLogCount) + " by default, -n up to " + strconv.Itoa(MaxLogCount) + ")",
			parseLogArgs, (*Bot).auditLog},
		{SubAllow, store.RoleAdmin, "/modbot allow @user <role> [group:<id> | room:<id>]", "grant a role (global admins), everywhere or on one group or room: viewer < moderator < approver < admin", parseAllowArgs, (*Bot).allowOrRevoke},
		{SubRevoke, store.RoleAdmin, "/modbot revoke @user [group:<id> | room:<id>]", "remove access (global admins), everywhere or the role on one group or room", parseRevokeArgs, (*Bot).allowOrRevoke},
		// Case files and watched targets (parse_casefile.go).
		{SubNote, store.RoleModerator, "/modbot note <account> -- <text>", "add a note to an account's case file (moderators)", parseNoteArgs, (*Bot).noteSub},
		{SubWatch, store.RoleAdmin, "/modbot watch group|room <id>", "watch a target for changes made outside modbot (admins)", parseWatchArgs, (*Bot).watchSub},
		{SubUnwatch, store.RoleAdmin, "/modbot unwatch group|room <id>", "stop watching a target (admins)", parseWatchArgs, (*Bot).unwatchSub},
		{SubWatched, store.RoleViewer, "/modbot watched", "watched targets, their last sweep and what changed", noArgs, (*Bot).watchedSub},
	}
}

// lookupSubcommand finds a /modbot subcommand in the table.
func lookupSubcommand(name Subcommand) (subcommand, bool) {
	for _, s := range subcommandTable() {
		if s.name == name {
			return s, true
		}
	}
	return subcommand{}, false
}

// The slash commands modbot answers, as Slack sends them in a payload's command field.
const (
	CmdBan    = "/ban"
	CmdMute   = "/mute"
	CmdUnmute = "/unmute"
	CmdUnban  = "/unban"
	CmdRoles  = "/roles"
	CmdBanned = "/banned"
	CmdModbot = "/modbot"
)

// Limits on what a command may carry.
const (
	MaxReasonBytes     = 1000              // longest reason (Tencent's limit on ban reasons)
	MaxAccountBytes    = tim.MaxUserIDLen  // longest Tencent account (UserID)
	MaxIDBytes         = tim.MaxGroupIDLen // longest group or room ID
	DefaultMaxAccounts = 1000              // accounts one command may name when ParseConfig.MaxAccounts is 0
	DefaultLogCount    = 10                // audit entries /modbot log shows without -n
	MaxLogCount        = 100               // most audit entries -n may ask for
)

// ParseConfig is the part of modbot's configuration that changes what Parse accepts.
type ParseConfig struct {
	// RequireReason makes /ban, /mute and /unban refuse a command without a reason
	// (MODBOT_REQUIRE_REASON, true by default in production); /unmute never needs one.
	// The zero value does not require one.
	RequireReason bool
	// MaxAccounts caps the distinct accounts of /ban, /mute, /unmute, /unban and /roles
	// (MODBOT_MAX_ACCOUNTS). Zero means DefaultMaxAccounts.
	MaxAccounts int
	// Reasons are the reason codes a reason may start with (MODBOT_REASONS): "-- spam: text"
	// or "-- spam" sets ActionCmd.ReasonCode; an unknown code is plain text.
	Reasons []ReasonCode
	// RequireReasonCode makes /ban, /mute and /unban refuse a reason without a known code
	// (MODBOT_REQUIRE_REASON_CODE); /unmute never needs a reason or a code.
	RequireReasonCode bool
	// Policies are the actions' policies (Options.Policies), for the help only: whether an
	// action waits for approvers and its default duration. A missing action is DefaultPolicy's.
	Policies map[store.ActionKind]Policy
}

// Command is a parsed slash command: *ActionCmd, *RolesCmd, *BannedCmd or *ModbotCmd.
type Command interface {
	// Name is the slash command, e.g. CmdUnban; Usage(Name(), cfg) explains it.
	Name() string
}

// TargetKind says whether a Target is a group or a room.
type TargetKind int

// The kinds of Target.
const (
	TargetGroup TargetKind = iota + 1 // a Tencent Chat group (group_open_http_svc)
	TargetRoom                        // a room engine room (room_engine_http_srv)
)

// String returns "group" or "room".
func (k TargetKind) String() string {
	switch k {
	case TargetGroup:
		return "group"
	case TargetRoom:
		return "room"
	}
	return "TargetKind(" + strconv.Itoa(int(k)) + ")"
}

// Target is the group or room a command acts on: Group is set for TargetGroup, Room for
// TargetRoom, each valid by tim.IDByteOK and at most MaxIDBytes.
type Target struct {
	Kind  TargetKind
	Group tim.GroupID
	Room  tim.RoomID
}

// ID returns the group or room ID as typed.
func (t Target) ID() string {
	if t.Kind == TargetRoom {
		return string(t.Room)
	}
	return string(t.Group)
}

// String returns the target as a moderator would type it, e.g. "room standup-42".
func (t Target) String() string { return t.Kind.String() + " " + t.ID() }

// ActionCmd asks for one action on accounts of a group or a room: /ban, /mute, /unmute or
// /unban. It is the one command type of the action pipeline. Parse guarantees: Accounts are
// distinct, at least one, each valid by tim.IDByteOK and at most MaxAccountBytes, at most
// ParseConfig.MaxAccounts of them; Target is a group for mute and unmute; Duration is 0 or
// from MinActionDuration to tim.Permanent; Reason is valid UTF-8 without control characters
// other than newline and tab (Slack links replaced by the words typed, other Slack syntax kept
// as text); ReasonCode is one of ParseConfig.Reasons' codes, as configured, or "".
type ActionCmd struct {
	Action   store.ActionKind
	Target   Target
	Accounts []tim.UserID // distinct, in the order given
	// Duration is how long a ban or mute lasts as the command said it (`for 7d`; tim.Permanent for
	// `for permanent`), or 0 when it said nothing (the action's Policy.Duration applies). Always 0
	// for unban and unmute.
	Duration time.Duration
	// Reason is the text after "--" without its reason code, trimmed, at most MaxReasonBytes;
	// ReasonCode is the known code it started with ("" when none). Escape before rendering.
	Reason     string
	ReasonCode string
}

// Name returns the action's slash command, e.g. CmdBan.
func (c *ActionCmd) Name() string { return "/" + string(c.Action) }

// Policy is how one action kind is run.
type Policy struct {
	Approvals int           // distinct approvals needed; 0 runs at once and offers Undo
	Duration  time.Duration // ban and mute: when the command gives none; tim.Permanent for good
}

// DefaultPolicy is each action's policy when Options.Policies has none: unban needs one approval,
// the others run at once; bans last 24 h and mutes 1 h.
func DefaultPolicy(a store.ActionKind) Policy {
	switch a {
	case store.UnbanAction:
		return Policy{Approvals: 1}
	case store.BanAction:
		return Policy{Duration: 24 * time.Hour}
	case store.MuteAction:
		return Policy{Duration: time.Hour}
	}
	return Policy{}
}

// ReasonCode is one of MODBOT_REASONS: a short code a reason may start with, and its label.
type ReasonCode struct {
	Code  string // e.g. "spam"
	Label string // e.g. "Spam or scam links"
}

// RolesCmd asks for each account's role in a group (/roles).
type RolesCmd struct {
	Group    tim.GroupID
	Accounts []tim.UserID // distinct, in the order given
}

// BannedCmd asks for the banned members of a room or a group (/banned), or a group's muted
// members (/banned group <group-id> muted).
type BannedCmd struct {
	Target Target
	Muted  bool // list the group's mutes instead of its bans; Target is then a group
}

// ModbotCmd is one of /modbot's subcommands; only the fields its Sub uses are set.
type ModbotCmd struct {
	Sub   Subcommand
	Topic string      // SubHelp: the command asked about (e.g. CmdUnban), "" for all
	User  string      // SubAllow, SubRevoke: the Slack member ID (U… or W…)
	Role  store.Role  // SubAllow: the role to grant
	Scope store.Scope // SubAllow, SubRevoke: the target the role is for; zero: global
	Log   LogFilter   // SubLog
	Case  CaseArgs    // SubNote, SubWatch, SubUnwatch (parse_casefile.go)
}

// Name returns CmdRoles.
func (*RolesCmd) Name() string { return CmdRoles }

// Name returns CmdBanned.
func (*BannedCmd) Name() string { return CmdBanned }

// Name returns CmdModbot.
func (*ModbotCmd) Name() string { return CmdModbot }

// Subcommand is what a /modbot command asks for.
type Subcommand string

// The /modbot subcommands.
const (
	SubHelp    Subcommand = "help"    // usage of every command (also what a bare /modbot means)
	SubWhoami  Subcommand = "whoami"  // the caller's role
	SubWho     Subcommand = "who"     // the allowlist
	SubAllow   Subcommand = "allow"   // grant User the Role
	SubRevoke  Subcommand = "revoke"  // remove User from the allowlist
	SubPending Subcommand = "pending" // open requests
	SubLog     Subcommand = "log"     // audit entries matching Log
)

// LogFilter selects audit entries for /modbot log; an entry must match every
// field that is set.
type LogFilter struct {
	Account string // account:<id>
	Group   string // group:<id>
	Room    string // room:<id>
	By      string // by:<user>, a Slack member ID
	// Action (action:<kind>) keeps the entries of requests of that kind: their request, approvals,
	// execution and outcome.
	Action store.ActionKind
	// Reason (reason:<code>) keeps the entries of requests whose reason started with that code,
	// lower case; any code of the right form, so codes no longer configured still find old entries.
	Reason  string
	Request int64 // #<n>; 0 means any request
	Count   int   // -n <count>: entries to show, 1 to MaxLogCount (default DefaultLogCount)
}

// UsageError is a command modbot could not make sense of. Its Error is
// "<command>: <problem>" for logs; a user is shown Problem followed by
// Usage(Command, cfg).
type UsageError struct {
	// Command is the slash command whose usage should follow, or "" for an
	// unknown command (then the full Help fits).
	Command string
	// Problem is one plain-text sentence, lowercase and without a final
	// period like any Go error, naming what is wrong and quoting the offending
	// input. It may hold anything the user typed: escape it before rendering.
	Problem string
}

func (e *UsageError) Error() string {
	if e.Command == "" {
		return e.Problem
	}
	return e.Command + ": " + e.Problem
}
