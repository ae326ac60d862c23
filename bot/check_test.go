package bot_test

import (
	"strings"
	"testing"

	"modbot/bot"
	"modbot/bot/slacktest"
)

func TestCheckSlack(t *testing.T) {
	srv := slacktest.NewServer(t, slacktest.Options{})
	so := srv.Options()
	good := bot.Options{AppToken: so.AppToken, BotToken: so.BotToken, APIURL: srv.URL}
	tests := []struct {
		name    string
		mod     func(*bot.Options)
		fail    string // a Web API method to fail once with code "account_inactive"
		wantBot string // "" when the bot token passes, else a substring of its error
		wantApp string // likewise for the app token
	}{
		{name: "OK", mod: func(*bot.Options) {}},
		{name: "WrongBotToken", mod: func(o *bot.Options) { o.BotToken = "xoxb-wrong" },
			wantBot: "invalid_auth: use the Bot User OAuth Token"},
		{name: "WrongAppToken", mod: func(o *bot.Options) { o.AppToken = "xapp-wrong" },
			wantApp: "invalid_auth: use an app-level token"},
		{name: "TokensSwapped", mod: func(o *bot.Options) { o.AppToken, o.BotToken = o.BotToken, o.AppToken },
			wantBot: "not_allowed_token_type", wantApp: "not_allowed_token_type"},
		{name: "OtherWorkspace", mod: func(o *bot.Options) { o.TeamID = "T0OTHER" },
			wantBot: "not T0OTHER"},
		{name: "InactiveAccount", mod: func(*bot.Options) {}, fail: "auth.test",
			wantBot: "account_inactive"},
		{name: "Unreachable", mod: func(o *bot.Options) { o.APIURL = "http://127.0.0.1:1/api/" },
			wantBot: "reachable", wantApp: "reachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.mod(&o)
			if tt.fail != "" {
				srv.FailNext(tt.fail, "account_inactive")
			}
			probes := bot.CheckSlack(t.Context(), o)
			if got, want := len(probes), 2; got != want {
				t.Fatalf("%d probes, want %d: %+v", got, want, probes)
			}
			for i, want := range []string{tt.wantBot, tt.wantApp} {
				p := probes[i]
				switch {
				case want == "" && p.Err != nil:
					t.Errorf("%s: %v, want a pass", p.Name, p.Err)
				case want != "" && p.Err == nil:
					t.Errorf("%s passed (%s), want %q", p.Name, p.Detail, want)
				case want != "" && !strings.Contains(p.Err.Error(), want):
					t.Errorf("%s: %q, want it to contain %q", p.Name, p.Err, want)
				}
				text := p.Detail
				if p.Err != nil {
					text = p.Err.Error()
				}
				for _, secret := range []string{o.BotToken, o.AppToken, "ticket="} {
					if strings.Contains(text, secret) {
						t.Errorf("%s shows a credential: %s", p.Name, text)
					}
				}
			}
		})
	}
	// No probe connects: only the fake's WebSocket count would show it.
	if got := srv.ConnectionsOpened(); got != 0 {
		t.Fatalf("%d Socket Mode connections opened, want 0", got)
	}
}

func TestCheckSlack_PassDetails(t *testing.T) {
	srv := slacktest.NewServer(t, slacktest.Options{})
	so := srv.Options()
	probes := bot.CheckSlack(t.Context(), bot.Options{AppToken: so.AppToken, BotToken: so.BotToken, APIURL: srv.URL, TeamID: so.TeamID})
	if got, want := probes[0].Detail, "bot user @"+so.BotName+" ("+so.BotUserID+")"; !strings.Contains(got, want) {
		t.Errorf("bot token detail = %q, want it to name %q", got, want)
	}
	if got, want := probes[0].Detail, so.TeamID; !strings.Contains(got, want) {
		t.Errorf("bot token detail = %q, want it to name the workspace %q", got, want)
	}
}
