package main

import (
	"os"
	"strings"
	"testing"

	"modbot/tim"
)

// The README's firewall table names the REST host of every region modbot accepts, as tim calls
// it, and the Slack hosts, so an operator can open exactly those.
func TestReadme_OutboundHosts(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, r := range regions {
		host := tim.Region(r).Host()
		if host == "" {
			t.Errorf("tim has no host for region %s", r)
			continue
		}
		if row := "| Tencent, region `" + r + "` | `" + host + "` |"; !strings.Contains(readme, row) {
			t.Errorf("README lacks the row %s", row)
		}
	}
	for _, host := range []string{"`slack.com`", "`wss-primary.slack.com`", "`wss-backup.slack.com`"} {
		if !strings.Contains(readme, host) {
			t.Errorf("README does not name %s", host)
		}
	}
}
