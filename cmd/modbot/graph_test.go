package main

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestPackageGraph keeps the package graph of STYLE.md honest: each outside dependency has one
// home, and the libraries know nothing of each other's worlds. It checks non-test imports.
func TestPackageGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "modbot/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		imports[p.ImportPath] = p.Imports
	}

	// owners: an import prefix and the only packages that may import it.
	owners := []struct {
		prefix string
		allow  []string
	}{
		{"github.com/redis/go-redis/", []string{"modbot/store", "modbot/store/storetest"}},
		{"github.com/go-redis/redis_rate/", []string{"modbot/store"}},
		{"github.com/alicebob/miniredis/", []string{"modbot/store", "modbot/store/storetest"}},
		{"github.com/tencentyun/", []string{"modbot/tim", "modbot/tim/timtest"}},
		{"github.com/slack-go/slack", []string{"modbot/bot", "modbot/bot/slacktest"}},
		{"github.com/gorilla/websocket", []string{"modbot/bot/slacktest"}},
		{"github.com/kelseyhightower/envconfig", []string{"modbot/cmd/modbot"}},
		{"github.com/prometheus/", []string{"modbot/cmd/modbot"}},
		{"modbot/internal/testutil", nil}, // tests only
	}
	// isolated: packages that import no other modbot package.
	isolated := []string{"modbot/tim", "modbot/tim/timtest", "modbot/store", "modbot/bot/slacktest"}

	for pkg, imps := range imports {
		for _, imp := range imps {
			for _, o := range owners {
				if strings.HasPrefix(imp, o.prefix) && !slices.Contains(o.allow, pkg) {
					t.Errorf("%s imports %s; only %v may", pkg, imp, o.allow)
				}
			}
			if slices.Contains(isolated, pkg) && strings.HasPrefix(imp, "modbot/") {
				t.Errorf("%s imports %s; it must stand alone", pkg, imp)
			}
		}
	}
}

// TestBinaryLinksNoTesting keeps test doubles' helpers out of the production binary: the sandbox
// links slacktest and timtest, whose NewServer helpers must not pull in the testing package (its
// flags and init would ship with modbot).
func TestBinaryLinksNoTesting(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "modbot/cmd/modbot").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "modbot/bot/slacktest") {
		t.Fatalf("go list -deps gave an unexpected list (%d packages): %.200s", len(deps), out)
	}
	for _, d := range deps {
		if d == "testing" || strings.HasPrefix(d, "testing/") {
			t.Errorf("modbot/cmd/modbot links %s; a test helper crept into a package the binary uses", d)
		}
	}
}
