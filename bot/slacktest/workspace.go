package slacktest

import (
	"fmt"
	"slices"
	"sort"
)

// User is a member of the fake workspace.
type User struct {
	ID    string
	Name  string
	IsBot bool
}

// Channel is a conversation: a channel, or a direct message between the bot and
// one person (IsIM, with User the person).
type Channel struct {
	ID      string
	Name    string
	IsIM    bool
	User    string   // the person, for a DM
	Members []string // sorted user IDs; the bot is listed when it is a member
}

// Call is one Web API or response_url request as the Server answered it.
type Call struct {
	Method string // e.g. "chat.postMessage", "apps.connections.open", "response_url"
	Status int    // HTTP status
	Error  string // Slack error code, "" when ok
}

type user struct {
	id, name string
	bot      bool

	// profile, as users.info shows it; nil until SetProfile (then the name serves for both)
	profile *profile
}

type profile struct{ displayName, realName string }

type channel struct {
	id, name string
	im       bool
	imUser   string
	members  map[string]bool
	msgs     []*Message // roots and replies, in posting order
}

// AddUser adds a person to the workspace (or renames one).
func (s *Server) AddUser(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addUserLocked(id, name, false)
	s.notifyLocked()
}

// SetProfile sets the names users.info returns for a person added with AddUser: the profile's
// display_name (Slack sends "" when the person never set one) and the real_name (user.real_name
// and profile.real_name). Until it is called both are the user's name. It reports whether the
// user exists.
func (s *Server) SetProfile(id, displayName, realName string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return false
	}
	u.profile = &profile{displayName: displayName, realName: realName}
	s.notifyLocked()
	return true
}

// AddChannel adds a channel; botIsMember says whether the bot may post in it.
// Adding an existing ID renames it and sets the bot's membership.
func (s *Server) AddChannel(id, name string, botIsMember bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok {
		ch = &channel{id: id, members: make(map[string]bool)}
		s.channels[id] = ch
		s.corder = append(s.corder, id)
	}
	ch.name = name
	if botIsMember {
		ch.members[s.opts.BotUserID] = true
	} else {
		delete(ch.members, s.opts.BotUserID)
	}
	s.notifyLocked()
}

// Join makes userID (a person, or the bot's user ID) a member of channelID.
func (s *Server) Join(channelID, userID string) error {
	return s.setMember(channelID, userID, true)
}

// Leave removes userID (a person, or the bot's user ID) from channelID.
func (s *Server) Leave(channelID, userID string) error {
	return s.setMember(channelID, userID, false)
}

func (s *Server) setMember(channelID, userID string, in bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok || ch.im {
		return fmt.Errorf("set membership in %s: no such channel", channelID)
	}
	if _, ok := s.users[userID]; !ok {
		return fmt.Errorf("set membership of %s: no such user", userID)
	}
	if in {
		ch.members[userID] = true
	} else {
		delete(ch.members, userID)
	}
	s.notifyLocked()
	return nil
}

// DMChannel returns the ID of the direct-message channel between the bot and
// userID, as conversations.open would (the same ID every time).
func (s *Server) DMChannel(userID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.dmLocked(userID)
	if err != nil {
		return "", err
	}
	s.notifyLocked()
	return ch.id, nil
}

// Say posts text as the person userID in channelID (in the thread threadTS when
// not ""), as if typed in Slack. The person needs to be a member of a channel.
func (s *Server) Say(userID, channelID, threadTS, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		return Message{}, fmt.Errorf("say as %s: no such user", userID)
	}
	ch, ok := s.channels[channelID]
	if !ok {
		return Message{}, fmt.Errorf("say in %s: no such channel", channelID)
	}
	if !ch.im && !ch.members[userID] || ch.im && ch.imUser != userID {
		return Message{}, fmt.Errorf("say in %s: %s is not a member", channelID, userID)
	}
	m, code := s.postLocked(ch, userID, threadTS, text, nil, "user")
	if code != "" {
		return Message{}, fmt.Errorf("say in %s: %s", channelID, code)
	}
	return m.clone(), nil
}

// Users returns the workspace's members, the bot first.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.uorder))
	for _, id := range s.uorder {
		u := s.users[id]
		out = append(out, User{ID: u.id, Name: u.name, IsBot: u.bot})
	}
	return out
}

// Channels returns every channel and DM, in the order they were made.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.corder))
	for _, id := range s.corder {
		ch := s.channels[id]
		c := Channel{ID: ch.id, Name: ch.name, IsIM: ch.im, User: ch.imUser}
		for m := range ch.members {
			c.Members = append(c.Members, m)
		}
		sort.Strings(c.Members)
		out = append(out, c)
	}
	return out
}

// Messages returns the root messages of channelID (no thread replies), oldest
// first, with their current content.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return nil
	}
	var out []Message
	for _, m := range ch.msgs {
		if m.ThreadTS == "" {
			out = append(out, s.viewLocked(ch, m))
		}
	}
	return out
}

// Thread returns the replies in the thread rooted at ts, oldest first, without the root.
func (s *Server) Thread(channelID, ts string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return nil
	}
	var out []Message
	for _, m := range ch.msgs {
		if m.ThreadTS == ts {
			out = append(out, m.clone())
		}
	}
	return out
}

// Message returns the message at ts in channelID (a root or a reply).
func (s *Server) Message(channelID, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return Message{}, false
	}
	m := findMsg(ch, ts)
	if m == nil {
		return Message{}, false
	}
	return s.viewLocked(ch, m), true
}

// DMs returns every message (roots and replies, oldest first) in the DM between
// the bot and userID.
func (s *Server) DMs(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.dms[userID]
	if !ok {
		return nil
	}
	ch := s.channels[id]
	out := make([]Message, 0, len(ch.msgs))
	for _, m := range ch.msgs {
		out = append(out, s.viewLocked(ch, m))
	}
	return out
}

// Ephemeral returns, in order, what only userID saw: ack payloads of their slash
// commands, ephemeral response_url posts and chat.postEphemeral messages, with
// their current content (response_url posts may replace or delete them).
func (s *Server) Ephemeral(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.ephemerals[userID]))
	for _, m := range s.ephemerals[userID] {
		out = append(out, m.clone())
	}
	return out
}

// Calls returns every Web API and response_url request answered so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *Server) addUserLocked(id, name string, bot bool) {
	if u, ok := s.users[id]; ok {
		u.name = name
		return
	}
	s.users[id] = &user{id: id, name: name, bot: bot}
	s.uorder = append(s.uorder, id)
}

// dmLocked returns the bot's DM channel with userID, opening it on first use.
func (s *Server) dmLocked(userID string) (*channel, error) {
	if id, ok := s.dms[userID]; ok {
		return s.channels[id], nil
	}
	u, ok := s.users[userID]
	if !ok || u.bot {
		return nil, fmt.Errorf("open DM with %s: no such user", userID)
	}
	id := fmt.Sprintf("D%08d", s.nextIDLocked())
	ch := &channel{id: id, im: true, imUser: userID, members: map[string]bool{userID: true, s.opts.BotUserID: true}}
	s.channels[id] = ch
	s.corder = append(s.corder, id)
	s.dms[userID] = id
	return ch, nil
}

// postLocked appends a message to ch; code is a Slack error code when it cannot.
func (s *Server) postLocked(ch *channel, author, threadTS, text string, blocks []byte, via string) (*Message, string) {
	if threadTS != "" {
		root := findMsg(ch, threadTS)
		if root == nil {
			return nil, "thread_not_found"
		}
		if root.ThreadTS != "" {
			threadTS = root.ThreadTS
		}
	}
	m := &Message{
		Channel:  ch.id,
		TS:       s.nextTSLocked(),
		ThreadTS: threadTS,
		User:     author,
		Text:     text,
		Blocks:   blocks,
		Via:      via,
	}
	ch.msgs = append(ch.msgs, m)
	s.notifyLocked()
	return m, ""
}

// viewLocked copies m with its reply count filled in.
func (s *Server) viewLocked(ch *channel, m *Message) Message {
	c := m.clone()
	if m.ThreadTS == "" {
		for _, r := range ch.msgs {
			if r.ThreadTS == m.TS {
				c.ReplyCount++
			}
		}
	}
	return c
}

func findMsg(ch *channel, ts string) *Message {
	for _, m := range ch.msgs {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

func removeMsg(list []*Message, m *Message) []*Message {
	return slices.DeleteFunc(list, func(x *Message) bool { return x == m })
}
