package bot

import "strconv"

// CommandSpec is a slash command as the Slack app manifest declares it. The manifest must list
// exactly the commands the bot handles; cmd/modbot's tests compare the two.
type CommandSpec struct {
	Command      string // "/unban"
	Description  string // shown in Slack's command picker
	UsageHint    string // shown after the command while typing
	ShouldEscape bool   // Slack escapes mentions and channels as <@U…|name>; false keeps @TGS#… literal
}

// Commands lists every slash command the bot handles.
func Commands() []CommandSpec {
	return []CommandSpec{
		{CmdUnban, "Ask for Tencent Chat accounts to be unbanned (needs an approver)", "<group-id> | room <room-id>  <account>...  -- <reason>", false},
		{CmdRoles, "Show accounts' roles in a Tencent Chat group", "<group-id> <account>...", false},
		{CmdBanned, "List who is banned from a room or group, and until when", "<room-id> | room <room-id> | group <group-id>", false},
		{CmdModbot, "modbot help, access and the audit log", "help | whoami | who | pending | log [filters] | allow @user <role> | revoke @user", true},
	}
}

// The slash commands modbot answers, as Slack sends them in a payload's command field.
const (
	CmdUnban  = "/unban"
	CmdRoles  = "/roles"
	CmdBanned = "/banned"
	CmdModbot = "/modbot"
)

// Limits on what a command may carry.
const (
	MaxReasonBytes     = 1000 // longest reason (Tencent's limit on ban reasons)
	MaxAccountBytes    = 32   // longest Tencent account (UserID)
	MaxIDBytes         = 48   // longest group or room ID
	DefaultMaxAccounts = 1000 // accounts one command may name when ParseConfig.MaxAccounts is 0
	DefaultLogCount    = 10   // audit entries /modbot log shows without -n
	MaxLogCount        = 100  // most audit entries -n may ask for
)

// ParseConfig is the part of modbot's configuration that changes what Parse accepts.
type ParseConfig struct {
	// RequireReason makes /unban refuse a command without a reason
	// (MODBOT_REQUIRE_REASON, true by default in production). The zero value
	// does not require one.
	RequireReason bool
	// MaxAccounts caps the distinct accounts of /unban and /roles
	// (MODBOT_MAX_ACCOUNTS). Zero means DefaultMaxAccounts.
	MaxAccounts int
}

// Command is a parsed slash command: *UnbanCmd, *RolesCmd, *BannedCmd or *ModbotCmd.
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

// Target is the group or room a command acts on.
type Target struct {
	Kind TargetKind
	ID   string // printable ASCII without ',', at most MaxIDBytes
}

// String returns the target as a moderator would type it, e.g. "room standup-42".
func (t Target) String() string { return t.Kind.String() + " " + t.ID }

// UnbanCmd asks for accounts to be unbanned from a group or a room (/unban).
type UnbanCmd struct {
	Target   Target
	Accounts []string // distinct, in the order given; each printable ASCII without ',', at most MaxAccountBytes
	// Reason is the text after "--", trimmed, at most MaxReasonBytes of valid
	// UTF-8; "" when none was given. Slack links are replaced by the words the
	// user typed, other Slack syntax ("<!channel>", "<@U123|bob>") is kept as
	// text: escape it before rendering.
	Reason string
}

// RolesCmd asks for each account's role in a group (/roles).
type RolesCmd struct {
	Group    string
	Accounts []string // distinct, in the order given
}

// BannedCmd asks for the banned members of a room or a group (/banned).
type BannedCmd struct {
	Target Target
}

// ModbotCmd is one of /modbot's subcommands; only the fields its Sub uses are set.
type ModbotCmd struct {
	Sub   Subcommand
	Topic string    // SubHelp: the command asked about (e.g. CmdUnban), "" for all
	User  string    // SubAllow, SubRevoke: the Slack member ID (U… or W…)
	Role  Role      // SubAllow: the role to grant
	Log   LogFilter // SubLog
}

// Name returns CmdUnban.
func (*UnbanCmd) Name() string { return CmdUnban }

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

// Role is a level of access to modbot; each role has the rights of those below it.
type Role string

// The roles, from least to most rights.
const (
	RoleViewer    Role = "viewer"
	RoleModerator Role = "moderator"
	RoleApprover  Role = "approver"
	RoleAdmin     Role = "admin"
)

// Rank orders roles: 1 for viewer up to 4 for admin, 0 for anything else.
func (r Role) Rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleModerator:
		return 2
	case RoleApprover:
		return 3
	case RoleAdmin:
		return 4
	}
	return 0
}

// LogFilter selects audit entries for /modbot log; an entry must match every
// field that is set.
type LogFilter struct {
	Account string // account:<id>
	Group   string // group:<id>
	Room    string // room:<id>
	By      string // by:<user>, a Slack member ID
	Request int64  // #<n>; 0 means any request
	Count   int    // -n <count>: entries to show, 1 to MaxLogCount (default DefaultLogCount)
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
