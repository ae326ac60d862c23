package main

import (
	"fmt"
	"strings"
	"time"

	"modbot/bot"
	"modbot/store"
	"modbot/tim"
)

// ActionConfig is the action pipeline's settings (issue 11): per-action approvals and default
// durations, Undo, Confirm, the preview's page cap and the reason codes.
type ActionConfig struct {
	// Policies has every action: approvals (MODBOT_<ACTION>_APPROVALS; unban's is
	// Config.UnbanApprovals) and, for ban and mute, the default duration (tim.Permanent for
	// `permanent`).
	Policies          map[store.ActionKind]bot.Policy
	UndoWindow        time.Duration
	ConfirmOver       int
	PreviewPages      int
	Reasons           []bot.ReasonCode
	RequireReasonCode bool
}

// maxApprovals is the most approvals any action may need (MODBOT_UNBAN_APPROVALS's bound).
const maxApprovals = 10

// actions parses the action settings; unbanApprovals is MODBOT_UNBAN_APPROVALS, parsed already.
func (p *parser) actions(e env, unbanApprovals int) ActionConfig {
	c := ActionConfig{Policies: map[store.ActionKind]bot.Policy{
		store.UnbanAction:  {Approvals: unbanApprovals},
		store.BanAction:    {Approvals: p.intRange("MODBOT_BAN_APPROVALS", e.BanApprovals, 0, maxApprovals), Duration: p.actionDuration("MODBOT_BAN_DURATION", e.BanDuration)},
		store.MuteAction:   {Approvals: p.intRange("MODBOT_MUTE_APPROVALS", e.MuteApprovals, 0, maxApprovals), Duration: p.actionDuration("MODBOT_MUTE_DURATION", e.MuteDuration)},
		store.UnmuteAction: {Approvals: p.intRange("MODBOT_UNMUTE_APPROVALS", e.UnmuteApprovals, 0, maxApprovals)},
	}}
	c.UndoWindow = p.duration("MODBOT_UNDO_WINDOW", e.UndoWindow, time.Minute)
	if c.UndoWindow > 24*time.Hour {
		p.add("MODBOT_UNDO_WINDOW", fmt.Sprintf("must be at most 24h (Undo is for quick second thoughts), not %q", e.UndoWindow))
	}
	c.ConfirmOver = p.intRange("MODBOT_CONFIRM_OVER", e.ConfirmOver, 0, 100000)
	c.PreviewPages = p.intRange("MODBOT_PREVIEW_PAGES", e.PreviewPages, 1, 10000)
	var err error
	if c.Reasons, err = bot.ParseReasons(e.Reasons); err != nil {
		p.add("MODBOT_REASONS", "is not valid: "+err.Error())
	}
	c.RequireReasonCode = p.boolean("MODBOT_REQUIRE_REASON_CODE", e.RequireReasonCode)
	if c.RequireReasonCode && err == nil && len(c.Reasons) == 0 {
		p.add("MODBOT_REQUIRE_REASON_CODE", "is true but MODBOT_REASONS lists no codes: set codes such as spam=Spam or scam links;abuse=Harassment, or turn it off")
	}
	return c
}

// actionDuration reads a ban or mute default: a Go duration (24h, 90m, 168h) or "permanent",
// from 1m to Tencent's largest (4294967295 s, which is permanent).
func (p *parser) actionDuration(name, v string) time.Duration {
	s := strings.TrimSpace(v)
	if strings.EqualFold(s, "permanent") {
		return tim.Permanent
	}
	d, err := time.ParseDuration(s)
	if err == nil {
		err = bot.CheckActionDuration(d)
	}
	if err != nil {
		p.add(name, fmt.Sprintf("must be a Go duration from 1m to %dh, such as 30m, 24h or 168h, or permanent; %q is not", int(tim.Permanent/time.Hour), v))
		return 0
	}
	return d
}

// options returns o with the action settings set: what serve gives the bot.
func (c ActionConfig) options(o bot.Options) bot.Options {
	o.Policies = c.Policies
	o.UndoWindow = c.UndoWindow
	o.ConfirmOver = c.ConfirmOver
	o.PreviewPages = c.PreviewPages
	o.Reasons = c.Reasons
	o.RequireReasonCode = c.RequireReasonCode
	return o
}
