package store_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"modbot/store"
)

// TestLuaAuditNames: every action and outcome a Lua script writes into the audit log is one of
// store's AuditAction and AuditOutcome constants, so Go and Lua share the names. It reads the
// literals assigned to action and outcome (and, where a script sets the outcome through a
// variable, to status in outcomes.lua and state in finish.lua).
func TestLuaAuditNames(t *testing.T) {
	files, err := filepath.Glob("lua/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Lua scripts found (err %v)", err)
	}
	actions, outcomes := store.AuditActions(), store.AuditOutcomes()
	assign := regexp.MustCompile(`(?m)(?:^\s*|\blocal\s+|\bthen\s+|\belse\s+|[{,]\s*)(action|outcome|status|state)(?:\s*,\s*\w+)*\s*=\s*'([^']*)'`)
	seen := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		for _, m := range assign.FindAllStringSubmatch(string(src), -1) {
			name, lit := m[1], m[2]
			switch {
			case name == "action":
				seen++
				if !slices.Contains(actions, store.AuditAction(lit)) {
					t.Errorf("%s writes action %q, which is no store.AuditAction constant", base, lit)
				}
			case name == "outcome",
				name == "status" && base == "outcomes.lua",
				name == "state" && base == "finish.lua":
				seen++
				if !slices.Contains(outcomes, store.AuditOutcome(lit)) {
					t.Errorf("%s writes outcome %q, which is no store.AuditOutcome constant", base, lit)
				}
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found only %d audit names in the scripts: the pattern no longer matches them", seen)
	}
}
