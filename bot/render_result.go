package bot

import (
	"fmt"
	"slices"

	"modbot/store"
	"modbot/tim"
)

// The outcome of an execution in a request's thread: the progress message while it runs and the
// result message with its failures grouped by Tencent code.

// progressMessage is the single progress message of an execution in the thread.
func progressMessage(r *store.Request, total int, c counts) message {
	w := wordsOf(r)
	s := fmt.Sprintf(":gear: %s %s account(s)… %s done, %s failed", w.doing, withCommas(total), withCommas(c.done), withCommas(c.failed))
	if c.skipped > 0 {
		s += fmt.Sprintf(", %s skipped (%s)", withCommas(c.skipped), skippedShort(r))
	}
	if c.done+c.skipped+c.failed >= total {
		s = fmt.Sprintf(":checkered_flag: %s %s of %s account(s); %s failed.", upperFirst(w.past), withCommas(c.done), withCommas(total), withCommas(c.failed))
		if c.skipped > 0 {
			s += fmt.Sprintf(" %s skipped: %s.", withCommas(c.skipped), skippedShort(r))
		}
	}
	return message{Text: s, Blocks: []slackBlock{contextBlock(s)}}
}

// resultMessage is an execution's outcome in the thread: counts, and the failures grouped by
// Tencent code with the code's meaning and the accounts (collapsed when many).
func resultMessage(r *store.Request) message {
	w := wordsOf(r)
	c := outcomeCounts(r)
	done, failed := c.done, c.failed
	var head string
	switch {
	case r.State == store.Done && c.skipped == 0:
		head = fmt.Sprintf(":white_check_mark: *Done:* all %s account(s) "+w.past+" in %s.", withCommas(done), targetText(r.Target))
	case r.State == store.Done:
		head = fmt.Sprintf(":white_check_mark: *Done:* %s account(s) "+w.past+" in %s; %s skipped: %s.",
			withCommas(done), targetText(r.Target), withCommas(c.skipped), skippedWhy(r))
	case r.State == store.Failed:
		head = fmt.Sprintf(":x: *Failed:* none of the %s account(s) could be "+w.past+" in %s.", withCommas(failed), targetText(r.Target))
	default:
		head = fmt.Sprintf(":warning: *Partly done:* %s of %s account(s) "+w.past+" in %s; %s failed.",
			withCommas(done), withCommas(done+c.skipped+failed), targetText(r.Target), withCommas(failed))
		if c.skipped > 0 {
			head += fmt.Sprintf(" %s skipped: %s.", withCommas(c.skipped), skippedWhy(r))
		}
	}
	blocks := []slackBlock{section(head)}
	groups := failureGroups(r)
	for i, g := range groups {
		if i == shownCodes {
			blocks = append(blocks, contextBlock(fmt.Sprintf("…and %d more kinds of failure (see `/modbot log #%d`).", len(groups)-shownCodes, r.Number)))
			break
		}
		blocks = append(blocks, section(g.text()))
	}
	if failed > 0 && r.UndoOf != "" {
		blocks = append(blocks, contextBlock("An approver or whoever asked for the Undo can run only the failed accounts again:"),
			actions(blockRetry, button(actionRetry, "Retry failed", r.ID, "")))
	} else if failed > 0 {
		blocks = append(blocks, contextBlock("An approver or the requester can run only the failed accounts again with *Retry failed* on the request."))
	}
	text := fmt.Sprintf("%s: %s "+w.past+", %s failed", requestTitle(r), withCommas(done), withCommas(failed))
	if c.skipped > 0 {
		text += fmt.Sprintf(", %s skipped", withCommas(c.skipped))
	}
	return message{Text: text, Blocks: blocks}
}

// skippedWhy is the reason recorded for the request's first skipped account.
func skippedWhy(r *store.Request) string {
	for _, a := range r.Accounts {
		if o := r.Outcomes[a]; o.Skipped {
			return escapeWithin(o.Info, 300)
		}
	}
	return ""
}

// counts are a request's accounts by recorded outcome.
type counts struct{ done, skipped, failed int }

// outcomeCounts counts the request's accounts recorded done, skipped and failed.
func outcomeCounts(r *store.Request) counts {
	var c counts
	for _, a := range r.Accounts {
		o, ok := r.Outcomes[a]
		switch {
		case !ok:
		case o.Done:
			c.done++
		case o.Skipped:
			c.skipped++
		default:
			c.failed++
		}
	}
	return c
}

// failureGroup is the failed accounts that share one Tencent code (and, for code 0, one reason).
type failureGroup struct {
	code     int
	info     string
	accounts []string
}

func (g failureGroup) text() string {
	var why string
	switch m := tim.Meaning(g.code); {
	case g.code == 0:
		why = "*Not done:* " + escapeWithin(g.info, 300)
	case m != "":
		why = fmt.Sprintf("*Code %d:* %s", g.code, Escape(m))
	default:
		why = fmt.Sprintf("*Code %d:* %s", g.code, escapeWithin(g.info, 300))
	}
	return fmt.Sprintf("%s\n%s account(s): %s", why, withCommas(len(g.accounts)), accountList(g.accounts, shownAccounts))
}

// failureGroups groups the failed accounts by code, the largest group first.
func failureGroups(r *store.Request) []failureGroup {
	var groups []failureGroup
	index := map[string]int{}
	for _, a := range r.Accounts {
		o, ok := r.Outcomes[a]
		if !ok || !o.Failed() {
			continue
		}
		key := fmt.Sprint(o.Code)
		if o.Code == 0 {
			key += "\t" + o.Info
		}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, failureGroup{code: o.Code, info: o.Info})
		}
		groups[i].accounts = append(groups[i].accounts, a)
	}
	slices.SortStableFunc(groups, func(a, b failureGroup) int { return len(b.accounts) - len(a.accounts) })
	return groups
}
