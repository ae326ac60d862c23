package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Snapshots of watched targets: per target and list, the accounts on it and until when, as one
// compact string (P snap:<num>:b and P snap:<num>:m, rows "<account> <until>\n" sorted); and an
// index by account (P snap:ix:<bucket>, account → "<num>b<until> <num>m<until> …") that answers
// "where is this account banned or muted now" without reading any snapshot. See snaplib.lua.

// SnapList is which list of a target a snapshot holds.
type SnapList string

// Lists a sweep reads.
const (
	ListBans  SnapList = "b"
	ListMutes SnapList = "m"
)

// ixBuckets must equal snaplib.lua's IX_BUCKETS.
const ixBuckets = 16384

// ixBucket is the index bucket of an account, as snaplib.lua's ixkey computes it.
func ixBucket(account string) uint32 {
	var h uint32
	for i := 0; i < len(account); i++ {
		h = h*31 + uint32(account[i])
	}
	return h % ixBuckets
}

// encodeSnapshot renders rows as stored: sorted "<account> <until>\n".
func encodeSnapshot(rows map[string]int64) string {
	accounts := make([]string, 0, len(rows))
	for a := range rows {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	var b strings.Builder
	for _, a := range accounts {
		b.WriteString(a)
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(rows[a], 10))
		b.WriteByte('\n')
	}
	return b.String()
}

func decodeSnapshot(blob string) map[string]int64 {
	rows := make(map[string]int64, strings.Count(blob, "\n"))
	for line := range strings.SplitSeq(blob, "\n") {
		a, u, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(u, 10, 64); err == nil {
			rows[a] = n
		}
	}
	return rows
}

// Snapshot is a target's stored list: account → until (Unix seconds); empty before the first
// sweep.
func (s *Store) Snapshot(ctx context.Context, num int64, list SnapList) (map[string]int64, error) {
	blob, err := s.rdb.Get(ctx, s.key("snap", strconv.FormatInt(num, 10), string(list))).Result()
	if errors.Is(err, redis.Nil) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot %d%s: %w", num, list, err)
	}
	return decodeSnapshot(blob), nil
}

// Presence is where an account is banned or muted according to the watched targets' snapshots.
type Presence struct {
	Kind  TargetKind
	ID    string
	List  SnapList
	Until time.Time // tim.IsPermanent for a permanent ban or mute
	AsOf  time.Time // the target's last sweep: how fresh this is
}

// Presence lists where account is banned or muted according to the snapshots, by target:
// one index read and one read of each target's record. Rows whose until has passed are left
// out (the ban or mute ended; the next sweep records it).
func (s *Store) Presence(ctx context.Context, account string, now time.Time) ([]Presence, error) {
	v, err := s.rdb.HGet(ctx, s.key("snap", "ix", strconv.FormatUint(uint64(ixBucket(account)), 10)), account).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("presence of %s: %w", account, err)
	}
	type tok struct {
		num   string
		list  SnapList
		until int64
	}
	var toks []tok
	nums := map[string]bool{}
	for t := range strings.FieldsSeq(v) {
		i := strings.IndexAny(t, "bm")
		if i <= 0 {
			continue
		}
		u, err := strconv.ParseInt(t[i+1:], 10, 64)
		if err != nil {
			continue
		}
		toks = append(toks, tok{t[:i], SnapList(t[i : i+1]), u})
		nums[t[:i]] = true
	}
	if len(toks) == 0 {
		return nil, nil
	}
	keys := slices.Sorted(mapKeys(nums))
	names, err := s.rdb.HMGet(ctx, s.key("watch", "nums"), keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("presence of %s: %w", account, err)
	}
	pipe := s.rdb.Pipeline()
	swept := map[string]*redis.StringCmd{}
	targets := map[string]string{}
	for i, n := range names {
		name, _ := n.(string)
		if name == "" {
			continue // unwatched since: a stale row
		}
		targets[keys[i]] = name
		swept[keys[i]] = pipe.HGet(ctx, s.key("watch", name), "last_sweep_ms")
	}
	if len(swept) > 0 {
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("presence of %s: %w", account, err)
		}
	}
	var out []Presence
	for _, t := range toks {
		name, ok := targets[t.num]
		if !ok || (t.until <= now.Unix() && t.until < permanentSeconds) {
			continue
		}
		kind, id, _ := strings.Cut(name, ":")
		p := Presence{Kind: TargetKind(kind), ID: id, List: t.list, Until: time.Unix(t.until, 0)}
		if ms := swept[t.num].Val(); ms != "" {
			p.AsOf = msTime(ms)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Presence) int {
		return strings.Compare(string(a.Kind)+a.ID+string(a.List), string(b.Kind)+b.ID+string(b.List))
	})
	return out, nil
}

// permanentSeconds is Tencent's "for good" (4294967295 s) as an end time's lower bound: ends
// at or after it never pass.
const permanentSeconds = 4294967295

// SnapshotMemory sums MEMORY USAGE over every snapshot and index key (for benchmarks: bytes
// per snapshot row). It scans the keyspace; never call it in production paths.
func (s *Store) SnapshotMemory(ctx context.Context) (bytes int64, keys int, err error) {
	iter := s.rdb.Scan(ctx, 0, s.key("snap")+":*", 1000).Iterator()
	for iter.Next(ctx) {
		n, err := s.rdb.MemoryUsage(ctx, iter.Val(), 0).Result()
		if err != nil {
			return 0, 0, err
		}
		bytes += n
		keys++
	}
	return bytes, keys, iter.Err()
}
