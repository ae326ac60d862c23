package bot

import (
	"context"
	"time"

	"modbot/store"
	"modbot/tim"
)

// Tencent is what the bot asks of Tencent Cloud Chat. *tim.Client satisfies it.
type Tencent interface {
	execTencent // the executor's bulk writes and re-reads (executor.go)
	GroupInfo(ctx context.Context, g tim.GroupID) (tim.GroupInfo, error)
	GetRolesInGroup(ctx context.Context, g tim.GroupID, accounts []tim.UserID) ([]tim.MemberRole, error)
	GroupMutedMembers(ctx context.Context, g tim.GroupID) ([]tim.MutedMember, error) // /banned group <id> muted
}

// Store is what the bot keeps in Redis. *store.Store satisfies it.
type Store interface {
	Allowlist
	Requests
	Executions
	AuditLog
	Deliveries
	Results
	CaseFiles
	Watches
}

// Allowlist holds who may do what.
type Allowlist interface {
	Role(ctx context.Context, user string) (store.Role, error)
	Members(ctx context.Context) ([]store.Member, error)
	SetRole(ctx context.Context, actor, user string, role store.Role) (store.Role, error)
	RemoveRole(ctx context.Context, actor, user string) (store.Role, error)
	// Scoped roles (scope.go).
	RoleOn(ctx context.Context, user string, sc store.Scope) (store.Role, error)
	Roles(ctx context.Context, user string) (store.Roles, error)
	ScopedMembers(ctx context.Context) ([]store.ScopedMember, error)
	SetScopedRole(ctx context.Context, actor, user string, role store.Role, sc store.Scope) (store.Role, error)
	RemoveScopedRole(ctx context.Context, actor, user string, sc store.Scope) (store.Role, error)
}

// Requests holds unban requests and their decisions; every transition is atomic in the store.
type Requests interface {
	CreateRequest(ctx context.Context, nr store.NewRequest) (*store.Request, error)
	Request(ctx context.Context, id string) (*store.Request, error)
	RequestByNumber(ctx context.Context, n int64) (*store.Request, error)
	PendingSummaries(ctx context.Context, max int) ([]store.RequestSummary, int, error)
	Approve(ctx context.Context, id, actor, opID string) (*store.Request, error)
	Deny(ctx context.Context, id, actor, opID, reason string) (*store.Request, error)
	Cancel(ctx context.Context, id, actor, opID string) (*store.Request, error)
	Retry(ctx context.Context, id, actor, opID string) (*store.Request, error)
	Confirm(ctx context.Context, id, actor, opID string) (*store.Request, error)
	Undo(ctx context.Context, id, actor, opID string) (*store.Request, error)
	CloseUndoWindows(ctx context.Context, max int) ([]string, error)
	ExpireDue(ctx context.Context, max int) ([]*store.Request, error)
	SetRoot(ctx context.Context, l store.Lease, channel, ts string) (*store.Request, error)
	ClearOwed(ctx context.Context, l store.Lease, effects ...store.Effect) (*store.Request, error)
}

// Executions hands requests to one replica at a time under a fenced lease.
type Executions interface {
	NeedsWork(ctx context.Context, max int) ([]store.Work, error)
	ClaimLease(ctx context.Context, id, owner string, ttl time.Duration) (store.Lease, *store.Request, error)
	RenewLease(ctx context.Context, l store.Lease, ttl time.Duration) (store.Lease, error)
	ReleaseLease(ctx context.Context, l store.Lease) error
	RecordOutcomes(ctx context.Context, l store.Lease, outcomes []store.Outcome) error
	SetProgressTS(ctx context.Context, l store.Lease, ts string) error
	Finish(ctx context.Context, l store.Lease) (*store.Request, error)
}

// AuditLog is the team's searchable history and the audit channel's feed.
type AuditLog interface {
	Append(ctx context.Context, e store.AuditEntry) (string, error)
	AppendLimited(ctx context.Context, e store.AuditEntry, gate string, window time.Duration) (string, error)
	Audit(ctx context.Context, f store.AuditFilter, cursor string, limit int) (store.AuditPage, error)
	FeedNext(ctx context.Context, owner string, max int) ([]store.AuditEntry, error)
	FeedAck(ctx context.Context, owner, lastID string) error
	FeedRelease(ctx context.Context, owner string) error
}

// Deliveries deduplicates envelopes Slack delivers more than once.
type Deliveries interface {
	Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	Done(ctx context.Context, key string) error
	Release(ctx context.Context, key, owner string) (bool, error)
}

// Results keeps long command results for Prev / Next paging.
type Results interface {
	PutResult(ctx context.Context, payload []byte) (string, error)
	GetResult(ctx context.Context, id string) ([]byte, error)
}

// CaseFiles is what case files read and write in Redis (/lookup, /modbot note, the history line
// of a request's root).
type CaseFiles interface {
	Presence(ctx context.Context, account string, now time.Time) ([]store.Presence, error)
	Notes(ctx context.Context, account string, max int) ([]store.Note, error)
	AddNote(ctx context.Context, actor, account, text, opID string) (store.Note, error)
	CaseCounts(ctx context.Context, account string, since time.Time) (store.CaseCounts, error)
	Audit(ctx context.Context, f store.AuditFilter, cursor string, limit int) (store.AuditPage, error)
	Request(ctx context.Context, id string) (*store.Request, error)
	Now(ctx context.Context) (time.Time, error)
}

// Watches is what watching keeps in Redis (/modbot watch, unwatch, watched).
type Watches interface {
	Watch(ctx context.Context, actor string, kind store.TargetKind, id string, max int, opID string) (store.Watched, error)
	Unwatch(ctx context.Context, actor string, kind store.TargetKind, id, opID string) error
	WatchedTargets(ctx context.Context) ([]store.Watched, error)
	Now(ctx context.Context) (time.Time, error)
}
