package main

import "modbot/store"

// storeOptions are the store settings every subcommand that reaches Redis uses: the URL or the
// Sentinel settings (or both: the URL then gives the data password and DB), the key prefix, the
// retention, the lease length and the replicas a write a person is told about waits for.
func (c Config) storeOptions() store.Options {
	return store.Options{
		URL:              c.RedisURL,
		SentinelMaster:   c.RedisSentinelMaster,
		SentinelAddrs:    c.RedisSentinelAddrs,
		SentinelPassword: c.RedisSentinelPassword,
		Prefix:           c.RedisPrefix,
		AuditRetention:   c.AuditRetention,
		FeedLease:        c.LeaseTTL,
		MinReplicas:      c.RedisMinReplicas,
	}
}
