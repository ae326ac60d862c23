// Package testutil holds small helpers shared by modbot's tests. Production code must not import
// it (cmd/modbot's TestPackageGraph checks).
package testutil

import (
	"bytes"
	"sync"
)

// Buffer is a goroutine-safe bytes.Buffer for collecting logs and process output while tests read
// them.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
