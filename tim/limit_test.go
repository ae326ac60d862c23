package tim

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestNewBucket drives the limiter's token bucket on a simulated clock as
// greedily as it allows and checks that no one-second window (closed at both
// ends) holds more than n calls, while the sustained rate stays near n
// (for n ≥ 20, where a burst of n/20 costs little).
func TestNewBucket(t *testing.T) {
	for _, n := range []int{1, 2, 5, 20, 50, 200, 1000} {
		lim := newBucket(n)
		if lim.Burst() > 10 || n > 1 && float64(lim.Limit())+float64(lim.Burst()) > float64(n) {
			t.Fatalf("n=%d: rate %v + burst %d exceeds n or burst > 10", n, lim.Limit(), lim.Burst())
		}
		start := time.Unix(1_700_000_000, 0)
		var times []time.Time
		for at := start; at.Before(start.Add(5 * time.Second)); at = at.Add(time.Millisecond) {
			for lim.AllowN(at, 1) {
				times = append(times, at)
			}
		}
		j := 0
		for i := range times {
			for times[i].Sub(times[j]) > time.Second {
				j++
			}
			if got := i - j + 1; got > n {
				t.Fatalf("n=%d: %d calls in the second ending %v", n, got, times[i].Sub(start))
			}
		}
		want := 0.9
		if n >= 200 {
			want = 0.95
		}
		if min := int(want * 5 * float64(n)); n >= 20 && len(times) < min { // small n pay for their burst
			t.Fatalf("n=%d: %d calls in 5 s, want at least %d", n, len(times), min)
		}
	}
}

func TestLocalLimiter_Cancel(t *testing.T) {
	lim := NewLocalLimiter(1)
	if err := lim.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- lim.Wait(ctx) }() // the next token is a second away
	go func() { done <- lim.Wait(ctx) }() // queued behind the first waiter
	cancel()
	for range 2 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait = %v, want context.Canceled", err)
		}
	}
}
