package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"modbot/store"
)

// Long results (/roles for a thousand accounts, /banned with thousands of entries, /modbot log)
// are kept in Redis with store.PutResult and paged with Prev / Next buttons whose value is only
// "<resultID>:<page>".

// Page limits: a page shows at most pageItems entries and pageChars characters of entry text,
// which keeps every page well inside Block Kit's 12,000 characters and 50 blocks.
const (
	pageItems = 100
	pageChars = 7000
)

// result is what PutResult keeps for paging; exactly one field is set.
type result struct {
	Roles  *rolesResult  `json:"roles,omitempty"`
	Banned *bannedResult `json:"banned,omitempty"`
	Log    *logResult    `json:"log,omitempty"`
	List   *listResult   `json:"list,omitempty"`
}

// listResult is a list of lines (escaped mrkdwn) paged like the other results: /modbot pending
// and /modbot who.
type listResult struct {
	Title string   `json:"title"` // the header, plain text
	Text  string   `json:"text"`  // the fallback text
	Lines []string `json:"lines"`
}

// replyList answers with the first page of r, storing r for paging when it needs more than one.
func (b *Bot) replyList(ctx context.Context, inv *invocation, r listResult) {
	id := ""
	if len(r.pageStarts()) > 1 {
		var err error
		if id, err = b.putResult(ctx, result{List: &r}); err != nil {
			b.fail(ctx, inv, err)
			return
		}
	}
	b.reply(ctx, inv, renderList(r, id, 0))
}

// putResult stores r and returns its ID.
func (b *Bot) putResult(ctx context.Context, r result) (string, error) {
	payload, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("encode result: %w", err)
	}
	return b.store.PutResult(ctx, payload)
}

// handlePage answers a Prev / Next click: it checks the clicker's role now, reads the stored
// result and replaces the clicked message with the page asked for.
func (b *Bot) handlePage(ctx context.Context, inv *invocation, value string) {
	if !b.allowed(ctx, inv, store.RoleViewer, "paging a result") {
		return
	}
	id, page, ok := parsePageValue(value)
	if !ok {
		b.reply(ctx, inv, notice(":warning: That button carries no result modbot can read. Run the command again."))
		return
	}
	raw, err := b.store.GetResult(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		b.reply(ctx, inv, expiredResult())
		return
	}
	if err != nil {
		b.fail(ctx, inv, err)
		return
	}
	var r result
	if err := json.Unmarshal(raw, &r); err != nil {
		b.reply(ctx, inv, expiredResult())
		return
	}
	var m message
	switch {
	case r.Roles != nil:
		m = renderRoles(*r.Roles, id, page)
	case r.Banned != nil:
		m = renderBanned(*r.Banned, id, page)
	case r.List != nil:
		m = renderList(*r.List, id, page)
	case r.Log != nil:
		m, err = b.logPage(ctx, *r.Log, id, page)
		if err != nil {
			b.fail(ctx, inv, err)
			return
		}
	default:
		b.reply(ctx, inv, expiredResult())
		return
	}
	if err := b.respond(ctx, inv.ResponseURL, m, true); err != nil {
		b.log.Warn("page", "slack_user", inv.User, "cmd", inv.Command, "err", err)
	}
}

func expiredResult() message {
	return notice(":hourglass: This result expired from modbot's memory. Run the command again.")
}

// notice is a message of one mrkdwn section (already escaped).
func notice(text string) message {
	return message{Text: text, Blocks: []slackBlock{section(text)}}
}

// pageValue is a page button's value.
func pageValue(id string, page int) string { return id + ":" + strconv.Itoa(page) }

// parsePageValue reads a page button's value.
func parsePageValue(v string) (id string, page int, ok bool) {
	id, p, found := strings.Cut(v, ":")
	n, err := strconv.Atoi(p)
	if !found || id == "" || err != nil || n < 0 {
		return "", 0, false
	}
	return id, n, true
}

// pageStarts splits entries whose rendered sizes are given into pages of at most maxItems
// entries and maxChars characters (an entry larger than maxChars gets a page of its own), and
// returns the index where each page starts. There is always at least one page.
func pageStarts(sizes []int, maxItems, maxChars int) []int {
	starts := []int{0}
	n, chars := 0, 0
	for i, s := range sizes {
		if n > 0 && (n == maxItems || chars+s > maxChars) {
			starts = append(starts, i)
			n, chars = 0, 0
		}
		n++
		chars += s
	}
	return starts
}

// pageRange returns the bounds [lo, hi) of page p (clamped to the pages there are) of total
// entries split at starts, and the page actually shown.
func pageRange(starts []int, total, p int) (lo, hi, page int) {
	page = min(max(p, 0), len(starts)-1)
	lo, hi = starts[page], total
	if page+1 < len(starts) {
		hi = starts[page+1]
	}
	return lo, hi, page
}

// pageNav is the context line and the Prev / Next buttons of page p of n, or nothing when there
// is one page or no stored result to page.
func pageNav(id string, p, n int, what string) []slackBlock {
	if n <= 1 || id == "" {
		return nil
	}
	blocks := []slackBlock{contextBlock(fmt.Sprintf("Page %d of %d · %s", p+1, n, what))}
	var buttons []*slack.ButtonBlockElement
	if p > 0 {
		buttons = append(buttons, button(actionPagePrev, "Prev", pageValue(id, p-1), ""))
	}
	if p+1 < n {
		buttons = append(buttons, button(actionPageNext, "Next", pageValue(id, p+1), ""))
	}
	return append(blocks, actions("pages", buttons...))
}

// packItems joins items with sep into parts of at most max characters each.
func packItems(items []string, sep string, max int) []string {
	var parts []string
	var cur strings.Builder
	for _, it := range items {
		if cur.Len() > 0 && cur.Len()+len(sep)+len(it) > max {
			parts = append(parts, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteString(sep)
		}
		cur.WriteString(it)
	}
	if cur.Len() > 0 {
		parts = append(parts, cur.String())
	}
	return parts
}
