package bot

import (
	"slices"
	"strings"
	"testing"

	"modbot/store"
)

// TestCommandTable: every slash command and /modbot subcommand is complete in its table, and the
// manifest list, the help, the metric labels and the parser all follow the tables.
func TestCommandTable(t *testing.T) {
	cfg := ParseConfig{RequireReason: true}
	help := Help(cfg)
	labels := CommandLabels()
	for _, c := range commandTable() {
		if c.parse == nil || c.handle == nil || c.help == nil || c.Description == "" || c.UsageHint == "" {
			t.Errorf("%s: incomplete table entry", c.Command)
		}
		if got := c.help(cfg).name; got != c.Command {
			t.Errorf("%s: help is for %s", c.Command, got)
		}
		if !strings.Contains(help, "*"+c.Command+"*") {
			t.Errorf("help does not show %s", c.Command)
		}
		if !slices.Contains(labels, c.Command) {
			t.Errorf("CommandLabels lacks %s", c.Command)
		}
		if !slices.ContainsFunc(Commands(), func(s CommandSpec) bool { return s == c.CommandSpec }) {
			t.Errorf("Commands() lacks %s", c.Command)
		}
		// Every command the table lists parses as itself (a bad argument is a usage error of it).
		if _, err := Parse(c.Command, "", cfg); err != nil {
			if ue, ok := err.(*UsageError); !ok || ue.Command != c.Command {
				t.Errorf("Parse(%s) = %v, want a usage error of %s", c.Command, err, c.Command)
			}
		}
	}
	for _, s := range subcommandTable() {
		if s.parse == nil || s.form == "" || s.what == "" {
			t.Errorf("/modbot %s: incomplete table entry", s.name)
		}
		if (s.handle == nil) != (s.name == SubHelp) {
			t.Errorf("/modbot %s: only help (answered in the ack) has no handler", s.name)
		}
		if s.name != SubHelp && s.role == store.RoleNone {
			t.Errorf("/modbot %s: no role is needed; every subcommand but help needs one", s.name)
		}
		if !strings.Contains(help, Escape(s.form)) {
			t.Errorf("help does not show %q", s.form)
		}
	}
}
