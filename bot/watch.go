package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"modbot/store"
	"modbot/tim"
)

// /modbot watch|unwatch group|room <id> (admin) and /modbot watched (viewer+): which targets the
// sweep reads (bot/reconcile.go). These handlers are registered by the command table.

// TargetChecker tells whether a target exists. *tim.Client satisfies it.
type TargetChecker interface {
	GroupInfo(ctx context.Context, g tim.GroupID) (tim.GroupInfo, error)
	RoomBannedMembers(ctx context.Context, r tim.RoomID) ([]tim.BannedMember, error)
}

var (
	_ Watches       = (*store.Store)(nil)
	_ TargetChecker = (*tim.Client)(nil)
)

// checkTargetExists asks Tencent whether the target exists: a group's info, a room's ban list.
// It returns a user-facing refusal ("" when the target exists) or an error Tencent gave.
func checkTargetExists(ctx context.Context, tc TargetChecker, kind store.TargetKind, id string) (string, error) {
	var err error
	if kind == store.KindRoom {
		_, err = tc.RoomBannedMembers(ctx, tim.RoomID(id))
	} else {
		_, err = tc.GroupInfo(ctx, tim.GroupID(id))
	}
	switch {
	case err == nil:
		return "", nil
	case gone(kind, err):
		return fmt.Sprintf(":warning: Tencent says %s %s does not exist (%s), so there is nothing to watch. Check the ID (group IDs are case-sensitive).",
			Escape(string(kind)), Code(id), Escape(errorNote(err))), nil
	}
	return "", err
}

// watchCmd answers /modbot watch group|room <id>: admins only; the target must exist; at most
// maxWatched targets (MODBOT_MAX_WATCHED).
func (b *Bot) watchCmd(ctx context.Context, inv *invocation, kind store.TargetKind, id string, maxWatched int) {
	if !b.allowed(ctx, inv, store.RoleAdmin, "/modbot watch") {
		return
	}
	ws := Watches(b.store)
	refusal, err := checkTargetExists(ctx, b.tim, kind, id)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	if refusal != "" {
		b.audit(ctx, inv, store.AuditEntry{Action: store.ActionWatch, TargetKind: string(kind), Target: id, Outcome: store.OutcomeRefused, Detail: "does not exist"})
		b.reply(ctx, inv, notice(refusal))
		return
	}
	_, err = ws.Watch(ctx, inv.User, kind, id, maxWatched, inv.OpID)
	b.reply(ctx, inv, notice(watchReply(kind, id, err)))
}

// watchReply is the answer to a watch, by the store's result.
func watchReply(kind store.TargetKind, id string, err error) string {
	what := Escape(string(kind)) + " " + Code(id)
	var full *store.WatchFullError
	switch {
	case err == nil:
		return fmt.Sprintf(":eyes: Watching %s. The next sweep records its ban list%s as a baseline; after that every change made outside modbot, and every ban that ends, appears in the audit log and channel.",
			what, map[bool]string{true: " and muted list", false: ""}[kind == store.KindGroup])
	case errors.As(err, &full):
		return fmt.Sprintf(":warning: modbot already watches %d targets, the most `MODBOT_MAX_WATCHED` allows (%d). Unwatch one first: `/modbot unwatch group <id>`; `/modbot watched` lists them.", full.Count, full.Max)
	case errors.Is(err, store.ErrAlreadyWatched):
		return fmt.Sprintf("%s is watched already; `/modbot watched` shows its last sweep.", upperFirst(what))
	case errors.Is(err, store.ErrForbidden):
		return ":no_entry: Only admins can watch targets, and your role changed meanwhile."
	}
	return ":warning: " + userText(err)
}

// unwatchCmd answers /modbot unwatch group|room <id> (admins).
func (b *Bot) unwatchCmd(ctx context.Context, inv *invocation, kind store.TargetKind, id string) {
	if !b.allowed(ctx, inv, store.RoleAdmin, "/modbot unwatch") {
		return
	}
	ws := Watches(b.store)
	err := ws.Unwatch(ctx, inv.User, kind, id, inv.OpID)
	what := Escape(string(kind)) + " " + Code(id)
	switch {
	case err == nil:
		b.reply(ctx, inv, notice(fmt.Sprintf(":white_check_mark: No longer watching %s; its snapshots are gone.", what)))
	case errors.Is(err, store.ErrNotFound):
		b.reply(ctx, inv, notice(fmt.Sprintf("%s was not watched, so there was nothing to stop. `/modbot watched` lists the watched targets.", upperFirst(what))))
	default:
		b.fail(ctx, inv, err)
	}
}

// watchedCmd answers /modbot watched (viewer+).
func (b *Bot) watchedCmd(ctx context.Context, inv *invocation, interval time.Duration) {
	if !b.allowed(ctx, inv, store.RoleViewer, "/modbot watched") {
		return
	}
	ws := Watches(b.store)
	list, err := ws.WatchedTargets(ctx)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	now, err := ws.Now(ctx)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	b.audit(ctx, inv, store.AuditEntry{Action: store.ActionWatched, Outcome: store.OutcomeOK, Detail: fmt.Sprintf("%d watched", len(list))})
	b.reply(ctx, inv, renderWatched(list, now, interval))
}

// renderWatched lists the watched targets: last sweep, counts, state, what changed lately.
func renderWatched(list []store.Watched, now time.Time, interval time.Duration) message {
	title := fmt.Sprintf("Watched targets (%d)", len(list))
	blocks := []slackBlock{header(title)}
	if interval == 0 {
		blocks = append(blocks, contextBlock(":double_vertical_bar: Sweeping is off (`MODBOT_RECONCILE_INTERVAL` is 0): the snapshots below are not refreshed."))
	} else {
		blocks = append(blocks, contextBlock(fmt.Sprintf("Swept every %s by one replica, on at most `MODBOT_RECONCILE_SHARE` of the Tencent rate.", shortDuration(interval))))
	}
	if len(list) == 0 {
		blocks = append(blocks, section("No targets are watched. An admin starts with `/modbot watch group <id>` or `/modbot watch room <id>`."))
		return message{Text: "No targets are watched.", Blocks: blocks}
	}
	lines := make([]string, len(list))
	for i, w := range list {
		lines[i] = watchedLine(w, now)
	}
	for _, part := range packItems(lines, "\n", chunkChars) {
		blocks = append(blocks, section(part))
	}
	return message{Text: title, Blocks: limitBlocks(blocks)}
}

func watchedLine(w store.Watched, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "• %s %s · ", Escape(string(w.Kind)), Code(w.ID))
	if w.LastSweep.IsZero() {
		b.WriteString("not swept yet")
	} else {
		fmt.Fprintf(&b, "swept %s · %s banned", ageText(now, w.LastSweep), withCommas(w.Bans))
		if w.Kind == store.KindGroup {
			fmt.Fprintf(&b, ", %s muted", withCommas(w.Mutes))
		}
	}
	switch w.State {
	case store.WatchPartial, store.WatchFailed, store.WatchGone:
		fmt.Fprintf(&b, " · :warning: %s", Escape(Truncate(w.Note, 300)))
	}
	if w.Changes > 0 {
		fmt.Fprintf(&b, " · %s %s seen", withCommas(int(w.Changes)), plural(int(w.Changes), "change", "changes"))
	}
	if len(w.Recent) > 0 {
		var recent []string
		for _, r := range w.Recent[:min(3, len(w.Recent))] {
			recent = append(recent, Escape(Truncate(r, 120)))
		}
		fmt.Fprintf(&b, " · lately: %s", strings.Join(recent, "; "))
	}
	return b.String()
}

// shortDuration renders an interval the way people write it: 5m, 2h, 90s.
func shortDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
