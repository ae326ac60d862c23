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

// errorMessage is the one place that turns an error into what a Slack user reads: plain words,
// the Tencent code and its meaning where there is one, the usage after a malformed command, and
// never a raw dump.
func (b *Bot) errorMessage(err error) message {
	var ue *UsageError
	if errors.As(err, &ue) {
		text := ":warning: " + Escape(upperFirst(ue.Problem)) + "."
		usage := Usage(ue.Command, b.parseConfig())
		return message{
			Text:   text,
			Blocks: []slackBlock{section(text), divider(), section(Truncate(usage, maxSectionText))},
		}
	}
	text := ":warning: " + userText(err)
	return message{Text: text, Blocks: []slackBlock{section(text)}}
}

// userText explains err in plain words as escaped mrkdwn.
func userText(err error) string {
	var (
		te *tim.Error
		ie *tim.InputError
		de *store.DecidedError
		tm *store.TooManyOpenError
	)
	switch {
	case errors.As(err, &de):
		return decidedText(de)
	case errors.As(err, &te):
		return tencentText(te)
	case errors.As(err, &ie):
		return Escape(upperFirst(strings.TrimPrefix(ie.Error(), "tim: "))) + "."
	case errors.Is(err, store.ErrSelfApproval):
		return "You can't decide your own request: another approver has to."
	case errors.Is(err, store.ErrForbidden):
		return "Your role doesn't allow that (checked just now). An admin can change it with `/modbot allow`."
	case errors.Is(err, store.ErrExpired):
		return "This request expired before it was decided. Open a new one with `/unban` if it is still needed."
	case errors.Is(err, store.ErrAlreadyApproved):
		return "You have already approved this request; it needs another approver."
	case errors.Is(err, store.ErrLastAdmin):
		return "That would leave modbot without an admin, so nothing was changed. Make someone else an admin first."
	case errors.Is(err, store.ErrNotRequester):
		return "Only the person who opened the request can cancel it."
	case errors.Is(err, store.ErrNotRetryable):
		return "Only a request that ended partly or wholly failed can be retried."
	case errors.As(err, &tm):
		return fmt.Sprintf("You have %d requests open already, the most one person may have, so this one was not opened. "+
			"Wait until some are decided, or Cancel some on their root messages (`/modbot pending` lists them), then ask again.", tm.Open)
	case errors.Is(err, store.ErrResultsFull), errors.Is(err, store.ErrResultTooLarge):
		return "This answer is too long for modbot to keep for paging right now, so nothing is shown. " +
			"Narrow the command (fewer accounts, one target) or try again in a few minutes."
	case errors.Is(err, store.ErrNotFound):
		return "modbot has no record of that (it may have expired from its memory)."
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "That took too long and was stopped. Nothing more will happen; check the result before trying again."
	case tim.ErrorClass(err) == "transient" || tim.ErrorClass(err) == "throttled":
		return "Tencent or modbot's database could not be reached after several tries, so nothing was done. Try again in a minute; if it keeps happening, tell whoever runs modbot."
	default:
		return "Something went wrong on modbot's side and nothing was done. Whoever runs modbot can find the details in its log."
	}
}

// unexpected reports whether err is worth logging: not something the user caused or the flow
// expects (a refusal, a decided request, a Tencent answer).
func unexpected(err error) bool {
	var (
		ue *UsageError
		te *tim.Error
		ie *tim.InputError
	)
	if errors.As(err, &ue) || errors.As(err, &te) || errors.As(err, &ie) {
		return false
	}
	for _, s := range []error{store.ErrAlreadyDecided, store.ErrSelfApproval, store.ErrForbidden,
		store.ErrExpired, store.ErrAlreadyApproved, store.ErrLastAdmin, store.ErrNotRequester,
		store.ErrNotRetryable, store.ErrNotFound, store.ErrTooManyOpen} {
		if errors.Is(err, s) {
			return false
		}
	}
	return true
}

// tencentText explains a Tencent error code in tim.Meaning's words (for 10007, every possible
// cause).
func tencentText(e *tim.Error) string {
	meaning := tim.Meaning(e.Code)
	if meaning == "" {
		meaning = "an error modbot does not know"
	}
	s := fmt.Sprintf("Tencent refused this with code %d: %s.", e.Code, meaning)
	if tim.Retryable(e) {
		s += " modbot retried several times."
	}
	return Escape(s)
}

// decidedText says who decided a request, and when.
func decidedText(de *store.DecidedError) string {
	switch {
	case de.State == store.Expired:
		return fmt.Sprintf("This request expired %s without a decision.", slackDate(de.At))
	case de.By == "":
		return fmt.Sprintf("This request is already %s (%s).", de.State, slackDate(de.At))
	default:
		state := string(de.State)
		switch de.State {
		case store.Executing, store.Done, store.Partial, store.Failed: // by stays the approver
			state = string(store.Approved)
		}
		return fmt.Sprintf("Already %s by %s %s.", state, Mention(de.By), slackDate(de.At))
	}
}

// refusalMessage tells someone politely that their role does not allow what they asked, and who
// can grant it.
func (b *Bot) refusalMessage(ctx context.Context, inv *invocation, need store.Role, what string) message {
	var s string
	grant := need.String()
	if text, g, ok := b.scopedRefusal(ctx, inv, need, what); ok { // scope.go
		s, grant = text, g
	} else if inv.Role == store.RoleNone {
		s = fmt.Sprintf(":no_entry: Sorry, you're not on modbot's allowlist, so modbot did nothing with %s.", Code(what))
	} else {
		s = fmt.Sprintf(":no_entry: %s needs the *%s* role; yours is *%s*. Nothing was done.", Code(what), need, inv.Role)
	}
	if admins := b.adminMentions(ctx); admins != "" {
		s += " An admin (" + admins + ") can grant access with `/modbot allow @you " + grant + "`."
	} else {
		s += " An admin can grant access with `/modbot allow @you " + grant + "`."
	}
	return message{Text: s, Blocks: []slackBlock{section(s)}}
}

// adminMentions lists up to five admins as mentions, or "" if they cannot be read.
func (b *Bot) adminMentions(ctx context.Context) string {
	members, err := b.store.Members(ctx)
	if err != nil {
		return ""
	}
	var out []string
	for _, m := range members {
		if m.Role == store.RoleAdmin && len(out) < 5 {
			out = append(out, Mention(m.User))
		}
	}
	return strings.Join(out, ", ")
}

// slackDate renders t so that each reader sees it in their own time zone, with a UTC fallback.
func slackDate(t time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
