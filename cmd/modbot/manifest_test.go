package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"modbot/bot"
)

var update = flag.Bool("update", false, "rewrite manifest.yml from the bot's command list")

const manifestPath = "../../manifest.yml"

// TestManifest fails when manifest.yml and the bot disagree: every slash command the bot handles
// (bot.Commands, with description, usage hint and should_escape), its bot scopes (bot.Scopes),
// Socket Mode and interactivity on, the Home tab on with the events it needs (bot.BotEvents).
// Regenerate with
// go test ./cmd/modbot -run TestManifest -update.
func TestManifest(t *testing.T) {
	want := renderManifest()
	if *update {
		if err := os.WriteFile(manifestPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("manifest.yml differs from the bot's commands and scopes; run go test ./cmd/modbot -run TestManifest -update\n--- want\n%s", want)
	}
}

// TestManifest_Commands reads the slash commands out of manifest.yml as text, independently of
// renderManifest, and holds them against bot.Commands.
func TestManifest_Commands(t *testing.T) {
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^    - command: (\S+)\n      description: (".*")\n      usage_hint: (".*")\n      should_escape: (true|false)$`)
	var got []bot.CommandSpec
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		var c bot.CommandSpec
		c.Command = m[1]
		if json.Unmarshal([]byte(m[2]), &c.Description) != nil || json.Unmarshal([]byte(m[3]), &c.UsageHint) != nil {
			t.Fatalf("unreadable command entry %q", m[0])
		}
		c.ShouldEscape = m[4] == "true"
		got = append(got, c)
	}
	want := bot.Commands()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("manifest commands:\n%v\nbot commands:\n%v", got, want)
	}
	for _, c := range want {
		if !regexp.MustCompile(`^/[a-z][a-z0-9_-]{0,30}$`).MatchString(c.Command) {
			t.Errorf("command %q is not a valid Slack command name", c.Command)
		}
		if c.Description == "" || c.UsageHint == "" {
			t.Errorf("command %s needs a description and a usage hint", c.Command)
		}
	}
	for _, s := range []string{"socket_mode_enabled: true", "interactivity:\n    is_enabled: true", "home_tab_enabled: true",
		"event_subscriptions:\n    bot_events:\n      - app_home_opened"} {
		if !strings.Contains(string(data), s) {
			t.Errorf("manifest.yml lacks %q", s)
		}
	}
}

// renderManifest is the Slack app manifest for the bot as it is.
func renderManifest() []byte {
	var b bytes.Buffer
	b.WriteString(`# Slack app manifest for modbot (Socket Mode: no public URL needed).
# Create the app at https://api.slack.com/apps > Create New App > From an app manifest, paste this
# file, install it to the workspace, then create an app-level token with connections:write
# (Basic Information > App-Level Tokens): a manifest cannot create that token. See README.md.
# Generated from the bot's command list: go test ./cmd/modbot -run TestManifest -update
_metadata:
  major_version: 1
  minor_version: 1
display_information:
  name: modbot
  description: Tencent Chat moderation with approval threads and an audit trail
  background_color: "#1d3557"
features:
  app_home:
    home_tab_enabled: ` + fmt.Sprint(slices.Contains(bot.BotEvents(), "app_home_opened")) + `
    messages_tab_enabled: true
    messages_tab_read_only_enabled: true
  bot_user:
    display_name: modbot
    always_online: true
  slash_commands:
`)
	for _, c := range bot.Commands() {
		fmt.Fprintf(&b, "    - command: %s\n      description: %s\n      usage_hint: %s\n      should_escape: %t\n",
			c.Command, quote(c.Description), quote(c.UsageHint), c.ShouldEscape)
	}
	b.WriteString("oauth_config:\n  scopes:\n    bot:\n")
	for _, s := range bot.Scopes() {
		fmt.Fprintf(&b, "      - %s\n", s)
	}
	b.WriteString("settings:\n  event_subscriptions:\n    bot_events:\n")
	for _, e := range bot.BotEvents() {
		fmt.Fprintf(&b, "      - %s\n", e)
	}
	b.WriteString(`  interactivity:
    is_enabled: true
  org_deploy_enabled: false
  socket_mode_enabled: true
  token_rotation_enabled: false
`)
	return b.Bytes()
}

// quote writes s as a YAML double-quoted scalar (a JSON string is one).
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
