package timtest

// TB is the part of testing.TB that NewServer uses, declared here so that programs linking
// timtest (the sandbox in the modbot binary) do not link the testing package; *testing.T and
// *testing.B satisfy it.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}
