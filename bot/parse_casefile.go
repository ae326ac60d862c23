package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"modbot/store"
)

// Case files and watched targets in the command table: /lookup, /modbot note, /modbot watch,
// unwatch and watched — their parsers, help and the adapters to the handlers of lookup.go and
// watch.go.

// CmdLookup is the case-file command.
const CmdLookup = "/lookup"

// The /modbot subcommands of case files and watched targets.
const (
	SubNote    Subcommand = "note"    // a note on Case.Account
	SubWatch   Subcommand = "watch"   // watch Case.Kind Case.ID
	SubUnwatch Subcommand = "unwatch" // stop watching Case.Kind Case.ID
	SubWatched Subcommand = "watched" // the watched targets
)

// LookupCmd asks for an account's case file (/lookup), read live in the named targets too.
type LookupCmd struct {
	Account string
	Targets []LookupTarget // at most one group and one room
}

// Name returns CmdLookup.
func (*LookupCmd) Name() string { return CmdLookup }

// CaseArgs are the arguments of /modbot note, watch and unwatch.
type CaseArgs struct {
	Account string           // SubNote
	Text    string           // SubNote: the note, 1 to store.MaxNoteBytes bytes
	Kind    store.TargetKind // SubWatch, SubUnwatch
	ID      string           // SubWatch, SubUnwatch
}

// parseLookup reads /lookup <account> [group:<id>] [room:<id>].
func parseLookup(args []cmdToken) (*LookupCmd, error) {
	if len(args) == 0 {
		return nil, errors.New("say which account to look up, e.g. /lookup alice")
	}
	c := &LookupCmd{}
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		k := args[i]
		if isReasonMarker(k) {
			return nil, fmt.Errorf("%s starts a reason, but /lookup takes none", k.quoted())
		}
		key, v, ok := k.cutKey()
		if !ok && strings.Contains(k.s, ":") && k.plain() && i > 0 {
			return nil, fmt.Errorf("unknown option %s: /lookup takes group:<id> and room:<id> after the account", k.quoted())
		}
		if !ok {
			if c.Account != "" {
				return nil, fmt.Errorf("unexpected %s after the account %s: /lookup shows one account at a time", k.quoted(), quoteInput(c.Account))
			}
			a, err := checkID(k, "account", "accounts", MaxAccountBytes)
			if err != nil {
				return nil, err
			}
			c.Account = a
			continue
		}
		if key != "group" && key != "room" {
			return nil, fmt.Errorf("unknown option %s: /lookup takes group:<id> and room:<id> after the account", k.quoted())
		}
		if seen[key] {
			return nil, fmt.Errorf("%s: is given twice: /lookup reads at most one group and one room live", key)
		}
		seen[key] = true
		if v.s == "" && len(v.atoms) == 0 { // "group: g1", as phones type it
			if i+1 == len(args) {
				return nil, fmt.Errorf("%s: needs an ID, e.g. %s", key, filterExample(key))
			}
			i++
			v = args[i]
		}
		id, err := checkID(v, key+" ID", key+" IDs", MaxIDBytes)
		if err != nil {
			return nil, err
		}
		c.Targets = append(c.Targets, LookupTarget{Kind: store.TargetKind(key), ID: id})
	}
	if c.Account == "" {
		return nil, errors.New("say which account to look up before group: or room:, e.g. /lookup alice group:@TGS#aJRGC4MH6")
	}
	return c, nil
}

// parseModbotText reads /modbot: a note keeps its text as typed (commas and new lines included),
// so it is cut at its "--" before the rest is read as words.
func parseModbotText(in cmdText) (*ModbotCmd, error) {
	args, text, found := in.splitReason()
	if len(args) == 0 || !args[0].is(string(SubNote)) {
		return parseModbot(in.tokens())
	}
	c, err := parseModbot(args)
	if err != nil {
		return nil, err
	}
	text = cleanReason(text)
	switch {
	case !found:
		return nil, fmt.Errorf("the note goes after \" -- \": /modbot note %s -- <text>", c.Case.Account)
	case text == "":
		return nil, errors.New("the note after \"--\" is empty: say what the team should know")
	case len(text) > store.MaxNoteBytes:
		return nil, fmt.Errorf("the note is %s bytes; it can be at most %s bytes", withCommas(len(text)), withCommas(store.MaxNoteBytes))
	}
	c.Case.Text = text
	return c, nil
}

// parseNoteArgs reads the account of /modbot note (parseModbotText has cut off the text).
func parseNoteArgs(c *ModbotCmd, args []cmdToken) ([]cmdToken, error) {
	if len(args) == 0 {
		return nil, errors.New("say which account the note is about: /modbot note <account> -- <text>")
	}
	a, err := checkID(args[0], "account", "accounts", MaxAccountBytes)
	if err != nil {
		return nil, err
	}
	c.Case.Account = a
	if len(args) > 1 {
		return nil, fmt.Errorf("unexpected %s after the account: a note is about one account, and its text goes after \" -- \"", args[1].quoted())
	}
	return nil, nil
}

// parseWatchArgs reads the target of /modbot watch and unwatch: "group <id>" or "room <id>"
// (or group:<id>, room:<id>).
func parseWatchArgs(c *ModbotCmd, args []cmdToken) ([]cmdToken, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("say what to %s: /modbot %s group <id> or /modbot %s room <id>", c.Sub, c.Sub, c.Sub)
	}
	k := args[0]
	var v cmdToken
	switch key, val, ok := k.cutKey(); {
	case ok && (key == "group" || key == "room") && val.s != "":
		c.Case.Kind, v, args = store.TargetKind(key), val, args[1:]
	case k.is("group") || k.is("room") || (ok && (key == "group" || key == "room")):
		c.Case.Kind = store.TargetKind(strings.ToLower(strings.TrimSuffix(k.s, ":")))
		if len(args) < 2 {
			return nil, fmt.Errorf("give the %s ID after %q", c.Case.Kind, string(c.Case.Kind))
		}
		v, args = args[1], args[2:]
	default:
		return nil, fmt.Errorf("%s is not group or room: /modbot %s group <id> or /modbot %s room <id>", k.quoted(), c.Sub, c.Sub)
	}
	id, err := checkID(v, string(c.Case.Kind)+" ID", string(c.Case.Kind)+" IDs", MaxIDBytes)
	if err != nil {
		return nil, err
	}
	c.Case.ID = id
	return args, nil
}

func helpLookup(ParseConfig) helpTopic {
	return helpTopic{
		name:     CmdLookup,
		what:     "an account's case file: where it is banned or muted now (watched targets, and live in a target you name), what modbot did to it, notes, 90-day counts",
		who:      "Anyone on the allowlist",
		forms:    [][2]string{{"/lookup <account> [group:<id>] [room:<id>]"}},
		examples: []string{"/lookup alice group:@TGS#aJRGC4MH6"},
	}
}

// handleLookup answers /lookup.
func (b *Bot) handleLookup(ctx context.Context, inv *invocation, c *LookupCmd) {
	b.lookup(ctx, inv, c.Account, c.Targets)
}

func (b *Bot) noteSub(ctx context.Context, inv *invocation, c *ModbotCmd) {
	b.note(ctx, inv, c.Case.Account, c.Case.Text)
}

func (b *Bot) watchSub(ctx context.Context, inv *invocation, c *ModbotCmd) {
	b.watchCmd(ctx, inv, c.Case.Kind, c.Case.ID, b.o.MaxWatched)
}

func (b *Bot) unwatchSub(ctx context.Context, inv *invocation, c *ModbotCmd) {
	b.unwatchCmd(ctx, inv, c.Case.Kind, c.Case.ID)
}

func (b *Bot) watchedSub(ctx context.Context, inv *invocation, _ *ModbotCmd) {
	b.watchedCmd(ctx, inv, b.o.ReconcileInterval)
}
