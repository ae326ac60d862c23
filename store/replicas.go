package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// Writes a person is told about wait for replicas (Options.MinReplicas): the script and a WAIT go
// to Redis in one pipeline, on one connection, since WAIT counts the replicas that acknowledged
// that connection's last write. Replication is in order, so a confirmed write also confirms every
// write made before it on any connection.

// toldScripts are the scripts whose writes a person is told about: a request opened, a decision
// (approve, deny, cancel, confirm, retry, undo, expiry), an allowlist change, an outcome (the
// final state) — and the execution lease's claim and renewals: a lease only the primary knows could
// be lost in a failover while its owner still sends, and a resumer must see that sending began
// (it then re-reads the live state instead of sending accounts Tencent already accepted). The
// executor counts a lease only once the replicas confirmed it.
func (s *Store) toldScripts() map[*redis.Script]bool {
	told := map[*redis.Script]bool{}
	for _, sc := range []*redis.Script{s.scripts.create, s.scripts.decide, s.scripts.retry, s.scripts.expire,
		s.scripts.setRole, s.scripts.finish, s.scripts.undo, s.scripts.claim, s.scripts.renew} {
		told[sc] = true
	}
	return told
}

// runConfirmed runs a script and WAITs for Options.MinReplicas replicas on the same connection. A
// shortfall is not an error (the write happened): it is noted on ctx's tracker and counted.
func (s *Store) runConfirmed(ctx context.Context, sc *redis.Script, argv []any) (any, error) {
	var res, wait *redis.Cmd
	pipe := func(eval func(redis.Pipeliner) *redis.Cmd) {
		// Errors are read from each command below; Pipelined's own is the first of them.
		_, _ = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			res = eval(p)
			wait = p.Do(ctx, "WAIT", s.opts.MinReplicas, s.opts.ReplicaWait.Milliseconds())
			return nil
		})
	}
	pipe(func(p redis.Pipeliner) *redis.Cmd { return sc.EvalSha(ctx, p, nil, argv...) })
	if err := res.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		pipe(func(p redis.Pipeliner) *redis.Cmd { return sc.Eval(ctx, p, nil, argv...) })
	}
	v, err := res.Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return v, err
	}
	if n, werr := wait.Int(); werr != nil || n < s.opts.MinReplicas {
		noteUnconfirmed(ctx)
		if s.opts.OnUnconfirmed != nil {
			s.opts.OnUnconfirmed()
		}
	}
	return v, err
}

// writeTracker counts a context's writes that replicas did not confirm.
type writeTracker struct{ unconfirmed atomic.Int64 }

type trackerKey struct{}

// TrackWrites returns a context under which the store notes every write a person is told about
// that the replicas did not confirm in time (Options.MinReplicas); Unconfirmed reports it. Each
// call starts a new tracker: wrap the context of one command, click or execution.
func TrackWrites(ctx context.Context) context.Context {
	return context.WithValue(ctx, trackerKey{}, &writeTracker{})
}

// Unconfirmed reports whether a write made under ctx (see TrackWrites) is done but not yet
// confirmed by the replicas: a failover now could lose it, and the answer should say so.
func Unconfirmed(ctx context.Context) bool {
	t, _ := ctx.Value(trackerKey{}).(*writeTracker)
	return t != nil && t.unconfirmed.Load() > 0
}

func noteUnconfirmed(ctx context.Context) {
	if t, _ := ctx.Value(trackerKey{}).(*writeTracker); t != nil {
		t.unconfirmed.Add(1)
	}
}

// errorHook calls onError for every failed command or pipeline: not for "no such key" (redis.Nil),
// nor for NOSCRIPT, which go-redis answers by sending the script itself.
type errorHook struct{ onError func() }

// DialHook counts nothing: a failed dial fails the command that needed it, counted below.
func (h errorHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h errorHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if counted(err) {
			h.onError()
		}
		return err
	}
}

func (h errorHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			if counted(c.Err()) {
				h.onError()
				break
			}
		}
		return err
	}
}

func counted(err error) bool {
	return err != nil && !errors.Is(err, redis.Nil) && !errors.Is(err, context.Canceled) &&
		!strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// Primary names the Redis node the store writes to: through Sentinel, the primary that the first
// sentinel to answer names now; otherwise the URL's host:port.
func (s *Store) Primary(ctx context.Context) (string, error) {
	if s.opts.SentinelMaster == "" {
		return s.rdb.Options().Addr, nil
	}
	var errs []string
	for _, addr := range s.opts.SentinelAddrs {
		sc := redis.NewSentinelClient(&redis.Options{Addr: addr, Password: s.opts.SentinelPassword, MaxRetries: -1})
		hp, err := sc.GetMasterAddrByName(ctx, s.opts.SentinelMaster).Result()
		sc.Close()
		if err == nil && len(hp) == 2 {
			return net.JoinHostPort(hp[0], hp[1]), nil
		}
		if errors.Is(err, redis.Nil) {
			err = fmt.Errorf("it does not monitor a primary named %q", s.opts.SentinelMaster)
		}
		errs = append(errs, fmt.Sprintf("sentinel %s: %v", addr, err))
	}
	return "", fmt.Errorf("no sentinel names the primary: %s", strings.Join(errs, "; "))
}
