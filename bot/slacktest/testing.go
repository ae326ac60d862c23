package slacktest

import "testing"

// NewServer starts a Server on 127.0.0.1:0 for a test and closes it when the
// test ends. It fails the test if the Server cannot listen.
func NewServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	if err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("start slacktest server: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}
