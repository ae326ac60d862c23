package bot

import (
	"context"
	"fmt"

	"modbot/store"
	"modbot/tim"
)

// actionKind is what the executor needs to know about one kind of action (unban today; ban, mute
// and unmute plug in as entries of actionKinds): how many accounts one Tencent call carries, the
// bulk call for a group and for a room, and the live-state read a resumed execution re-checks.
type actionKind struct {
	// chunk is the most accounts one Tencent call carries (tim chunks by it; shown in docs and
	// progress estimates).
	chunk int
	// group and room send accounts to Tencent; tim chunks them, calls o.Gate right before every
	// write and reports each settled chunk through o.Progress.
	group func(ctx context.Context, t execTencent, g tim.GroupID, users []tim.UserID, o tim.BulkOptions) ([]tim.Outcome, error)
	room  func(ctx context.Context, t execTencent, r tim.RoomID, users []tim.UserID, o tim.BulkOptions) ([]tim.Outcome, error)
	// read lists the target's accounts in the state the action changes (the ban list for unban),
	// completely or with an error; nil when the kind has no re-read.
	read func(ctx context.Context, t execTencent, target store.Target) (map[tim.UserID]bool, error)
	// wanted reports whether an account the read found (listed) or did not find still needs the
	// action; an account that does not is recorded skipped with why.
	wanted func(listed bool) bool
	why    string
}

// actionKinds maps an action to how the executor runs it.
var actionKinds = map[store.AuditAction]actionKind{
	store.ActionUnban: {
		chunk: tim.MaxBanAccounts,
		group: func(ctx context.Context, t execTencent, g tim.GroupID, users []tim.UserID, o tim.BulkOptions) ([]tim.Outcome, error) {
			return t.UnbanGroupMembers(ctx, g, users, o)
		},
		room: func(ctx context.Context, t execTencent, r tim.RoomID, users []tim.UserID, o tim.BulkOptions) ([]tim.Outcome, error) {
			return t.UnbanRoomMembers(ctx, r, users, o)
		},
		read:   readBanned,
		wanted: func(listed bool) bool { return listed },
		why:    skippedNotBanned,
	},
}

// requestAction is the action a request asks for. Requests are unbans until the store records
// other kinds; then this returns the request's own.
func requestAction(*store.Request) store.AuditAction { return store.ActionUnban }

// kindOf returns how to run req's action.
func kindOf(req *store.Request) (actionKind, error) {
	a := requestAction(req)
	k, ok := actionKinds[a]
	if !ok {
		return actionKind{}, fmt.Errorf("request %s: no executor for action %q", req.ID, a)
	}
	return k, nil
}

// skippedNotBanned is why a resumed execution skips an account: a complete read of the ban list
// did not have it.
const skippedNotBanned = "already unbanned: not on the ban list when the execution resumed"

// readBanned reads a group's or room's whole ban list. tim returns a nil error only once
// Tencent's NextOffset reached 0: a list that stops early is an error.
func readBanned(ctx context.Context, t execTencent, target store.Target) (map[tim.UserID]bool, error) {
	var (
		list []tim.BannedMember
		err  error
	)
	if target.Kind == store.KindRoom {
		list, err = t.RoomBannedMembers(ctx, tim.RoomID(target.ID))
	} else {
		list, err = t.GroupBannedMembers(ctx, tim.GroupID(target.ID))
	}
	if err != nil {
		return nil, err
	}
	banned := make(map[tim.UserID]bool, len(list))
	for _, m := range list {
		banned[m.Account] = true
	}
	return banned, nil
}
