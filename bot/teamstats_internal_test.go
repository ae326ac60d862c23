package bot

import (
	"testing"

	"modbot/store"
)

// A request's reason code is the one the parser recognised; only entries from before requests
// carried their kind fall back to the first word of the reason.
func TestEntryReasonCode(t *testing.T) {
	for _, tc := range []struct {
		e    store.AuditEntry
		want string
	}{
		{store.AuditEntry{Action: "request", Kind: store.BanAction, ReasonCode: "spam", Detail: "posted links"}, "spam"},
		{store.AuditEntry{Action: "request", Kind: store.BanAction, Detail: "links"}, ""}, // a one-word reason is no code
		{store.AuditEntry{Action: "request", Kind: store.UnbanAction, Detail: "spam: links"}, ""},
		{store.AuditEntry{Action: "request", Detail: "spam: links"}, "spam"}, // an old entry
		{store.AuditEntry{Action: "approve", Kind: store.BanAction, ReasonCode: "spam"}, ""},
	} {
		if got := entryReasonCode(tc.e); got != tc.want {
			t.Errorf("entryReasonCode(%+v) = %q, want %q", tc.e, got, tc.want)
		}
	}
}
