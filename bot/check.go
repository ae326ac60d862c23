package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Probe is the result of checking one dependency, as `modbot check` prints it.
type Probe struct {
	Name   string // what was checked, e.g. "slack bot token"
	Detail string // what was found, when it passed
	Err    error  // why it failed; nil when it passed
}

// Scopes lists the bot token scopes the bot needs: commands (slash commands), chat:write (the
// approval and audit channels), im:write (telling requesters their outcome) and users:read
// (users.info: the audit feed names people without mentioning them). The app manifest declares
// exactly these.
func Scopes() []string { return []string{"chat:write", "commands", "im:write", "users:read"} }

// CheckSlack checks o's tokens against Slack without connecting: the bot token with auth.test
// (the workspace against TeamID, and its scopes against Scopes when Slack reports them), and the
// app token with apps.connections.open, whose WebSocket URL is neither opened nor shown (it is a
// credential).
func CheckSlack(ctx context.Context, o Options) []Probe {
	setDefault(&o.APIURL, slack.APIURL)
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return []Probe{checkBotToken(ctx, o), checkAppToken(ctx, o)}
}

func checkBotToken(ctx context.Context, o Options) Probe {
	p := Probe{Name: "slack bot token"}
	api := slack.New(o.BotToken, slack.OptionAPIURL(o.APIURL), slack.OptionHTTPClient(o.HTTPClient))
	auth, err := api.AuthTestContext(ctx)
	if err != nil {
		p.Err = fmt.Errorf("auth.test: %w%s", err, tokenHint(err, "the Bot User OAuth Token (xoxb-) under OAuth & Permissions, after installing the app"))
		return p
	}
	if o.TeamID != "" && auth.TeamID != o.TeamID {
		p.Err = fmt.Errorf("the token belongs to workspace %s (%s), not %s", auth.Team, auth.TeamID, o.TeamID)
		return p
	}
	if granted := auth.Header.Get("X-OAuth-Scopes"); granted != "" {
		var missing []string
		have := strings.Split(strings.ReplaceAll(granted, " ", ""), ",")
		for _, s := range Scopes() {
			if !slices.Contains(have, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			p.Err = fmt.Errorf("the token lacks scopes %s: add them to the app (manifest.yml has them) and reinstall", strings.Join(missing, ", "))
			return p
		}
	}
	p.Detail = fmt.Sprintf("auth.test: workspace %s (%s), bot user @%s (%s)", auth.Team, auth.TeamID, auth.User, auth.UserID)
	return p
}

func checkAppToken(ctx context.Context, o Options) Probe {
	p := Probe{Name: "slack app token"}
	api := slack.New(o.BotToken, slack.OptionAppLevelToken(o.AppToken), slack.OptionAPIURL(o.APIURL),
		slack.OptionHTTPClient(o.HTTPClient))
	if _, _, err := api.StartSocketModeContext(ctx); err != nil {
		p.Err = fmt.Errorf("apps.connections.open: %w%s", err, tokenHint(err, "an app-level token (xapp-) with connections:write under Basic Information > App-Level Tokens, with Socket Mode on"))
		return p
	}
	p.Detail = "apps.connections.open: Socket Mode connections can be opened"
	return p
}

// tokenHint explains Slack's answer to a refused token; want says where the right one is.
func tokenHint(err error, want string) string {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return " (is Slack's Web API reachable from here?)"
	}
	switch se.Err {
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "not_allowed_token_type":
		return ": use " + want
	}
	return ""
}
