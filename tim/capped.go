package tim

import "context"

// GroupBannedMembersUpTo is GroupBannedMembers reading at most maxPages pages
// (≤ 0: the client's own cap): a longer list ends with ErrTooManyPages and
// what was read. A preview of live state uses it so a huge list costs a
// bounded time.
//
// REST: v4/group_open_http_svc/get_group_ban_member
func (c *Client) GroupBannedMembersUpTo(ctx context.Context, g GroupID, maxPages int) ([]BannedMember, error) {
	if err := ValidateGroupID(g); err != nil {
		return nil, err
	}
	if maxPages <= 0 {
		maxPages = c.maxPages
	}
	return c.pagesUpTo(ctx, maxPages, func(ctx context.Context, offset int) ([]bannedAccount, int, error) {
		var resp groupBanListResponse
		err := c.call(ctx, cmdGroupBanList, banListRequest{GroupID: g, Limit: pageLimit, Offset: offset}, &resp, idempotent, nil)
		return resp.BannedAccountList, resp.NextOffset, err
	})
}

// RoomBannedMembersUpTo is RoomBannedMembers reading at most maxPages pages
// (≤ 0: the client's own cap), like GroupBannedMembersUpTo.
//
// REST: v4/room_engine_http_srv/get_banned_member_list
func (c *Client) RoomBannedMembersUpTo(ctx context.Context, r RoomID, maxPages int) ([]BannedMember, error) {
	if err := ValidateRoomID(r); err != nil {
		return nil, err
	}
	if maxPages <= 0 {
		maxPages = c.maxPages
	}
	return c.pagesUpTo(ctx, maxPages, func(ctx context.Context, offset int) ([]bannedAccount, int, error) {
		var resp roomBanListResponse
		err := c.call(ctx, cmdRoomBanList, roomBanListRequest{RoomID: r, Limit: pageLimit, Offset: offset}, &resp, idempotent, nil)
		return resp.Response.BannedAccountList, resp.Response.NextOffset, err
	})
}
