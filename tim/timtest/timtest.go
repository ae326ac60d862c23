// Package timtest is a stateful emulator of Tencent Cloud Chat's server REST API, the part modbot
// uses: group bans, mutes, roles and group info (v4/group_open_http_svc/...) and room bans
// (v4/room_engine_http_srv/...). It is a working fake in the spirit of net/http/httptest: it keeps
// groups (every type) with members, roles, bans and mutes, rooms with members and bans, checks each
// request the way Tencent does (POST, the query string, the SDKAppID, the App admin and the UserSig
// itself, verified without the signing library), enforces the app's calls-per-second limit, and
// lets a test inject faults and latency and inspect what happened.
//
// New plus Start serve it from a program (the sandbox); NewServer is the test helper.
//
// Choices where the docs are silent or disagree (tencent-im.md marks them [U]):
//
//   - Checks run in this order: rate limit; method (non-POST → 60002); path /v4/{service}/{command}
//     with a known service (else 60009); sdkappid (missing → 60012, not a number → 60006, another
//     app → 70020); identifier (missing → 60004); usersig (empty → 70002, undecodable or truncated
//     → 70003, TLS.sdkappid → 70014, TLS.identifier → 70013, expired → 70001, HMAC → 70009);
//     random (not a uint32 → 60002); contenttype (not json → 60002); App admin (→ 60010, not
//     70403); the command (unknown → 10003 on group_open_http_svc, the seed's "invalid command
//     word", 60009 on room_engine_http_srv); injected faults; then the body and the command's rules
//     (parameters, then existence 10010 / 100004, then group type 10007, then FailAccount).
//   - Every answer is HTTP 200 with ErrorCode/ErrorInfo (only injected HTTP faults differ); every
//     Room Engine answer, refusals included, carries a RequestId.
//   - Field names match case-sensitively, as Tencent says parameters are; unknown fields are
//     ignored. A body that is not a JSON object answers 10015 on group commands (the
//     get_role_in_group seed page's "failed to parse the JSON packet") and 100002 on room commands;
//     an account list holding a non-string answers 60015; any other wrongly typed field is an
//     invalid parameter (10004 / 100002).
//   - The rate limit counts accepted calls in a sliding one-second window of the real clock (not
//     Options.Now, which may be frozen) over all commands; a call over the limit answers 60007 in an
//     HTTP 200 body. MaxCallsPerSecond counts every arrival, accepted or refused.
//   - Bans: Duration 0 is refused (10004); banning again replaces the end time, shorter or longer
//     (the docs do not say; "overwrite" is the reading that makes a re-ban matter, and modbot
//     itself never shortens a ban); a ban whose end time has passed counts as not banned and leaves
//     the lists by itself. Banning does not change group roles; banning in a room removes the
//     account from the room's members. Ban lists are sorted by ban end, then account; NextOffset is
//     the offset of the next page, 0 when done.
//   - Time: bans and mutes end on the emulator's clock, Options.Now plus whatever Advance added, so
//     a test can let a 7-day ban end without waiting. Advance does not touch UserSig expiry, which
//     stays on Options.Now: a client signing on the real clock keeps working.
//   - Permanent: a Duration or MuteTime of 4294967295 (the uint32 maximum) is permanent and
//     reported as BannedUntil / MutedUntil 4294967295, as Tencent reports a permanent mute; every
//     other end time is capped there too, so each fits the uint32 Tencent's own clients read.
//   - Mutes (forbid_send_msg): MuteTime is required, 0..4294967295 seconds, 0 unmutes (a no-op for
//     an account that is not muted); at most 500 accounts (10005 beyond); muting again replaces the
//     end time. Private/Work groups answer 10007, as Tencent refuses them; the other four types
//     mute. Accounts need not be members (a mute survives leaving and rejoining). TopicId
//     (Community topics) is not emulated and answers 10004; the legacy ShutUpTime is not read.
//     get_group_muted_account works on every group type, has no paging and lists the mutes in force
//     by end, then account, with the GroupId.
//   - 10015: by default it is what the seed page calls it, a body that is not JSON, and a group
//     that does not exist answers 10010. With Options.GroupNotFound10015 it follows Tencent's
//     general group error table instead: a GroupId that never named a group answers 10015 (invalid
//     GroupId, "group not found"), a dismissed group still 10010, and a body that is not JSON 10011.
//   - get_group_ban_member requires Limit (1..100; the newer CN page); the room list's Limit is
//     optional (default 100) and it accepts an integer Offset or a decimal string Next (Offset wins).
//   - More than 500 accounts for get_role_in_group answer 10005 (the "too many accounts" code);
//     get_group_info takes at most 50 group IDs (10004 beyond).
//   - Unbanning an account that is not banned succeeds unless Options.StrictUnban (then 10004, or
//     100002 in a room, and nothing changes).
//   - A latency sleep happens before the call is processed, so a client that gives up during it
//     leaves the state unchanged; such a call is logged with code -499.
package timtest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// GroupType is a Tencent group type. "Work" and "Meeting", the newer names of Private and
// ChatRoom, are accepted as aliases.
type GroupType string

// The preset group types.
const (
	Private    GroupType = "Private"
	Public     GroupType = "Public"
	ChatRoom   GroupType = "ChatRoom"
	AVChatRoom GroupType = "AVChatRoom"
	Community  GroupType = "Community"
	Work       GroupType = "Work"    // alias of Private
	Meeting    GroupType = "Meeting" // alias of ChatRoom
)

// Defaults of Options.
const (
	DefaultSDKAppID  = 1400000001
	DefaultSecretKey = "5b1f6a0e9c3d4e7f8a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f"
	DefaultAdmin     = "administrator"
	DefaultRate      = 200
)

// Options configure a Server. The zero value is a usable app.
type Options struct {
	SDKAppID  int      // the app's SDKAppID; default DefaultSDKAppID
	SecretKey string   // the app's symmetric key; default DefaultSecretKey
	Admins    []string // App admin identifiers; default [DefaultAdmin]; the first is Admin()
	// Rate is the calls per second the app allows, over all commands; 0 means DefaultRate (200),
	// a negative value means unlimited.
	Rate int
	// Latency is added to every call, on the real clock.
	Latency time.Duration
	// Now is the clock for bans and UserSig expiry; default time.Now. It must be safe for
	// concurrent use.
	Now func() time.Time
	// BanAnyGroupType follows the newer pages: ban, unban and the ban list work on every group
	// type. By default they follow the seed pages: AVChatRoom only, 10007 elsewhere.
	BanAnyGroupType bool
	// GroupNotFound10015 follows Tencent's general group error table: a GroupId that never named
	// a group answers 10015 and a body that is not JSON 10011. By default the seed page's reading:
	// 10015 for a body that is not JSON, 10010 for any missing group.
	GroupNotFound10015 bool
	// StrictUnban makes unbanning an account that is not banned an error (10004 in a group,
	// 100002 in a room) instead of a no-op.
	StrictUnban bool
}

// Call is one request the server received.
type Call struct {
	Command string    // "service/command", e.g. "group_open_http_svc/unban_group_member"
	Body    []byte    // the request body
	Code    int       // the ErrorCode answered, or -status for a non-200 answer (-499: client gone)
	At      time.Time // arrival, on the Options.Now clock
}

// Server is the emulator. Its methods are safe for concurrent use, before and after Start.
type Server struct {
	// URL is the base URL once started, e.g. "http://127.0.0.1:34567"; requests go to URL+"/v4/...".
	URL string

	opt    Options
	now    func() time.Time // Options.Now
	clock  func() time.Time // real clock for rate limiting and latency; replaced in tests
	admins map[string]bool

	mu        sync.Mutex
	groups    map[string]*group
	dismissed map[string]bool // groups DeleteGroup removed
	rooms     map[string]*room
	seq       int // group ID and RequestId sequence
	calls     map[string]int
	log       []Call
	rate      int           // current limit; <0 unlimited
	latency   time.Duration // current latency
	accepted  window        // accepted arrivals, for the limit
	arrivals  window        // all arrivals, for MaxCallsPerSecond
	maxPerSec int
	throttled int
	next      map[string][]fault // FailNext / FailNextHTTP queues by command
	accounts  map[string]map[string]int
	failRate  float64
	failCode  int
	rnd       *rand.Rand
	ahead     atomic.Int64 // what Advance added to Options.Now, in nanoseconds

	srv *http.Server
	ln  net.Listener
}

// New returns a server that is not listening yet: use Handler, or Start.
func New(o Options) *Server {
	if o.SDKAppID == 0 {
		o.SDKAppID = DefaultSDKAppID
	}
	if o.SecretKey == "" {
		o.SecretKey = DefaultSecretKey
	}
	if len(o.Admins) == 0 {
		o.Admins = []string{DefaultAdmin}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{opt: o, now: o.Now, clock: time.Now, admins: map[string]bool{}}
	for _, a := range o.Admins {
		s.admins[a] = true
	}
	s.Reset()
	return s
}

// NewServer starts a server on 127.0.0.1:0 and closes it when the test ends. At most one Options
// is used.
func NewServer(tb TB, o ...Options) *Server {
	tb.Helper()
	var opt Options
	if len(o) > 0 {
		opt = o[0]
	}
	s := New(opt)
	if err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("timtest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Handler serves the REST API at /v4/{service}/{command}.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Start listens on addr (e.g. "127.0.0.1:0"), serves in the background and sets URL.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	go s.srv.Serve(ln) //nolint:errcheck // returns http.ErrServerClosed on Close
	return nil
}

// Close stops a started server and its connections.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// SDKAppID is the app's SDKAppID.
func (s *Server) SDKAppID() int { return s.opt.SDKAppID }

// SecretKey is the app's key, to sign UserSigs with.
func (s *Server) SecretKey() string { return s.opt.SecretKey }

// Admin is the first App admin identifier.
func (s *Server) Admin() string { return s.opt.Admins[0] }

// SignedURL is a complete request URL for command ("service/command") as the App admin, with a
// fresh UserSig valid for a day: handy for tests that speak plain HTTP.
func (s *Server) SignedURL(command string) string {
	sig, err := tencentyun.GenUserSig(s.opt.SDKAppID, s.opt.SecretKey, s.Admin(), 86400)
	if err != nil {
		panic(fmt.Sprintf("timtest: sign: %v", err))
	}
	s.mu.Lock()
	r := s.rnd.Uint32()
	s.mu.Unlock()
	return s.URL + "/v4/" + command + "?sdkappid=" + strconv.Itoa(s.opt.SDKAppID) +
		"&identifier=" + s.Admin() + "&usersig=" + sig +
		"&random=" + strconv.FormatUint(uint64(r), 10) + "&contenttype=json"
}

// Reset drops all state: groups, rooms, bans, mutes, the log, counters, faults and what Advance
// added to the clock. The rate and latency go back to Options.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups = map[string]*group{}
	s.dismissed = map[string]bool{}
	s.ahead.Store(0)
	s.rooms = map[string]*room{}
	s.seq = 0
	s.calls = map[string]int{}
	s.log = nil
	s.rate = normRate(s.opt.Rate)
	s.accepted = window{}
	s.arrivals = window{}
	s.maxPerSec = 0
	s.throttled = 0
	s.clearFaults()
}

func normRate(r int) int {
	if r == 0 {
		return DefaultRate
	}
	return r
}

// Now is the emulator's clock for bans and mutes: Options.Now plus what Advance added.
func (s *Server) Now() time.Time { return s.now().Add(time.Duration(s.ahead.Load())) }

// Advance moves the clock of bans and mutes d ahead (d > 0): bans and mutes whose end falls within
// it have ended. UserSig expiry keeps Options.Now.
func (s *Server) Advance(d time.Duration) {
	if d <= 0 {
		panic(fmt.Sprintf("timtest: Advance(%v): want a positive duration", d))
	}
	s.ahead.Add(int64(d))
}
