package tim

import (
	"fmt"
	"sync"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// signer caches the admin's UserSig. It is safe for concurrent use: one
// caller signs while the others wait for its result, so an expiry never sets
// off a burst of signing.
type signer struct {
	sdkAppID int
	key      string
	admin    string
	ttl      time.Duration
	now      func() time.Time
	gen      func(sdkappid int, key, userid string, expire int) (string, error)

	mu     sync.Mutex
	sig    string
	issued time.Time
}

func newSigner(sdkAppID int, key, admin string, ttl time.Duration, now func() time.Time) *signer {
	return &signer{sdkAppID: sdkAppID, key: key, admin: admin, ttl: ttl, now: now, gen: tencentyun.GenUserSig}
}

// get returns the cached UserSig, signing a new one when there is none or
// less than a tenth of its lifetime is left.
func (s *signer) get() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sig != "" && s.now().Sub(s.issued) < s.ttl-s.ttl/10 {
		return s.sig, nil
	}
	sig, err := s.gen(s.sdkAppID, s.key, s.admin, int(s.ttl/time.Second))
	if err != nil {
		// The library's errors come from JSON encoding; they hold no key.
		return "", fmt.Errorf("tim: sign usersig for %s: %w", s.admin, err)
	}
	s.sig, s.issued = sig, s.now()
	return sig, nil
}

// reject drops sig after Tencent refused it (70001, 70052), so that the next
// get signs anew. A sig already replaced by another caller is left alone.
func (s *signer) reject(sig string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sig == sig {
		s.sig = ""
	}
}
