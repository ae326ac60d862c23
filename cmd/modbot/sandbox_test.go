package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/internal/testutil"
	"modbot/tim/timtest"
)

// sandboxWait bounds every wait of the sandbox tests; generous, for a loaded machine.
const sandboxWait = 30 * time.Second

// newSandbox starts a sandbox on a free loopback port for the test, sweeping its watched targets
// every sandboxSweepEvery.
func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	return newSandboxSweeping(t, sandboxSweepEvery)
}

// newSandboxSweeping starts a sandbox that sweeps its watched targets every sweepEvery.
func newSandboxSweeping(t *testing.T, sweepEvery time.Duration) *sandbox {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), sandboxWait)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	sb, err := startSandbox(ctx, "127.0.0.1:0", log, sweepEvery)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// testWriter sends log lines to the test log.
type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// sandboxWaitFor waits for cond on the sandbox's Slack, failing the test after the deadline.
func sandboxWaitFor(t *testing.T, sb *sandbox, what string, cond func(*slacktest.Server) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), sandboxWait)
	defer cancel()
	if err := sb.slack.WaitFor(ctx, cond); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// sandboxPost posts form to a panel endpoint and returns the status and the text answered.
func sandboxPost(t *testing.T, sb *sandbox, path string, form map[string]string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(form)
	resp, err := http.Post(sb.URL()+strings.TrimPrefix(path, "/"), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(text)
}

// panelView fetches the emulator panel.
func panelView(t *testing.T, sb *sandbox) slacktest.PanelView {
	t.Helper()
	resp, err := http.Get(sb.URL() + "sandbox/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v slacktest.PanelView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode panel: %v", err)
	}
	return v
}

// panelSection returns the panel section titled title.
func panelSection(t *testing.T, v slacktest.PanelView, title string) slacktest.PanelSection {
	t.Helper()
	for _, s := range v.Sections {
		if s.Title == title {
			return s
		}
	}
	t.Fatalf("panel has no section %q", title)
	return slacktest.PanelSection{}
}

// firstColumn is the first cell of every row.
func firstColumn(s slacktest.PanelSection) []string {
	var out []string
	for _, r := range s.Rows {
		out = append(out, r[0])
	}
	return out
}

func TestLoopbackAddr(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.1:0", true},
		{"127.1.2.3:80", true},
		{"[::1]:8080", true},
		{"localhost:8080", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"192.168.1.10:8080", false},
		{"example.com:8080", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := loopbackAddr(tt.addr)
			if (err == nil) != tt.ok {
				t.Fatalf("loopbackAddr(%q)=%v, want ok=%v", tt.addr, err, tt.ok)
			}
			if err != nil && !errors.Is(err, errUsage) {
				t.Fatalf("loopbackAddr(%q)=%v, want a usage error", tt.addr, err)
			}
		})
	}
}

func TestSeedEmulator(t *testing.T) {
	emu := timtest.New(timtest.Options{})
	seedEmulator(emu)
	snap := emu.Snapshot()
	types := map[timtest.GroupType]bool{}
	var groupBans int
	for _, g := range snap.Groups {
		types[g.Type] = true
		groupBans += len(g.Bans)
		if len(g.Members) == 0 || g.Members[0].Role != timtest.RoleOwner {
			t.Errorf("group %s has no owner: %+v", g.ID, g.Members)
		}
		if len(g.Bans) > 0 && g.Type != timtest.AVChatRoom {
			t.Errorf("group %s (%s) has bans, which the seed pages allow only in AVChatRoom", g.ID, g.Type)
		}
	}
	for _, typ := range []timtest.GroupType{timtest.Work, timtest.Public, timtest.Meeting, timtest.AVChatRoom, timtest.Community} {
		if !types[typ] {
			t.Errorf("no %s group", typ)
		}
	}
	if groupBans < 30 {
		t.Errorf("%d group bans, want a believable number (30+)", groupBans)
	}
	var pages bool
	for _, r := range snap.Rooms {
		pages = pages || len(r.Bans) > 150
	}
	if !pages {
		t.Error("no room with more than 150 bans: /banned would not page")
	}
	ends := map[time.Duration]bool{}
	for _, g := range snap.Groups {
		if g.ID == seedLive {
			for _, b := range g.Bans {
				ends[b.Until.Sub(snap.At).Round(time.Minute)] = true
			}
		}
	}
	if len(ends) < 5 {
		t.Errorf("bans in %s end at %d different times, want various (5+)", seedLive, len(ends))
	}
	// Every suggestion names seeded things: the accounts it unbans are banned.
	for _, s := range sandboxSuggestions() {
		if s.Command != "/unban" || strings.HasPrefix(s.Text, "room ") || strings.HasPrefix(s.Text, seedFans) {
			continue
		}
		fields := strings.Fields(strings.Split(s.Text, " -- ")[0])
		for _, a := range fields[1:] {
			if !emu.IsBanned(fields[0], a) {
				t.Errorf("suggestion %q: %s is not banned in %s", s.Text, a, fields[0])
			}
		}
	}
}

// TestSandbox drives the sandbox as the browser does, through the fake Slack and the panel: the
// unban flow, the refusal, fault injection with Retry failed, and reset.
func TestSandbox(t *testing.T) {
	sb := newSandbox(t)
	sl := sb.slack

	t.Run("UI", func(t *testing.T) {
		resp, err := http.Get(sb.URL())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "app.js") {
			t.Fatalf("GET %s: HTTP %d, want the UI", sb.URL(), resp.StatusCode)
		}
	})

	t.Run("UnbanApproved", func(t *testing.T) {
		if _, err := sl.SlashCommand(sandboxModerator, sandboxModeration, "/unban", seedLive+" spammer1 spammer2 -- appeal accepted"); err != nil {
			t.Fatal(err)
		}
		sandboxWaitFor(t, sb, "the request's root", func(s *slacktest.Server) bool { return len(s.Messages(sandboxApprovals)) == 1 })
		root := sl.Messages(sandboxApprovals)[0]
		if _, err := sl.Click(sandboxApprover, sandboxApprovals, root.TS, "approve", ""); err != nil {
			t.Fatal(err)
		}
		sandboxWaitFor(t, sb, "the unban", func(*slacktest.Server) bool {
			return !sb.emu.IsBanned(seedLive, "spammer1") && !sb.emu.IsBanned(seedLive, "spammer2")
		})
		bans := firstColumn(panelSection(t, panelView(t, sb), "Banned in group "+seedLive))
		if strings.Contains(strings.Join(bans, ","), "spammer1") || !strings.Contains(strings.Join(bans, ","), "spammer3") {
			t.Fatalf("panel bans %v: want spammer1 gone, spammer3 still there", bans)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		calls := sb.emu.Snapshot().Calls
		if _, err := sl.SlashCommand(sandboxOutsider, sandboxModeration, "/unban", seedLive+" spammer3 -- please"); err != nil {
			t.Fatal(err)
		}
		sandboxWaitFor(t, sb, "the refusal", func(s *slacktest.Server) bool {
			for _, m := range s.Ephemeral(sandboxOutsider) {
				if strings.Contains(m.VisibleText(), "allowlist") {
					return true
				}
			}
			return false
		})
		// The sandbox sweeps its watched targets meanwhile (ban and muted lists, in the background);
		// every other call — the group check and the preview's first step, any write — is the command's.
		sweepReads := map[string]bool{"group_open_http_svc/get_group_ban_member": true,
			"group_open_http_svc/get_group_muted_account": true, "room_engine_http_srv/get_banned_member_list": true}
		got := sb.emu.Snapshot().Calls
		for cmd, n := range got {
			if !sweepReads[cmd] && n != calls[cmd] {
				t.Fatalf("Tencent was called for a refused command: %v, before %v", got, calls)
			}
		}
	})

	t.Run("PanelValidates", func(t *testing.T) {
		tests := []struct {
			name, path string
			form       map[string]string
			status     int
		}{
			{"FailOK", "/sandbox/fail", map[string]string{"command": "group_open_http_svc/get_role_in_group", "code": "10002", "times": "2"}, http.StatusOK},
			{"FailHTTP", "/sandbox/fail", map[string]string{"command": "group_open_http_svc/get_role_in_group", "code": "http502", "times": "1"}, http.StatusOK},
			{"FailUnknownCommand", "/sandbox/fail", map[string]string{"command": "x/y", "code": "10002", "times": "1"}, http.StatusBadRequest},
			{"FailBadTimes", "/sandbox/fail", map[string]string{"command": "group_open_http_svc/get_role_in_group", "code": "10002", "times": "0"}, http.StatusBadRequest},
			{"FailBadCode", "/sandbox/fail", map[string]string{"command": "group_open_http_svc/get_role_in_group", "code": "x", "times": "1"}, http.StatusBadRequest},
			{"AccountOK", "/sandbox/fail-account", map[string]string{"command": "room_engine_http_srv/unban_room_member", "account": "prankster", "code": "100002"}, http.StatusOK},
			{"AccountNotUnban", "/sandbox/fail-account", map[string]string{"command": "group_open_http_svc/get_group_info", "account": "a", "code": "10004"}, http.StatusBadRequest},
			{"AccountEmpty", "/sandbox/fail-account", map[string]string{"command": "room_engine_http_srv/unban_room_member", "account": " ", "code": "10004"}, http.StatusBadRequest},
			{"LatencyOK", "/sandbox/latency", map[string]string{"ms": "250"}, http.StatusOK},
			{"LatencyBad", "/sandbox/latency", map[string]string{"ms": "-1"}, http.StatusBadRequest},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if status, text := sandboxPost(t, sb, tt.path, tt.form); status != tt.status || text == "" {
					t.Fatalf("HTTP %d %q, want %d with a message", status, text, tt.status)
				}
			})
		}
		snap := sb.emu.Snapshot()
		if got, want := len(snap.Faults), 4; got != want || snap.Latency != 250*time.Millisecond {
			t.Fatalf("faults %+v latency %v, want %d faults and 250ms", snap.Faults, snap.Latency, want)
		}
		if got := panelSection(t, panelView(t, sb), "Faults waiting"); len(got.Rows) != 4 || !strings.Contains(got.Note, "250ms") {
			t.Fatalf("panel faults %+v, want 4 rows and the latency", got)
		}
		if status, _ := sandboxPost(t, sb, "/sandbox/clear", nil); status != http.StatusOK {
			t.Fatalf("clear: HTTP %d", status)
		}
		if snap := sb.emu.Snapshot(); len(snap.Faults) != 0 || snap.Latency != 0 {
			t.Fatalf("after clear: faults %+v latency %v", snap.Faults, snap.Latency)
		}
	})

	t.Run("PartialThenRetry", func(t *testing.T) {
		flood := numbered("flood", seedFlood, 2)
		if status, text := sandboxPost(t, sb, "/sandbox/fail", map[string]string{"command": "group_open_http_svc/unban_group_member", "code": "10007", "times": "1"}); status != http.StatusOK {
			t.Fatalf("fail: HTTP %d %s", status, text)
		}
		if _, err := sl.SlashCommand(sandboxModerator, sandboxModeration, "/unban", seedLive+" "+strings.Join(flood, " ")+" -- raid cleanup"); err != nil {
			t.Fatal(err)
		}
		sandboxWaitFor(t, sb, "the second root", func(s *slacktest.Server) bool { return len(s.Messages(sandboxApprovals)) == 2 })
		root := sl.Messages(sandboxApprovals)[1]
		if _, err := sl.Click(sandboxApprover, sandboxApprovals, root.TS, "approve", ""); err != nil {
			t.Fatal(err)
		}
		sandboxWaitFor(t, sb, "the partial result with Retry failed", func(s *slacktest.Server) bool {
			m, _ := s.Message(sandboxApprovals, root.TS)
			return strings.Contains(m.VisibleText(), "partly done") && strings.Contains(strings.Join(m.ActionIDs(), ","), "retry")
		})
		var banned int
		for _, a := range flood {
			if sb.emu.IsBanned(seedLive, a) {
				banned++
			}
		}
		if banned != 5 && banned != 20 {
			t.Fatalf("%d flood accounts still banned, want one call's worth (5 or 20)", banned)
		}
		if _, err := sl.Click(sandboxApprover, sandboxApprovals, root.TS, "retry", ""); err != nil {
			t.Fatal(err)
		}
		sandboxWaitFor(t, sb, "the retry", func(s *slacktest.Server) bool {
			m, _ := s.Message(sandboxApprovals, root.TS)
			return strings.Contains(m.VisibleText(), "done") && !strings.Contains(m.VisibleText(), "partly")
		})
		for _, a := range flood {
			if sb.emu.IsBanned(seedLive, a) {
				t.Fatalf("%s still banned after Retry failed", a)
			}
		}
	})

	t.Run("Reset", func(t *testing.T) {
		if _, err := sl.SlashCommand(sandboxAdmin, sandboxModeration, "/modbot", "allow <@"+sandboxOutsider+"|dave> viewer"); err != nil {
			t.Fatal(err)
		}
		sandboxWaitFor(t, sb, "dave allowed", func(*slacktest.Server) bool {
			return strings.Contains(strings.Join(panelSection(t, panelView(t, sb), "Slack allowlist (Redis)").Rows[3], " "), "viewer")
		})
		sb.emu.FailNext("group_open_http_svc/get_group_info", 10002)
		if status, text := sandboxPost(t, sb, "/sandbox/reset", nil); status != http.StatusOK {
			t.Fatalf("reset: HTTP %d %s", status, text)
		}
		if !sb.emu.IsBanned(seedLive, "spammer1") || !sb.emu.IsBanned(seedLive, "flood01") {
			t.Fatal("reset did not seed the emulator again")
		}
		if snap := sb.emu.Snapshot(); len(snap.Faults) != 0 || len(snap.Calls) != 0 {
			t.Fatalf("after reset: faults %+v, calls %v", snap.Faults, snap.Calls)
		}
		// (The audit channel may already show the new allowlist's entries.)
		if n := len(sl.Messages(sandboxApprovals)) + len(sl.Ephemeral(sandboxModerator)) + len(sl.DMs(sandboxModerator)); n != 0 {
			t.Fatalf("after reset: %d messages left", n)
		}
		for _, m := range sl.Messages(sandboxAudit) {
			if strings.Contains(m.VisibleText(), "flood") || strings.Contains(m.VisibleText(), "spammer") {
				t.Fatalf("after reset the audit channel still shows %q", m.VisibleText())
			}
		}
		allow := panelSection(t, panelView(t, sb), "Slack allowlist (Redis)")
		if got := strings.Join(allow.Rows[len(allow.Rows)-1], " "); !strings.Contains(got, "not on the allowlist") {
			t.Fatalf("after reset the allowlist ends with %q, want dave not on it", got)
		}
		if !strings.Contains(allow.Note, "only while the allowlist has no admin") {
			t.Errorf("the allowlist panel does not explain the bootstrap rule: %q", allow.Note)
		}
		// The new bot answers, and numbers requests from 1 again.
		if _, err := sl.SlashCommand(sandboxModerator, sandboxModeration, "/unban", seedLive+" spammer1 -- again"); err != nil {
			t.Fatal(err)
		}
		sandboxWaitFor(t, sb, "a root after reset", func(s *slacktest.Server) bool {
			m := s.Messages(sandboxApprovals)
			return len(m) == 1 && strings.Contains(m[0].Text, "#1")
		})
	})
}

// TestRunSandbox runs the subcommand as main does: it prints the URL, serves, and stops when ctx ends.
func TestRunSandbox(t *testing.T) {
	t.Run("RefusesNonLoopback", func(t *testing.T) {
		err := run(t.Context(), []string{"sandbox", "-addr", "0.0.0.0:8080"}, io.Discard, io.Discard)
		if !errors.Is(err, errUsage) || exitCode(err) != 2 {
			t.Fatalf("run sandbox -addr 0.0.0.0:8080: %v, want a usage error (exit 2)", err)
		}
	})
	t.Run("RefusesArguments", func(t *testing.T) {
		if err := run(t.Context(), []string{"sandbox", "extra"}, io.Discard, io.Discard); !errors.Is(err, errUsage) {
			t.Fatalf("run sandbox extra: %v, want a usage error", err)
		}
	})
	t.Run("Serves", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		out := &testutil.Buffer{}
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"sandbox", "-addr", "127.0.0.1:0"}, out, io.Discard) }()
		deadline := time.Now().Add(sandboxWait)
		var url string
		for url == "" {
			if _, rest, ok := strings.Cut(out.String(), "open "); ok {
				url, _, _ = strings.Cut(rest, " ")
				break
			}
			select {
			case err := <-done:
				t.Fatalf("sandbox stopped: %v\n%s", err, out.String())
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("no URL printed within %v:\n%s", sandboxWait, out.String())
			}
		}
		if !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Fatalf("printed URL %q, want http://127.0.0.1:…", url)
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d", url, resp.StatusCode)
		}
		if !strings.Contains(string(page), "<title>modbot sandbox</title>") {
			t.Errorf("GET %s: the page's title is not modbot sandbox:\n%.300s", url, page)
		}
		for _, want := range []string{"/unban " + seedLive + " spammer1 spammer2 -- appeal accepted", "alice (moderator)", "dave (not on the allowlist)",
			"/ban " + seedLive + " rowdy_rex link_lou for 7d -- spam: posted links", "/mute " + seedFans + " caps_cal for 30m -- shouting",
			"offers Undo for 15 minutes", "link_lou its earlier 2-hour ban back", "more than 20 accounts waits for your Confirm"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("banner lacks %q:\n%s", want, out.String())
			}
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("sandbox returned %v after ctx ended, want nil", err)
			}
		case <-time.After(sandboxWait):
			t.Fatal("sandbox did not stop after ctx ended")
		}
		if _, err := http.Get(url); err == nil {
			t.Fatal("the UI still answers after the sandbox stopped")
		}
	})
}
