package tim

import (
	"context"
	"errors"
	"fmt"
)

// probeGroup is a group ID that cannot exist: "@TGS#" starts only Tencent's automatic IDs, which
// never contain a '-', and custom IDs may not start with it.
const probeGroup GroupID = "@TGS#modbot-probe"

// Probe makes one signed, harmless call to prove that the SDKAppID, the secret key, the App
// admin and the region (or BaseURL) are right: it asks for the information of a group that
// cannot exist. Tencent checks the SDKAppID, the UserSig (signed with the secret key for the
// admin) and the admin's rights before it looks at the group, so an answer about the group
// (10010 "does not exist", 10015 "invalid group ID", or the group itself) proves all of them;
// a code from those checks (60006, 60010, 70001–70020, 70403, …) or no answer at all proves
// something is wrong, and the error says what to check. It changes nothing at Tencent.
//
// REST: v4/group_open_http_svc/get_group_info
func (c *Client) Probe(ctx context.Context) error {
	_, err := c.GroupInfo(ctx, probeGroup)
	switch Code(err) {
	case 10010, 10015:
		return nil
	}
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w; %s", err, probeHint(err))
}

// probeHint says what to check after a failed Probe.
func probeHint(err error) string {
	var tr *transportError
	if errors.As(err, &tr) {
		if tr.status != 0 {
			return "the host answered but is not Tencent's REST API: check the region or base URL"
		}
		return "Tencent could not be reached: check the region or base URL, DNS and outbound HTTPS"
	}
	switch Code(err) {
	case 70001:
		return "a fresh UserSig was refused as expired: check this machine's clock"
	case 70002, 70003, 70005, 70009:
		return "the secret key does not belong to this SDKAppID: copy it again from the Chat console (Basic configuration)"
	case 70013:
		return "the admin identifier does not match its UserSig: check the admin identifier"
	case 70014:
		return "the SDKAppID does not match its UserSig: check the SDKAppID"
	case 60006, 60012, 60016, 60020, 70016, 70020:
		return "the SDKAppID is unknown or disabled in this region: check the SDKAppID and the region"
	case 60004, 60005, 60010, 70403, 10007:
		return "the admin identifier is not an App admin: use one listed in the Chat console (Account management > App admins)"
	case 60021:
		return "this machine's IP address is not on the app's REST allow-list"
	case 70050:
		return "Tencent locked the app for a minute after failed UserSig checks: fix the key, wait, and run check again"
	case 60007, 60011, 60018, 60019, 10006:
		return "Tencent throttled the call: run check again in a moment"
	}
	return "see the Tencent error code in the README's troubleshooting table"
}
