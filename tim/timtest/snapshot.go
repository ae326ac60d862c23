package timtest

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Snapshot is a copy of the emulator's state at one moment, for display (the sandbox's panel)
// and for assertions. Changing it changes nothing in the Server.
type Snapshot struct {
	At      time.Time       // when it was taken, on the emulator's clock (Server.Now)
	Groups  []GroupSnapshot // by ID
	Rooms   []RoomSnapshot  // by ID
	Calls   map[string]int  // requests per "service/command", refused ones included
	Faults  []FaultSnapshot // injected faults still waiting, FailNext queues first
	Latency time.Duration   // added to every call
	Rate    int             // calls per second allowed; negative means unlimited
}

// GroupSnapshot is one group.
type GroupSnapshot struct {
	ID      string
	Type    GroupType // as created (an alias such as "Work" stays)
	Name    string
	Members []Member // by role (Owner, Admin, Member), then account
	Bans    []Ban    // bans in force, by end, then account
	Mutes   []Ban    // mutes in force, by end, then account
}

// RoomSnapshot is one Room Engine room.
type RoomSnapshot struct {
	ID      string
	Members []string // sorted
	Bans    []Ban    // bans in force, by end, then account
}

// Member is an account's role in a group.
type Member struct {
	Account string
	Role    string // RoleOwner, RoleAdmin or RoleMember
}

// Ban is a ban (or, in GroupSnapshot.Mutes, a mute) in force.
type Ban struct {
	Account string
	Until   time.Time // time.Unix(4294967295, 0) when permanent (see IsPermanent)
}

// FaultSnapshot is an injected fault not used up yet.
type FaultSnapshot struct {
	Command string  // "service/command"; "" for a fail rate, which concerns every command
	Kind    string  // "next" (FailNext, FailNextHTTP), "account" (FailAccount) or "rate" (SetFailRate)
	Code    int     // the ErrorCode answered, or the HTTP status when HTTP is set
	HTTP    bool    // an HTTP status instead of an ErrorCode
	Account string  // the account a "account" fault is about
	Rate    float64 // the fraction of calls a "rate" fault fails
}

// Snapshot returns a copy of the current state: groups with their members and bans, rooms with
// theirs, call counts and the faults still waiting.
func (s *Server) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	snap := Snapshot{At: now, Calls: maps.Clone(s.calls), Latency: s.latency, Rate: s.rate}
	for _, id := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[id]
		gs := GroupSnapshot{ID: g.id, Type: g.typ, Name: g.name, Bans: g.bans.snapshot(now), Mutes: g.mutes.snapshot(now)}
		for a, r := range g.members {
			gs.Members = append(gs.Members, Member{Account: a, Role: r})
		}
		slices.SortFunc(gs.Members, func(x, y Member) int {
			if c := roleRank(x.Role) - roleRank(y.Role); c != 0 {
				return c
			}
			return strings.Compare(x.Account, y.Account)
		})
		snap.Groups = append(snap.Groups, gs)
	}
	for _, id := range slices.Sorted(maps.Keys(s.rooms)) {
		r := s.rooms[id]
		snap.Rooms = append(snap.Rooms, RoomSnapshot{ID: r.id, Members: slices.Sorted(maps.Keys(r.members)), Bans: r.bans.snapshot(now)})
	}
	for _, cmd := range slices.Sorted(maps.Keys(s.next)) {
		for _, f := range s.next[cmd] {
			snap.Faults = append(snap.Faults, FaultSnapshot{Command: cmd, Kind: "next", Code: f.code, HTTP: f.http})
		}
	}
	for _, cmd := range slices.Sorted(maps.Keys(s.accounts)) {
		for _, a := range slices.Sorted(maps.Keys(s.accounts[cmd])) {
			snap.Faults = append(snap.Faults, FaultSnapshot{Command: cmd, Kind: "account", Code: s.accounts[cmd][a], Account: a})
		}
	}
	if s.failRate > 0 {
		f := FaultSnapshot{Kind: "rate", Code: s.failCode, Rate: s.failRate}
		if f.Code < 0 {
			f.Code, f.HTTP = -f.Code, true
		}
		snap.Faults = append(snap.Faults, f)
	}
	return snap
}

// snapshot returns the bans in force at now, by end, then account, without changing the set.
func (b *banSet) snapshot(now time.Time) []Ban {
	var out []Ban
	for a, until := range b.until {
		if !ended(until, now) {
			out = append(out, Ban{Account: a, Until: until})
		}
	}
	slices.SortFunc(out, func(x, y Ban) int {
		if c := x.Until.Compare(y.Until); c != 0 {
			return c
		}
		return strings.Compare(x.Account, y.Account)
	})
	return out
}

func roleRank(role string) int {
	switch role {
	case RoleOwner:
		return 0
	case RoleAdmin:
		return 1
	}
	return 2
}
