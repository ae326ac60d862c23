package main

import (
	"errors"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"
)

// secretFiles are env files an operator may create in the checkout (the README's modbot.env among
// them); keptFiles are what the build and the repository need.
var (
	secretFiles = []string{"modbot.env", ".env", "prod.env", "deploy/modbot.env", "cmd/modbot/local.env"}
	keptFiles   = []string{"go.mod", "go.sum", "cmd/modbot/main.go", "bot/bot.go", "store/lua/claim.lua", "tim/testdata/seeds/README.md"}
)

// No env file reaches the image's build context, in any directory; nor does an example of one
// (the build does not need it). Docker's rules: the last matching pattern wins, `!` re-includes,
// `**` spans directories, and an excluded directory excludes what is under it.
func TestDockerignore_KeepsSecretsOut(t *testing.T) {
	data, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	ignored := dockerignore(t, string(data))
	for _, f := range append(secretFiles, "modbot.env.example", "deploy/modbot.env.example") {
		if !ignored(f) {
			t.Errorf(".dockerignore lets %s into the build context", f)
		}
	}
	for _, f := range keptFiles {
		if ignored(f) {
			t.Errorf(".dockerignore keeps %s, which the build needs, out of the context", f)
		}
	}
}

// git never offers to commit an env file; examples (*.env.example) may be committed.
func TestGitignore_KeepsSecretsOut(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git in PATH: cannot ask git which files .gitignore ignores")
	}
	checkIgnore := func(f string) bool {
		t.Helper()
		// --no-index asks the patterns alone, whether or not the file exists or is tracked.
		err := exec.Command("git", "-C", "../..", "check-ignore", "--no-index", "-q", f).Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return true
		case errors.As(err, &ee) && ee.ExitCode() == 1:
			return false
		}
		t.Fatalf("git check-ignore %s: %v", f, err)
		return false
	}
	for _, f := range secretFiles {
		if !checkIgnore(f) {
			t.Errorf(".gitignore does not ignore %s", f)
		}
	}
	for _, f := range append(keptFiles, "modbot.env.example", "deploy/modbot.env.example") {
		if checkIgnore(f) {
			t.Errorf(".gitignore ignores %s", f)
		}
	}
}

// dockerignore returns whether a context path is excluded by a .dockerignore's patterns.
func dockerignore(t *testing.T, text string) func(string) bool {
	t.Helper()
	type rule struct {
		re      *regexp.Regexp
		include bool
	}
	var rules []rule
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		include := strings.HasPrefix(line, "!")
		line = strings.TrimPrefix(line, "!")
		line = strings.TrimPrefix(path.Clean(strings.TrimPrefix(line, "/")), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case strings.HasPrefix(line[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(line[i:], "**"):
				re.WriteString(".*")
				i++
			case c == '*':
				re.WriteString("[^/]*")
			case c == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("$")
		rules = append(rules, rule{regexp.MustCompile(re.String()), include})
	}
	return func(p string) bool {
		// A path is excluded when it or one of its parent directories is.
		ignored := false
		parts := strings.Split(p, "/")
		for n := 1; n <= len(parts); n++ {
			prefix := strings.Join(parts[:n], "/")
			for _, r := range rules {
				if r.re.MatchString(prefix) {
					ignored = !r.include
				}
			}
			if ignored {
				return true
			}
		}
		return false
	}
}
