package timtest

import (
	"time"
)

// REST: v4/group_open_http_svc/unban_group_member
func (s *Server) unbanGroupMember(command string, body []byte, now time.Time) result {
	var req unbanGroupMemberRequest
	if res, ok := s.decodeGroup(body, &req); !ok {
		return res
	}
	if res, ok := checkGroupAccounts(req.GroupID, "Members_Account", req.Accounts, maxBanAccounts); !ok {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, res, ok := s.banGroup(req.GroupID)
	if !ok {
		return res
	}
	if code, bad := s.accountFault(command, req.Accounts); bad {
		return fail(code, "injected fault for an account")
	}
	if s.opt.StrictUnban {
		for _, a := range req.Accounts {
			if _, banned := g.bans.active(a, now); !banned {
				return fail(codeGroupParam, "%s is not banned in %s", a, g.id)
			}
		}
	}
	for _, a := range req.Accounts {
		g.bans.remove(a)
	}
	return success(nil)
}

// REST: v4/group_open_http_svc/ban_group_member
func (s *Server) banGroupMember(command string, body []byte, now time.Time) result {
	var req banGroupMemberRequest
	if res, ok := s.decodeGroup(body, &req); !ok {
		return res
	}
	if res, ok := checkGroupAccounts(req.GroupID, "Members_Account", req.Accounts, maxBanAccounts); !ok {
		return res
	}
	if req.Duration == nil || *req.Duration <= 0 || *req.Duration > maxDurationSeconds {
		return fail(codeGroupParam, "Duration must be 1..%d seconds", maxDurationSeconds)
	}
	if len(req.Description) > maxDescription {
		return fail(codeGroupParam, "Description is %d bytes, over %d", len(req.Description), maxDescription)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, res, ok := s.banGroup(req.GroupID)
	if !ok {
		return res
	}
	if code, bad := s.accountFault(command, req.Accounts); bad {
		return fail(code, "injected fault for an account")
	}
	until := endOf(now, *req.Duration)
	for _, a := range req.Accounts {
		g.bans.set(a, until)
	}
	return success(nil)
}

// REST: v4/group_open_http_svc/get_group_ban_member
func (s *Server) getGroupBanMember(_ string, body []byte, now time.Time) result {
	var req getGroupBanMemberRequest
	if res, ok := s.decodeGroup(body, &req); !ok {
		return res
	}
	switch {
	case req.GroupID == "":
		return fail(codeGroupParam, "GroupId is required")
	case req.Limit == nil || *req.Limit <= 0 || *req.Limit > maxPageLimit:
		return fail(codeGroupParam, "Limit must be 1..%d", maxPageLimit)
	case req.Offset < 0:
		return fail(codeGroupParam, "Offset must not be negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, res, ok := s.banGroup(req.GroupID)
	if !ok {
		return res
	}
	list, next := page(g.bans.list(now), req.Offset, *req.Limit)
	return success(getGroupBanMemberResponse{BannedAccountList: list, NextOffset: next})
}

// REST: v4/group_open_http_svc/get_role_in_group
func (s *Server) getRoleInGroup(command string, body []byte, _ time.Time) result {
	var req getRoleInGroupRequest
	if res, ok := s.decodeGroup(body, &req); !ok {
		return res
	}
	if res, ok := checkGroupAccounts(req.GroupID, "User_Account", req.Accounts, maxRoleAccounts); !ok {
		return res
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, res, ok := s.findGroup(req.GroupID)
	if !ok {
		return res
	}
	if canonical(g.typ) == AVChatRoom {
		return fail(codeGroupNoPerm, "get_role_in_group does not support AVChatRoom groups")
	}
	if code, bad := s.accountFault(command, req.Accounts); bad {
		return fail(code, "injected fault for an account")
	}
	roles := make([]memberRole, len(req.Accounts))
	for i, a := range req.Accounts {
		role, member := g.members[a]
		if !member {
			role = RoleNotMember
		}
		roles[i] = memberRole{Account: a, Role: role}
	}
	return success(getRoleInGroupResponse{UserIDList: roles})
}

// REST: v4/group_open_http_svc/get_group_info
func (s *Server) getGroupInfo(_ string, body []byte, _ time.Time) result {
	var req getGroupInfoRequest
	if res, ok := s.decodeGroup(body, &req); !ok {
		return res
	}
	switch n := len(req.GroupIDList); {
	case n == 0:
		return fail(codeGroupParam, "GroupIdList is empty")
	case n > maxGroupInfoIDs:
		return fail(codeGroupParam, "GroupIdList has %d groups, over %d", n, maxGroupInfoIDs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	infos := make([]groupInfo, len(req.GroupIDList))
	for i, id := range req.GroupIDList {
		g := s.groups[id]
		if g == nil {
			res := s.noGroup(id)
			infos[i] = groupInfo{GroupID: id, ErrorCode: res.code, ErrorInfo: res.info}
			continue
		}
		n := len(g.members)
		if canonical(g.typ) == AVChatRoom {
			n = 0 // Tencent gives no member count for live groups
		}
		infos[i] = groupInfo{GroupID: id, Type: string(g.typ), Name: g.name, MemberNum: &n}
		for a, r := range g.members {
			if r == RoleOwner {
				infos[i].OwnerAccount = a
			}
		}
	}
	return success(getGroupInfoResponse{GroupInfo: infos})
}

// banGroup finds the group a ban command is about and checks its type. s.mu must be held.
func (s *Server) banGroup(id string) (*group, result, bool) {
	g, res, ok := s.findGroup(id)
	if !ok {
		return nil, res, false
	}
	if !s.opt.BanAnyGroupType && canonical(g.typ) != AVChatRoom {
		return nil, fail(codeGroupNoPerm, "banning is supported on AVChatRoom groups only, not %s", g.typ), false
	}
	return g, result{}, true
}

// REST: v4/group_open_http_svc/forbid_send_msg
func (s *Server) forbidSendMsg(command string, body []byte, now time.Time) result {
	var req forbidSendMsgRequest
	if res, ok := s.decodeGroup(body, &req); !ok {
		return res
	}
	if res, ok := checkGroupAccounts(req.GroupID, "Members_Account", req.Accounts, maxMuteAccounts); !ok {
		return res
	}
	switch {
	case req.MuteTime == nil || *req.MuteTime < 0 || *req.MuteTime > maxDurationSeconds:
		return fail(codeGroupParam, "MuteTime must be 0..%d seconds (0 unmutes)", maxDurationSeconds)
	case req.TopicID != "":
		return fail(codeGroupParam, "TopicId: Community topics are not emulated")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, res, ok := s.findGroup(req.GroupID)
	if !ok {
		return res
	}
	if canonical(g.typ) == Private {
		return fail(codeGroupNoPerm, "muting is not supported in %s groups", g.typ)
	}
	if code, bad := s.accountFault(command, req.Accounts); bad {
		return fail(code, "injected fault for an account")
	}
	for _, a := range req.Accounts {
		if *req.MuteTime == 0 {
			g.mutes.remove(a)
		} else {
			g.mutes.set(a, endOf(now, *req.MuteTime))
		}
	}
	return success(nil)
}

// REST: v4/group_open_http_svc/get_group_muted_account
func (s *Server) getGroupMutedAccount(_ string, body []byte, now time.Time) result {
	var req getGroupMutedAccountRequest
	if res, ok := s.decodeGroup(body, &req); !ok {
		return res
	}
	switch {
	case req.GroupID == "":
		return fail(codeGroupParam, "GroupId is required")
	case req.TopicID != "":
		return fail(codeGroupParam, "TopicId: Community topics are not emulated")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, res, ok := s.findGroup(req.GroupID)
	if !ok {
		return res
	}
	entries := g.mutes.list(now)
	list := make([]mutedAccount, len(entries))
	for i, e := range entries {
		list[i] = mutedAccount{Account: e.account, MutedUntil: e.until.Unix()}
	}
	return success(getGroupMutedAccountResponse{GroupID: g.id, MutedAccountList: list})
}

// findGroup finds the group a command is about, or the answer that it does not exist (noGroup).
// s.mu must be held.
func (s *Server) findGroup(id string) (*group, result, bool) {
	if g := s.groups[id]; g != nil {
		return g, result{}, true
	}
	return nil, s.noGroup(id), false
}

// noGroup is the answer about a group that does not exist: 10010, or with GroupNotFound10015
// 10015 for an ID that never named a group. s.mu must be held.
func (s *Server) noGroup(id string) result {
	if s.opt.GroupNotFound10015 && !s.dismissed[id] {
		return fail(codeGroupInvalidID, "group %s not found (invalid GroupId)", id)
	}
	return fail(codeGroupNotFound, "group %s does not exist or was dismissed", id)
}

// decodeGroup decodes a group command's body into req, or answers with the group commands'
// JSON or parameter error.
func (s *Server) decodeGroup(body []byte, req any) (result, bool) {
	return decode(body, req, s.jsonCode(), codeGroupParam)
}

// jsonCode is the code of a group command's body that is not JSON: 10015 as the seed page says,
// or 10011 with GroupNotFound10015.
func (s *Server) jsonCode() int {
	if s.opt.GroupNotFound10015 {
		return codeGroupParseJSON
	}
	return codeGroupJSON
}

// checkGroupAccounts checks a group command's GroupId and account list (field names the list).
func checkGroupAccounts(groupID, field string, accounts []string, limit int) (result, bool) {
	switch {
	case groupID == "":
		return fail(codeGroupParam, "GroupId is required"), false
	case len(accounts) == 0:
		return fail(codeGroupParam, "%s is empty", field), false
	case len(accounts) > limit:
		return fail(codeGroupTooMany, "%s has %d accounts, over the limit of %d", field, len(accounts), limit), false
	}
	for _, a := range accounts {
		if a == "" {
			return fail(codeGroupParam, "%s holds an empty account", field), false
		}
	}
	return result{}, true
}

// page cuts one page out of a sorted ban list; next is the following page's offset, 0 when done.
func page(list []bannedEntry, offset, limit int) ([]bannedAccount, int) {
	out := []bannedAccount{}
	if offset >= len(list) {
		return out, 0
	}
	end := min(offset+limit, len(list))
	for _, e := range list[offset:end] {
		out = append(out, bannedAccount{Account: e.account, BannedUntil: e.until.Unix()})
	}
	if end == len(list) {
		return out, 0
	}
	return out, end
}
