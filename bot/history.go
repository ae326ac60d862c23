package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"modbot/store"
)

// The case history a new request's root shows, so that approvers decide with the case in view:
// one line per account with a history in the last 90 days ("`u7`: banned twice in 90 days, last
// by Ana for spam"), at most historyShown of them, then "and N more with history". It is read from
// Redis (the audit index by account) before the request is stored, never from Tencent, and kept
// with the request (store.Request.History) so that every later render of the root shows it.

const (
	historyShown   = 3                       // accounts given a line of their own
	historyChecked = 50                      // accounts whose history is read (the first ones named)
	historyWait    = 1500 * time.Millisecond // longest time the reads may take before the root goes without
)

// caseHistory returns the history lines of accounts for a request's root ("" when none has any).
// A failure or a slow Redis costs the line, never the request: it is logged and skipped.
func (b *Bot) caseHistory(ctx context.Context, accounts []string) string {
	ctx, cancel := context.WithTimeout(ctx, historyWait)
	defer cancel()
	s, err := caseHistoryText(ctx, b.store, accounts, b.plainNamer(ctx))
	if err != nil {
		b.log.Warn("case history for the root", "err", err)
	}
	return s
}

// caseHistoryText reads the case counts of the first historyChecked accounts and renders the
// lines, naming people with who. What it read before an error is still returned.
func caseHistoryText(ctx context.Context, cs CaseFiles, accounts []string, who func(string) string) (string, error) {
	now, err := cs.Now(ctx)
	if err != nil {
		return "", err
	}
	var lines []string
	more := 0
	checked := accounts[:min(len(accounts), historyChecked)]
	for _, a := range checked {
		c, err := cs.CaseCounts(ctx, a, now.AddDate(0, 0, -caseDays))
		if err != nil {
			return historyText(lines, more, len(accounts) > len(checked)), err
		}
		if c.Bans+c.Mutes+c.Unbans == 0 {
			continue
		}
		if len(lines) == historyShown {
			more++
			continue
		}
		reason := ""
		if c.LastBan.RequestID != "" {
			if r, err := cs.Request(ctx, c.LastBan.RequestID); err == nil {
				reason = r.Reason
			}
		}
		lines = append(lines, historyLine(a, c, reason, who))
	}
	return historyText(lines, more, len(accounts) > len(checked)), nil
}

// historyText joins the lines and says how many more accounts have a history.
func historyText(lines []string, more int, partial bool) string {
	if len(lines) == 0 {
		return ""
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("and %s more with history", withCommas(more)))
	}
	if partial {
		lines = append(lines, fmt.Sprintf("(the first %d accounts checked)", historyChecked))
	}
	return strings.Join(lines, "\n")
}

// historyBlocks is the root's small history block: none when the request's accounts had none.
func historyBlocks(r *store.Request) []slackBlock {
	if r.History == "" {
		return nil
	}
	return []slackBlock{contextBlock(":file_folder: *History* (`" + Escape("/lookup <account>") + "` for the case file)\n" + Truncate(r.History, 1900))}
}
