//go:build !linux

package storetest

import "os/exec"

// setDeathSignal does nothing here: without Linux's parent-death signal the
// shared server outlives the test binary (it holds no data).
func setDeathSignal(cmd *exec.Cmd) {}
