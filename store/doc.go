// Package store is everything modbot must remember, in Redis: the
// allowlist, action requests (ban, mute, unmute, unban) and their state machine, the audit log
// and its feed, delivery dedup, leases, result pages, watched targets with their snapshots and
// case notes, and the shared Tencent rate limit (two lanes). It is the only package that imports
// go-redis.
//
// Several replicas may share one Redis (a single node or Sentinel, ≥ 7.0,
// AOF on, maxmemory-policy noeviction; not Cluster). Every state change is
// one Lua script (lua/*.lua) that checks what it needs against Redis's own
// clock (TIME) and writes its audit entry in the same step, so replicas and
// retried commands cannot race each other. The store never logs; it
// returns errors wrapping the sentinels in errors.go.
//
// # Opening
//
//	s, err := store.Open(ctx, store.Options{URL: "rediss://:pw@host:6379/0"})
//	s, err := store.Open(ctx, store.Options{URL: "redis://:pw@/0",
//		SentinelMaster: "mymaster", SentinelAddrs: []string{"s1:26379", "s2:26379"}})
//	s, err := store.OpenEmbedded(ctx, store.Options{}) // in-process, sandbox and tests only
//
// # API at a glance
//
// Allowlist (roles viewer < moderator < approver < admin, read at the moment
// of every operation, also inside the request scripts):
//
//	Role(ctx, user) (Role, error)              // the global role; RoleNone if not listed
//	Members(ctx) ([]Member, error)             // global roles
//	SetRole(ctx, actor, user, role) (prev Role, error)   // actor: global admin or SystemActor
//	RemoveRole(ctx, actor, user) (prev Role, error)      // ErrLastAdmin, ErrForbidden, ErrNotFound
//
// A role may also be scoped to one target (Scope{KindGroup|KindRoom, id}, "group:<id>"): on
// that target the effective role is the higher of the global and the scoped one, and the
// request scripts check it there (role_rank(user, kind, id) in lib.lua). Only global admins
// manage the allowlist, scoped entries included; the last-admin rule counts global admins only.
//
//	RoleOn(ctx, user, scope) (Role, error)     // effective role on a target
//	Roles(ctx, user) (Roles, error)            // global + every scope (whoami, Home)
//	ScopedMembers(ctx) ([]ScopedMember, error) // every scoped entry (who)
//	SetScopedRole(ctx, actor, user, role, scope) / RemoveScopedRole(ctx, actor, user, scope)
//	BootstrapAdmins(ctx, users) (added []string, error)  // only while no admin exists
//
// Requests: one type and one state machine for the four actions (ban, mute,
// unmute, unban; NewRequest.Action, "" = unban as before actions existed):
//
//	create ─┬─(approvals needed)──► pending ──approve (quorum)──┐
//	        ├─(immediate)───────────────────────────────────────┴─► approved ──claim──► executing
//	        └─(immediate, Confirm)─► confirming ──confirm───────┘
//	executing ──► done | partial | failed;   partial | failed ──Retry failed──► executing
//	pending ──► denied (deny) | cancelled (cancel, or requester no longer allowed) | expired
//	confirming ──► cancelled (cancel) | expired (10 minutes after creation)
//	done | partial ──Undo (in the window, once)──► a new Undo request, approved at once;
//	               the original becomes undone when that one finishes done | partial
//
// Every decision takes the click's or command's operation ID: the same ID
// sent again succeeds again with the current request (Repeat set), while
// anyone else gets a *DecidedError (ErrAlreadyDecided):
//
//	CreateRequest(ctx, NewRequest) (*Request, error)  // Approvals 0 with Action set: immediate
//	Request(ctx, id) / RequestByNumber(ctx, n) (*Request, error)
//	PendingRequests(ctx) ([]*Request, error)
//	PendingSummaries(ctx, max) ([]RequestSummary, total int, error)  // no account lists, a count
//	Approve(ctx, id, actor, opID) (*Request, error)  // ErrSelfApproval, ErrForbidden, ErrAlreadyApproved, ErrExpired, ErrAwaitingConfirm
//	Deny(ctx, id, actor, opID, reason) (*Request, error)
//	Cancel(ctx, id, actor, opID) (*Request, error)   // pending or confirming; ErrNotRequester; any role may withdraw their own
//	Confirm(ctx, id, actor, opID) (*Request, error)  // confirming → approved; ErrNotRequester, ErrConfirmExpired, ErrNotConfirming
//	Undo(ctx, id, actor, opID) (undo *Request, error) // ErrUndoWindowClosed, ErrAlreadyUndone, ErrNotUndoable, ErrNothingToUndo
//	Retry(ctx, id, actor, opID) (*Request, error)    // ErrNotRetryable; ErrAlreadyUndone once Undo was asked
//	ExpireDue(ctx, max) ([]*Request, error)          // pending and confirming; run by every replica now and then
//	CloseUndoWindows(ctx, max) ([]string, error)     // passed Undo windows owe EffectUndo; now and then too
//
// The executor sends, per account, Request.DurationFor(account) seconds:
// with Action.Mutes() it is forbid_send_msg's MuteTime (0 unmutes); else 0
// is an unban and any other value a ban for that long (PermanentDuration,
// 4294967295, for ever). An Undo request (UndoOf set) carries a Plan per
// account, derived from the original's Prior states; its outcome on the
// original: UndoneBy at once (no second Undo, no Retry), state undone when
// the Undo request finishes done or partial (a failed one can be retried).
//
// Execution and resumption, under a fenced lease (ErrLeaseLost means stop):
//
//	NeedsWork(ctx, max) ([]Work, error)  // approved, executing with a lapsed lease, owing Slack effects
//	ClaimLease(ctx, id, owner, ttl) (Lease, *Request, error)  // ErrLeaseHeld, ErrNoWork
//	RenewLease(ctx, lease, ttl) (Lease, error)
//	RecordOutcomes(ctx, lease, []Outcome) error     // per chunk; Request.Remaining() is what is left
//	SetProgressTS(ctx, lease, ts) error
//	Finish(ctx, lease) (*Request, error)            // done | partial | failed
//	ReleaseLease(ctx, lease) error                  // on graceful shutdown too
//	SetRoot(ctx, lease, channel, ts) / ClearOwed(ctx, lease, effects...) (*Request, error)
//
// A typical executor: ClaimLease; for each chunk of r.Remaining(): ban,
// mute or unban as DurationFor says,
// RecordOutcomes (renewing the lease as it goes); Finish; post the result
// and tell the requester; ClearOwed(EffectResult, EffectRequester);
// ReleaseLease. Every write about a request (outcomes, progress, finish,
// the root's ts, owed effects) is fenced by the lease's owner and epoch.
//
// Audit log, filtered newest first through small indexes, and its feed:
//
//	Append(ctx, AuditEntry) (id string, error)
//	AppendLimited(ctx, AuditEntry, gate, window) (id string, error)  // refusals: no accounts, one per gate and window
//	Audit(ctx, AuditFilter, cursor, limit) (AuditPage, error)  // AuditPage.Next is the next cursor
//	FeedNext(ctx, owner, max) ([]AuditEntry, error)   // under the feed lease; ErrLeaseHeld
//	FeedAck(ctx, owner, lastID) error                  // after Slack accepted; ErrLeaseLost
//	FeedRelease(ctx, owner) error
//
// The team's view (App Home tab, daily digest; stats.go):
//
//	ScanAudit(ctx, since, max, fn) (more bool, error)  // newest first, in batches; max 0 = 20,000
//	ApprovedBy(ctx, user, ids) (map[string]bool, error)  // which pending requests user approved
//	ClaimDigest(ctx, day, owner, ttl) (bool, error) / DigestDone(ctx, day, owner) (bool, error) / ReleaseDigest(ctx, day, owner) error
//
// Delivery dedup, result pages, the shared rate limit and the clock:
//
//	Claim(ctx, key, owner, ttl) (bool, error) / Done(ctx, key) / Release(ctx, key, owner) (bool, error)
//	PutResult(ctx, payload) (id string, error) / GetResult(ctx, id) ([]byte, error)  // ErrNotFound once expired
//	                                        // ErrResultTooLarge, ErrResultsFull past MaxResultBytes, MaxResultsBytes
//	Limiter(sdkAppID, callsPerSecond) (*Limiter, error)  // (*Limiter).Wait(ctx) error: the interactive lane
//	(*Limiter).Background(share) (*Limiter, error)       // the background lane (sweeps): ≤ share·N, yields
//	Now(ctx) (time.Time, error); Ping(ctx) error; Close() error
//	ServerInfo(ctx) (ServerInfo, error)  // version, mode, role, AOF, eviction: for `modbot check`
//
// Watched targets, their sweep and case files (docs/DESIGN.md, "Case files, watched targets
// and outside changes"):
//
//	Watch(ctx, actor, kind, id, max, opID) (Watched, error)  // admins; *WatchFullError, ErrAlreadyWatched
//	Unwatch(ctx, actor, kind, id, opID) error                 // drops snapshots and index rows; ErrNotFound
//	WatchedTargets(ctx) ([]Watched, error); WatchedTarget(ctx, kind, id) (Watched, error)
//	ClaimSweep(ctx, owner, ttl) (SweepLease, error)   // ErrLeaseHeld, *NotDueError (ErrNotDue)
//	RenewSweep / FinishSweep(ctx, l, interval) / ReleaseSweep  // ErrLeaseLost
//	Snapshot(ctx, num, list) (map[string]int64, error)       // account → until (Unix s)
//	CommitSweep(ctx, l, ttl, SweepCommit) error   // snapshots + index + audit entries + record, atomically, once per OpID
//	RecordedActions(ctx, kind, id, since, accounts) / InFlight(ctx, kind, id)  // what explains a change
//	Presence(ctx, account, now) ([]Presence, error)          // where it is banned or muted now, from snapshots
//	AddNote(ctx, actor, account, text, opID) / Notes(ctx, account, max)
//	CaseCounts(ctx, account, since) (CaseCounts, error)      // bans, mutes, unbans, unmutes; ≤ CaseScanMax entries
//
// # Key schema
//
// Every key starts with Options.Prefix (P, default "modbot:"); only the rate
// limiter's key is named as redis_rate names it.
//
//	P allow                  hash   Slack user ID → global role name
//	P allow:s:<user>         hash   "group:<id>" | "room:<id>" → the user's role scoped to it
//	P allow:scoped           set    users with any scoped role (for ScopedMembers)
//	P req:seq                string INCR counter of request numbers
//	P req:<id>               hash   the request: target, accounts ("\n"-joined), reason,
//	                                requester, channel, thread_ts, progress_ts, state,
//	                                account_count, created_ms, expires_ms, needed, decided_by/_ms,
//	                                deny_reason, cancel_reason, dropped (approvers whose
//	                                approval stopped counting), finished_ms, retries,
//	                                lease_owner, lease_epoch, lease_until_ms, exec_claims (claims of the execution: above 1, a resume);
//	                                action (ban|mute|unmute|unban; absent = unban), duration (s,
//	                                4294967295 = permanent), reason_code, preview, history (the
//	                                accounts' case history shown on the root), confirm ("1":
//	                                waited for Confirm), confirmed_ms, undo_ms (window, 0 = no
//	                                Undo), undo_until_ms, undone_by (its Undo request's ID),
//	                                undo_actor, undo_at_ms; on an Undo request undo_of, undo_of_num
//	P req:<id>:approvals     hash   approver → approval time (ms)
//	P req:<id>:outcomes      hash   account → "done" | "skipped\t<why>" | "failed\t<code>\t<info>"
//	P req:<id>:ops           hash   operation ID → action it applied (idempotency; "undo:<id>"
//	                                names the Undo request an op created)
//	P req:<id>:owed          set    Slack side effects still owed (root, result, requester, expiry, undo)
//	P req:<id>:prior         hash   account → state the preview found: "-" not banned/muted,
//	                                "p" permanently, else until (Unix ms); absent = not checked
//	P req:<id>:plan          hash   Undo requests only: account → seconds to ban/mute for
//	                                (0 = lift, 4294967295 = permanent)
//	P reqnum:<n>             string request number → request ID
//	P reqop:<op>             string creating operation ID → request ID
//	P req:pending            zset   pending request IDs by expires_at (ms): the expiry index
//	P req:confirming         zset   confirming request IDs by expires_at (creation + 10 min)
//	P req:undo               zset   done/partial immediate actions by undo_until_ms, until the
//	                                window closes (CloseUndoWindows) or Undo is clicked
//	P req:work               zset   IDs approved, executing or owing effects, by creation time
//	P req:open:<user>        zset   a requester's request IDs by creation time, cleaned of ended
//	                                ones by create.lua (the cap of NewRequest.MaxOpen)
//	P audit                  stream the audit log, trimmed by age (MINID) on every append; a
//	                                request's entries carry act (its action kind) and rc (its
//	                                reason code)
//	P audit:by:<user>        zset   audit entry IDs by actor            ┐ members are zero-padded
//	P audit:acct:<account>   zset   audit entry IDs by account          │ entry IDs (score 0, read
//	P audit:t:<kind>:<id>    zset   by target (group, room, user)       │ by lex range), trimmed
//	P audit:req:<id>         zset   by request                          │ and expiring with the stream
//	P audit:act:<kind>       zset   by the request's action kind        │
//	P audit:rc:<code>        zset   by the request's reason code        ┘
//	P audit:feed             hash   feed cursor, lease owner and until_ms
//	P audit:gate:<gate>      hash   AppendLimited's gate: until_ms, refusals kept quiet since
//	P dedup:<key>            string delivery claim: owner token, then "done"
//	P digest:<date>          string the daily digest of that local date: claimer's owner token (ttl), then "posted" (72 h)
//	P result:<id>            string a result page payload
//	P result:sizes           hash   result ID → bytes      ┐ what PutResult holds now, for
//	P result:ends            zset   result IDs by expiry   ┘ MaxResultsBytes
//	rate:P tim:<sdkappid>    string redis_rate's GCRA state for the Tencent app (both lanes)
//	rate:P tim:<sdkappid>:bg string the background lane's own GCRA (share·N a second)
//	P tim:<sdkappid>:wants   string set for WantsTTL whenever interactive work waits: the
//	                                background lane takes nothing while it exists
//	P watch                  zset   watched targets "<kind>:<id>" by when they were added
//	P watch:<kind>:<id>      hash   num, kind, id, added_ms, added_by, state, note, bans, mutes,
//	                                changes, recent ("\n"-joined, newest first), gone, last_op,
//	                                last_try_ms, last_sweep_ms, round
//	P watch:seq              string INCR counter of target numbers
//	P watch:nums             hash   target number → "<kind>:<id>"
//	P snap:<num>:b, :m       string a target's ban / mute snapshot: sorted "<account> <until s>\n"
//	P snap:ix:<bucket>       hash   index by account (16,384 buckets, snaplib.lua's hash):
//	                                account → "<num>b<until> <num>m<until> …"
//	P sweep                  hash   the sweep lease: owner, epoch, until_ms, round_ms, rounds,
//	                                due_ms, last_ms
//	P audit:quiet            zset   padded IDs of entries the feed skips (a sweep's changes
//	                                beyond its summary line), trimmed with the stream
//	P notes:<account>        list   notes, newest first: "<ms>\t<actor>\t<text>" (≤ MaxNotes)
//
// Requests never expire by key TTL while undecided: expiry is a state found
// through P req:pending and P req:confirming. A request's keys get a TTL of
// Options.RequestRetention after it reaches a final state (and lose it if
// Retry restarts it).
//
// # Tests
//
// Package storetest gives tests a Store on a real redis-server (or
// MODBOT_TEST_REDIS_URL), falling back to miniredis; MODBOT_TEST_REDIS=miniredis
// forces miniredis, so the same suite runs on both:
//
//	go test ./store/...
//	MODBOT_TEST_REDIS=miniredis go test ./store/...
//	go test -run '^$' -bench SharedLimiter -benchtime=1x ./store/
package store
