package tim

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Commands of the room engine.
const (
	cmdBanRoom     = "room_engine_http_srv/ban_room_member"
	cmdUnbanRoom   = "room_engine_http_srv/unban_room_member"
	cmdRoomBanList = "room_engine_http_srv/get_banned_member_list"
)

// Errors of ban-list paging; the lists come back with what was read.
var (
	ErrPageStalled  = errors.New("tim: ban list paging stalled: Tencent's NextOffset did not advance")
	ErrTooManyPages = errors.New("tim: ban list too long: stopped at the page cap")
)

// UnbanRoomMembers lifts the bans of accounts in room r, in calls of at most
// 20 on the worker pool, like UnbanGroupMembers.
//
// REST: v4/room_engine_http_srv/unban_room_member
func (c *Client) UnbanRoomMembers(ctx context.Context, r RoomID, accounts []UserID, o BulkOptions) ([]Outcome, error) {
	if err := errors.Join(ValidateRoomID(r), validateAccounts(accounts)); err != nil {
		return nil, err
	}
	return c.bulk(ctx, accounts, MaxBanAccounts, func(ctx context.Context, chunk []UserID, gate func() error) error {
		return c.call(ctx, cmdUnbanRoom, roomMembersRequest{RoomID: r, Accounts: chunk}, &envelope{}, idempotent, gate)
	}, o)
}

// BanRoomMembers bans accounts from room r for d (whole seconds, rounded up;
// Permanent for good) with a reason, which Tencent requires (at most 1,000
// bytes), in calls of at most 20. Banned members are removed from the room;
// banning again replaces the end time. Like BanGroupMembers, a call is not
// re-sent once it may have reached Tencent.
//
// REST: v4/room_engine_http_srv/ban_room_member
func (c *Client) BanRoomMembers(ctx context.Context, r RoomID, accounts []UserID, d time.Duration, reason string, o BulkOptions) ([]Outcome, error) {
	secs, err := durationSeconds("ban duration", d)
	if err = errors.Join(ValidateRoomID(r), validateAccounts(accounts), err, validateReason("reason", reason, true)); err != nil {
		return nil, err
	}
	return c.bulk(ctx, accounts, MaxBanAccounts, func(ctx context.Context, chunk []UserID, gate func() error) error {
		in := banRoomRequest{RoomID: r, Accounts: chunk, Reason: reason, Duration: secs}
		return c.call(ctx, cmdBanRoom, in, &envelope{}, once, gate)
	}, o)
}

// RoomBannedMembers returns every banned member of room r, following pages of
// 100 (integer Offset, NextOffset until 0). When paging fails midway it
// returns what it read with the error.
//
// REST: v4/room_engine_http_srv/get_banned_member_list
func (c *Client) RoomBannedMembers(ctx context.Context, r RoomID) ([]BannedMember, error) {
	if err := ValidateRoomID(r); err != nil {
		return nil, err
	}
	return c.pages(ctx, func(ctx context.Context, offset int) ([]bannedAccount, int, error) {
		var resp roomBanListResponse
		err := c.call(ctx, cmdRoomBanList, roomBanListRequest{RoomID: r, Limit: pageLimit, Offset: offset}, &resp, idempotent, nil)
		return resp.Response.BannedAccountList, resp.Response.NextOffset, err
	})
}

// pages reads a ban list page by page, from offset 0 until NextOffset is 0.
// It stops with ErrPageStalled when NextOffset does not move forward and
// with ErrTooManyPages at c.maxPages pages.
func (c *Client) pages(ctx context.Context, fetch func(ctx context.Context, offset int) ([]bannedAccount, int, error)) ([]BannedMember, error) {
	return c.pagesUpTo(ctx, c.maxPages, fetch)
}

// pagesUpTo is pages stopping with ErrTooManyPages after maxPages pages.
func (c *Client) pagesUpTo(ctx context.Context, maxPages int, fetch func(ctx context.Context, offset int) ([]bannedAccount, int, error)) ([]BannedMember, error) {
	var list []BannedMember
	offset := 0
	for range maxPages {
		page, next, err := fetch(ctx, offset)
		if err != nil {
			return list, err
		}
		for _, b := range page {
			list = append(list, BannedMember{Account: b.Account, Until: time.Unix(b.BannedUntil, 0)})
		}
		switch {
		case next == 0:
			return list, nil
		case next <= offset:
			return list, fmt.Errorf("%w (offset %d, NextOffset %d)", ErrPageStalled, offset, next)
		}
		offset = next
	}
	return list, fmt.Errorf("%w (%d pages, %d entries)", ErrTooManyPages, maxPages, len(list))
}

// Wire formats of the room engine. Its answers carry RequestId, and lists
// come wrapped in Response.
type (
	roomMembersRequest struct {
		RoomID   RoomID   `json:"RoomId"`
		Accounts []UserID `json:"MemberList_Account"`
	}
	banRoomRequest struct {
		RoomID   RoomID   `json:"RoomId"`
		Accounts []UserID `json:"MemberList_Account"`
		Reason   string   `json:"Reason"`
		Duration uint32   `json:"Duration"`
	}
	roomBanListRequest struct {
		RoomID RoomID `json:"RoomId"`
		Limit  int    `json:"Limit"`
		Offset int    `json:"Offset"`
	}
	roomBanListResponse struct {
		envelope
		Response banPage `json:"Response"`
	}
)
