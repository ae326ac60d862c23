package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOf(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "4de4ee2abc12def0123456789abcdef012345678"
	tests := []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"Stamped", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-x"}}, "v1.2.3"},
		{"Tag", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs(rev, "false")}, "v1.2.3"},
		{"PseudoVersion", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261129184500-4de4ee2abc12+dirty"}}, "v0.0.0-20261129184500-4de4ee2abc12+dirty"},
		{"Revision", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, "4de4ee2abc12"},
		{"RevisionDirty", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "4de4ee2abc12-dirty"},
		{"NoVCS", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"NoBuildInfo", "", nil, "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionOf(tt.stamped, tt.bi); got != tt.want {
				t.Fatalf("versionOf = %q, want %q", got, tt.want)
			}
		})
	}
}

// A plain `go build` in a git checkout names the commit instead of "dev".
func TestVersion_SourceBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	// The go command looks for a .git directory; a git worktree has a .git file, and gets none.
	if fi, err := os.Stat("../../.git"); err != nil || !fi.IsDir() {
		t.Skip("not a git clone with a .git directory (a worktree, or an exported tree): the go command records no VCS revision, and a source build says dev")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git in PATH: the go command cannot read the revision")
	}
	bin := filepath.Join(t.TempDir(), "modbot")
	// -buildvcs=true overrides a GOFLAGS=-buildvcs=false in the environment.
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.TrimSpace(string(out))
	rev, err := exec.Command("git", "-C", "../..", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, strings.TrimSpace(string(rev))) {
		t.Fatalf("modbot version = %q, want it to name commit %s", got, rev)
	}
	t.Logf("modbot version = %q", got)
}
