package timtest

// Wire structs, written from the Tencent pages independently of package tim, so that a field-name
// mistake in either shows up in the tests that decode the seed samples with both.

// envelope is the part every answer has; RequestId only on Room Engine answers.
type envelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
	RequestID    string `json:"RequestId,omitempty"`
}

// REST: v4/group_open_http_svc/unban_group_member
type unbanGroupMemberRequest struct {
	GroupID  string   `json:"GroupId"`
	Accounts []string `json:"Members_Account"`
}

// REST: v4/group_open_http_svc/ban_group_member
type banGroupMemberRequest struct {
	GroupID     string   `json:"GroupId"`
	Accounts    []string `json:"Members_Account"`
	Duration    *int64   `json:"Duration"`
	Description string   `json:"Description,omitempty"`
}

// REST: v4/group_open_http_svc/get_group_ban_member
type getGroupBanMemberRequest struct {
	GroupID string `json:"GroupId"`
	Limit   *int   `json:"Limit"`
	Offset  int    `json:"Offset"`
}

type getGroupBanMemberResponse struct {
	BannedAccountList []bannedAccount `json:"BannedAccountList"`
	NextOffset        int             `json:"NextOffset"`
}

type bannedAccount struct {
	Account     string `json:"Member_Account"`
	BannedUntil int64  `json:"BannedUntil"`
}

// REST: v4/group_open_http_svc/get_role_in_group
type getRoleInGroupRequest struct {
	GroupID  string   `json:"GroupId"`
	Accounts []string `json:"User_Account"`
}

type getRoleInGroupResponse struct {
	UserIDList []memberRole `json:"UserIdList"`
}

type memberRole struct {
	Account string `json:"Member_Account"`
	Role    string `json:"Role"`
}

// REST: v4/group_open_http_svc/get_group_info
type getGroupInfoRequest struct {
	GroupIDList    []string       `json:"GroupIdList"`
	ResponseFilter map[string]any `json:"ResponseFilter,omitempty"`
}

type getGroupInfoResponse struct {
	GroupInfo []groupInfo `json:"GroupInfo"`
}

// groupInfo is one group's answer: ErrorCode 0 with the details, or the group's error alone.
type groupInfo struct {
	GroupID      string `json:"GroupId"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
	Type         string `json:"Type,omitempty"`
	Name         string `json:"Name,omitempty"`
	OwnerAccount string `json:"Owner_Account,omitempty"`
	MemberNum    *int   `json:"MemberNum,omitempty"`
}

// REST: v4/group_open_http_svc/forbid_send_msg
type forbidSendMsgRequest struct {
	GroupID  string   `json:"GroupId"`
	Accounts []string `json:"Members_Account"`
	MuteTime *int64   `json:"MuteTime"`
	TopicID  string   `json:"TopicId,omitempty"`
}

// REST: v4/group_open_http_svc/get_group_muted_account
type getGroupMutedAccountRequest struct {
	GroupID string `json:"GroupId"`
	TopicID string `json:"TopicId,omitempty"`
}

type getGroupMutedAccountResponse struct {
	GroupID          string         `json:"GroupId"`
	MutedAccountList []mutedAccount `json:"MutedAccountList"`
}

type mutedAccount struct {
	Account    string `json:"Member_Account"`
	MutedUntil int64  `json:"MutedUntil"`
}

// REST: v4/room_engine_http_srv/ban_room_member
type banRoomMemberRequest struct {
	RoomID   string   `json:"RoomId"`
	Accounts []string `json:"MemberList_Account"`
	Reason   string   `json:"Reason"`
	Duration *int64   `json:"Duration"`
}

// REST: v4/room_engine_http_srv/unban_room_member
type unbanRoomMemberRequest struct {
	RoomID   string   `json:"RoomId"`
	Accounts []string `json:"MemberList_Account"`
}

// REST: v4/room_engine_http_srv/get_banned_member_list
type getBannedMemberListRequest struct {
	RoomID string  `json:"RoomId"`
	Limit  *int    `json:"Limit"`
	Offset *int    `json:"Offset"`
	Next   *string `json:"Next,omitempty"`
}

type getBannedMemberListResponse struct {
	Response bannedPage `json:"Response"`
}

type bannedPage struct {
	BannedAccountList []bannedAccount `json:"BannedAccountList"`
	NextOffset        int             `json:"NextOffset"`
}
