package main

import (
	"fmt"
	"strings"
	"time"

	"modbot/bot/slacktest"
	"modbot/tim/timtest"
)

// The sandbox's seeded Tencent data: groups of every type, rooms, members with roles and bans.
const (
	seedLive      = "@TGS#aSANDBOX1" // AVChatRoom, where group bans live (the seed pages' rule)
	seedAMA       = "@TGS#aSANDBOX2" // AVChatRoom
	seedTeam      = "@TGS#1SANDBOXW" // Work (Private)
	seedFans      = "@TGS#2SANDBOXP" // Public
	seedStandup   = "@TGS#2SANDBOXM" // Meeting (ChatRoom)
	seedCommunity = "@TGS#_SANDBOXC" // Community
	seedLobby     = "live-lobby"     // a room with enough bans that /banned pages
	seedStudy     = "study-hall"     // a small room

	seedFlood      = 25  // flood01…flood25 banned in seedLive: an unban of them takes two calls
	seedRaid       = 25  // raidbot01…raidbot25 members of seedAMA: a ban of them waits for Confirm
	seedLobbyRaids = 160 // raider001…raider160 banned in seedLobby: /banned shows two pages
)

// Members seeded to be banned and muted (not banned or muted yet), and the mutes already in force.
var (
	seedToBan = []string{"rowdy_rex", "link_lou", "troll_tia"} // members of seedLive
	// seedEarlierBan is a seedToBan member already banned for a shorter time: a longer ban
	// overwrites it, and Undo gives it back.
	seedEarlierBan = struct {
		account string
		d       time.Duration
	}{"link_lou", 2 * time.Hour}
	seedToMute = []string{"caps_cal", "offtopic_oz"} // members of seedFans
	seedMutes  = []struct {
		group, account string
		d              time.Duration
	}{
		{seedFans, "shouty_sue", 2 * time.Hour},
		{seedFans, "ad_bot_9", timtest.Permanent},
		{seedLive, "flooder_fay", 30 * time.Minute},
		{seedCommunity, "maker_spam", 3 * 24 * time.Hour},
	}
)

// seedEmulator fills an empty emulator with believable data. Group bans are in AVChatRoom groups,
// where the seed pages allow them (the emulator's default); an /unban in another group type shows
// Tencent's refusal (10007). Mutes are in groups of the types Tencent mutes in (not Work); some
// members are there to be banned (seedToBan) and muted (seedToMute).
func seedEmulator(emu *timtest.Server) {
	group := func(id string, t timtest.GroupType, name, owner string, admins []string, members ...string) {
		emu.CreateGroupWithID(id, t)
		emu.SetGroupName(id, name)
		emu.SetRole(id, owner, timtest.RoleOwner)
		for _, a := range admins {
			emu.SetRole(id, a, timtest.RoleAdmin)
		}
		for _, m := range members {
			emu.SetRole(id, m, timtest.RoleMember)
		}
	}
	group(seedLive, timtest.AVChatRoom, "Launch livestream", "host_mia", []string{"mod_kai", "mod_lea"}, append(numbered("viewer", 8, 2), seedToBan...)...)
	group(seedAMA, timtest.AVChatRoom, "Weekly AMA", "host_noa", []string{"mod_kai"}, append([]string{"viewer01", "viewer02", "guest_ola"}, numbered("raidbot", seedRaid, 2)...)...)
	group(seedTeam, timtest.Work, "Moderators", "mod_kai", []string{"mod_lea"}, "mod_sam", "mod_tom")
	group(seedFans, timtest.Public, "Fan club", "host_mia", []string{"fan_admin"}, append(numbered("fan", 6, 2), append(seedToMute, "shouty_sue", "ad_bot_9")...)...)
	group(seedStandup, timtest.Meeting, "Daily standup", "mod_kai", nil, "mod_lea", "mod_sam")
	group(seedCommunity, timtest.Community, "Makers community", "host_noa", []string{"mod_lea", "maker_lead"}, numbered("maker", 5, 2)...)

	for _, b := range []struct {
		account string
		d       time.Duration
	}{
		{"spammer1", 2 * time.Hour}, {"spammer2", 26 * time.Hour}, {"spammer3", 7 * 24 * time.Hour},
		{"troll_42", 35 * time.Minute}, {"bot_farm_1", 365 * 24 * time.Hour}, {"bot_farm_2", 365 * 24 * time.Hour},
		{"impersonator", 30 * 24 * time.Hour},
	} {
		emu.Ban(seedLive, b.account, b.d)
	}
	emu.Ban(seedLive, seedEarlierBan.account, seedEarlierBan.d)
	for _, a := range numbered("flood", seedFlood, 2) {
		emu.Ban(seedLive, a, 6*time.Hour)
	}
	emu.Ban(seedAMA, "heckler7", 3*24*time.Hour)
	emu.Ban(seedAMA, "linkspam", 12*time.Hour)
	for _, m := range seedMutes {
		emu.Mute(m.group, m.account, m.d)
	}

	emu.CreateRoom(seedLobby)
	for _, a := range []string{"host_mia", "mod_kai", "viewer01", "viewer02", "viewer03"} {
		emu.JoinRoom(seedLobby, a)
	}
	for i, a := range numbered("raider", seedLobbyRaids, 3) {
		emu.BanInRoom(seedLobby, a, time.Duration(i+1)*time.Hour)
	}
	emu.CreateRoom(seedStudy)
	for _, a := range numbered("student", 5, 2) {
		emu.JoinRoom(seedStudy, a)
	}
	emu.BanInRoom(seedStudy, "noisy_nia", 45*time.Minute)
	emu.BanInRoom(seedStudy, "prankster", 2*24*time.Hour)
}

// sandboxSuggestions are the example commands the UI offers and the banner prints (the first five).
func sandboxSuggestions() []slacktest.Suggestion {
	s := func(user, command, text, note string) slacktest.Suggestion {
		return slacktest.Suggestion{User: user, Channel: sandboxModeration, Command: command, Text: text, Note: note}
	}
	return []slacktest.Suggestion{
		s(sandboxModerator, "/unban", seedLive+" spammer1 spammer2 -- appeal accepted", "unban two"),
		s(sandboxModerator, "/ban", seedLive+" rowdy_rex link_lou for 7d -- spam: posted links", "ban at once, then Undo"),
		s(sandboxModerator, "/mute", seedFans+" caps_cal for 30m -- shouting", "mute for 30 minutes"),
		s(sandboxModerator, "/unban", "room "+seedStudy+" noisy_nia -- calmed down", "unban in a room"),
		s(sandboxOutsider, "/unban", seedLive+" spammer3 -- please", "not allowlisted"),
		s(sandboxModerator, "/ban", seedAMA+" "+strings.Join(numbered("raidbot", seedRaid, 2), " ")+" for 1d -- spam: raid", "25 accounts: Confirm first"),
		s(sandboxModerator, "/banned", seedLobby, "a long ban list"),
		s(sandboxModerator, "/roles", seedTeam+" mod_kai mod_lea mod_sam viewer01", "roles"),
		s(sandboxModerator, "/lookup", "spammer3 group:"+seedLive, "case file"),
		s(sandboxModerator, "/modbot", "watched", "watched targets"),
		s(sandboxModerator, "/unban", seedLive+" "+strings.Join(numbered("flood", seedFlood, 2), " ")+" -- raid cleanup", "25 accounts, 2 calls"),
		s(sandboxModerator, "/banned", "group "+seedLive, "group bans"),
		s(sandboxModerator, "/roles", seedLive+" host_mia mod_kai", "AVChatRoom roles"),
		s(sandboxModerator, "/unban", seedFans+" fan01 -- wrong group type", "Tencent refuses"),
		s(sandboxAdmin, "/modbot", "who", "allowlist"),
		s(sandboxAdmin, "/modbot", "allow @dave viewer", "allow dave"),
		s(sandboxModerator, "/modbot", "pending", "open requests"),
		s(sandboxModerator, "/modbot", "log", "audit log"),
		s(sandboxModerator, "/modbot", "help", "help"),
	}
}

// numbered returns prefix01, prefix02, … (n of them, numbers zero-padded to width).
func numbered(prefix string, n, width int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%0*d", prefix, width, i+1)
	}
	return out
}
