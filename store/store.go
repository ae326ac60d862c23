package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Options configure a Store. Zero values take the documented defaults.
type Options struct {
	// URL is the Redis address, "redis://[user:password@]host:port[/db]" or
	// "rediss://…" for TLS (see redis.ParseURL). With SentinelMaster set,
	// its host is ignored and only credentials, database and TLS are used.
	URL string

	// SentinelMaster, when set, connects through Redis Sentinel to the
	// master of this name, asking the sentinels at SentinelAddrs
	// ("host:port"), authenticating to them with SentinelPassword if set.
	SentinelMaster   string
	SentinelAddrs    []string
	SentinelPassword string

	// Prefix starts every key the store writes. Default "modbot:".
	Prefix string

	// AuditRetention is how long audit entries are kept. Default 2160h (90 days).
	AuditRetention time.Duration

	// RequestRetention is how long a request is kept after its final
	// state (done, partial, failed, denied, cancelled, expired). Default 720h.
	RequestRetention time.Duration

	// ResultTTL is how long PutResult keeps a result. Default 1h.
	ResultTTL time.Duration

	// DoneTTL is how long Done remembers a handled delivery. Default 24h.
	DoneTTL time.Duration

	// FeedLease is how long the audit feed lease lasts without a FeedNext
	// or FeedAck from its holder. Default 30s.
	FeedLease time.Duration

	// MinReplicas, when above 0, makes every write a person is told about
	// (a request opened, a decision, an allowlist change, an outcome) wait
	// until that many replicas confirm it (WAIT, at most ReplicaWait). An
	// unconfirmed write still happened: Unconfirmed(ctx) reports it to the
	// caller (see TrackWrites) and OnUnconfirmed counts it.
	MinReplicas int
	// ReplicaWait bounds each WAIT. Default 1s.
	ReplicaWait time.Duration
	// OnUnconfirmed, when set, is called once per write the replicas did
	// not confirm in time. It must be cheap and safe for concurrent use.
	OnUnconfirmed func()
	// OnError, when set, is called once per Redis command (or pipeline)
	// that failed: a connection error, a timeout, an error reply. Replies
	// meaning "no such key" are not errors. Cheap and concurrent-safe.
	OnError func()
}

// Defaults of Options.
const (
	DefaultPrefix           = "modbot:"
	DefaultAuditRetention   = 90 * 24 * time.Hour
	DefaultRequestRetention = 30 * 24 * time.Hour
	DefaultResultTTL        = time.Hour
	DefaultDoneTTL          = 24 * time.Hour
	DefaultFeedLease        = 30 * time.Second
	DefaultReplicaWait      = time.Second
)

// Store is modbot's memory in Redis. It is safe for concurrent use and for
// use by several processes (replicas) sharing one Redis.
type Store struct {
	rdb     *redis.Client
	opts    Options
	scripts scripts
	told    map[*redis.Script]bool // scripts whose writes a person is told about (replicas.go)
	mini    *miniredis.Miniredis   // embedded mode only
}

// Open connects to Redis as opts say and checks that it answers.
func Open(ctx context.Context, opts Options) (*Store, error) {
	var ro *redis.Options
	if opts.URL != "" {
		var err error
		if ro, err = redis.ParseURL(opts.URL); err != nil {
			return nil, fmt.Errorf("parse redis URL: %w", redactURLError(err, opts.URL))
		}
	} else if opts.SentinelMaster == "" {
		return nil, errors.New("open store: no redis URL")
	}
	var rdb *redis.Client
	if opts.SentinelMaster != "" {
		fo := &redis.FailoverOptions{
			MasterName:       opts.SentinelMaster,
			SentinelAddrs:    opts.SentinelAddrs,
			SentinelPassword: opts.SentinelPassword,
		}
		if ro != nil {
			fo.Username, fo.Password, fo.DB, fo.TLSConfig = ro.Username, ro.Password, ro.DB, ro.TLSConfig
		}
		rdb = redis.NewFailoverClient(fo)
	} else {
		rdb = redis.NewClient(ro)
	}
	s := newStore(rdb, opts)
	if err := s.Ping(ctx); err != nil {
		if opts.SentinelMaster != "" {
			// "all sentinels are unreachable: redis: nil" says little; ask them one by one.
			if _, perr := s.Primary(ctx); perr != nil {
				err = fmt.Errorf("ping redis: %w", perr)
			}
		}
		rdb.Close()
		return nil, err
	}
	return s, nil
}

// OpenEmbedded starts an in-process Redis (miniredis) and opens a Store on
// it; Close stops it. Key TTLs run on the real clock. It keeps nothing on
// disk and serves one process only: for the sandbox and for tests, never
// for production. opts.URL and the Sentinel fields are ignored.
func OpenEmbedded(ctx context.Context, opts Options) (*Store, error) {
	m := miniredis.NewMiniRedis()
	m.ClockTTL(true)
	if err := m.Start(); err != nil {
		return nil, fmt.Errorf("start embedded redis: %w", err)
	}
	s := newStore(redis.NewClient(&redis.Options{Addr: m.Addr()}), opts)
	s.mini = m
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the connection to Redis (and stops an embedded Redis).
func (s *Store) Close() error {
	err := s.rdb.Close()
	if s.mini != nil {
		s.mini.Close()
	}
	return err
}

// Ping checks that Redis answers; a readiness probe can call it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// Now is the time on Redis's clock, the clock every expiry and lease uses.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	t, err := s.rdb.Time(ctx).Result()
	if err != nil {
		return time.Time{}, fmt.Errorf("redis time: %w", err)
	}
	return t, nil
}

// Prefix is the prefix of every key this store writes.
func (s *Store) Prefix() string { return s.opts.Prefix }

func newStore(rdb *redis.Client, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	setDefault(&opts.AuditRetention, DefaultAuditRetention)
	setDefault(&opts.RequestRetention, DefaultRequestRetention)
	setDefault(&opts.ResultTTL, DefaultResultTTL)
	setDefault(&opts.DoneTTL, DefaultDoneTTL)
	setDefault(&opts.FeedLease, DefaultFeedLease)
	setDefault(&opts.ReplicaWait, DefaultReplicaWait)
	if opts.OnError != nil {
		rdb.AddHook(errorHook{opts.OnError})
	}
	s := &Store{rdb: rdb, opts: opts, scripts: loadScripts()}
	s.told = s.toldScripts()
	return s
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// redactURLError keeps the URL's password out of the error text.
func redactURLError(err error, raw string) error {
	u, perr := url.Parse(raw)
	if perr != nil {
		return errors.New("malformed URL")
	}
	if p, ok := u.User.Password(); ok && p != "" {
		return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
	}
	return err
}

// key is a key under the store's prefix.
func (s *Store) key(parts ...string) string {
	return s.opts.Prefix + strings.Join(parts, ":")
}

//go:embed lua/*.lua
var luaFiles embed.FS

// scripts are the Lua scripts, each with lib.lua in front.
type scripts struct {
	create, get, decide, expire, retry               *redis.Script
	claim, renew, outcomes, progress, finish, owed   *redis.Script
	work, setRole, bootstrap, appendAudit, feed, rel *redis.Script
	undo, undoClose                                  *redis.Script
}

func loadScripts() scripts {
	lib := mustRead("lib")
	sc := func(name string) *redis.Script { return redis.NewScript(lib + mustRead(name)) }
	return scripts{
		create: sc("create"), get: sc("get"), decide: sc("decide"), expire: sc("expire"),
		retry: sc("retry"), claim: sc("claim"), renew: sc("renew"), outcomes: sc("outcomes"),
		progress: sc("progress"), finish: sc("finish"), owed: sc("owed"), work: sc("work"),
		setRole: sc("setrole"), bootstrap: sc("bootstrap"), appendAudit: sc("append"),
		feed: sc("feed"), rel: sc("release"), undo: sc("undo"), undoClose: sc("undoclose"),
	}
}

func mustRead(name string) string {
	b, err := luaFiles.ReadFile("lua/" + name + ".lua")
	if err != nil {
		panic(err) // embedded at build time; cannot happen
	}
	return string(b)
}

// run runs a script with the common arguments lib.lua expects in front.
func (s *Store) run(ctx context.Context, sc *redis.Script, args ...any) (any, error) {
	argv := make([]any, 0, 3+len(args))
	argv = append(argv, s.opts.Prefix, s.opts.AuditRetention.Milliseconds(), s.opts.RequestRetention.Milliseconds())
	argv = append(argv, args...)
	if s.opts.MinReplicas > 0 && s.told[sc] {
		return s.runConfirmed(ctx, sc, argv)
	}
	return sc.Run(ctx, s.rdb, nil, argv...).Result()
}

// runStatus runs a script that replies {status, details...}.
func (s *Store) runStatus(ctx context.Context, sc *redis.Script, args ...any) (string, []any, error) {
	v, err := s.run(ctx, sc, args...)
	if err != nil {
		return "", nil, err
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return "", nil, fmt.Errorf("unexpected script reply %T", v)
	}
	status, _ := list[0].(string)
	return status, list[1:], nil
}

// QuietDriver stops go-redis from printing its own lines (connection pool dial retries) to
// stderr, outside the program's logger: the store returns those failures as errors, which the
// caller reports once. It changes a process-wide setting, so only main should call it.
func QuietDriver() { redis.SetLogger(quietLogger{}) }

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}
