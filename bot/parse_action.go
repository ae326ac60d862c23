package bot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"modbot/store"
	"modbot/tim"
)

// MinActionDuration is the shortest ban or mute a command may ask for (`for 1m`).
const MinActionDuration = time.Minute

// durationUnits are the units of `for <n><unit>`, in seconds.
var durationUnits = map[byte]uint64{'m': 60, 'h': 3600, 'd': 86400, 'w': 7 * 86400}

// durationExamples is what a valid duration looks like, for messages.
const durationExamples = "for 30m, for 12h, for 7d, for 2w or for permanent"

// parseAction returns the parser of one action's command.
func parseAction(a store.ActionKind) func(in cmdText, cfg ParseConfig) (Command, error) {
	return func(in cmdText, cfg ParseConfig) (Command, error) { return parseActionCmd(a, in, cfg) }
}

// parseActionCmd reads /ban, /mute, /unmute or /unban:
// `[room] <id> <account>... [for <duration>] [-- [<code>[:]] <reason>]`.
func parseActionCmd(a store.ActionKind, in cmdText, cfg ParseConfig) (*ActionCmd, error) {
	name := "/" + string(a)
	args, reason, hasReason := in.splitReason()
	if len(args) == 0 {
		return nil, fmt.Errorf("say which group and which accounts to %s", a)
	}
	if a.Mutes() && args[0].is("room") {
		return nil, fmt.Errorf("%s works on groups only: Tencent mutes group members, and rooms have no mutes (to keep someone out of a room, /ban room <room-id> <account>)", name)
	}
	target, args, err := parseTarget(args, true)
	if err != nil {
		return nil, err
	}
	c := &ActionCmd{Action: a, Target: target}
	var accounts []cmdToken
	var durationAt cmdToken
	for i := 0; i < len(args); i++ {
		k := args[i]
		if d, ok := gluedReasonMarker(k); ok {
			return nil, fmt.Errorf("%s looks like the start of the reason: put a space after %q", k.quoted(), d)
		}
		if !k.is("for") {
			accounts = append(accounts, k)
			continue
		}
		if a.Lifts() {
			// An account may be named "for" here; only a duration after it is refused.
			if i+1 < len(args) {
				if _, derr := parseDuration(args[i+1]); derr == nil {
					return nil, fmt.Errorf("%s takes no duration (%s %s): %s for good, at once", name, k.s, args[i+1].s, liftWhat(a))
				}
			}
			accounts = append(accounts, k)
			continue
		}
		if i+1 == len(args) {
			return nil, fmt.Errorf("%s needs a duration after it: %s (an account named \"for\" cannot be named in %s)", k.quoted(), durationExamples, name)
		}
		if c.Duration != 0 {
			return nil, fmt.Errorf("two durations given (for %s and for %s): give one", durationAt.s, quoteInput(args[i+1].s))
		}
		i++
		d, err := parseDuration(args[i])
		if err != nil {
			return nil, err
		}
		c.Duration, durationAt = d, args[i]
	}
	if c.Accounts, err = parseAccounts(accounts, cfg, "after the "+target.Kind.String()+" ID"); err != nil {
		return nil, err
	}
	if c.Reason, c.ReasonCode, err = parseReason(a, reason, hasReason, cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// liftWhat is what an unban or unmute takes away.
func liftWhat(a store.ActionKind) string {
	if a == store.UnmuteAction {
		return "an unmute lifts the mute"
	}
	return "an unban lifts the ban"
}

// parseDuration reads the word after `for`: <n><unit> (unit m, h, d or w) or "permanent".
// It returns tim.Permanent for "permanent" and for exactly Tencent's largest number of seconds.
func parseDuration(k cmdToken) (time.Duration, error) {
	s := strings.ToLower(k.s)
	if k.plain() && s == "permanent" {
		return tim.Permanent, nil
	}
	bad := fmt.Errorf("%s is not a duration: use a whole number and a unit, m (minutes), h (hours), d (days) or w (weeks), e.g. %s", k.quoted(), durationExamples)
	if !k.plain() || len(s) < 2 || allDigits(s) {
		return 0, bad
	}
	digits, unit := s[:len(s)-1], s[len(s)-1]
	secs, ok := durationUnits[unit]
	if !allDigits(digits) {
		return 0, bad
	}
	if !ok {
		return 0, fmt.Errorf("%s has an unknown unit %q: use m (minutes), h (hours), d (days) or w (weeks), e.g. %s", k.quoted(), string(s[len(s)-1]), durationExamples)
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > math.MaxUint32/secs {
		return 0, fmt.Errorf("for %s is longer than Tencent allows (%s seconds, about 136 years): use for permanent", k.s, withCommas(math.MaxUint32))
	}
	total := n * secs
	if total < uint64(MinActionDuration/time.Second) {
		return 0, fmt.Errorf("for %s is under a minute: the shortest is for 1m", k.s)
	}
	if total == math.MaxUint32 {
		return tim.Permanent, nil
	}
	return time.Duration(total) * time.Second, nil
}

// CheckActionDuration reports whether d is a ban or mute duration Tencent takes: at least
// MinActionDuration and at most tim.Permanent (its largest number of seconds, "for good").
// Configuration checks its defaults with it.
func CheckActionDuration(d time.Duration) error {
	switch {
	case d < MinActionDuration:
		return fmt.Errorf("%s is under a minute: the shortest is 1m", d)
	case d > tim.Permanent:
		return fmt.Errorf("%s is longer than Tencent allows (%s seconds, about 136 years): use permanent", d, withCommas(math.MaxUint32))
	}
	return nil
}

// parseReason cleans the text after "--", splits off a known reason code ("spam: …" or just
// "spam") and applies the reason rules of the action: /unmute never needs a reason.
func parseReason(a store.ActionKind, raw string, given bool, cfg ParseConfig) (reason, code string, err error) {
	reason = cleanReason(raw)
	if len(reason) > MaxReasonBytes {
		return "", "", fmt.Errorf("the reason is %s bytes; it can be at most %s bytes", withCommas(len(reason)), withCommas(MaxReasonBytes))
	}
	reason, code = splitReasonCode(reason, cfg.Reasons)
	if a == store.UnmuteAction {
		return reason, code, nil
	}
	if cfg.RequireReasonCode && code == "" {
		what := "the reason does not start with a reason code"
		if reason == "" {
			what = "a reason code is required"
		}
		return "", "", fmt.Errorf("%s: start the reason with one of %s, e.g. \"-- %s: what happened\"", what, reasonCodeList(cfg.Reasons), firstCode(cfg.Reasons))
	}
	switch {
	case reason == "" && code == "" && cfg.RequireReason && given:
		return "", "", fmt.Errorf("the reason after \"--\" is empty: say why these accounts should be %s", pastTense(a))
	case reason == "" && code == "" && cfg.RequireReason:
		return "", "", fmt.Errorf("a reason is required: end the command with \" -- \" and why, e.g. %q", reasonExample(a, cfg))
	}
	return reason, code, nil
}

// splitReasonCode takes a known code (any case) off the front of a reason: "spam: links" or "spam".
func splitReasonCode(reason string, codes []ReasonCode) (rest, code string) {
	if len(codes) == 0 || reason == "" {
		return reason, ""
	}
	word, after := reason, ""
	if i := strings.IndexFunc(reason, func(r rune) bool { return r == ':' || isSeparator(r) }); i >= 0 {
		word, after = reason[:i], reason[i:]
	}
	for _, c := range codes {
		if strings.EqualFold(word, c.Code) {
			after = strings.TrimPrefix(strings.TrimLeftFunc(after, isSeparator), ":")
			return strings.TrimFunc(after, isSeparator), c.Code
		}
	}
	return reason, ""
}

// reasonCodeList lists the codes for a message: "spam, abuse or other".
func reasonCodeList(codes []ReasonCode) string {
	if len(codes) == 0 {
		return "the reason codes (none are configured: ask an admin to set MODBOT_REASONS)"
	}
	var names []string
	for _, c := range codes {
		names = append(names, c.Code)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func firstCode(codes []ReasonCode) string {
	if len(codes) == 0 {
		return "spam"
	}
	return codes[0].Code
}

// pastTense is what the action does to an account, for messages: "banned", "unmuted".
func pastTense(a store.ActionKind) string {
	if a == store.BanAction || a == store.UnbanAction {
		return string(a) + "ned"
	}
	return string(a) + "d"
}

// codePrefix starts an example reason with the first reason code, if any are configured.
func codePrefix(cfg ParseConfig) string {
	if len(cfg.Reasons) > 0 {
		return cfg.Reasons[0].Code + ": "
	}
	return ""
}

// reasonExample is a reason an action's usage shows.
func reasonExample(a store.ActionKind, cfg ParseConfig) string {
	prefix := codePrefix(cfg)
	switch a {
	case store.BanAction:
		return "-- " + prefix + "posted scam links"
	case store.MuteAction:
		return "-- " + prefix + "flooding the chat"
	case store.UnmuteAction:
		return "-- cooled down"
	}
	return "-- appeal accepted"
}

// MaxReasonCodeBytes is the longest reason code.
const MaxReasonCodeBytes = 32

// ValidReasonCode reports whether code is a well-formed reason code: 1 to MaxReasonCodeBytes of
// lowercase ASCII letters, digits, '-' and '_'.
func ValidReasonCode(code string) bool {
	if code == "" || len(code) > MaxReasonCodeBytes {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// ParseReasons reads MODBOT_REASONS: "code=label" pairs separated by ";" (spaces around each
// part are dropped, an empty pair is skipped), each code valid by ValidReasonCode and given once,
// each label non-empty, at most 200 bytes, without newlines.
func ParseReasons(s string) ([]ReasonCode, error) {
	var out []ReasonCode
	seen := map[string]bool{}
	for _, pair := range strings.Split(s, ";") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		code, label, ok := strings.Cut(pair, "=")
		code, label = strings.TrimSpace(code), strings.TrimSpace(label)
		switch {
		case !ok:
			return nil, fmt.Errorf("%s has no \"=\": write code=label pairs separated by \";\", e.g. spam=Spam or scam links;abuse=Harassment", quoteInput(pair))
		case !ValidReasonCode(code):
			return nil, fmt.Errorf("reason code %s is not 1 to %d lowercase letters, digits, - or _ (e.g. spam, off-topic)", quoteInput(code), MaxReasonCodeBytes)
		case seen[code]:
			return nil, fmt.Errorf("reason code %s is given twice: each code once", quoteInput(code))
		case label == "" || len(label) > 200 || strings.ContainsAny(label, "\r\n") || !utf8.ValidString(label):
			return nil, fmt.Errorf("the label of reason code %s must be 1 to 200 bytes of text on one line, e.g. %s=Spam or scam links", quoteInput(code), code)
		}
		seen[code] = true
		out = append(out, ReasonCode{Code: code, Label: label})
	}
	return out, nil
}
