package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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

// Code that cites the design points at the repository's own docs/DESIGN.md, which exists.
func TestDesignCitations(t *testing.T) {
	if _, err := os.Stat("../../docs/DESIGN.md"); err != nil {
		t.Fatal(err)
	}
	bare := regexp.MustCompile(`(^|[^/])DESIGN\.md`)
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".lua")) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if bare.MatchString(line) {
				t.Errorf("%s:%d cites the design without its path docs/: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
