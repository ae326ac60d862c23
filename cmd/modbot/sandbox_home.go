package main

import (
	"context"
	"errors"
	"time"

	"modbot/bot/slacktest"
)

// digestForm is the panel's button that posts the daily digest at once.
func digestForm() slacktest.PanelForm {
	return slacktest.PanelForm{
		Title: "Daily digest", Action: "/sandbox/digest", Submit: "Post today's digest now",
	}
}

// postDigest posts the digest of the last 24 hours to the audit channel now, formatted as the
// scheduled one (MODBOT_DIGEST_AT) is, without marking the day posted.
func (sb *sandbox) postDigest(ctx context.Context, _ map[string]string) (string, error) {
	sb.mu.Lock()
	gen := sb.gen
	sb.mu.Unlock()
	if gen == nil || gen.sys == nil {
		return "", errors.New("the sandbox's bot is not running")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := gen.sys.Bot.PostDigestNow(ctx); err != nil {
		return "", err
	}
	return "Digest posted in #mod-audit.", nil
}
