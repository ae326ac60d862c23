package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"modbot/store"
)

// invocation is one person's command or click, as the handlers see it.
type invocation struct {
	User        string             // Slack user ID of whoever typed or clicked
	Channel     string             // where it happened (a channel or DM)
	ResponseURL string             // answers only this person
	TriggerID   string             // opens modals
	OpID        string             // the operation ID for store transitions
	Role        store.Role         // the allowlist role at the moment of the command or click
	Scope       store.Scope        // the target Role is effective on (scope.go); zero: the global role
	Command     string             // "/unban" …, or the button's action ID
	Text        string             // what was typed (for the audit log)
	outcome     store.AuditOutcome // "" (ok), refused or error: for the command's log line
	start       time.Time
}

// Action IDs of the bot's buttons. Their values carry only IDs (a request ID, a result page).
const (
	actionApprove  = "approve"
	actionDeny     = "deny"
	actionCancel   = "cancel"
	actionRetry    = "retry"
	actionPagePrev = "page_prev"
	actionPageNext = "page_next"

	// viewDeny is the callback ID of the modal asking for a deny reason.
	viewDeny = "deny_reason"
)

// dedupTTL is how long a claimed delivery stays claimed while it is handled: longer than the
// slowest handler, shorter than Slack's retry a minute later.
const dedupTTL = 45 * time.Second

// parseConfig is the parser's view of the options.
func (b *Bot) parseConfig() ParseConfig {
	policies := make(map[store.ActionKind]Policy, len(b.o.Policies)+1)
	for a, p := range b.o.Policies {
		policies[a] = p
	}
	if b.o.Approvals > 0 { // the unban's approvals, as older callers set them
		p, ok := policies[store.UnbanAction]
		if !ok {
			p = DefaultPolicy(store.UnbanAction)
		}
		p.Approvals = b.o.Approvals
		policies[store.UnbanAction] = p
	}
	return ParseConfig{RequireReason: b.o.RequireReason, MaxAccounts: b.o.MaxAccounts,
		Reasons: b.o.Reasons, RequireReasonCode: b.o.RequireReasonCode, Policies: policies}
}

// acceptCommand runs on the event loop and returns the ack payload: a usage error at once, or a
// "working" note while a worker handles the command.
func (b *Bot) acceptCommand(req *socketmode.Request, sc slack.SlashCommand) any {
	// The delivery key is the trigger_id (the same on every redelivery of this command); a payload
	// without one falls back to its envelope ID rather than sharing the empty key with others.
	key := "cmd:" + sc.TriggerID
	if sc.TriggerID == "" && req != nil {
		key = "env:" + req.EnvelopeID
	}
	inv := &invocation{
		User: sc.UserID, Channel: sc.ChannelID, ResponseURL: sc.ResponseURL, TriggerID: sc.TriggerID,
		OpID: key, Command: sc.Command, Text: sc.Text, start: time.Now(),
	}
	if why := b.foreign(sc.TeamID, sc.APIAppID); why != "" {
		b.queue(inv, "audit", "payload from "+why, func(ctx context.Context) { b.auditForeign(ctx, inv, why) })
		return ackText("modbot does not serve this " + why + ". Nothing was done.")
	}
	cmd, err := Parse(sc.Command, sc.Text, b.parseConfig())
	if err != nil {
		b.queue(inv, "audit", "invalid command", func(ctx context.Context) { b.auditInvalid(ctx, inv, err) })
		return ackMessage(b.errorMessage(err))
	}
	if m, ok := cmd.(*ModbotCmd); ok && m.Sub == SubHelp {
		b.queue(inv, "audit", "help", func(ctx context.Context) {
			b.auditLimited(ctx, inv, store.AuditEntry{Action: store.ActionHelp, Outcome: store.OutcomeOK}, "help:"+inv.User)
		})
		return ackMessage(helpMessage(m.Topic, b.parseConfig()))
	}
	if !b.queue(inv, "command", "", func(ctx context.Context) { b.runCommand(ctx, inv, key, cmd) }) {
		return ackText("modbot is too busy to take this right now. Nothing was done; try again in a minute.")
	}
	return ackMessage(workingMessage(sc.Command, sc.Text))
}

// maxTraces is how many audit traces of dropped work may be written at once; beyond that a drop is
// only counted and logged, so a flood cannot pile up goroutines.
const maxTraces = 8

// queue hands job to the worker pool. When the queue is full the work is dropped but leaves a
// trace: it is counted (Metrics.Dropped), logged, and audited as "dropped" by a goroutine of its
// own, so the event loop never waits on Redis. what says what was dropped when it was only an
// audit write ("" for the invocation itself).
func (b *Bot) queue(inv *invocation, kind, what string, job func(ctx context.Context)) bool {
	if b.submit(job) {
		return true
	}
	b.o.Metrics.Dropped(kind)
	b.log.Warn("worker queue full: dropped", "kind", kind, "slack_user", inv.User, "cmd", inv.Command)
	select {
	case b.traces <- struct{}{}:
	default:
		return false // maxTraces writes in flight already: the metric and the log line are the trace
	}
	detail := inv.Command + ": worker queue full, nothing was done"
	if what != "" {
		detail = inv.Command + ": worker queue full, not audited in full (" + what + ")"
	}
	e := store.AuditEntry{
		Actor: inv.User, Action: store.ActionDropped, Outcome: store.OutcomeDropped, OpID: inv.OpID,
		Detail: Truncate(oneLine(detail), 300),
	}
	// Run's drain waits for b.wg; dispatch (the only caller) runs on Run's goroutine, so this Go
	// happens before that Wait.
	b.wg.Go(func() {
		defer func() { <-b.traces }()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := b.store.Append(ctx, e); err != nil {
			b.log.Error("audit append of dropped work", "slack_user", inv.User, "cmd", inv.Command, "err", err)
		}
	})
	return false
}

// runCommand is the worker side of a command: deduplicate, authorize at this moment, handle.
func (b *Bot) runCommand(ctx context.Context, inv *invocation, key string, cmd Command) {
	// The owner token is this delivery's own: a redelivery, even to this replica, is another owner
	// and is refused, while go-redis re-sending this very claim after a timeout is told "yours".
	owner := b.o.ReplicaID + ":" + randomID(10)
	claimed, err := b.store.Claim(ctx, key, owner, dedupTTL)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	if !claimed {
		b.log.Debug("duplicate delivery skipped", "cmd", inv.Command, "slack_user", inv.User)
		return
	}
	if err = b.loadCommandRole(ctx, inv, cmd); err != nil { // scope.go: effective on its target
		b.fail(ctx, inv, err)
		_, _ = b.store.Release(ctx, key, owner)
		return
	}
	if c, ok := lookupCommand(cmd.Name()); ok && b.allowed(ctx, inv, c.role, c.Command) {
		c.handle(b, ctx, inv, cmd)
	}
	if err := b.store.Done(ctx, key); err != nil {
		b.log.Warn("mark delivery done", "cmd", inv.Command, "err", err)
	}
	b.logDone(inv)
}

// logDone writes the one log line of a command or click (who, what, outcome, latency) and counts
// it. Account IDs and reasons stay out of the log; the audit log has them.
func (b *Bot) logDone(inv *invocation) {
	outcome := inv.outcome
	if outcome == "" {
		outcome = store.OutcomeOK
	}
	d := time.Since(inv.start)
	b.log.Info("handled", "slack_user", inv.User, "cmd", inv.Command, "outcome", outcome, "role", roleName(inv.Role),
		"latency_ms", d.Milliseconds())
	b.o.Metrics.Command(inv.Command, string(outcome), d)
}

// acceptInteraction runs on the event loop: it queues clicks and modal submissions and returns
// the ack payload (nil, or for a modal that could not be queued, an error that keeps it open).
func (b *Bot) acceptInteraction(cb slack.InteractionCallback) any {
	inv := &invocation{
		User: cb.User.ID, Channel: cb.Channel.ID, ResponseURL: cb.ResponseURL, TriggerID: cb.TriggerID,
		start: time.Now(),
	}
	if why := b.foreign(cb.Team.ID, cb.APIAppID); why != "" {
		inv.Command = string(cb.Type)
		b.queue(inv, "audit", "payload from "+why, func(ctx context.Context) { b.auditForeign(ctx, inv, why) })
		return nil
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			inv := *inv
			inv.Command = a.ActionID
			// A click has no delivery key; the state transition is the guard. The op ID makes a
			// re-sent script answer "done, by you".
			inv.OpID = "click:" + cb.TriggerID + ":" + a.ActionTs
			inv.Text = a.Value
			msgTS := cb.Container.MessageTs
			home := isHomeClick(cb) // home.go: a click on the Home tab publishes it again
			b.queue(&inv, "click", "", func(ctx context.Context) {
				b.runClick(ctx, &inv, a.ActionID, a.Value, msgTS)
				if home {
					b.republishHome(ctx, inv.User)
				}
			})
		}
	case slack.InteractionTypeViewSubmission:
		inv.Command = cb.View.CallbackID
		inv.OpID = "view:" + cb.View.ID + ":" + cb.View.Hash
		view := cb.View
		if view.CallbackID == viewDeny && view.State != nil {
			// Tencent keeps at most 1,000 bytes; the modal counts characters. Say so now, while
			// the modal is still open, instead of cutting the reason.
			if n := len(view.State.Values[denyReasonID][denyReasonID].Value); n > MaxReasonBytes {
				return slack.NewErrorsViewSubmissionResponse(map[string]string{
					denyReasonID: fmt.Sprintf("At most %d bytes, please: this is %d (non-Latin letters take 2–4 bytes each).", MaxReasonBytes, n),
				})
			}
		}
		if !b.queue(inv, "view", "", func(ctx context.Context) { b.runView(ctx, inv, view) }) {
			// Closing the modal would look like success: keep it open and say why.
			return slack.NewErrorsViewSubmissionResponse(map[string]string{
				denyReasonID: "modbot is too busy to take this right now; nothing was done. Submit again in a moment.",
			})
		}
	}
	return nil
}

// runClick authorizes a click at the moment it is handled and routes it by action ID.
func (b *Bot) runClick(ctx context.Context, inv *invocation, actionID, value, messageTS string) {
	var err error
	inv.Role, err = b.store.Role(ctx, inv.User)
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	switch actionID {
	case actionApprove, actionDeny, actionCancel, actionRetry:
		b.handleDecisionClick(ctx, inv, actionID, value)
	case actionUndo:
		b.handleUndo(ctx, inv, value)
	case actionConfirm:
		b.handleConfirm(ctx, inv, value)
	case actionPagePrev, actionPageNext:
		b.handlePage(ctx, inv, value)
	default:
		b.log.Debug("unknown action", "cmd", actionID)
	}
	b.logDone(inv)
}

// runView handles a modal submission.
func (b *Bot) runView(ctx context.Context, inv *invocation, view slack.View) {
	var err error
	inv.Role, err = b.store.Role(ctx, inv.User)
	if err != nil {
		// The modal is closed by now: tell the person by DM that nothing was done.
		b.log.Warn("view submission: role lookup", "slack_user", inv.User, "err", err)
		b.tell(ctx, inv, b.errorMessage(err))
		return
	}
	if view.CallbackID == viewDeny {
		b.handleDenyView(ctx, inv, view)
		b.republishHome(ctx, inv.User) // home.go: the Deny may have come from the Home tab
	}
}

// acceptEvent refuses foreign Events API deliveries and hands app_home_opened to the Home tab,
// which deduplicates it by event_id.
func (b *Bot) acceptEvent(ev slackevents.EventsAPIEvent) {
	if why := b.foreign(ev.TeamID, ev.APIAppID); why != "" {
		inv := &invocation{Command: "event", start: time.Now()}
		b.queue(inv, "audit", "payload from "+why, func(ctx context.Context) { b.auditForeign(ctx, inv, why) })
		return
	}
	b.acceptHomeEvent(ev) // home.go: app_home_opened
}

// allowed checks the caller's role against what an action needs. A refusal is answered politely,
// audited, and nothing else happens.
func (b *Bot) allowed(ctx context.Context, inv *invocation, need store.Role, what string) bool {
	if inv.Role >= need {
		return true
	}
	inv.outcome = store.OutcomeRefused
	b.auditRefused(ctx, inv, store.AuditEntry{Action: store.ActionRefused, Detail: fmt.Sprintf("%s needs %s, has %s", what, need, roleWhere(inv))})
	b.o.Metrics.Decision("refused")
	b.reply(ctx, inv, b.refusalMessage(ctx, inv, need, what))
	return false
}

// reply answers the invoker through their response_url, logging (not returning) a failure.
func (b *Bot) reply(ctx context.Context, inv *invocation, m message) {
	if err := b.respond(ctx, inv.ResponseURL, m, false); err != nil {
		b.log.Warn("reply", "slack_user", inv.User, "cmd", inv.Command, "err", err)
	}
}

// fail tells the invoker what went wrong in plain words; unexpected errors are logged too.
func (b *Bot) fail(ctx context.Context, inv *invocation, err error) {
	inv.outcome = store.OutcomeError
	if unexpected(err) {
		b.log.Error("command failed", "slack_user", inv.User, "cmd", inv.Command, "err", err)
	}
	b.tell(ctx, inv, b.errorMessage(err)) // a click on the Home tab has no response_url: by DM
}

// audit appends e as inv's (its actor, op ID and, when unset, account count); a failure is
// logged, since the action it records already happened.
func (b *Bot) audit(ctx context.Context, inv *invocation, e store.AuditEntry) {
	e.Actor, e.OpID = inv.User, inv.OpID
	if e.AccountCount == 0 {
		e.AccountCount = len(e.Accounts)
	}
	if _, err := b.store.Append(ctx, e); err != nil {
		b.log.Error("audit append", "slack_user", inv.User, "cmd", inv.Command, "err", err)
	}
}

// floodWindow is how often one person's refusals, invalid commands, foreign payloads and help
// requests are audited one by one: at most one entry per person, kind and window (the next one
// counts those in between), so nobody can grow Redis or flood the feed with them.
const floodWindow = time.Minute

// auditRefused records a refusal compactly: never the accounts (a request's target, number and
// account count come from the request e.RequestID names), and for someone not on the allowlist
// at most once per floodWindow.
func (b *Bot) auditRefused(ctx context.Context, inv *invocation, e store.AuditEntry) {
	gate := ""
	if inv.Role == store.RoleNone {
		gate = "refused:" + inv.User
	}
	b.auditLimited(ctx, inv, e, gate)
}

// auditLimited appends e for inv (actor, op ID, outcome "refused" unless set) through the gate.
func (b *Bot) auditLimited(ctx context.Context, inv *invocation, e store.AuditEntry, gate string) {
	e.Actor, e.OpID = inv.User, inv.OpID
	if e.Outcome == "" {
		e.Outcome = store.OutcomeRefused
	}
	if _, err := b.store.AppendLimited(ctx, e, gate, floodWindow); err != nil {
		b.log.Error("audit append", "slack_user", inv.User, "cmd", inv.Command, "err", err)
	}
}

func (b *Bot) auditForeign(ctx context.Context, inv *invocation, why string) {
	b.log.Warn("refused a payload from another workspace or app", "slack_user", inv.User, "from", why)
	b.auditLimited(ctx, inv, store.AuditEntry{Action: store.ActionRefused, Detail: "payload from " + why}, "foreign:"+inv.User)
}

func (b *Bot) auditInvalid(ctx context.Context, inv *invocation, err error) {
	var ue *UsageError
	detail := err.Error()
	if errors.As(err, &ue) {
		detail = ue.Problem
	}
	b.auditLimited(ctx, inv, store.AuditEntry{Action: store.ActionInvalid, Detail: Truncate(inv.Command+": "+detail, 300)}, "invalid:"+inv.User)
}

func roleName(r store.Role) string {
	if r == store.RoleNone {
		return "no role"
	}
	return r.String()
}
