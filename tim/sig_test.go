package tim

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingSigner returns a signer on a fake clock whose signatures count up.
func countingSigner(now *time.Time, n *atomic.Int32) *signer {
	s := newSigner(1400000001, "key", "administrator", 10*time.Hour, func() time.Time { return *now })
	s.gen = func(int, string, string, int) (string, error) {
		return "sig" + string(rune('0'+n.Add(1))), nil
	}
	return s
}

func TestSigner_Renewal(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var n atomic.Int32
	s := countingSigner(&now, &n)

	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "sig1"},
		{8*time.Hour + 59*time.Minute, "sig1"}, // 11 min of 10 h left: above 10 %
		{time.Minute, "sig2"},                  // 10 % left: renewed
		{time.Hour, "sig2"},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		got, err := s.get()
		if err != nil {
			t.Fatal(err)
		}
		if got != st.want {
			t.Fatalf("after +%v: %s, want %s", st.advance, got, st.want)
		}
	}
}

func TestSigner_Reject(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var n atomic.Int32
	s := countingSigner(&now, &n)
	old, _ := s.get()
	s.reject(old)
	fresh, _ := s.get()
	s.reject(old) // a late rejection of the old sig keeps the new one
	if got, _ := s.get(); fresh != "sig2" || got != fresh {
		t.Fatalf("after reject: %s then %s, want sig2 twice", fresh, got)
	}
}

func TestSigner_ConcurrentSignsOnce(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var n atomic.Int32
	s := countingSigner(&now, &n)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := s.get(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := n.Load(); got != 1 {
		t.Fatalf("signed %d times, want 1", got)
	}
}

// TestSigner_Real checks the library's UserSig decodes as TLS sig v2.
func TestSigner_Real(t *testing.T) {
	s := newSigner(1400000001, "key", "administrator", DefaultSigTTL, time.Now)
	sig, err := s.get()
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) < 20 || sig[:2] != "eJ" { // base64 of a zlib header
		t.Fatalf("sig %.8s…: not a zlib-compressed TLS sig", sig)
	}
}
