package tim

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Commands of the group service.
const (
	cmdBanGroup       = "group_open_http_svc/ban_group_member"
	cmdUnbanGroup     = "group_open_http_svc/unban_group_member"
	cmdRoleInGroup    = "group_open_http_svc/get_role_in_group"
	cmdGroupBanList   = "group_open_http_svc/get_group_ban_member"
	cmdGroupInfo      = "group_open_http_svc/get_group_info"
	cmdMute           = "group_open_http_svc/forbid_send_msg"
	cmdMutedList      = "group_open_http_svc/get_group_muted_account"
	pageLimit         = 100 // entries per ban-list page, Tencent's maximum
	groupInfoNotFound = 10010
)

// MemberRole is an account's role in a group: "Owner", "Admin", "Member" or
// "NotMember".
type MemberRole struct {
	Account UserID
	Role    string
}

// BannedMember is a banned account and the moment its ban ends
// (IsPermanent(Until) for a permanent ban).
type BannedMember struct {
	Account UserID
	Until   time.Time
}

// MutedMember is a muted account and the moment its mute ends
// (IsPermanent(Until) for a permanent mute).
type MutedMember struct {
	Account UserID
	Until   time.Time
}

// GroupInfo is what the moderation bot needs to know about a group.
type GroupInfo struct {
	ID        GroupID
	Type      GroupType
	Name      string
	MemberNum int // 0 for AVChatRoom, where Tencent does not count members
}

// UnbanGroupMembers lifts the bans of accounts in group g, in calls of at
// most 20 on the worker pool; duplicates are folded and the outcomes follow
// the accounts' first appearance. A chunk that fails permanently is split to
// find the accounts that cause it. o.Progress (optional) hears each settled
// chunk; o.Gate (optional) is asked before each attempt.
//
// REST: v4/group_open_http_svc/unban_group_member
func (c *Client) UnbanGroupMembers(ctx context.Context, g GroupID, accounts []UserID, o BulkOptions) ([]Outcome, error) {
	if err := errors.Join(ValidateGroupID(g), validateAccounts(accounts)); err != nil {
		return nil, err
	}
	return c.bulk(ctx, accounts, MaxBanAccounts, func(ctx context.Context, chunk []UserID, gate func() error) error {
		return c.call(ctx, cmdUnbanGroup, groupMembersRequest{GroupID: g, Accounts: chunk}, &envelope{}, idempotent, gate)
	}, o)
}

// BanGroupMembers bans accounts from group g for d (whole seconds, rounded
// up, at most Permanent, which is for good) with an optional description of
// at most 1,000 bytes, in calls of at most 20 on the worker pool, like
// UnbanGroupMembers. Banning again replaces the end time. A call is not
// re-sent once it may have reached Tencent (a repeated ban restarts its
// timer): such accounts get the error as their outcome. Older Tencent pages
// allow bans in AVChatRoom groups only (10007 elsewhere); newer ones in
// every type.
//
// REST: v4/group_open_http_svc/ban_group_member
func (c *Client) BanGroupMembers(ctx context.Context, g GroupID, accounts []UserID, d time.Duration, description string, o BulkOptions) ([]Outcome, error) {
	secs, err := durationSeconds("ban duration", d)
	if err = errors.Join(ValidateGroupID(g), validateAccounts(accounts), err, validateReason("description", description, false)); err != nil {
		return nil, err
	}
	return c.bulk(ctx, accounts, MaxBanAccounts, func(ctx context.Context, chunk []UserID, gate func() error) error {
		in := banGroupRequest{GroupID: g, Accounts: chunk, Duration: secs, Description: description}
		return c.call(ctx, cmdBanGroup, in, &envelope{}, once, gate)
	}, o)
}

// MuteGroupMembers stops accounts sending messages in group g for d (whole
// seconds, rounded up, at most Permanent, which is for good), in calls of at
// most 500 on the worker pool, with per-account outcomes like
// UnbanGroupMembers. Muting again replaces the end time; a mute survives
// leaving and rejoining the group. Like a ban, a call is not re-sent once it
// may have reached Tencent. Tencent refuses Private (Work) groups with 10007.
//
// REST: v4/group_open_http_svc/forbid_send_msg
func (c *Client) MuteGroupMembers(ctx context.Context, g GroupID, accounts []UserID, d time.Duration, o BulkOptions) ([]Outcome, error) {
	secs, err := durationSeconds("mute duration", d)
	if err = errors.Join(ValidateGroupID(g), validateAccounts(accounts), err); err != nil {
		return nil, err
	}
	return c.bulk(ctx, accounts, MaxMuteAccounts, func(ctx context.Context, chunk []UserID, gate func() error) error {
		in := muteRequest{GroupID: g, Accounts: chunk, MuteTime: secs}
		return c.call(ctx, cmdMute, in, &envelope{}, once, gate)
	}, o)
}

// UnmuteGroupMembers lets accounts send in group g again (MuteTime 0), in
// calls of at most 500, like MuteGroupMembers. Unmuting is idempotent, so
// failed calls are retried like unbans.
//
// REST: v4/group_open_http_svc/forbid_send_msg
func (c *Client) UnmuteGroupMembers(ctx context.Context, g GroupID, accounts []UserID, o BulkOptions) ([]Outcome, error) {
	if err := errors.Join(ValidateGroupID(g), validateAccounts(accounts)); err != nil {
		return nil, err
	}
	return c.bulk(ctx, accounts, MaxMuteAccounts, func(ctx context.Context, chunk []UserID, gate func() error) error {
		return c.call(ctx, cmdMute, muteRequest{GroupID: g, Accounts: chunk, MuteTime: 0}, &envelope{}, idempotent, gate)
	}, o)
}

// GroupMutedMembers returns the muted members of group g and when each mute
// ends (IsPermanent for a permanent one), in one call: the list has no pages.
// Every group type has one.
//
// REST: v4/group_open_http_svc/get_group_muted_account
func (c *Client) GroupMutedMembers(ctx context.Context, g GroupID) ([]MutedMember, error) {
	if err := ValidateGroupID(g); err != nil {
		return nil, err
	}
	var resp mutedListResponse
	if err := c.call(ctx, cmdMutedList, mutedListRequest{GroupID: g}, &resp, idempotent, nil); err != nil {
		return nil, err
	}
	list := make([]MutedMember, len(resp.MutedAccountList))
	for i, m := range resp.MutedAccountList {
		list[i] = MutedMember{Account: m.Account, Until: time.Unix(m.MutedUntil, 0)}
	}
	return list, nil
}

// GetRolesInGroup returns the role of each distinct account in group g, in
// order of first appearance, asking in calls of at most 500. Tencent refuses
// AVChatRoom groups with 10007.
//
// REST: v4/group_open_http_svc/get_role_in_group
func (c *Client) GetRolesInGroup(ctx context.Context, g GroupID, accounts []UserID) ([]MemberRole, error) {
	if err := errors.Join(ValidateGroupID(g), validateAccounts(accounts)); err != nil {
		return nil, err
	}
	uniq := fold(accounts)
	roles := make([]MemberRole, len(uniq))
	n := (len(uniq) + MaxRoleAccounts - 1) / MaxRoleAccounts
	err := c.pool(ctx, n, func(ctx context.Context, i int) error {
		lo, hi := i*MaxRoleAccounts, min((i+1)*MaxRoleAccounts, len(uniq))
		var resp roleResponse
		in := roleRequest{GroupID: g, Accounts: uniq[lo:hi]}
		if err := c.call(ctx, cmdRoleInGroup, in, &resp, idempotent, nil); err != nil {
			return err
		}
		got := make(map[UserID]string, len(resp.UserIDList))
		for _, r := range resp.UserIDList {
			got[r.Account] = r.Role
		}
		for j, a := range uniq[lo:hi] {
			role, ok := got[a]
			if !ok {
				return fmt.Errorf("tim: %s: answer lacks account %q", cmdRoleInGroup, a)
			}
			roles[lo+j] = MemberRole{Account: a, Role: role}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return roles, nil
}

// GroupBannedMembers returns every banned member of group g, following
// Tencent's pages of 100. When paging fails midway it returns what it read
// with the error (ErrPageStalled or ErrTooManyPages if Tencent's offsets
// misbehave).
//
// REST: v4/group_open_http_svc/get_group_ban_member
func (c *Client) GroupBannedMembers(ctx context.Context, g GroupID) ([]BannedMember, error) {
	if err := ValidateGroupID(g); err != nil {
		return nil, err
	}
	return c.pages(ctx, func(ctx context.Context, offset int) ([]bannedAccount, int, error) {
		var resp groupBanListResponse
		err := c.call(ctx, cmdGroupBanList, banListRequest{GroupID: g, Limit: pageLimit, Offset: offset}, &resp, idempotent, nil)
		return resp.BannedAccountList, resp.NextOffset, err
	})
}

// GroupInfo returns the type, name and member count of group g. A group that
// does not exist gives *Error with Code 10010.
//
// REST: v4/group_open_http_svc/get_group_info
func (c *Client) GroupInfo(ctx context.Context, g GroupID) (GroupInfo, error) {
	if err := ValidateGroupID(g); err != nil {
		return GroupInfo{}, err
	}
	var resp groupInfoResponse
	in := groupInfoRequest{GroupIDList: []GroupID{g}, ResponseFilter: &groupInfoFilter{GroupBaseInfoFilter: []string{"Type", "Name", "MemberNum"}}}
	if err := c.call(ctx, cmdGroupInfo, in, &resp, idempotent, nil); err != nil {
		return GroupInfo{}, err
	}
	for _, gi := range resp.GroupInfo {
		if gi.GroupID != g {
			continue
		}
		if gi.ErrorCode != 0 {
			return GroupInfo{}, &Error{Command: cmdGroupInfo, Code: gi.ErrorCode, Info: gi.ErrorInfo}
		}
		return GroupInfo{ID: g, Type: normalizeType(gi.Type), Name: gi.Name, MemberNum: gi.MemberNum}, nil
	}
	return GroupInfo{}, &Error{Command: cmdGroupInfo, Code: groupInfoNotFound, Info: "group missing from the answer"}
}

// normalizeType maps Tencent's newer type names to the classic ones.
func normalizeType(t string) GroupType {
	switch t {
	case "Work":
		return Private
	case "Meeting":
		return ChatRoom
	}
	return GroupType(t)
}

// Wire formats of the group service.
type (
	groupMembersRequest struct {
		GroupID  GroupID  `json:"GroupId"`
		Accounts []UserID `json:"Members_Account"`
	}
	banGroupRequest struct {
		GroupID     GroupID  `json:"GroupId"`
		Accounts    []UserID `json:"Members_Account"`
		Duration    uint32   `json:"Duration"`
		Description string   `json:"Description,omitempty"`
	}
	muteRequest struct {
		GroupID  GroupID  `json:"GroupId"`
		Accounts []UserID `json:"Members_Account"`
		MuteTime uint32   `json:"MuteTime"` // seconds; 0 unmutes
	}
	mutedListRequest struct {
		GroupID GroupID `json:"GroupId"`
	}
	mutedListResponse struct {
		envelope
		GroupID          GroupID `json:"GroupId"`
		MutedAccountList []struct {
			Account    UserID `json:"Member_Account"`
			MutedUntil int64  `json:"MutedUntil"` // Unix seconds; 4294967295 when permanent
		} `json:"MutedAccountList"`
	}
	roleRequest struct {
		GroupID  GroupID  `json:"GroupId"`
		Accounts []UserID `json:"User_Account"`
	}
	roleResponse struct {
		envelope
		UserIDList []struct {
			Account UserID `json:"Member_Account"`
			Role    string `json:"Role"`
		} `json:"UserIdList"`
	}
	banListRequest struct {
		GroupID GroupID `json:"GroupId"`
		Limit   int     `json:"Limit"`
		Offset  int     `json:"Offset"`
	}
	bannedAccount struct {
		Account     UserID `json:"Member_Account"`
		BannedUntil int64  `json:"BannedUntil"` // Unix seconds, 4294967295 when permanent
	}
	banPage struct {
		BannedAccountList []bannedAccount `json:"BannedAccountList"`
		NextOffset        int             `json:"NextOffset"`
	}
	groupBanListResponse struct {
		envelope
		banPage
	}
	groupInfoRequest struct {
		GroupIDList    []GroupID        `json:"GroupIdList"`
		ResponseFilter *groupInfoFilter `json:"ResponseFilter,omitempty"`
	}
	groupInfoFilter struct {
		GroupBaseInfoFilter []string `json:"GroupBaseInfoFilter"`
	}
	groupInfoResponse struct {
		envelope
		GroupInfo []struct {
			GroupID   GroupID `json:"GroupId"`
			ErrorCode int     `json:"ErrorCode"`
			ErrorInfo string  `json:"ErrorInfo"`
			Type      string  `json:"Type"`
			Name      string  `json:"Name"`
			MemberNum int     `json:"MemberNum"`
		} `json:"GroupInfo"`
	}
)
