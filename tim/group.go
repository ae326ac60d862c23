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
	pageLimit         = 100 // entries per ban-list page, Tencent's maximum
	groupInfoNotFound = 10010
)

// MemberRole is an account's role in a group: "Owner", "Admin", "Member" or
// "NotMember".
type MemberRole struct {
	Account UserID
	Role    string
}

// BannedMember is a banned account and the moment its ban ends.
type BannedMember struct {
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
// find the accounts that cause it. p (optional) hears each settled chunk.
//
// REST: v4/group_open_http_svc/unban_group_member
func (c *Client) UnbanGroupMembers(ctx context.Context, g GroupID, accounts []UserID, p Progress) ([]Outcome, error) {
	if err := errors.Join(ValidateGroupID(g), validateAccounts(accounts)); err != nil {
		return nil, err
	}
	return c.bulk(ctx, accounts, MaxBanAccounts, func(ctx context.Context, chunk []UserID) error {
		return c.call(ctx, cmdUnbanGroup, groupMembersRequest{GroupID: g, Accounts: chunk}, &envelope{}, idempotent)
	}, p)
}

// BanGroupMembers bans accounts from group g for d (rounded up to whole
// seconds), in calls of at most 20. A call is not re-sent once it may have
// reached Tencent (a repeated ban restarts its timer): such accounts get the
// error as their outcome.
//
// REST: v4/group_open_http_svc/ban_group_member
func (c *Client) BanGroupMembers(ctx context.Context, g GroupID, accounts []UserID, d time.Duration, description string) ([]Outcome, error) {
	secs, err := banSeconds(d)
	if err = errors.Join(ValidateGroupID(g), validateAccounts(accounts), err, validateReason("description", description, false)); err != nil {
		return nil, err
	}
	return c.bulk(ctx, accounts, MaxBanAccounts, func(ctx context.Context, chunk []UserID) error {
		in := banGroupRequest{GroupID: g, Accounts: chunk, Duration: secs, Description: description}
		return c.call(ctx, cmdBanGroup, in, &envelope{}, once)
	}, nil)
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
		if err := c.call(ctx, cmdRoleInGroup, in, &resp, idempotent); err != nil {
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
		err := c.call(ctx, cmdGroupBanList, banListRequest{GroupID: g, Limit: pageLimit, Offset: offset}, &resp, idempotent)
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
	if err := c.call(ctx, cmdGroupInfo, in, &resp, idempotent); err != nil {
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
		BannedUntil int64  `json:"BannedUntil"` // Unix seconds
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
