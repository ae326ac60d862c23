// Package tim is a client for the Tencent Cloud Chat (Tencent IM) server REST
// API, limited to what a moderation bot needs: group and room bans, group
// mutes, ban and muted lists, member roles and group information.
//
// Bulk calls (ban, unban, mute, unmute) take BulkOptions: a Progress that
// hears each settled chunk and a Gate asked right before each attempt.
// Durations are time.Durations rounded up to Tencent's whole seconds, up to
// Permanent (4294967295 s, Tencent's "for good"); end times read back are
// time.Times, IsPermanent for a permanent ban or mute.
//
// It signs requests with a cached admin UserSig, paces every attempt through
// a Limiter, retries what is safe to retry, splits long account lists into
// calls of Tencent's maximum size and never lets the UserSig or the secret
// key into an error. It does no logging and knows nothing of Slack or Redis.
package tim

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// GroupID identifies a Tencent group, e.g. "@TGS#aJRGC4MH6".
type GroupID string

// UserID is a Tencent account (a member's UserID).
type UserID string

// RoomID identifies a room engine (TUIRoomKit) room.
type RoomID string

// GroupType is a Tencent group type.
type GroupType string

// Group types. Tencent's newer names Work and Meeting are reported as
// Private and ChatRoom.
const (
	Private    GroupType = "Private"
	Public     GroupType = "Public"
	ChatRoom   GroupType = "ChatRoom"
	AVChatRoom GroupType = "AVChatRoom"
	Community  GroupType = "Community"
)

// Region is the data centre an app (SDKAppID) lives in.
type Region string

// Regions and their REST hosts (see Host).
const (
	China         Region = "china"
	Singapore     Region = "singapore"
	Seoul         Region = "seoul"
	Tokyo         Region = "tokyo"
	Frankfurt     Region = "frankfurt"
	SiliconValley Region = "siliconvalley"
	Jakarta       Region = "jakarta"
)

// Host returns the REST API host of the region, or "" for an unknown region.
func (r Region) Host() string {
	switch r {
	case China:
		return "console.tim.qq.com"
	case Singapore:
		return "adminapisgp.im.qcloud.com"
	case Seoul:
		return "adminapikr.im.qcloud.com"
	case Tokyo:
		return "adminapijpn.im.qcloud.com"
	case Frankfurt:
		return "adminapiger.im.qcloud.com"
	case SiliconValley:
		return "adminapiusa.im.qcloud.com"
	case Jakarta:
		return "adminapiidn.im.qcloud.com"
	}
	return ""
}

// ParseRegion parses a region name (case-insensitive), e.g. "singapore".
func ParseRegion(s string) (Region, error) {
	r := Region(strings.ToLower(strings.TrimSpace(s)))
	if r.Host() == "" {
		return "", fmt.Errorf("tim: unknown region %q: want one of china, singapore, seoul, tokyo, frankfurt, siliconvalley, jakarta", s)
	}
	return r, nil
}

// Observer receives one event per HTTP attempt, for metrics. code is
// Tencent's ErrorCode (0 on success or when no answer was decoded), err the
// attempt's error (see ErrorClass), d its duration and retry whether it
// repeated an earlier attempt of the same call. It must be quick and safe
// for concurrent use.
type Observer interface {
	ObserveCall(command string, code int, err error, d time.Duration, retry bool)
}

// ObserverFunc adapts a function to an Observer.
type ObserverFunc func(command string, code int, err error, d time.Duration, retry bool)

// ObserveCall calls f.
func (f ObserverFunc) ObserveCall(command string, code int, err error, d time.Duration, retry bool) {
	f(command, code, err, d, retry)
}

// Options configures a Client. Zero values mean the documented defaults.
type Options struct {
	SDKAppID  int    // the app's SDKAppID; required
	SecretKey string // the app's secret key, which signs UserSigs; required
	Admin     string // App admin identifier; default "administrator"
	Region    Region // the app's data centre; required unless BaseURL is set
	// BaseURL overrides the region's host, e.g. an emulator's
	// "http://127.0.0.1:1234" (the client appends /v4/…).
	BaseURL string
	// HTTPClient sends the requests; default a client with a 10 s timeout
	// (Tencent's own is 3 s) and a keep-alive pool sized for Workers.
	HTTPClient *http.Client
	Limiter    Limiter          // paces every attempt; default NewLocalLimiter(200)
	Now        func() time.Time // clock for UserSig renewal; default time.Now
	Workers    int              // concurrent calls in bulk operations; default 64
	// MaxAttempts bounds the attempts of one call, first try included;
	// default 5. A re-signed retry after 70001/70052 happens at most once.
	MaxAttempts int
	SigTTL      time.Duration // UserSig lifetime; default 24h, renewed with < 10% left
	// RetryBase is the base delay of the full-jitter exponential backoff;
	// default 100ms. Retries wait at most 20×RetryBase (2 s), throttled
	// answers at least 10×RetryBase (1 s). Tests shorten it.
	RetryBase time.Duration
	Observer  Observer // optional; called after every attempt
}

// Client calls Tencent's REST API. It is safe for concurrent use.
type Client struct {
	base        string // scheme://host, no trailing slash
	sdkAppID    int
	admin       string
	hc          *http.Client
	limiter     Limiter
	sig         *signer
	workers     int
	maxAttempts int
	retryBase   time.Duration
	observer    Observer
	maxPages    int
}

// Defaults of Options.
const (
	DefaultAdmin       = "administrator"
	DefaultWorkers     = 64
	DefaultMaxAttempts = 5
	DefaultSigTTL      = 24 * time.Hour
	DefaultRetryBase   = 100 * time.Millisecond
	DefaultRate        = 200 // calls per second, Tencent's default limit
)

// New returns a Client for o. It reports every problem with o at once and
// never repeats the secret key.
func New(o Options) (*Client, error) {
	if o.Admin == "" {
		o.Admin = DefaultAdmin
	}
	setDefault(&o.Workers, DefaultWorkers)
	setDefault(&o.MaxAttempts, DefaultMaxAttempts)
	setDefault(&o.SigTTL, DefaultSigTTL)
	setDefault(&o.RetryBase, DefaultRetryBase)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Limiter == nil {
		o.Limiter = NewLocalLimiter(DefaultRate)
	}
	base, err := checkOptions(o)
	if err != nil {
		return nil, err
	}
	hc := o.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 2 * o.Workers
		tr.MaxIdleConnsPerHost = o.Workers
		hc = &http.Client{Timeout: 10 * time.Second, Transport: tr}
	}
	return &Client{
		base:        base,
		sdkAppID:    o.SDKAppID,
		admin:       o.Admin,
		hc:          hc,
		limiter:     o.Limiter,
		sig:         newSigner(o.SDKAppID, o.SecretKey, o.Admin, o.SigTTL, o.Now),
		workers:     o.Workers,
		maxAttempts: o.MaxAttempts,
		retryBase:   o.RetryBase,
		observer:    o.Observer,
		maxPages:    1000,
	}, nil
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// checkOptions validates o (defaults applied) and returns the base URL.
func checkOptions(o Options) (string, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if o.SDKAppID <= 0 {
		bad("SDKAppID %d: want the app's positive SDKAppID", o.SDKAppID)
	}
	if o.SecretKey == "" {
		bad("SecretKey is empty: want the app's secret key from the console")
	}
	if err := ValidateUserID(UserID(o.Admin)); err != nil {
		bad("Admin: %w", err)
	}
	base := ""
	switch {
	case o.BaseURL != "":
		u, err := url.Parse(o.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("BaseURL %q: want http(s)://host[:port][/path] without query", o.BaseURL)
		} else {
			base = strings.TrimSuffix(u.String(), "/")
		}
	case o.Region == "":
		bad("Region is empty: want one of china, singapore, seoul, tokyo, frankfurt, siliconvalley, jakarta, or a BaseURL")
	case o.Region.Host() == "":
		bad("Region %q: want one of china, singapore, seoul, tokyo, frankfurt, siliconvalley, jakarta", o.Region)
	default:
		base = "https://" + o.Region.Host()
	}
	if o.Workers < 0 {
		bad("Workers %d: want a positive number", o.Workers)
	}
	if o.MaxAttempts < 0 {
		bad("MaxAttempts %d: want a positive number", o.MaxAttempts)
	}
	if o.SigTTL < time.Minute || o.SigTTL > 50*365*24*time.Hour {
		bad("SigTTL %v: want between 1m and 50 years", o.SigTTL)
	}
	if o.RetryBase < 0 {
		bad("RetryBase %v: want a positive duration", o.RetryBase)
	}
	if len(errs) > 0 {
		return "", fmt.Errorf("tim: invalid options: %w", errors.Join(errs...))
	}
	return base, nil
}
