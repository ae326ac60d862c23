package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"modbot/tim/timtest"
)

// TestSeedEmulator_BanAndMute: the sandbox seeds members to ban and to mute, and mutes in force in
// the group types Tencent mutes in, one of them permanent.
func TestSeedEmulator_BanAndMute(t *testing.T) {
	emu := timtest.New(timtest.Options{})
	seedEmulator(emu)
	for _, a := range seedToBan {
		if emu.Role(seedLive, a) != timtest.RoleMember {
			t.Errorf("%s: want a member of %s", a, seedLive)
		}
		until, banned := emu.BannedUntil(seedLive, a)
		if a == seedEarlierBan.account {
			// Banned for less than the suggested 7d, so that Undo visibly gives the earlier ban back.
			if !banned || until.After(time.Now().Add(seedEarlierBan.d+time.Minute)) {
				t.Errorf("%s: banned %v until %v, want a ban of %v", a, banned, until, seedEarlierBan.d)
			}
		} else if banned {
			t.Errorf("%s: want not banned", a)
		}
	}
	for _, a := range numbered("raidbot", seedRaid, 2) {
		if emu.Role(seedAMA, a) != timtest.RoleMember || emu.IsBanned(seedAMA, a) {
			t.Errorf("%s: want a member of %s, not banned", a, seedAMA)
		}
	}
	for _, a := range seedToMute {
		if emu.Role(seedFans, a) != timtest.RoleMember || emu.IsMuted(seedFans, a) {
			t.Errorf("%s: want a member of %s, not muted", a, seedFans)
		}
	}
	// The /ban and /mute suggestions name members of their group; one ban waits for Confirm.
	var confirm bool
	for _, s := range sandboxSuggestions() {
		if s.Command != "/ban" && s.Command != "/mute" {
			continue
		}
		head, _, _ := strings.Cut(strings.Split(s.Text, " -- ")[0], " for ")
		fields := strings.Fields(head)
		for _, a := range fields[1:] {
			if emu.Role(fields[0], a) != timtest.RoleMember {
				t.Errorf("suggestion %q: %s is not a member of %s", s.Text, a, fields[0])
			}
		}
		confirm = confirm || (s.Command == "/ban" && len(fields)-1 > sandboxConfirmOver)
	}
	if !confirm {
		t.Errorf("no /ban suggestion of more than %d accounts (one that waits for Confirm)", sandboxConfirmOver)
	}
	var mutes, permanent int
	for _, g := range emu.Snapshot().Groups {
		if len(g.Mutes) > 0 && (g.Type == timtest.Work || g.Type == timtest.Private) {
			t.Errorf("group %s (%s) has mutes, which Tencent refuses there", g.ID, g.Type)
		}
		mutes += len(g.Mutes)
		for _, m := range g.Mutes {
			if timtest.IsPermanent(m.Until) {
				permanent++
			}
		}
	}
	if mutes < 4 || permanent == 0 {
		t.Errorf("%d mutes (%d permanent), want 4 or more with a permanent one", mutes, permanent)
	}
}

// TestSandboxPanel_Mutes: the panel lists mutes with their end times ("permanent" for good), counts
// them per group, and lets a ban or mute call fail for one account.
func TestSandboxPanel_Mutes(t *testing.T) {
	sb := newSandbox(t)
	v := panelView(t, sb)

	muted := panelSection(t, v, "Muted in group "+seedFans)
	rows := map[string]string{}
	for _, r := range muted.Rows {
		rows[r[0]] = r[1]
	}
	if rows["ad_bot_9"] != "permanent" || !strings.HasPrefix(rows["shouty_sue"], "in 2h 00m") {
		t.Fatalf("muted rows %v, want ad_bot_9 permanent and shouty_sue in 2h 00m", muted.Rows)
	}
	if !strings.Contains(muted.Note, "2 muted") {
		t.Fatalf("note %q, want the count", muted.Note)
	}
	groups := panelSection(t, v, "Groups")
	col := slices.Index(groups.Columns, "Mutes")
	if col < 0 {
		t.Fatalf("groups columns %v, want Mutes", groups.Columns)
	}
	for _, r := range groups.Rows {
		if r[0] == seedFans && r[col] != "2" {
			t.Fatalf("fan club row %v, want 2 mutes", r)
		}
	}
	if !strings.HasPrefix(panelSection(t, v, "Banned in group "+seedLive).Rows[0][1], "in ") {
		t.Fatal("ban end times not shown")
	}

	for _, tt := range []struct {
		command string
		status  int
	}{
		{"group_open_http_svc/forbid_send_msg", http.StatusOK},
		{"group_open_http_svc/ban_group_member", http.StatusOK},
		{"room_engine_http_srv/ban_room_member", http.StatusOK},
		{"group_open_http_svc/get_group_muted_account", http.StatusBadRequest},
	} {
		form := map[string]string{"command": tt.command, "account": "caps_cal", "code": "10004"}
		if status, text := sandboxPost(t, sb, "/sandbox/fail-account", form); status != tt.status || text == "" {
			t.Fatalf("fail-account %s: HTTP %d %q, want %d", tt.command, status, text, tt.status)
		}
	}
	if got := len(sb.emu.Snapshot().Faults); got != 3 {
		t.Fatalf("%d faults, want 3", got)
	}
}
