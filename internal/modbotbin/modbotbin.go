// Package modbotbin builds the modbot binary for tests that run it as a real process (cmd/modbot's
// SIGTERM and health tests, the scale suite's replicas).
package modbotbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// Version is what the built binary's `modbot version` prints.
const Version = "test"

// Build builds modbot once per test process, statically (CGO_ENABLED=0, -trimpath, stripped) as
// the image does, and returns its path. The binary lives in a temporary directory that is reused
// by later calls and left for the OS to clean, since no single test owns it.
var Build = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "modbot-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "modbot")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+Version, "-o", bin, "modbot/cmd/modbot")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})
