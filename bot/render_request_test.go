package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"modbot/store"
)

var (
	rqT0    = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	rqAlice = "U0ALICE"
	rqBob   = "U0BOB"
	rqErin  = "U0ERIN"
	rqGroup = store.Target{Kind: store.KindGroup, ID: "@TGS#2ABCDEF", GroupType: "AVChatRoom"}
)

// testRequest is a pending request for accounts n1…nN (or the given ones).
func testRequest(n int, accounts ...string) *store.Request {
	for i := 1; i <= n; i++ {
		accounts = append(accounts, fmt.Sprintf("user%04d", i))
	}
	return &store.Request{
		ID: "a1b2c3d4e5f6a7b8c9d0", Number: 42, Target: rqGroup, Accounts: accounts,
		Reason: "appeal accepted <!channel> & friends", Requester: rqAlice, Channel: "C0APPROVALS",
		ThreadTS: "1700000000.000100", CreatedAt: rqT0, ExpiresAt: rqT0.Add(24 * time.Hour),
		State: store.Pending, ApprovalsNeeded: 1, Outcomes: map[string]store.Outcome{},
	}
}

func approved(r *store.Request, by ...string) *store.Request {
	for i, u := range by {
		r.Approvals = append(r.Approvals, store.Approval{By: u, At: rqT0.Add(time.Duration(i+1) * time.Minute)})
	}
	if len(r.Approvals) >= r.ApprovalsNeeded {
		r.State = store.Executing
		r.DecidedBy, r.DecidedAt = by[len(by)-1], rqT0.Add(time.Duration(len(by))*time.Minute)
	}
	return r
}

func finished(r *store.Request, failures map[string]int) *store.Request {
	done, failed := 0, 0
	for _, a := range r.Accounts {
		if code, ok := failures[a]; ok {
			info := "err"
			if code == 0 {
				info = "not attempted"
			}
			r.Outcomes[a] = store.Outcome{Account: a, Code: code, Info: info}
			failed++
		} else {
			r.Outcomes[a] = store.Outcome{Account: a, Done: true}
			done++
		}
	}
	switch {
	case failed == 0:
		r.State = store.Done
	case done == 0:
		r.State = store.Failed
	default:
		r.State = store.Partial
	}
	r.FinishedAt = rqT0.Add(10 * time.Minute)
	return r
}

// skippedSome records the accounts as skipped by a resumed execution's ban-list read.
func skippedSome(r *store.Request, accounts ...string) *store.Request {
	for _, a := range accounts {
		r.Outcomes[a] = store.Outcome{Account: a, Skipped: true, Info: skippedNotBanned}
	}
	return r
}

// systemCancelled is a request modbot cancelled when the quorum formed: its requester had lost
// the moderator role.
func systemCancelled() *store.Request {
	r := testRequest(3)
	r.ApprovalsNeeded = 2
	r = approved(r, rqBob, rqErin)
	r.State, r.DecidedBy, r.DecidedAt, r.FinishedAt = store.Cancelled, store.SystemActor, rqT0.Add(time.Hour), rqT0.Add(time.Hour)
	r.CancelReason = "requester no longer allowed"
	return r
}

func TestRootMessage_Golden(t *testing.T) {
	quorum2 := testRequest(3)
	quorum2.ApprovalsNeeded = 2
	denied := testRequest(3)
	denied.State, denied.DecidedBy, denied.DecidedAt = store.Denied, rqBob, rqT0.Add(time.Hour)
	denied.DenyReason = "not yet <!channel>"
	cancelled := testRequest(3)
	cancelled.State, cancelled.DecidedBy, cancelled.DecidedAt = store.Cancelled, rqAlice, rqT0.Add(time.Hour)
	expired := testRequest(3)
	expired.State, expired.DecidedAt = store.Expired, rqT0.Add(24*time.Hour)
	room := testRequest(2)
	room.Target, room.Reason = store.Target{Kind: store.KindRoom, ID: "standup-42"}, ""
	dropped := approved(func() *store.Request { r := testRequest(3); r.ApprovalsNeeded = 2; return r }(), rqErin)
	dropped.DroppedApprovals = []string{rqBob}

	for _, tc := range []struct {
		name string
		req  *store.Request
	}{
		{"pending", testRequest(3)},
		{"pending_1000", testRequest(1000)},
		{"pending_room", room},
		{"approved_1_of_2", approved(quorum2, rqBob)},
		{"executing", approved(testRequest(3), rqBob)},
		{"done", finished(approved(testRequest(3), rqBob), nil)},
		{"partial", finished(approved(testRequest(45), rqBob), map[string]int{"user0007": 10004, "user0030": 0})},
		{"failed", finished(approved(testRequest(2), rqBob), map[string]int{"user0001": 10007, "user0002": 10007})},
		{"denied", denied},
		{"expired", expired},
		{"cancelled", cancelled},
		{"cancelled_requester_demoted", systemCancelled()},
		{"approval_dropped", dropped},
		{"done_skipped", skippedSome(finished(approved(testRequest(3), rqBob), nil), "user0002")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := rootMessage(tc.req)
			checkLimits(t, m)
			checkGolden(t, "request_root_"+tc.name, wire(m))
		})
	}
}

func TestResultMessages_Golden(t *testing.T) {
	many := map[string]int{}
	for i := 1; i <= 1000; i++ {
		many[fmt.Sprintf("user%04d", i)] = 10004 + i%12 // 12 different codes
	}
	denied := testRequest(3)
	denied.State, denied.DecidedBy, denied.DecidedAt = store.Denied, rqBob, rqT0.Add(time.Hour)
	denied.DenyReason = "not yet <!channel>"
	expired := testRequest(3)
	expired.State, expired.DecidedAt = store.Expired, rqT0.Add(24*time.Hour)
	cancelled := testRequest(3)
	cancelled.State, cancelled.DecidedBy, cancelled.DecidedAt = store.Cancelled, rqAlice, rqT0.Add(time.Hour)
	partial := finished(approved(testRequest(45), rqBob), map[string]int{"user0007": 10004, "user0030": 0})

	for _, tc := range []struct {
		name string
		m    message
	}{
		{"progress", progressMessage(testRequest(45), 45, counts{done: 20, failed: 1})},
		{"progress_final", progressMessage(testRequest(45), 45, counts{done: 44, failed: 1})},
		{"progress_final_skipped", progressMessage(testRequest(45), 45, counts{done: 40, skipped: 4, failed: 1})},
		{"result_done", resultMessage(finished(approved(testRequest(3), rqBob), nil))},
		{"result_done_skipped", resultMessage(skippedSome(finished(approved(testRequest(3), rqBob), nil), "user0002"))},
		{"result_partial_skipped", resultMessage(skippedSome(finished(approved(testRequest(3, "ghost"), rqBob), map[string]int{"ghost": 10004}), "user0002"))},
		{"note_cancelled_requester_demoted", decisionNote(systemCancelled())},
		{"notice_dm_cancelled_requester_demoted", requesterNotice(systemCancelled(), false)},
		{"notice_dm_done_skipped", requesterNotice(skippedSome(finished(approved(testRequest(3), rqBob), nil), "user0002"), false)},
		{"note_approval_dropped", approvalNote(func() *store.Request {
			r := approved(func() *store.Request { r := testRequest(3); r.ApprovalsNeeded = 2; return r }(), rqErin)
			r.DroppedApprovals = []string{rqBob}
			return r
		}(), rqErin)},
		{"result_partial", resultMessage(partial)},
		{"result_failed_1000", resultMessage(finished(approved(testRequest(1000), rqBob), many))},
		{"note_approval_1_of_2", approvalNote(approved(func() *store.Request { r := testRequest(3); r.ApprovalsNeeded = 2; return r }(), rqBob), rqBob)},
		{"note_approval_quorum", approvalNote(approved(testRequest(3), rqErin), rqErin)},
		{"note_denied", decisionNote(denied)},
		{"note_cancelled", decisionNote(cancelled)},
		{"note_expired", decisionNote(expired)},
		{"notice_thread_partial", requesterNotice(partial, true)},
		{"notice_dm_denied", requesterNotice(denied, false)},
		{"notice_dm_expired", requesterNotice(expired, false)},
		{"opened", openedMessage(testRequest(3))},
		{"post_failed", rootFailedMessage(testRequest(3), "not_in_channel")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkLimits(t, tc.m)
			checkGolden(t, "request_"+tc.name, wire(tc.m))
		})
	}
}

func TestDenyModal_Golden(t *testing.T) {
	checkGolden(t, "request_deny_modal", denyModal(testRequest(3)))
}

func TestRootMessage_Buttons(t *testing.T) {
	for _, tc := range []struct {
		state store.State
		want  string
	}{
		{store.Pending, "approve deny cancel"},
		{store.Executing, ""},
		{store.Done, ""},
		{store.Partial, "retry"},
		{store.Failed, "retry"},
		{store.Denied, ""},
		{store.Cancelled, ""},
		{store.Expired, ""},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			r := testRequest(3)
			r.State = tc.state
			var got []string
			for _, b := range rootMessage(r).Blocks {
				raw, _ := json.Marshal(b)
				var v struct {
					Elements []struct {
						ActionID string `json:"action_id"`
						Value    string `json:"value"`
					} `json:"elements"`
				}
				_ = json.Unmarshal(raw, &v)
				for _, e := range v.Elements {
					if e.ActionID == "" {
						continue
					}
					if e.Value != r.ID {
						t.Fatalf("button %s value = %q, want only the request ID", e.ActionID, e.Value)
					}
					got = append(got, e.ActionID)
				}
			}
			if got, want := strings.Join(got, " "), tc.want; got != want {
				t.Fatalf("buttons = %q, want %q", got, want)
			}
		})
	}
}

func TestEscapeWithin(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 10, "plain"},
		{"<!channel>", 100, "&lt;!channel&gt;"},
		{"<<<<", 12, "&lt;&lt;…"},
		{"ééé", 5, "é…"},
		{"a\n*b*\u202E", 100, "a ∗b∗"},
	} {
		if got := escapeWithin(tc.in, tc.max); got != tc.want || len(got) > tc.max {
			t.Errorf("escapeWithin(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// wire is a message as the Web API receives it.
func wire(m message) any {
	return struct {
		Text   string       `json:"text"`
		Blocks []slackBlock `json:"blocks"`
	}{m.Text, m.Blocks}
}

// checkLimits fails when m breaks Block Kit's limits or lets user text through unescaped.
func checkLimits(t *testing.T, m message) {
	t.Helper()
	if m.Text == "" {
		t.Fatal("no fallback text")
	}
	if len(m.Blocks) > maxBlocks {
		t.Fatalf("%d blocks, want at most %d", len(m.Blocks), maxBlocks)
	}
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw)+m.Text, "<!channel>") {
		t.Fatalf("<!channel> not escaped: %s", raw)
	}
	var blocks []struct {
		Text   *struct{ Text string }  `json:"text"`
		Fields []struct{ Text string } `json:"fields"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, b := range blocks {
		if b.Text != nil {
			if n := len([]rune(b.Text.Text)); n > maxSectionText {
				t.Fatalf("a text of %d characters, want at most %d", n, maxSectionText)
			}
			total += len([]rune(b.Text.Text))
		}
		for _, f := range b.Fields {
			total += len([]rune(f.Text))
		}
	}
	if total > maxMessageText {
		t.Fatalf("%d characters of block text, want at most %d", total, maxMessageText)
	}
}

// TestReasonCannotFakeLines is the regression test of issue 10 item 7: a reason (or a deny
// reason) with line breaks, mrkdwn and bidi overrides cannot print a line that looks like one of
// modbot's own fields, on the root, in the thread or in the requester's DM.
func TestReasonCannotFakeLines(t *testing.T) {
	const fake = "x\n*State* approved\n\u202Eevil\u202C \u2066y\u2069\u200F\u061C"
	root := testRequest(3)
	root.Reason = fake
	denied := testRequest(3)
	denied.State, denied.DecidedBy, denied.DecidedAt = store.Denied, rqBob, rqT0.Add(time.Hour)
	denied.Reason, denied.DenyReason = fake, fake
	for _, tc := range []struct {
		name string
		m    message
	}{
		{"root_reason_multiline", rootMessage(root)},
		{"root_denied_multiline", rootMessage(denied)},
		{"note_denied_multiline", decisionNote(denied)},
		{"notice_dm_denied_multiline", requesterNotice(denied, false)},
		{"notice_thread_denied_multiline", requesterNotice(denied, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkLimits(t, tc.m)
			texts := []string{tc.m.Text}
			raw, _ := json.Marshal(tc.m.Blocks)
			var blocks []struct {
				Text   *struct{ Text string }  `json:"text"`
				Fields []struct{ Text string } `json:"fields"`
			}
			if err := json.Unmarshal(raw, &blocks); err != nil {
				t.Fatal(err)
			}
			for _, b := range blocks {
				if b.Text != nil {
					texts = append(texts, b.Text.Text)
				}
				for _, f := range b.Fields {
					texts = append(texts, f.Text)
				}
			}
			for _, s := range texts {
				for _, r := range s {
					if isBidiControl(r) {
						t.Errorf("bidi control %U survives in %q", r, s)
					}
				}
				for _, line := range strings.Split(s, "\n") {
					if strings.Contains(line, "State") && strings.Contains(line, "approved") && !strings.HasPrefix(line, "> ") {
						t.Errorf("the reason's line %q is not quoted; it could pass for a field", line)
					}
					if strings.Contains(line, "*State* approved") {
						t.Errorf("the reason's mrkdwn is live: %q", line)
					}
				}
			}
			checkGolden(t, "request_"+tc.name, wire(tc.m))
		})
	}
}
