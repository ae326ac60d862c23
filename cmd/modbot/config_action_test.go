package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"modbot/bot"
	"modbot/store"
	"modbot/tim"
)

func TestLoadConfig_ActionDefaults(t *testing.T) {
	setEnv(t, validEnv)
	c, err := loadConfig(all)
	if err != nil {
		t.Fatal(err)
	}
	want := ActionConfig{
		Policies: map[store.ActionKind]bot.Policy{
			store.UnbanAction:  {Approvals: 1},
			store.BanAction:    {Duration: 24 * time.Hour},
			store.MuteAction:   {Duration: time.Hour},
			store.UnmuteAction: {},
		},
		UndoWindow:   15 * time.Minute,
		ConfirmOver:  20,
		PreviewPages: 100,
	}
	if !reflect.DeepEqual(c.Actions, want) {
		t.Fatalf("Actions = %+v\nwant %+v", c.Actions, want)
	}
	for _, a := range []store.ActionKind{store.BanAction, store.MuteAction, store.UnmuteAction, store.UnbanAction} {
		if got := c.Actions.Policies[a]; got != bot.DefaultPolicy(a) {
			t.Errorf("%s policy %+v is not bot.DefaultPolicy's %+v", a, got, bot.DefaultPolicy(a))
		}
	}
}

func TestLoadConfig_ActionValues(t *testing.T) {
	setEnv(t, validEnv)
	setEnv(t, map[string]string{
		"MODBOT_UNBAN_APPROVALS": "2", "MODBOT_BAN_APPROVALS": "1", "MODBOT_MUTE_APPROVALS": "3", "MODBOT_UNMUTE_APPROVALS": "10",
		"MODBOT_BAN_DURATION": "Permanent", "MODBOT_MUTE_DURATION": " 90m ", "MODBOT_UNDO_WINDOW": "1h",
		"MODBOT_CONFIRM_OVER": "0", "MODBOT_PREVIEW_PAGES": "5",
		"MODBOT_REASONS":             " spam = Spam or scam links ; abuse=Harassment;;off-topic_2=Off topic (e.g. ads);",
		"MODBOT_REQUIRE_REASON_CODE": "true",
	})
	c, err := loadConfig(all)
	if err != nil {
		t.Fatal(err)
	}
	want := ActionConfig{
		Policies: map[store.ActionKind]bot.Policy{
			store.UnbanAction:  {Approvals: 2},
			store.BanAction:    {Approvals: 1, Duration: tim.Permanent},
			store.MuteAction:   {Approvals: 3, Duration: 90 * time.Minute},
			store.UnmuteAction: {Approvals: 10},
		},
		UndoWindow: time.Hour, ConfirmOver: 0, PreviewPages: 5,
		Reasons: []bot.ReasonCode{{Code: "spam", Label: "Spam or scam links"}, {Code: "abuse", Label: "Harassment"},
			{Code: "off-topic_2", Label: "Off topic (e.g. ads)"}},
		RequireReasonCode: true,
	}
	if !reflect.DeepEqual(c.Actions, want) {
		t.Fatalf("Actions = %+v\nwant %+v", c.Actions, want)
	}
	o := c.Actions.options(bot.Options{AppToken: "kept"})
	if o.AppToken != "kept" || !reflect.DeepEqual(o.Policies, want.Policies) || o.UndoWindow != time.Hour || o.ConfirmOver != 0 ||
		o.PreviewPages != 5 || !reflect.DeepEqual(o.Reasons, want.Reasons) || !o.RequireReasonCode {
		t.Errorf("bot options %+v do not carry the action settings", o)
	}
	// The longest duration Tencent takes, in a Go duration, is accepted as it is.
	t.Setenv("MODBOT_MUTE_DURATION", "1193046h28m15s")
	if c, err = loadConfig(all); err != nil || c.Actions.Policies[store.MuteAction].Duration != tim.Permanent {
		t.Fatalf("1193046h28m15s: %v, %v", c.Actions.Policies[store.MuteAction].Duration, err)
	}
}

func TestLoadConfig_ActionErrors(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]string
		want string
	}{
		{"BanApprovalsWord", map[string]string{"MODBOT_BAN_APPROVALS": "none"}, `MODBOT_BAN_APPROVALS must be a whole number from 0 to 10, not "none"`},
		{"MuteApprovalsNegative", map[string]string{"MODBOT_MUTE_APPROVALS": "-1"}, "MODBOT_MUTE_APPROVALS must be a whole number from 0 to 10"},
		{"UnmuteApprovalsHigh", map[string]string{"MODBOT_UNMUTE_APPROVALS": "11"}, "MODBOT_UNMUTE_APPROVALS must be a whole number from 0 to 10"},
		{"UnbanApprovalsZero", map[string]string{"MODBOT_UNBAN_APPROVALS": "0"}, "MODBOT_UNBAN_APPROVALS must be a whole number from 1 to 10"},
		{"BanDurationDays", map[string]string{"MODBOT_BAN_DURATION": "7d"}, `MODBOT_BAN_DURATION must be a Go duration from 1m to 1193046h, such as 30m, 24h or 168h, or permanent; "7d" is not`},
		{"BanDurationShort", map[string]string{"MODBOT_BAN_DURATION": "30s"}, `MODBOT_BAN_DURATION must be a Go duration from 1m`},
		{"MuteDurationZero", map[string]string{"MODBOT_MUTE_DURATION": "0"}, `MODBOT_MUTE_DURATION must be a Go duration from 1m`},
		{"MuteDurationOverTencent", map[string]string{"MODBOT_MUTE_DURATION": "1193046h28m16s"}, `"1193046h28m16s" is not`},
		{"MuteDurationEmpty", map[string]string{"MODBOT_MUTE_DURATION": ""}, `MODBOT_MUTE_DURATION must be a Go duration`},
		{"UndoWindowWord", map[string]string{"MODBOT_UNDO_WINDOW": "soon"}, "MODBOT_UNDO_WINDOW must be a duration"},
		{"UndoWindowShort", map[string]string{"MODBOT_UNDO_WINDOW": "30s"}, "MODBOT_UNDO_WINDOW must be a duration of at least 1m0s"},
		{"UndoWindowLong", map[string]string{"MODBOT_UNDO_WINDOW": "48h"}, "MODBOT_UNDO_WINDOW must be at most 24h"},
		{"ConfirmOverNegative", map[string]string{"MODBOT_CONFIRM_OVER": "-5"}, "MODBOT_CONFIRM_OVER must be a whole number from 0 to 100000"},
		{"PreviewPagesZero", map[string]string{"MODBOT_PREVIEW_PAGES": "0"}, "MODBOT_PREVIEW_PAGES must be a whole number from 1 to 10000"},
		{"ReasonsNoEquals", map[string]string{"MODBOT_REASONS": "spam"}, `MODBOT_REASONS is not valid: "spam" has no "=": write code=label pairs separated by ";"`},
		{"ReasonsUpperCode", map[string]string{"MODBOT_REASONS": "Spam=Spam"}, `reason code "Spam" is not 1 to 32 lowercase letters, digits, - or _`},
		{"ReasonsSpaceInCode", map[string]string{"MODBOT_REASONS": "scam links=Spam"}, `reason code "scam links" is not`},
		{"ReasonsLongCode", map[string]string{"MODBOT_REASONS": strings.Repeat("a", 33) + "=x"}, "is not 1 to 32 lowercase"},
		{"ReasonsEmptyCode", map[string]string{"MODBOT_REASONS": "=Spam"}, `reason code "" is not`},
		{"ReasonsTwice", map[string]string{"MODBOT_REASONS": "spam=a;abuse=b;spam=c"}, `reason code "spam" is given twice`},
		{"ReasonsNoLabel", map[string]string{"MODBOT_REASONS": "spam="}, `the label of reason code "spam" must be 1 to 200 bytes of text on one line`},
		{"RequireReasonCodeWord", map[string]string{"MODBOT_REQUIRE_REASON_CODE": "yes please"}, "MODBOT_REQUIRE_REASON_CODE must be true or false"},
		{"RequireReasonCodeWithoutCodes", map[string]string{"MODBOT_REQUIRE_REASON_CODE": "true"}, "MODBOT_REQUIRE_REASON_CODE is true but MODBOT_REASONS lists no codes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, validEnv)
			setEnv(t, tt.set)
			_, err := loadConfig(all)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *ConfigError", err)
			}
			if got := len(ce.Problems); got != 1 {
				t.Fatalf("%d problems, want 1:\n%v", got, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// The new settings are read only under their MODBOT_ names.
func TestLoadConfig_ActionIgnoresUnprefixedNames(t *testing.T) {
	setEnv(t, validEnv)
	for _, name := range []string{"BAN_APPROVALS", "BAN_DURATION", "UNDO_WINDOW", "CONFIRM_OVER", "PREVIEW_PAGES", "REASONS", "REQUIRE_REASON_CODE"} {
		t.Setenv(name, "bogus")
	}
	c, err := loadConfig(all)
	if err != nil {
		t.Fatalf("unprefixed variables were read: %v", err)
	}
	if c.Actions.UndoWindow != 15*time.Minute || len(c.Actions.Reasons) != 0 {
		t.Fatalf("unprefixed variables were read: %+v", c.Actions)
	}
}
