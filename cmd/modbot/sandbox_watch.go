package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"modbot/bot"
	"modbot/bot/slacktest"
	"modbot/store"
)

// Watched targets in the sandbox: it watches its seeded groups and rooms and sweeps them often,
// and its panel acts "as a group admin in the app" — straight on the emulator, outside modbot —
// so a newcomer sees an outside change arrive in #mod-audit and in /lookup.

// sandboxSweepEvery is how often the sandbox sweeps its watched targets (sandbox.sweepEvery; tests
// shorten it).
const sandboxSweepEvery = 15 * time.Second

// sandboxWatched are the seeded targets the sandbox watches.
func sandboxWatched() []struct {
	kind store.TargetKind
	id   string
} {
	return []struct {
		kind store.TargetKind
		id   string
	}{
		{store.KindGroup, seedLive}, {store.KindGroup, seedAMA}, {store.KindGroup, seedFans},
		{store.KindGroup, seedCommunity}, {store.KindRoom, seedLobby}, {store.KindRoom, seedStudy},
	}
}

// sandboxReconcile is the sweep's configuration for a generation.
func (sb *sandbox) sandboxReconcile() bot.ReconcileOptions {
	return bot.ReconcileOptions{Interval: sb.sweepEvery, LeaseTTL: 10 * time.Second, ReplicaID: "sandbox-sweep", Logger: sb.log.With("part", "sweep")}
}

// watchSeeded watches the seeded targets (as modbot itself, before anyone types a command).
func watchSeeded(ctx context.Context, st *store.Store) error {
	for _, w := range sandboxWatched() {
		if _, err := st.Watch(ctx, store.SystemActor, w.kind, w.id, 0, "sandbox-watch-"+w.id); err != nil {
			return fmt.Errorf("watch %s %s: %w", w.kind, w.id, err)
		}
	}
	return nil
}

// outsideForm is the panel's form that bans, unbans, mutes and unmutes as a group admin would in
// the app: modbot only learns of it from its next sweep.
func outsideForm() slacktest.PanelForm {
	var where []slacktest.PanelOption
	for _, w := range sandboxWatched() {
		where = append(where, slacktest.PanelOption{Value: string(w.kind) + ":" + w.id, Label: string(w.kind) + " " + w.id})
	}
	actions := []slacktest.PanelOption{{Value: "ban", Label: "ban"}, {Value: "unban", Label: "unban"}, {Value: "mute", Label: "mute (groups)"}, {Value: "unmute", Label: "unmute (groups)"}}
	return slacktest.PanelForm{
		Title: "Act in the app (outside modbot)", Action: "/sandbox/outside", Submit: "Do it in the app",
		Fields: []slacktest.PanelField{
			{Name: "action", Label: "As a group admin in the app", Options: actions, Value: "ban"},
			{Name: "where", Label: "Where", Options: where, Value: where[0].Value},
			{Name: "account", Label: "Account", Value: "viewer03"},
			{Name: "minutes", Label: "For (minutes)", Value: "60"},
		},
	}
}

// outside applies the form straight on the emulator.
func (sb *sandbox) outside(_ context.Context, form map[string]string) (string, error) {
	kind, id, _ := strings.Cut(form["where"], ":")
	known := false
	for _, w := range sandboxWatched() {
		known = known || (string(w.kind) == kind && w.id == id)
	}
	if !known {
		return "", fmt.Errorf("where: want one of the watched targets, not %q", form["where"])
	}
	account := strings.TrimSpace(form["account"])
	if account == "" || len(account) > 32 || strings.ContainsAny(account, " ,") {
		return "", fmt.Errorf("account: want a Tencent UserID of 1 to 32 bytes without spaces or commas, not %q", account)
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(form["minutes"]))
	if err != nil || minutes < 1 || minutes > 525_600 {
		return "", fmt.Errorf("for: want minutes from 1 to 525600, not %q", form["minutes"])
	}
	d := time.Duration(minutes) * time.Minute
	action := form["action"]
	if kind == string(store.KindRoom) && (action == "mute" || action == "unmute") {
		return "", fmt.Errorf("%s: rooms have no mutes in Tencent; pick a group", action)
	}
	switch action {
	case "ban":
		if kind == string(store.KindRoom) {
			sb.emu.BanInRoom(id, account, d)
		} else {
			sb.emu.Ban(id, account, d)
		}
	case "unban": // a ban that ends now is gone from the list, as an unban in the app leaves it
		if kind == string(store.KindRoom) {
			sb.emu.BanInRoom(id, account, -time.Minute)
		} else {
			sb.emu.Ban(id, account, -time.Minute)
		}
	case "mute":
		sb.emu.Mute(id, account, d)
	case "unmute":
		sb.emu.Mute(id, account, -time.Minute)
	default:
		return "", fmt.Errorf("action: want ban, unban, mute or unmute, not %q", action)
	}
	return fmt.Sprintf("Done in the app: %s %s in %s %s. modbot's next sweep (every %s) reports it in #mod-audit; then try /lookup %s.",
		action, account, kind, id, sb.sweepEvery, account), nil
}
