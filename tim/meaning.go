package tim

// Meaning returns the plain-language meaning of a Tencent error code, or ""
// when the code is unknown. It covers the codes of the seed pages and of
// Tencent's public, account/UserSig, group and room engine tables.
func Meaning(code int) string {
	switch code {
	// Group service (10002–10059).
	case 10002:
		return "Tencent had an internal error; trying again usually works"
	case 10003:
		return "the API or command name is wrong"
	case 10004:
		return "a parameter is invalid (for example an account that does not exist, or a group type the API does not accept)"
	case 10005:
		return "too many accounts in one request (ban and unban take at most 20, role lookups 500)"
	case 10006:
		return "operations on this group are too frequent; wait a moment"
	case 10007:
		return "permission denied: the group type is not supported by this API (role lookups refuse AVChatRoom live groups; older editions ban only in AVChatRoom), " +
			"or the feature is not enabled (member banning needs the Premium/Ultimate edition and the console switch " +
			"Group configuration > Group feature configuration), or the identifier is not an App admin"
	case 10008:
		return "the request signature is invalid"
	case 10010:
		return "the group does not exist or was disbanded"
	case 10011:
		return "Tencent could not parse the request JSON"
	case 10012:
		return "the operator UserID is invalid"
	case 10015:
		return "the group ID is invalid"
	case 10016:
		return "the app's callback rejected the operation"
	case 10017:
		return "the sender is muted, so the message was not sent"
	case 10018:
		return "the response would be larger than 1 MB; ask for fewer items"
	case 10019:
		return "the user account does not exist"
	case 10021:
		return "the group ID is already in use"
	case 10026:
		return "this command is disabled for the app"
	case 10059:
		return "the feature needs the Ultimate (Premium) edition"

	// Public REST codes (60002–60021).
	case 60002:
		return "Tencent could not parse the HTTP request; check the URL"
	case 60003:
		return "Tencent could not parse the request JSON"
	case 60004, 60005:
		return "the identifier or UserSig in the request is wrong"
	case 60006:
		return "the SDKAppID is invalid"
	case 60007:
		return "the REST call frequency limit was exceeded; wait and try again"
	case 60008:
		return "Tencent's service timed out; trying again usually works"
	case 60009:
		return "the requested resource does not exist; check the service and command in the URL"
	case 60010:
		return "the request needs App admin rights, and the identifier is not an App admin"
	case 60011:
		return "the app's request frequency limit was exceeded; wait and try again"
	case 60012:
		return "the sdkappid parameter is missing from the URL"
	case 60013:
		return "Tencent could not parse a JSON response internally"
	case 60014:
		return "an account exchange timed out at Tencent"
	case 60015:
		return "an account in the request is of the wrong type (accounts must be strings)"
	case 60016:
		return "the SDKAppID is disabled"
	case 60017:
		return "the request is disabled"
	case 60018, 60019:
		return "too many requests; wait and try again"
	case 60020:
		return "the app's Pro or Ultimate package has expired and is disabled"
	case 60021:
		return "the server's IP address is not on the app's REST allow-list"

	// Accounts and UserSig (70001–70500).
	case 70001:
		return "the UserSig has expired; a new one is needed"
	case 70002:
		return "the UserSig is empty"
	case 70003:
		return "the UserSig could not be parsed (it may be truncated)"
	case 70005:
		return "the UserSig failed verification"
	case 70009:
		return "the UserSig was signed with the wrong secret key (check MODBOT_TIM_SECRET_KEY against the SDKAppID)"
	case 70013:
		return "the identifier does not match the UserID inside the UserSig"
	case 70014:
		return "the sdkappid does not match the one inside the UserSig"
	case 70016:
		return "Tencent has no key for this SDKAppID; check the SDKAppID against the region"
	case 70020:
		return "the SDKAppID was not found; check it against the region"
	case 70050:
		return "too many failed UserSig checks: Tencent refuses requests for about a minute, so this is treated as a failure for now; try again later"
	case 70051:
		return "the account is blacklisted"
	case 70052:
		return "the UserSig was invalidated; a new one is needed"
	case 70107:
		return "the user account was never imported into the app"
	case 70114:
		return "the request is restricted for security reasons"
	case 70169:
		return "Tencent timed out internally; trying again usually works"
	case 70206:
		return "the number of items in the batch is invalid"
	case 70398:
		return "the free edition's account limit has been reached"
	case 70402:
		return "a parameter is invalid"
	case 70403:
		return "the request needs App admin rights"
	case 70500:
		return "Tencent had an internal error; trying again usually works"

	// Room engine (100001–100006).
	case 100001:
		return "the room service had an internal error; trying again usually works"
	case 100002:
		return "a parameter is invalid"
	case 100004:
		return "the room does not exist, or it was destroyed"
	case 100005:
		return "the account is not a member of the room"
	case 100006:
		return "insufficient permission for this room operation"
	}
	return ""
}
