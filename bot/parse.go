package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"modbot/store"
	"modbot/tim"
)

// Parse reads the text of a slash command as Slack sends it (entity-escaped,
// with Slack's own <…> tokens) and returns what it asks for. command is the
// slash command, e.g. CmdUnban. Every error is a *UsageError.
func Parse(command, text string, cfg ParseConfig) (Command, error) {
	name := strings.ToLower(command)
	in := lexCommand(text)
	var (
		cmd Command
		err error
	)
	c, ok := lookupCommand(name)
	if !ok {
		return nil, &UsageError{Problem: fmt.Sprintf("modbot has no command %s", quoteInput(command))}
	}
	if cmd, err = c.parse(in, cfg); err != nil {
		return nil, &UsageError{Command: name, Problem: err.Error()}
	}
	return cmd, nil
}

func parseRoles(args []cmdToken, cfg ParseConfig) (*RolesCmd, error) {
	if len(args) == 0 {
		return nil, errors.New("say which group and which accounts to look up")
	}
	for _, k := range args {
		if isReasonMarker(k) {
			return nil, fmt.Errorf("%s starts a reason, but /roles takes none", k.quoted())
		}
	}
	g, err := checkID(args[0], "group ID", "group IDs", MaxIDBytes)
	if err != nil {
		return nil, err
	}
	accounts, err := parseAccounts(args[1:], cfg, "after the group ID")
	if err != nil {
		return nil, err
	}
	return &RolesCmd{Group: tim.GroupID(g), Accounts: accounts}, nil
}

func parseBanned(args []cmdToken) (*BannedCmd, error) {
	if len(args) == 0 {
		return nil, errors.New("say which room (or \"group\" and which group) to list")
	}
	target, rest, err := parseTarget(args, false)
	if err != nil {
		return nil, err
	}
	c := &BannedCmd{Target: target}
	if len(rest) > 0 && rest[0].is("muted") {
		if target.Kind != TargetGroup {
			return nil, fmt.Errorf("rooms have no mutes: \"muted\" lists a group's muted members, e.g. /banned group <group-id> muted")
		}
		c.Muted, rest = true, rest[1:]
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected %s after the %s ID: /banned lists one room or group", rest[0].quoted(), target.Kind)
	}
	return c, nil
}

// parseTarget reads the target at the start of args: "room <room-id>", for
// /banned also "group <group-id>", or a bare ID, which is a group ID for
// /unban and a room ID for /banned.
func parseTarget(args []cmdToken, unban bool) (Target, []cmdToken, error) {
	kind := TargetRoom
	if unban {
		kind = TargetGroup
	}
	switch k := args[0]; {
	case k.is("room"):
		kind, args = TargetRoom, args[1:]
	case !unban && k.is("group"):
		kind, args = TargetGroup, args[1:]
	}
	if len(args) == 0 {
		return Target{}, nil, fmt.Errorf("give the %s ID after %q", kind, kind.String())
	}
	if isReasonMarker(args[0]) {
		return Target{}, nil, fmt.Errorf("%s came before the %s ID: give the ID first", args[0].quoted(), kind)
	}
	id, err := checkID(args[0], kind.String()+" ID", kind.String()+" IDs", MaxIDBytes)
	if err != nil {
		return Target{}, nil, err
	}
	t := Target{Kind: kind}
	if kind == TargetRoom {
		t.Room = tim.RoomID(id)
	} else {
		t.Group = tim.GroupID(id)
	}
	return t, args[1:], nil
}

// accountStrings is accounts as the store keeps them.
func accountStrings(accounts []tim.UserID) []string {
	out := make([]string, len(accounts))
	for i, a := range accounts {
		out[i] = string(a)
	}
	return out
}

// parseAccounts validates accounts, folds duplicates and applies the cap;
// where says where the accounts were expected, for the error when none is given.
func parseAccounts(args []cmdToken, cfg ParseConfig, where string) ([]tim.UserID, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("name at least one account %s", where)
	}
	seen := make(map[tim.UserID]bool, len(args))
	accounts := make([]tim.UserID, 0, len(args))
	for _, k := range args {
		s, err := checkID(k, "account", "accounts", MaxAccountBytes)
		if err != nil {
			return nil, err
		}
		a := tim.UserID(s)
		if !seen[a] {
			seen[a] = true
			accounts = append(accounts, a)
		}
	}
	limit := cfg.MaxAccounts
	if limit <= 0 {
		limit = DefaultMaxAccounts
	}
	if len(accounts) > limit {
		return nil, fmt.Errorf("%s different accounts given; one command takes at most %s: split the list", withCommas(len(accounts)), withCommas(limit))
	}
	return accounts, nil
}

func parseModbot(args []cmdToken) (*ModbotCmd, error) {
	if len(args) == 0 {
		return &ModbotCmd{Sub: SubHelp}, nil
	}
	first := args[0]
	sub := Subcommand(strings.ToLower(first.s))
	if !first.plain() {
		sub = ""
	}
	s, ok := lookupSubcommand(sub)
	if !ok {
		return nil, fmt.Errorf("unknown subcommand %s: use %s", first.quoted(), subcommandNames())
	}
	c := &ModbotCmd{Sub: sub}
	rest, err := s.parse(c, args[1:])
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected %s after /modbot %s", rest[0].quoted(), sub)
	}
	return c, nil
}

// subcommandNames lists /modbot's subcommands for a message: "help, whoami, … or log".
func subcommandNames() string {
	var names []string
	for _, s := range subcommandTable() {
		names = append(names, string(s.name))
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// noArgs is the parser of a subcommand that takes no arguments.
func noArgs(_ *ModbotCmd, args []cmdToken) ([]cmdToken, error) { return args, nil }

// parseHelpTopic reads /modbot help's optional command.
func parseHelpTopic(c *ModbotCmd, args []cmdToken) ([]cmdToken, error) {
	if len(args) == 0 {
		return nil, nil
	}
	c.Topic = "/" + strings.TrimPrefix(strings.ToLower(args[0].s), "/")
	if _, ok := lookupCommand(c.Topic); !ok {
		var names []string
		for _, cmd := range commandTable() {
			names = append(names, strings.TrimPrefix(cmd.Command, "/"))
		}
		list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
		return nil, fmt.Errorf("there is no help on %s: try /modbot help %s", args[0].quoted(), list)
	}
	return args[1:], nil
}

// parseRevokeArgs reads the member /modbot revoke names.
func parseRevokeArgs(c *ModbotCmd, args []cmdToken) ([]cmdToken, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("say who to %s: mention them, e.g. /modbot %s @alice", c.Sub, c.Sub)
	}
	u, err := parseUser(args[0])
	if err != nil {
		return nil, err
	}
	c.User = u
	if c.Sub == SubRevoke {
		return parseScopeArg(c, args[1:]) // scope.go
	}
	return args[1:], nil
}

// parseAllowArgs reads the member and the role /modbot allow names.
func parseAllowArgs(c *ModbotCmd, args []cmdToken) ([]cmdToken, error) {
	args, err := parseRevokeArgs(c, args)
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return nil, errors.New("say which role to grant: viewer, moderator, approver or admin")
	}
	r, err := store.ParseRole(args[0].s)
	if err != nil || !args[0].plain() {
		return nil, fmt.Errorf("unknown role %s: the roles are viewer, moderator, approver and admin", args[0].quoted())
	}
	c.Role = r
	return parseScopeArg(c, args[1:]) // scope.go
}

// parseLogArgs reads /modbot log's filters.
func parseLogArgs(c *ModbotCmd, args []cmdToken) ([]cmdToken, error) {
	f, err := parseLogFilter(args)
	if err != nil {
		return nil, err
	}
	c.Log = f
	return nil, nil
}

func parseLogFilter(args []cmdToken) (LogFilter, error) {
	f := LogFilter{Count: DefaultLogCount}
	seen := make(map[string]bool)
	once := func(key string) error {
		if seen[key] {
			return fmt.Errorf("%s is given twice: /modbot log takes each filter once", key)
		}
		seen[key] = true
		return nil
	}
	for i := 0; i < len(args); i++ {
		k := args[i]
		switch {
		case k.plain() && strings.HasPrefix(k.s, "-n"):
			if err := once("-n"); err != nil {
				return f, err
			}
			v := k.s[2:]
			if v == "" {
				if i+1 == len(args) {
					return f, fmt.Errorf("-n needs a number from 1 to %d", MaxLogCount)
				}
				i++
				v = args[i].s
			}
			n, err := strconv.Atoi(v)
			if !allDigits(v) || err != nil || n < 1 || n > MaxLogCount {
				return f, fmt.Errorf("-n needs a number from 1 to %d, not %s", MaxLogCount, quoteInput(v))
			}
			f.Count = n
		case k.plain() && strings.HasPrefix(k.s, "#"):
			if err := once("#<n>"); err != nil {
				return f, err
			}
			n, err := strconv.ParseInt(k.s[1:], 10, 64)
			if !allDigits(k.s[1:]) || err != nil || n < 1 {
				return f, fmt.Errorf("%s is not a request number: use # and the number, e.g. #42", k.quoted())
			}
			f.Request = n
		default:
			key, v, ok := k.cutKey()
			if !ok {
				return f, fmt.Errorf("unknown filter %s: use account:<id>, group:<id>, room:<id>, by:@user, action:<kind>, reason:<code>, #<n> or -n <count>", k.quoted())
			}
			if err := once(key + ":"); err != nil {
				return f, err
			}
			if v.s == "" { // "account: bob", as phones type it
				if i+1 == len(args) {
					return f, fmt.Errorf("%s: needs a value, e.g. %s", key, filterExample(key))
				}
				i++
				v = args[i]
			}
			var err error
			switch key {
			case "account":
				f.Account, err = checkID(v, "account", "accounts", MaxAccountBytes)
			case "group":
				f.Group, err = checkID(v, "group ID", "group IDs", MaxIDBytes)
			case "room":
				f.Room, err = checkID(v, "room ID", "room IDs", MaxIDBytes)
			case "by":
				f.By, err = parseUser(v)
			case "action":
				f.Action, err = parseActionKind(v)
			case "reason":
				f.Reason, err = parseCodeFilter(v)
			}
			if err != nil {
				return f, err
			}
		}
	}
	return f, nil
}

func filterExample(key string) string {
	switch key {
	case "account":
		return "account:alice"
	case "group":
		return "group:@TGS#aJRGC4MH6"
	case "room":
		return "room:standup-42"
	case "action":
		return "action:ban"
	case "reason":
		return "reason:spam"
	}
	return "by:@alice"
}

// parseUser reads a Slack user given as a mention or a member ID.
func parseUser(k cmdToken) (string, error) {
	if len(k.atoms) == 1 && k.atoms[0].start == 0 && k.atoms[0].end == len(k.s) && k.atoms[0].kind == atomMention {
		return k.atoms[0].user, nil
	}
	if k.plain() && isMemberID(k.s) {
		return k.s, nil
	}
	if k.plain() && strings.HasPrefix(k.s, "@") {
		return "", fmt.Errorf("%s is plain text, not a mention: type @ and pick the person from Slack's list, or give their member ID (U… or W…, under ⋮ in their profile)", k.quoted())
	}
	return "", fmt.Errorf("%s is not a Slack user: mention them (type @ and pick from the list) or give their member ID (U… or W…)", k.quoted())
}

// isMemberID reports whether s looks like a Slack member ID: U or W followed
// by uppercase letters and digits.
func isMemberID(s string) bool {
	if len(s) < 3 || len(s) > 32 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// checkID validates a group ID, room ID or account by tim's rule (tim.IDByteOK), at most maxBytes,
// and explains a problem in the words of the command. what and plural name it in errors.
func checkID(k cmdToken, what, plural string, maxBytes int) (string, error) {
	if len(k.atoms) > 0 {
		article := "a "
		if strings.HasPrefix(what, "a") {
			article = "an "
		}
		return "", fmt.Errorf("%s is a Slack %s, not %s%s", k.quoted(), k.atoms[0].kind, article, what)
	}
	s := k.s
	if s == "" {
		return "", fmt.Errorf("the %s is empty", what)
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if tim.IDByteOK(b) {
			continue
		}
		note := ""
		switch r, _ := utf8.DecodeRuneInString(s[i:]); {
		case b < 0x20 || b == 0x7f:
			note = " (a control character)"
		case b >= 0x80 && r != utf8.RuneError:
			note = " (" + strconv.QuoteRuneToGraphic(r) + " is not ASCII)"
		}
		return "", fmt.Errorf("%s %s has byte 0x%02x at position %d%s; %s are printable ASCII without spaces or commas",
			what, k.quoted(), b, i+1, note, plural)
	}
	if len(s) > maxBytes {
		return "", fmt.Errorf("%s %s is %d bytes; %s are at most %d bytes", what, k.quoted(), len(s), plural, maxBytes)
	}
	return s, nil
}

// cleanReason makes the reason valid UTF-8 without control characters other
// than newline and tab, and trims it.
func cleanReason(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
	return strings.TrimFunc(s, func(r rune) bool { return r != ',' && isSeparator(r) })
}

// actionKindNames are the action kinds, in the order messages list them.
var actionKindNames = []store.ActionKind{store.BanAction, store.MuteAction, store.UnmuteAction, store.UnbanAction}

// parseActionKind reads action:<kind>.
func parseActionKind(k cmdToken) (store.ActionKind, error) {
	for _, a := range actionKindNames {
		if k.is(string(a)) {
			return a, nil
		}
	}
	return "", fmt.Errorf("unknown action %s: use action:ban, action:mute, action:unmute or action:unban", k.quoted())
}

// parseCodeFilter reads reason:<code>: any well-formed code, in any case.
func parseCodeFilter(k cmdToken) (string, error) {
	code := strings.ToLower(k.s)
	if !k.plain() || !ValidReasonCode(code) {
		return "", fmt.Errorf("%s is not a reason code: codes are up to %d lowercase letters, digits, - or _, e.g. reason:spam", k.quoted(), MaxReasonCodeBytes)
	}
	return code, nil
}
