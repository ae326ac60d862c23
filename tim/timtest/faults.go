package timtest

import (
	"math/rand/v2"
	"time"
)

// fault is one injected answer: an ErrorCode, or an HTTP status when http is set.
type fault struct {
	code int
	http bool
}

// FailNext makes the next call of command ("service/command") answer ErrorCode code. Faults
// queue: calling it twice fails the next two calls. A fault is used by the first call that gets
// past the rate limit and authentication.
func (s *Server) FailNext(command string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next[command] = append(s.next[command], fault{code: code})
}

// FailNextHTTP makes the next call of command answer HTTP status (e.g. 502) with a non-JSON body.
// It shares FailNext's queue.
func (s *Server) FailNextHTTP(command string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next[command] = append(s.next[command], fault{code: status, http: true})
}

// FailAccount makes every call of command that names account fail as a whole with code, until
// ClearFaults: a "bad account" that a client must isolate by splitting its batch.
func (s *Server) FailAccount(command, account string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts[command] == nil {
		s.accounts[command] = map[string]int{}
	}
	s.accounts[command][account] = code
}

// SetFailRate makes that fraction (0..1) of all calls fail with code; a negative code answers
// HTTP -code instead (e.g. -502). The draws come from a fixed seed, so a run repeats.
func (s *Server) SetFailRate(fraction float64, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRate, s.failCode = fraction, code
}

// SetLatency sets the delay added to every call, on the real clock.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetRate sets the calls per second the app allows: 0 means DefaultRate, negative unlimited.
func (s *Server) SetRate(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate = normRate(perSecond)
}

// ClearFaults removes every injected fault and sets the latency back to Options.Latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearFaults()
}

func (s *Server) clearFaults() {
	s.next = map[string][]fault{}
	s.accounts = map[string]map[string]int{}
	s.failRate, s.failCode = 0, 0
	s.latency = s.opt.Latency
	s.rnd = rand.New(rand.NewPCG(1, 2))
}

// injected returns the fault the current call of command gets, if any: the FailNext queue first,
// then the fail rate. s.mu must be held.
func (s *Server) injected(command string) (fault, bool) {
	if q := s.next[command]; len(q) > 0 {
		f := q[0]
		if len(q) == 1 {
			delete(s.next, command)
		} else {
			s.next[command] = q[1:]
		}
		return f, true
	}
	if s.failRate > 0 && s.rnd.Float64() < s.failRate {
		if s.failCode < 0 {
			return fault{code: -s.failCode, http: true}, true
		}
		return fault{code: s.failCode}, true
	}
	return fault{}, false
}

// accountFault returns the code of the first account in accounts that FailAccount marked for
// command. s.mu must be held.
func (s *Server) accountFault(command string, accounts []string) (int, bool) {
	bad := s.accounts[command]
	for _, a := range accounts {
		if code, ok := bad[a]; ok {
			return code, true
		}
	}
	return 0, false
}

// admit records an arrival at t and reports whether the rate limit lets it through. s.mu must be
// held.
func (s *Server) admit(t time.Time) bool {
	start := t.Add(-time.Second)
	s.arrivals.trim(start)
	s.arrivals.push(t)
	s.maxPerSec = max(s.maxPerSec, s.arrivals.len())
	s.accepted.trim(start)
	if s.rate >= 0 && s.accepted.len() >= s.rate {
		s.throttled++
		return false
	}
	s.accepted.push(t)
	return true
}

// window is a queue of arrival times, oldest first.
type window struct {
	times []time.Time
	head  int
}

func (w *window) push(t time.Time) { w.times = append(w.times, t) }

func (w *window) len() int { return len(w.times) - w.head }

// trim drops the times at or before start.
func (w *window) trim(start time.Time) {
	for w.head < len(w.times) && !w.times[w.head].After(start) {
		w.head++
	}
	if w.head > 1024 && w.head*2 > len(w.times) {
		n := copy(w.times, w.times[w.head:])
		w.times = w.times[:n]
		w.head = 0
	}
}
