package slacktest

// TB is the part of testing.TB that NewServer uses. It is declared here rather than taken from
// the testing package so that programs linking slacktest (the sandbox in the modbot binary) do
// not link testing; *testing.T and *testing.B satisfy it.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// NewServer starts a Server on 127.0.0.1:0 for a test and closes it when the
// test ends. It fails the test if the Server cannot listen.
func NewServer(tb TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	if err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("start slacktest server: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}
