package slacktest

import (
	"fmt"
	"time"
)

// fault is one queued failure of a Web API method.
type fault struct {
	limited    bool // answer HTTP 429 with a Retry-After of retryAfter
	retryAfter time.Duration
	code       string // otherwise answer {"ok":false,"error":code}
}

// RateLimitNext makes the next call of method (e.g. "chat.postMessage") answer
// HTTP 429 with a Retry-After header of retryAfter, rounded up to whole seconds.
// Calls queue: n calls fail the next n requests.
func (s *Server) RateLimitNext(method string, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{limited: true, retryAfter: retryAfter})
}

// FailNext makes the next call of method answer {"ok":false,"error":code}.
// Calls queue like RateLimitNext.
func (s *Server) FailNext(method, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{code: code})
}

// Disconnect sends {"type":"disconnect","reason":"refresh_requested"} on every
// open connection; they take no more envelopes, and the client reconnects.
func (s *Server) Disconnect() {
	frame := []byte(`{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"slacktest"}}`)
	for _, c := range s.retire() {
		_ = c.write(frame) // a connection already gone needs no notice
	}
}

// CloseAbruptly closes the TCP connection under every WebSocket, without a close frame.
func (s *Server) CloseAbruptly() {
	for _, c := range s.retire() {
		c.ws.Close()
	}
}

// retire marks every open connection as closing and returns them.
func (s *Server) retire() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*conn
	for _, c := range s.conns {
		if !c.closing {
			c.closing = true
			out = append(out, c)
		}
	}
	s.notifyLocked()
	return out
}

// Redeliver sends an earlier envelope again, with the same payload (same
// trigger_id, event_id, action_ts) under a new envelope_id, and waits for its
// ack. An events_api envelope comes back as Slack retries it: retry_attempt one
// higher, retry_reason "timeout".
func (s *Server) Redeliver(envelopeID string) (Ack, error) {
	s.mu.Lock()
	old, ok := s.envelopes[envelopeID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("redeliver %s: no such envelope", envelopeID)
	}
	env := *old
	env.id = s.envelopeIDLocked()
	if env.typ == "events_api" {
		env.retry, env.reason = old.retry+1, "timeout"
	}
	s.mu.Unlock()
	return s.push(&env)
}

// Resend sends an earlier envelope again unchanged, envelope_id included (a
// duplicate seen during connection turnover), and waits for its ack.
func (s *Server) Resend(envelopeID string) (Ack, error) {
	s.mu.Lock()
	old, ok := s.envelopes[envelopeID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("resend %s: no such envelope", envelopeID)
	}
	env := *old
	s.mu.Unlock()
	return s.push(&env)
}
