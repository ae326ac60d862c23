package slacktest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Errors of the input methods (SlashCommand, Click, SubmitView, Event, Redeliver).
var (
	// ErrNoConnection: no Socket Mode connection was open to carry the envelope
	// within Options.AckTimeout.
	ErrNoConnection = errors.New("slacktest: no socket mode connection")
	// ErrNoAck: the envelope was sent but not acknowledged within Options.AckTimeout.
	ErrNoAck = errors.New("slacktest: envelope not acknowledged in time")
)

// maxAckBytes is the size from which Slack silently drops an ack.
const maxAckBytes = 20480

// Ack is a Socket Mode acknowledgement as the Server read it back.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the ack carried none
	Elapsed    time.Duration   // from sending the envelope to reading its ack (real clock)
}

// conn is one Socket Mode WebSocket.
type conn struct {
	ws      *websocket.Conn
	wmu     sync.Mutex // serialises data frames
	closing bool       // guarded by Server.mu: told to go away, takes no new envelopes
}

func (c *conn) write(frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

// envelope is one push of a payload to the app.
type envelope struct {
	id      string
	typ     string // slash_commands, interactive, events_api
	payload json.RawMessage
	accepts bool
	retry   int
	reason  string

	kind     string // slash_command, block_actions, view_submission, event
	user     string
	channel  string
	response string // response URL ID
	view     string // view ID of a view_submission
	sent     time.Time
}

func (e *envelope) frame() ([]byte, error) {
	w := struct {
		EnvelopeID             string          `json:"envelope_id"`
		Type                   string          `json:"type"`
		AcceptsResponsePayload bool            `json:"accepts_response_payload"`
		Payload                json.RawMessage `json:"payload"`
		RetryAttempt           *int            `json:"retry_attempt,omitempty"`
		RetryReason            *string         `json:"retry_reason,omitempty"`
	}{EnvelopeID: e.id, Type: e.typ, AcceptsResponsePayload: e.accepts, Payload: e.payload}
	if e.typ == "events_api" {
		w.RetryAttempt, w.RetryReason = &e.retry, &e.reason
	}
	return json.Marshal(w)
}

// Connections returns how many Socket Mode WebSockets are open now (including
// ones told to disconnect that the client has not closed yet).
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// ConnectionsOpened returns how many Socket Mode WebSockets were ever opened.
func (s *Server) ConnectionsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// Pongs returns how many PONG frames answered the Server's pings.
func (s *Server) Pongs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pongs
}

// openConnectionLocked answers apps.connections.open with a single-use WebSocket URL.
func (s *Server) openConnectionLocked() map[string]any {
	ticket := fmt.Sprintf("%d-%d", s.nextIDLocked(), s.opts.Now().UnixNano())
	s.tickets[ticket] = true
	url := "ws" + strings.TrimPrefix(s.base, "http") + "link/?ticket=" + ticket + "&app_id=" + s.opts.AppID
	return map[string]any{"ok": true, "url": url}
}

// serveLink is the Socket Mode WebSocket: hello, pings, envelopes out, acks in.
func (s *Server) serveLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	if !s.tickets[ticket] {
		s.mu.Unlock()
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	delete(s.tickets, ticket)
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }} // slack-go sends Origin: https://api.slack.com
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	defer ws.Close()
	ws.SetPongHandler(func(string) error {
		s.mu.Lock()
		s.pongs++
		s.notifyLocked()
		s.mu.Unlock()
		return nil
	})

	c := &conn{ws: ws}
	c.wmu.Lock() // nothing goes out before hello
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.wmu.Unlock()
		return
	}
	s.conns = append(s.conns, c)
	s.opened++
	active := 0
	for _, x := range s.conns {
		if !x.closing {
			active++
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	hello, _ := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": active,
		"connection_info": map[string]string{"app_id": s.opts.AppID},
		"debug_info":      map[string]any{"host": "slacktest", "build_number": 1, "approximate_connection_time": 18060},
	})
	_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err = ws.WriteMessage(websocket.TextMessage, hello)
	c.wmu.Unlock()

	stop := make(chan struct{})
	if err == nil && s.opts.PingInterval > 0 {
		s.wg.Add(1)
		go s.ping(c, stop)
	}
	for err == nil {
		var data []byte
		if _, data, err = ws.ReadMessage(); err == nil {
			s.readAck(data)
		}
	}
	close(stop)

	s.mu.Lock()
	for i, x := range s.conns {
		if x == c {
			s.conns = append(s.conns[:i], s.conns[i+1:]...)
			break
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
}

// ping sends PING control frames until stop or the Server closes.
func (s *Server) ping(c *conn, stop <-chan struct{}) {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-s.done:
			return
		case <-t.C:
			// WriteControl may run alongside the data writer.
			if c.ws.WriteControl(websocket.PingMessage, []byte("slacktest"), time.Now().Add(5*time.Second)) != nil {
				return
			}
		}
	}
}

// readAck handles a frame from the app: an ack of an envelope we sent.
func (s *Server) readAck(data []byte) {
	if len(data) >= maxAckBytes {
		return // Slack silently drops acks this large
	}
	var f struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(data, &f) != nil {
		return
	}
	s.mu.Lock()
	ch, ok := s.pending[f.EnvelopeID]
	if !ok {
		s.mu.Unlock()
		return // unknown or late: Slack ignores it
	}
	delete(s.pending, f.EnvelopeID)
	env := s.envelopes[f.EnvelopeID]
	a := Ack{EnvelopeID: f.EnvelopeID, Elapsed: time.Since(env.sent)}
	if p := strings.TrimSpace(string(f.Payload)); p != "" && p != "null" {
		a.Payload = f.Payload
	}
	s.applyAckLocked(env, a)
	s.notifyLocked()
	s.mu.Unlock()
	ch <- a // buffered, one per envelope
}

// push sends env on one open connection (round-robin, as Slack spreads envelopes)
// and waits for its ack, both within Options.AckTimeout.
func (s *Server) push(env *envelope) (Ack, error) {
	frame, err := env.frame()
	if err != nil {
		return Ack{}, fmt.Errorf("encode envelope: %w", err)
	}
	none := Ack{EnvelopeID: env.id}
	timer := time.NewTimer(s.opts.AckTimeout)
	defer timer.Stop()
	ackc := make(chan Ack, 1)

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return none, ErrClosed
	}
	if _, busy := s.pending[env.id]; busy {
		s.mu.Unlock()
		return none, fmt.Errorf("push envelope %s: already waiting for its ack", env.id)
	}
	s.envelopes[env.id] = env
	s.pending[env.id] = ackc
	s.mu.Unlock()

	for sent := false; !sent; {
		s.mu.Lock()
		c := s.pickLocked()
		changed := s.changed
		if c != nil {
			env.sent = time.Now()
		}
		s.mu.Unlock()
		if c == nil {
			select {
			case <-changed:
				continue
			case <-timer.C:
				s.unwait(env.id, ackc)
				return none, ErrNoConnection
			case <-s.done:
				return none, ErrClosed
			}
		}
		if err := c.write(frame); err != nil {
			s.mu.Lock()
			c.closing = true
			s.mu.Unlock()
			continue
		}
		sent = true
	}

	select {
	case a := <-ackc:
		return a, nil
	case <-timer.C:
		s.unwait(env.id, ackc)
		select {
		case a := <-ackc: // arrived while giving up
			return a, nil
		default:
			return none, ErrNoAck
		}
	case <-s.done:
		return none, ErrClosed
	}
}

func (s *Server) unwait(id string, ackc chan Ack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending[id] == ackc {
		delete(s.pending, id)
	}
}

// pickLocked returns the next open connection in round-robin order, or nil.
func (s *Server) pickLocked() *conn {
	var open []*conn
	for _, c := range s.conns {
		if !c.closing {
			open = append(open, c)
		}
	}
	if len(open) == 0 {
		return nil
	}
	c := open[s.rr%len(open)]
	s.rr++
	return c
}
