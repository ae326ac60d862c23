package timtest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Group roles as Tencent names them.
const (
	RoleOwner     = "Owner"
	RoleAdmin     = "Admin"
	RoleMember    = "Member"
	RoleNotMember = "NotMember"
)

type group struct {
	id      string
	typ     GroupType // as created, e.g. "Work"
	name    string
	members map[string]string // account → role
	bans    banSet
	mutes   banSet
}

type room struct {
	id      string
	members map[string]bool
	bans    banSet
}

// CreateGroup creates a group of type t with an automatic ID ("@TGS#a…" for AVChatRoom,
// "@TGS#1…" for Private/Work, "@TGS#2…" otherwise) and returns the ID.
func (s *Server) CreateGroup(t GroupType) string {
	kind := canonical(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := "@TGS#2"
	switch kind {
	case AVChatRoom:
		prefix = "@TGS#a"
	case Private:
		prefix = "@TGS#1"
	}
	for {
		s.seq++
		id := fmt.Sprintf("%s%s", prefix, idSuffix(s.seq))
		if s.groups[id] == nil && !s.dismissed[id] {
			s.groups[id] = newGroup(id, t)
			return id
		}
	}
}

// CreateGroupWithID creates (or replaces) a group with a custom ID.
func (s *Server) CreateGroupWithID(id string, t GroupType) {
	canonical(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = newGroup(id, t)
	delete(s.dismissed, id)
}

// SetGroupName sets the name get_group_info reports (default: the group ID).
func (s *Server) SetGroupName(group, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustGroup(group).name = name
}

// DeleteGroup dismisses a group: calls about it then answer 10010.
func (s *Server) DeleteGroup(group string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[group] != nil {
		s.dismissed[group] = true
	}
	delete(s.groups, group)
}

// SetRole makes account a member of group with role "Owner", "Admin" or "Member" ("NotMember"
// removes it). A new Owner turns the previous one into a Member.
func (s *Server) SetRole(group, account, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.mustGroup(group)
	switch role {
	case RoleOwner:
		for a, r := range g.members {
			if r == RoleOwner {
				g.members[a] = RoleMember
			}
		}
	case RoleAdmin, RoleMember:
	case RoleNotMember:
		delete(g.members, account)
		return
	default:
		panic(fmt.Sprintf("timtest: unknown role %q", role))
	}
	g.members[account] = role
}

// Ban bans account from group for d from Now (whole seconds, rounded up; Permanent or more is
// permanent), whatever the group's type, replacing any ban it had.
func (s *Server) Ban(group, account string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustGroup(group).bans.set(account, endOf(s.Now(), seconds(d)))
}

// Mute stops account sending in group for d from Now, like Ban, whatever the group's type.
func (s *Server) Mute(group, account string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustGroup(group).mutes.set(account, endOf(s.Now(), seconds(d)))
}

// IsMuted reports whether account is muted in group now.
func (s *Server) IsMuted(group, account string) bool {
	_, ok := s.MutedUntil(group, account)
	return ok
}

// MutedUntil is when account's mute in group ends, if it is muted now.
func (s *Server) MutedUntil(group, account string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	if g == nil {
		return time.Time{}, false
	}
	return g.mutes.active(account, s.Now())
}

// CreateRoom creates (or empties) a Room Engine room.
func (s *Server) CreateRoom(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rooms[id] = &room{id: id, members: map[string]bool{}}
}

// DestroyRoom dismisses a room: calls about it then answer 100004.
func (s *Server) DestroyRoom(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rooms, id)
}

// JoinRoom makes account a member of room.
func (s *Server) JoinRoom(room, account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustRoom(room).members[account] = true
}

// BanInRoom bans account from room for d from Now, like Ban, and removes it from the room's
// members.
func (s *Server) BanInRoom(room, account string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRoom(room)
	r.bans.set(account, endOf(s.Now(), seconds(d)))
	delete(r.members, account)
}

// IsBanned reports whether account is banned from group now.
func (s *Server) IsBanned(group, account string) bool {
	_, ok := s.BannedUntil(group, account)
	return ok
}

// BannedUntil is when account's ban from group ends, if it is banned now.
func (s *Server) BannedUntil(group, account string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	if g == nil {
		return time.Time{}, false
	}
	return g.bans.active(account, s.Now())
}

// IsBannedInRoom reports whether account is banned from room now.
func (s *Server) IsBannedInRoom(room, account string) bool {
	_, ok := s.RoomBannedUntil(room, account)
	return ok
}

// RoomBannedUntil is when account's ban from room ends, if it is banned now.
func (s *Server) RoomBannedUntil(room, account string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[room]
	if r == nil {
		return time.Time{}, false
	}
	return r.bans.active(account, s.Now())
}

// InRoom reports whether account is a member of room.
func (s *Server) InRoom(room, account string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[room]
	return r != nil && r.members[account]
}

// Role is account's role in group: "Owner", "Admin", "Member" or "NotMember".
func (s *Server) Role(group, account string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.groups[group]; g != nil {
		if r, ok := g.members[account]; ok {
			return r
		}
	}
	return RoleNotMember
}

// Calls is how many HTTP requests reached command ("service/command"), refused ones included.
func (s *Server) Calls(command string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[command]
}

// Log is every call so far, oldest first (the most recent maxLog when there were more).
func (s *Server) Log() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.log...)
}

// MaxCallsPerSecond is the highest number of calls (accepted or refused) that arrived within any
// sliding one-second window.
func (s *Server) MaxCallsPerSecond() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxPerSec
}

// Throttled is how many calls were refused for frequency (60007).
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// canonical maps the aliases to the preset types and panics on an unknown type.
func canonical(t GroupType) GroupType {
	switch t {
	case Private, Work:
		return Private
	case ChatRoom, Meeting:
		return ChatRoom
	case Public, AVChatRoom, Community:
		return t
	}
	panic(fmt.Sprintf("timtest: unknown group type %q", t))
}

func newGroup(id string, t GroupType) *group {
	return &group{id: id, typ: t, name: id, members: map[string]string{}}
}

func (s *Server) mustGroup(id string) *group {
	g := s.groups[id]
	if g == nil {
		panic(fmt.Sprintf("timtest: no group %q", id))
	}
	return g
}

func (s *Server) mustRoom(id string) *room {
	r := s.rooms[id]
	if r == nil {
		panic(fmt.Sprintf("timtest: no room %q", id))
	}
	return r
}

// Permanent is the longest ban or mute Tencent takes, 4294967295 seconds (the uint32 maximum),
// which it treats as permanent.
const Permanent = maxDurationSeconds * time.Second

// permanentUntil is the end time Tencent reports for a permanent mute, and the emulator for
// every permanent ban or mute.
var permanentUntil = time.Unix(maxDurationSeconds, 0)

// IsPermanent reports whether an end time (Ban.Until, BannedUntil, MutedUntil) is the
// permanent marker 4294967295.
func IsPermanent(until time.Time) bool { return !until.Before(permanentUntil) }

// seconds turns d into Tencent's whole seconds (rounded up, at most the uint32 maximum).
func seconds(d time.Duration) int64 {
	if d >= Permanent {
		return maxDurationSeconds
	}
	return int64((d + time.Second - 1) / time.Second)
}

// endOf is when a ban or mute of secs seconds from now ends: 4294967295 for a permanent one, and
// no later than that for any other.
func endOf(now time.Time, secs int64) time.Time {
	if secs >= maxDurationSeconds {
		return permanentUntil
	}
	if end := now.Add(time.Duration(secs) * time.Second); end.Before(permanentUntil) {
		return end
	}
	return permanentUntil
}

// ended reports whether a ban or mute ending at until is over at now. A permanent one never is.
func ended(until, now time.Time) bool { return !until.After(now) && !IsPermanent(until) }

type bannedEntry struct {
	account string
	until   time.Time
}

// banSet is the bans of one group or room. The sorted list is kept between changes: paging
// through 10,000 bans must not sort them again for every page.
type banSet struct {
	until  map[string]time.Time // account → end of ban
	sorted []bannedEntry        // by end, then account; nil when stale
}

func (b *banSet) set(account string, until time.Time) {
	if b.until == nil {
		b.until = map[string]time.Time{}
	}
	b.until[account] = until
	b.sorted = nil
}

func (b *banSet) remove(account string) {
	if _, ok := b.until[account]; ok {
		delete(b.until, account)
		b.sorted = nil
	}
}

// active reports whether account is banned at now, and until when.
func (b *banSet) active(account string, now time.Time) (time.Time, bool) {
	until, ok := b.until[account]
	if !ok || ended(until, now) {
		return time.Time{}, false
	}
	return until, true
}

// list drops bans that ended by now and returns the rest sorted by end, then account.
// The caller must not modify the result.
func (b *banSet) list(now time.Time) []bannedEntry {
	if b.sorted == nil {
		b.sorted = make([]bannedEntry, 0, len(b.until))
		for a, until := range b.until {
			b.sorted = append(b.sorted, bannedEntry{a, until})
		}
		slices.SortFunc(b.sorted, func(x, y bannedEntry) int {
			if c := x.until.Compare(y.until); c != 0 {
				return c
			}
			return strings.Compare(x.account, y.account)
		})
	}
	// Ended bans sort first.
	n := 0
	for n < len(b.sorted) && ended(b.sorted[n].until, now) {
		delete(b.until, b.sorted[n].account)
		n++
	}
	b.sorted = b.sorted[n:]
	return b.sorted
}

// idSuffix turns a sequence number into 8 ID characters that look random but never repeat.
func idSuffix(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	v := (uint64(n) * 0x9E3779B1) & (1<<40 - 1) // a bijection on 40 bits for n < 2^40
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = alphabet[v&31]
		v >>= 5
	}
	return string(b)
}
