package slacktest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Options configure a Server. Every zero field takes the default named in its comment.
type Options struct {
	AppID      string // api_app_id and hello's connection_info.app_id; default "A0TESTAPP"
	TeamID     string // team_id of every payload; default "T0TESTTEAM"
	TeamDomain string // team_domain; default "slacktest"
	BotToken   string // xoxb token the Web API accepts; default "xoxb-slacktest"
	AppToken   string // xapp token apps.connections.open accepts; default "xapp-slacktest"
	BotUserID  string // the bot's user ID (auth.test user_id, author of its posts); default "U0TESTBOT"
	BotID      string // the bot's bot ID (auth.test bot_id); default "B0TESTBOT"
	BotName    string // the bot's user name; default "modbot"

	// PingInterval is how often every WebSocket gets a PING control frame; default 1 s.
	// A negative value sends none (the client's dead-man timer then reconnects).
	PingInterval time.Duration
	// AckTimeout is how long a pushed envelope waits for its ack, and for an open
	// connection to carry it; default 3 s, Slack's deadline.
	AckTimeout time.Duration
	// Now is the clock for message timestamps and for the expiry of response URLs
	// (30 min) and trigger IDs (3 s); default time.Now. Waiting uses the real clock.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.AppID, "A0TESTAPP")
	def(&o.TeamID, "T0TESTTEAM")
	def(&o.TeamDomain, "slacktest")
	def(&o.BotToken, "xoxb-slacktest")
	def(&o.AppToken, "xapp-slacktest")
	def(&o.BotUserID, "U0TESTBOT")
	def(&o.BotID, "B0TESTBOT")
	def(&o.BotName, "modbot")
	if o.PingInterval == 0 {
		o.PingInterval = time.Second
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 3 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ErrClosed is returned by input methods once the Server is closed.
var ErrClosed = errors.New("slacktest: server closed")

// Server is a fake Slack workspace: the Web API, Socket Mode WebSockets and response
// URLs, over one HTTP listener, with the state each person would see.
// All methods are safe for concurrent use.
type Server struct {
	// URL is the Web API base with a trailing slash, for slack.OptionAPIURL,
	// e.g. "http://127.0.0.1:1234/api/". Set by Start.
	URL string

	opts Options
	base string // "http://127.0.0.1:1234/"
	mux  *http.ServeMux
	http *httptest.Server
	done chan struct{} // closed by Close
	wg   sync.WaitGroup

	closeOnce sync.Once

	mu      sync.Mutex
	ui      UI
	closed  bool
	version uint64
	changed chan struct{} // closed and replaced on every change
	subs    map[int]chan struct{}
	nextSub int

	seq    int   // source of unique IDs
	lastTS int64 // microseconds of the last message timestamp
	users  map[string]*user
	uorder []string

	channels map[string]*channel
	corder   []string
	dms      map[string]string // user ID → DM channel ID

	ephemerals map[string][]*Message // user ID → what only they saw
	views      map[string]*view
	homes      map[string]*HomeView // user ID → their published Home tab (home.go)
	vorder     []string
	triggers   map[string]*trigger
	responses  map[string]*responseURL
	calls      []Call
	faults     map[string][]fault // method → queued faults

	conns     []*conn
	opened    int
	rr        int
	tickets   map[string]bool
	pongs     int
	envelopes map[string]*envelope
	pending   map[string]chan Ack
}

// New returns a Server that is not listening yet; call Start.
func New(opts Options) *Server {
	s := &Server{
		opts:       opts.withDefaults(),
		done:       make(chan struct{}),
		changed:    make(chan struct{}),
		subs:       make(map[int]chan struct{}),
		users:      make(map[string]*user),
		channels:   make(map[string]*channel),
		dms:        make(map[string]string),
		ephemerals: make(map[string][]*Message),
		views:      make(map[string]*view),
		triggers:   make(map[string]*trigger),
		responses:  make(map[string]*responseURL),
		faults:     make(map[string][]fault),
		tickets:    make(map[string]bool),
		envelopes:  make(map[string]*envelope),
		pending:    make(map[string]chan Ack),
		mux:        http.NewServeMux(),
	}
	s.addUserLocked(s.opts.BotUserID, s.opts.BotName, true)
	s.mux.HandleFunc("/api/", s.serveAPI)
	s.mux.HandleFunc("/link/", s.serveLink)
	s.mux.HandleFunc("/response/", s.serveResponse)
	s.mountUI()
	return s
}

// Handle registers h for pattern (an http.ServeMux pattern) on the Server's
// listener, beside the Web API and the web UI: a program mounts the panels
// and endpoints of its UI this way (see UI). Like the UI's own, h answers only
// requests addressed to a loopback host, and only POSTs with a JSON body from
// the same origin. It panics, as ServeMux does, if pattern conflicts with a
// registered one (the Server's own are /api/, /link/, /response/, /ui/ and the
// exact path /).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, guard(h)) }

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := httptest.NewUnstartedServer(s.mux)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()

	s.mu.Lock()
	s.http = hs
	s.base = hs.URL + "/"
	s.URL = s.base + "api/"
	s.mu.Unlock()
	return nil
}

// Options returns the options in effect, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// Close closes every WebSocket and the listener, and waits for the Server's
// goroutines to end. Pending input methods return ErrClosed.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.done)
		conns := append([]*conn(nil), s.conns...)
		s.notifyLocked()
		s.mu.Unlock()

		for _, c := range conns {
			c.ws.Close()
		}
		if s.http != nil {
			s.http.Close()
		}
		s.wg.Wait()
	})
}

// Version counts state changes; it grows by at least one on every change.
func (s *Server) Version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// Subscribe returns a channel that receives a value after state changes (several
// changes may be folded into one value) and a func that ends the subscription.
func (s *Server) Subscribe() (<-chan struct{}, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	ch := make(chan struct{}, 1)
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

// WaitFor blocks until cond reports true or ctx ends. cond is called without
// locks held, so it may call any inspection method; it is re-checked after every
// state change.
func (s *Server) WaitFor(ctx context.Context, cond func(*Server) bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond(s) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for slacktest state: %w", ctx.Err())
		}
	}
}

// notifyLocked records a state change and wakes waiters and subscribers.
func (s *Server) notifyLocked() {
	s.version++
	close(s.changed)
	s.changed = make(chan struct{})
	for _, ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// nextIDLocked returns a number unique within the Server.
func (s *Server) nextIDLocked() int {
	s.seq++
	return s.seq
}

// nextTSLocked returns a message timestamp ("1700000000.000100") strictly greater
// than every earlier one, taken from the injected clock where it allows.
func (s *Server) nextTSLocked() string {
	us := s.opts.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// Reset empties the workspace's history, as if starting over with the same
// people and channels: it drops every message (DMs' too), ephemeral reply,
// modal, trigger ID, response URL, recorded call and queued fault. People,
// channels, memberships, the UI and open connections stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.channels {
		ch.msgs = nil
	}
	s.ephemerals = make(map[string][]*Message)
	s.views = make(map[string]*view)
	s.homes = nil
	s.vorder = nil
	s.triggers = make(map[string]*trigger)
	s.responses = make(map[string]*responseURL)
	s.calls = nil
	s.faults = make(map[string][]fault)
	s.notifyLocked()
}
