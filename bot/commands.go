package bot

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
