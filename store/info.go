package store

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
)

// ServerInfo is what the Redis server says about itself, for `modbot check` to hold against
// modbot's requirements: version ≥ 7.0, a single node or Sentinel (not Cluster), the master (not
// a read-only replica), AOF on and maxmemory-policy noeviction.
type ServerInfo struct {
	Version         string // redis_version, e.g. "7.0.15"
	Mode            string // redis_mode: "standalone", "sentinel" or "cluster"
	Role            string // "master" or "slave"
	AppendOnly      bool   // aof_enabled: the append-only file is on
	MaxmemoryPolicy string // maxmemory_policy, e.g. "noeviction"
	Maxmemory       int64  // maxmemory in bytes; 0 means no limit
	Replicas        int    // connected_slaves: replicas connected to this primary now
}

// ServerInfo reads the server's INFO (the default sections: server, persistence, memory,
// replication). Fields the server does not report stay empty.
func (s *Store) ServerInfo(ctx context.Context) (ServerInfo, error) {
	text, err := s.rdb.Info(ctx).Result()
	if err != nil {
		return ServerInfo{}, fmt.Errorf("redis info: %w", err)
	}
	return ParseServerInfo(text), nil
}

// ParseServerInfo reads the fields of ServerInfo from the text of an INFO reply.
func ParseServerInfo(text string) ServerInfo {
	var si ServerInfo
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		switch k {
		case "redis_version":
			si.Version = v
		case "redis_mode":
			si.Mode = v
		case "role":
			si.Role = v
		case "aof_enabled":
			si.AppendOnly = v == "1"
		case "maxmemory_policy":
			si.MaxmemoryPolicy = v
		case "maxmemory":
			si.Maxmemory, _ = strconv.ParseInt(v, 10, 64)
		case "connected_slaves":
			si.Replicas, _ = strconv.Atoi(v)
		}
	}
	return si
}

// VersionAtLeast reports whether the server's version is at least major.minor. An unknown or
// unreadable version is not.
func (si ServerInfo) VersionAtLeast(major, minor int) bool {
	parts := strings.SplitN(si.Version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}
