package main

import (
	"net/http"
	"strings"
	"testing"

	"modbot/bot/slacktest"
)

// TestSandbox_HomeAndDigest: the sandbox's bot publishes a Home tab for the chosen person, and
// the panel's button posts the digest in the audit channel at once.
func TestSandbox_HomeAndDigest(t *testing.T) {
	sb := newSandbox(t)
	if _, err := sb.slack.AppHomeOpened(sandboxApprover); err != nil {
		t.Fatal(err)
	}
	sandboxWaitFor(t, sb, "the approver's Home tab", func(s *slacktest.Server) bool {
		h, ok := s.Home(sandboxApprover)
		return ok && strings.Contains(slacktest.Message{Blocks: h.Blocks}.VisibleText(), "*approver* everywhere")
	})
	if status, text := sandboxPost(t, sb, "/sandbox/digest", nil); status != http.StatusOK || !strings.Contains(text, "Digest posted") {
		t.Fatalf("post digest: HTTP %d %q", status, text)
	}
	sandboxWaitFor(t, sb, "the digest", func(s *slacktest.Server) bool {
		for _, m := range s.Messages(sandboxAudit) {
			if strings.Contains(m.VisibleText(), "modbot daily digest") {
				return true
			}
		}
		return false
	})
}
