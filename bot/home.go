package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"modbot/store"
)

// The App Home tab: Slack sends app_home_opened each time a person opens the app's Home tab, and
// the bot answers with views.publish for that person (docs/DESIGN.md, Team visibility). The event
// is acknowledged on the event loop like any other; a worker reads Redis and publishes. Buttons
// on the Home view are the thread's own (same action IDs and values), so the click handlers
// decide them; after a click from Home the view is published again.

const (
	homeWindow  = 7 * 24 * time.Hour // the period of the Home tab's counts
	homeRecent  = 10                 // the last actions shown
	homePending = 500                // most pending requests read for one view
)

// acceptHomeEvent runs on the event loop for an events_api envelope already acknowledged: it
// queues the Home tab's publish for app_home_opened on the Home tab, deduplicated by event_id.
func (b *Bot) acceptHomeEvent(ev slackevents.EventsAPIEvent) {
	opened, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || opened.Tab != "home" || opened.User == "" {
		return
	}
	key := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		key = "ev:" + cb.EventID
	}
	inv := &invocation{User: opened.User, Command: eventAppHomeOpened, OpID: key, start: time.Now()}
	b.queue(inv, "event", "", func(ctx context.Context) {
		if key != "" {
			owner := b.o.ReplicaID + ":" + randomID(10)
			claimed, err := b.store.Claim(ctx, key, owner, dedupTTL)
			if err != nil || !claimed {
				if err != nil {
					b.log.Warn("app_home_opened: claim", "slack_user", inv.User, "err", err)
				}
				return
			}
			defer func() {
				if err := b.store.Done(ctx, key); err != nil {
					b.log.Warn("mark delivery done", "cmd", inv.Command, "err", err)
				}
			}()
		}
		if err := b.publishHome(ctx, inv.User); err != nil {
			inv.outcome = "error"
			b.log.Warn("publish home", "slack_user", inv.User, "err", redactURL(err))
		}
		b.logDone(inv)
	})
}

// isHomeClick reports whether a block_actions payload came from a button on the Home tab.
func isHomeClick(cb slack.InteractionCallback) bool {
	return cb.Container.Type == "view" && cb.View.Type == slack.VTHomeTab
}

// republishHome publishes user's Home view again after a click on it, logging a failure.
func (b *Bot) republishHome(ctx context.Context, user string) {
	if err := b.publishHome(ctx, user); err != nil {
		b.log.Warn("publish home after a click", "slack_user", user, "err", redactURL(err))
	}
}

// publishHome reads what user's Home tab shows and publishes it.
func (b *Bot) publishHome(ctx context.Context, user string) error {
	d, err := b.homeData(ctx, user)
	if err != nil {
		d = homeData{User: user, At: time.Now(), Err: b.errorMessage(err).Text}
	}
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: renderHome(d)}}
	_, err = b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
	return err
}

// homeData is everything one person's Home view shows.
type homeData struct {
	User  string
	At    time.Time
	Err   string   // what went wrong reading the data, shown instead of it
	Roles []string // the person's roles, one line each (escaped mrkdwn); none: not on the allowlist
	Role  store.Role
	// Access is every role of the person, global and scoped (scope.go): the Waiting list holds
	// the requests on targets where their effective role is approver or above.
	Access store.Roles
	// Admins are who can grant access, for someone not on the allowlist.
	Admins []string

	Waiting     []store.RequestSummary // pending, not theirs, their role may approve, not approved by them yet
	WaitingMore int                    // waiting beyond those read (the pending list was cut)
	Own         []store.RequestSummary // their own pending requests
	PendingAll  int                    // all pending requests (what /modbot pending lists)

	Stats   teamStats
	Watched []homeWatched
}

// homeWatched is a watched target as the Home tab shows it.
type homeWatched struct {
	Kind, ID  string
	LastSweep time.Time // zero: not swept yet
	Note      string    // escaped mrkdwn: counts, what changed lately
}

// homeData reads one person's Home view.
func (b *Bot) homeData(ctx context.Context, user string) (homeData, error) {
	d := homeData{User: user, At: time.Now()}
	var err error
	if d.Access, err = b.store.Roles(ctx, user); err != nil {
		return d, err
	}
	d.Role, d.Roles = d.Access.Global, homeRoleLines(d.Access) // scope.go
	if d.Role == store.RoleNone {
		members, err := b.store.Members(ctx)
		if err != nil {
			return d, err
		}
		for _, m := range members {
			if m.Role == store.RoleAdmin {
				d.Admins = append(d.Admins, m.User)
			}
		}
		return d, nil
	}
	reqs, total, err := b.store.PendingSummaries(ctx, homePending)
	if err != nil {
		return d, err
	}
	d.PendingAll = max(total, len(reqs))
	var candidates []string
	for _, r := range reqs {
		switch {
		case r.Requester == user:
			d.Own = append(d.Own, r)
		case d.Access.On(store.ScopeOf(r.Target)) >= store.RoleApprover:
			candidates = append(candidates, r.ID)
		}
	}
	tv, _ := b.store.(TeamView)
	if tv == nil {
		return d, nil
	}
	approved, err := tv.ApprovedBy(ctx, user, candidates)
	if err != nil {
		return d, err
	}
	for _, r := range reqs {
		if r.Requester != user && d.Access.On(store.ScopeOf(r.Target)) >= store.RoleApprover && !approved[r.ID] {
			d.Waiting = append(d.Waiting, r)
		}
	}
	if d.Role >= store.RoleApprover && total > len(reqs) {
		d.WaitingMore = total - len(reqs)
	}
	if d.Stats, err = b.scanStats(ctx, tv, d.At.Add(-homeWindow), d.At, homeRecent); err != nil {
		return d, err
	}
	if d.Watched, err = b.homeWatchedTargets(ctx); err != nil {
		return d, err
	}
	return d, nil
}

// homeWatchedTargets lists the watched targets with their last sweep. Watched targets do not
// exist yet (issue 12): this returns none, and the Home tab says so.
func (b *Bot) homeWatchedTargets(context.Context) ([]homeWatched, error) { return nil, nil }

// BotEvents lists the Events API events the bot subscribes to (the manifest's
// settings.event_subscriptions.bot_events): app_home_opened, for the Home tab. The manifest
// enables the Home tab when this lists it.
func BotEvents() []string { return []string{eventAppHomeOpened} }

// eventAppHomeOpened is the one Events API event the bot subscribes to (the Home tab).
const eventAppHomeOpened = "app_home_opened"
