package tim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Limits Tencent puts on identifiers and text.
const (
	MaxGroupIDLen = 48   // bytes in a group ID
	MaxRoomIDLen  = 48   // bytes in a room ID
	MaxUserIDLen  = 32   // bytes in an account (UserID)
	MaxReasonLen  = 1000 // bytes in a ban description or reason
)

// ValidateGroupID reports whether g can be a Tencent group ID: 1 to 48 bytes
// of printable ASCII (0x21–0x7e) without ','. The error names the bad byte.
func ValidateGroupID(g GroupID) error { return validateID("group ID", string(g), MaxGroupIDLen) }

// ValidateRoomID reports whether r can be a room engine room ID: 1 to 48
// bytes of printable ASCII (0x21–0x7e) without ','.
func ValidateRoomID(r RoomID) error { return validateID("room ID", string(r), MaxRoomIDLen) }

// ValidateUserID reports whether u can be a Tencent account: 1 to 32 bytes of
// printable ASCII (0x21–0x7e) without ','.
func ValidateUserID(u UserID) error { return validateID("account", string(u), MaxUserIDLen) }

// IDByteOK reports whether b may appear in a group ID, room ID or account: printable ASCII
// 0x21–0x7e except ','. It is the one rule every identifier check uses (tim's and the bot's parser).
func IDByteOK(b byte) bool { return b >= 0x21 && b <= 0x7e && b != ',' }

func validateID(what, s string, maxLen int) error {
	if s == "" {
		return &InputError{What: what, Reason: "it is empty"}
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !IDByteOK(b) {
			return &InputError{What: what, Value: s, Reason: fmt.Sprintf(
				"byte %d is 0x%02x; only printable ASCII 0x21-0x7e except ',' is allowed", i+1, b)}
		}
	}
	if len(s) > maxLen {
		return &InputError{What: what, Value: s, Reason: fmt.Sprintf("it is %d bytes long, at most %d are allowed", len(s), maxLen)}
	}
	return nil
}

// validateAccounts checks a non-empty list of accounts and reports every bad
// one at once.
func validateAccounts(accounts []UserID) error {
	if len(accounts) == 0 {
		return &InputError{What: "account list", Reason: "it is empty"}
	}
	var errs []error
	for _, a := range accounts {
		if err := ValidateUserID(a); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func validateReason(what, s string, required bool) error {
	switch {
	case required && s == "":
		return &InputError{What: what, Reason: "Tencent requires one"}
	case len(s) > MaxReasonLen:
		return &InputError{What: what, Reason: fmt.Sprintf("it is %d bytes long, at most %d are allowed", len(s), MaxReasonLen)}
	}
	return nil
}

// Permanent is the longest ban or mute Tencent takes: 4294967295 seconds, the
// maximum of its unsigned 32-bit Duration and MuteTime, which Tencent treats
// as permanent.
const Permanent = math.MaxUint32 * time.Second

// permanentUntil is the end time Tencent reports for a permanent mute (and the
// emulator for a permanent ban): Unix second 4294967295.
const permanentUntil = math.MaxUint32

// IsPermanent reports whether a ban or mute end time read from Tencent
// (BannedMember.Until, MutedMember.Until) marks a permanent one: Unix second
// 4294967295 or later.
func IsPermanent(until time.Time) bool { return until.Unix() >= permanentUntil }

// Remaining is how long a ban or mute ending at until still runs at now, as
// a duration to ban or mute for again (Undo gives an earlier ban back for the
// time that was left): Permanent for a permanent one, 0 when it has ended.
func Remaining(until, now time.Time) time.Duration {
	switch {
	case IsPermanent(until):
		return Permanent
	case !until.After(now):
		return 0
	}
	return min(until.Sub(now), Permanent)
}

// durationSeconds turns a ban or mute length into Tencent's whole seconds
// (rounded up); what names it in the error.
func durationSeconds(what string, d time.Duration) (uint32, error) {
	if d <= 0 || d > Permanent {
		return 0, &InputError{What: what, Value: d.String(), Reason: "it must be positive and at most 4294967295 seconds (tim.Permanent)"}
	}
	return uint32((d + time.Second - 1) / time.Second), nil
}

// fold returns accounts without duplicates, in order of first appearance.
func fold(accounts []UserID) []UserID {
	seen := make(map[UserID]bool, len(accounts))
	out := make([]UserID, 0, len(accounts))
	for _, a := range accounts {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}
