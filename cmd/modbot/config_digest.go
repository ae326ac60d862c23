package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // MODBOT_DIGEST_TZ works in an image without /usr/share/zoneinfo

	"modbot/bot"
)

// digestAtRE is a time of day, HH:MM on a 24-hour clock (a single-digit hour is accepted).
var digestAtRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// digest parses MODBOT_DIGEST_AT and MODBOT_DIGEST_TZ: off (a zero schedule) when at is empty.
func (p *parser) digest(at, tz, auditChannel string) bot.DigestSchedule {
	at, tz = strings.TrimSpace(at), strings.TrimSpace(tz)
	if tz == "" {
		tz = "UTC"
	}
	zone, err := time.LoadLocation(tz)
	if err != nil || strings.EqualFold(tz, "local") {
		p.add("MODBOT_DIGEST_TZ", fmt.Sprintf("must be an IANA time zone such as UTC, Europe/Berlin or Asia/Shanghai, not %q", tz))
		zone = nil
	}
	if at == "" {
		return bot.DigestSchedule{}
	}
	m := digestAtRE.FindStringSubmatch(at)
	if m == nil {
		p.add("MODBOT_DIGEST_AT", fmt.Sprintf("must be a time of day HH:MM on a 24-hour clock, such as 09:00 or 18:30 (empty turns the digest off), not %q", at))
		return bot.DigestSchedule{}
	}
	if auditChannel == "" {
		p.add("MODBOT_DIGEST_AT", "needs MODBOT_AUDIT_CHANNEL: the digest is posted in the audit channel (set it, or leave MODBOT_DIGEST_AT empty)")
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if zone == nil {
		return bot.DigestSchedule{}
	}
	return bot.DigestSchedule{Hour: h, Minute: mi, Zone: zone}
}
