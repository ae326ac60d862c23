package timtest

import (
	"strconv"
	"time"
)

// REST: v4/room_engine_http_srv/ban_room_member
func (s *Server) banRoomMember(command string, body []byte, now time.Time) result {
	var req banRoomMemberRequest
	if res, ok := decode(body, &req, codeRoomParam, codeRoomParam); !ok {
		return res
	}
	if res, ok := checkRoomAccounts(req.RoomID, req.Accounts); !ok {
		return res
	}
	switch {
	case req.Reason == "":
		return fail(codeRoomParam, "Reason is required")
	case len(req.Reason) > maxDescription:
		return fail(codeRoomParam, "Reason is %d bytes, over %d", len(req.Reason), maxDescription)
	case req.Duration == nil || *req.Duration <= 0 || *req.Duration > maxDurationSeconds:
		return fail(codeRoomParam, "Duration must be 1..%d seconds", maxDurationSeconds)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[req.RoomID]
	if r == nil {
		return fail(codeRoomNotFound, "room %s does not exist or was destroyed", req.RoomID)
	}
	if code, bad := s.accountFault(command, req.Accounts); bad {
		return fail(code, "injected fault for an account")
	}
	until := endOf(now, *req.Duration)
	for _, a := range req.Accounts {
		r.bans.set(a, until)
		delete(r.members, a)
	}
	return success(nil)
}

// REST: v4/room_engine_http_srv/unban_room_member
func (s *Server) unbanRoomMember(command string, body []byte, now time.Time) result {
	var req unbanRoomMemberRequest
	if res, ok := decode(body, &req, codeRoomParam, codeRoomParam); !ok {
		return res
	}
	if res, ok := checkRoomAccounts(req.RoomID, req.Accounts); !ok {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[req.RoomID]
	if r == nil {
		return fail(codeRoomNotFound, "room %s does not exist or was destroyed", req.RoomID)
	}
	if code, bad := s.accountFault(command, req.Accounts); bad {
		return fail(code, "injected fault for an account")
	}
	if s.opt.StrictUnban {
		for _, a := range req.Accounts {
			if _, banned := r.bans.active(a, now); !banned {
				return fail(codeRoomParam, "%s is not banned in %s", a, r.id)
			}
		}
	}
	for _, a := range req.Accounts {
		r.bans.remove(a)
	}
	return success(nil)
}

// REST: v4/room_engine_http_srv/get_banned_member_list
func (s *Server) getBannedMemberList(_ string, body []byte, now time.Time) result {
	var req getBannedMemberListRequest
	if res, ok := decode(body, &req, codeRoomParam, codeRoomParam); !ok {
		return res
	}
	limit, offset := maxPageLimit, 0
	if req.Limit != nil {
		limit = *req.Limit
	}
	switch {
	case req.Offset != nil:
		offset = *req.Offset
	case req.Next != nil && *req.Next != "":
		n, err := strconv.Atoi(*req.Next)
		if err != nil {
			return fail(codeRoomParam, "Next %q is not an offset", *req.Next)
		}
		offset = n
	}
	switch {
	case req.RoomID == "":
		return fail(codeRoomParam, "RoomId is required")
	case limit <= 0 || limit > maxPageLimit:
		return fail(codeRoomParam, "Limit must be 1..%d", maxPageLimit)
	case offset < 0:
		return fail(codeRoomParam, "the offset must not be negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[req.RoomID]
	if r == nil {
		return fail(codeRoomNotFound, "room %s does not exist or was destroyed", req.RoomID)
	}
	list, next := page(r.bans.list(now), offset, limit)
	return success(getBannedMemberListResponse{Response: bannedPage{BannedAccountList: list, NextOffset: next}})
}

// checkRoomAccounts checks a room command's RoomId and MemberList_Account.
func checkRoomAccounts(roomID string, accounts []string) (result, bool) {
	switch {
	case roomID == "":
		return fail(codeRoomParam, "RoomId is required"), false
	case len(accounts) == 0:
		return fail(codeRoomParam, "MemberList_Account is empty"), false
	case len(accounts) > maxBanAccounts:
		return fail(codeRoomParam, "MemberList_Account has %d accounts, over the limit of %d", len(accounts), maxBanAccounts), false
	}
	for _, a := range accounts {
		if a == "" {
			return fail(codeRoomParam, "MemberList_Account holds an empty account"), false
		}
	}
	return result{}, true
}
