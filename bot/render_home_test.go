package bot

import (
	"fmt"
	"testing"
	"time"

	"modbot/store"
)

func homeSummary(n int64, requester string, approvals int) store.RequestSummary {
	return store.RequestSummary{
		ID: fmt.Sprintf("req%03d", n), Number: n, Target: store.Target{Kind: store.KindGroup, ID: "@TGS#2golden"},
		Requester: requester, Channel: "C0APPROVALS", ThreadTS: fmt.Sprintf("1700000000.%06d", n),
		CreatedAt: readAt(), ExpiresAt: readAt().Add(24 * time.Hour), State: store.Pending,
		AccountCount: int(n), ApprovalsNeeded: 2, Approvals: approvals,
	}
}

func goldenStats() teamStats {
	st := newTeamStats(readAt().Add(-homeWindow), readAt())
	entries := []store.AuditEntry{
		{ID: "9-0", Time: readAt(), Actor: store.OutsideActor, Action: "ban", TargetKind: "group", Target: "@TGS#2golden", Accounts: []string{"spammer1"}, AccountCount: 1, Outcome: "outside"},
		{ID: "8-0", Time: readAt().Add(-time.Minute), Actor: "U0BOB", Action: "unban", TargetKind: "group", Target: "@TGS#2golden", Accounts: []string{"a<b>", "user2"}, AccountCount: 2, RequestNumber: 3, Outcome: "done"},
		{ID: "7-0", Time: readAt().Add(-time.Minute), Actor: "U0BOB", Action: "unban", TargetKind: "group", Target: "@TGS#2golden", Accounts: []string{"gone"}, AccountCount: 1, RequestNumber: 3, Outcome: "failed", Code: 10004},
		{ID: "6-0", Time: readAt().Add(-2 * time.Minute), Actor: "U0BOB", Action: "finish", RequestNumber: 3, Outcome: "partial"},
		{ID: "5-0", Time: readAt().Add(-3 * time.Minute), Actor: "U0BOB", Action: "approve", RequestNumber: 3, Outcome: "approved"},
		{ID: "4-0", Time: readAt().Add(-4 * time.Minute), Actor: "U0ALICE", Action: "request", RequestNumber: 3, Outcome: "pending", Detail: "spam: links <!channel>"},
		{ID: "3-0", Time: readAt().Add(-5 * time.Minute), Actor: "U0ALICE", Action: "request", RequestNumber: 2, Outcome: "pending", Detail: "appeal accepted"},
		{ID: "2-0", Time: readAt().Add(-6 * time.Minute), Actor: store.SystemActor, Action: "expire", RequestNumber: 1, Outcome: "expired"},
		{ID: "1-0", Time: readAt().Add(-7 * time.Minute), Actor: "U0DAVE", Action: "refused", Outcome: "refused"},
	}
	for _, e := range entries {
		st.add(e, homeRecent)
	}
	return st
}

func TestRenderHome_Golden(t *testing.T) {
	empty := homeData{User: "U0VIC", At: readAt(), Role: store.RoleViewer, Roles: []string{"*viewer* everywhere: " + roleRights(store.RoleViewer)},
		Stats: newTeamStats(readAt().Add(-homeWindow), readAt())}
	checkHome(t, "home_empty", empty)

	typical := homeData{User: "U0BOB", At: readAt(), Role: store.RoleApprover, Roles: []string{"*approver* everywhere: " + roleRights(store.RoleApprover)},
		Waiting: []store.RequestSummary{homeSummary(4, "U0ALICE", 1), homeSummary(5, "U0ERIN", 0)},
		Own:     []store.RequestSummary{homeSummary(6, "U0BOB", 0)}, PendingAll: 3, Stats: goldenStats()}
	checkHome(t, "home_typical", typical)

	over := typical
	over.Waiting, over.Own = nil, nil
	for i := range 70 {
		over.Waiting = append(over.Waiting, homeSummary(int64(10+i), "U0ALICE", 0))
	}
	for i := range 5 {
		over.Own = append(over.Own, homeSummary(int64(100+i), "U0BOB", 0))
	}
	over.WaitingMore = 30
	checkHome(t, "home_overflowing", over)

	checkHome(t, "home_stranger", homeData{User: "U0DAVE", At: readAt(), Admins: []string{"U0CAROL"}})
}

func checkHome(t *testing.T, name string, d homeData) {
	t.Helper()
	blocks := renderHome(d)
	if len(blocks) > maxHomeBlocks {
		t.Errorf("%s: %d blocks, Slack allows %d in a Home view", name, len(blocks), maxHomeBlocks)
	}
	checkGolden(t, name, blocks)
}

// TestRenderHome_OverflowCounts: every request is either shown or counted in an overflow line.
func TestRenderHome_OverflowCounts(t *testing.T) {
	for _, nw := range []int{0, 1, 40, 41, 45, 46, 200} {
		for _, no := range []int{0, 1, 3, 50} {
			d := homeData{User: "U0BOB", At: readAt(), Role: store.RoleApprover, Roles: []string{"approver"}, Stats: goldenStats()}
			for i := range nw {
				d.Waiting = append(d.Waiting, homeSummary(int64(i+1), "U0ALICE", 0))
			}
			for i := range no {
				d.Own = append(d.Own, homeSummary(int64(1000+i), "U0BOB", 0))
			}
			blocks := renderHome(d)
			if len(blocks) > maxHomeBlocks {
				t.Fatalf("%d waiting, %d own: %d blocks", nw, no, len(blocks))
			}
			shown := map[string]int{}
			var more []int
			for _, b := range blocks {
				if ab, ok := b.(*slackActionBlock); ok {
					for _, el := range ab.Elements.ElementSet {
						shown[el.(*slackButton).ActionID]++
					}
				}
				if c, ok := b.(*slackContextBlock); ok {
					var n int
					if _, err := fmt.Sscanf(contextText(c), "…and %d more", &n); err == nil {
						more = append(more, n)
					}
				}
			}
			total := shown["approve"] + shown["cancel"]
			for _, n := range more {
				total += n
			}
			if total != nw+no || shown["approve"] != shown["deny"] {
				t.Errorf("%d waiting, %d own: shown %v, overflow %v", nw, no, shown, more)
			}
			if nw > 0 && shown["approve"] == 0 {
				t.Errorf("%d waiting: none shown", nw)
			}
			if no > 0 && shown["cancel"] == 0 && len(more) == 0 {
				t.Errorf("%d own: neither shown nor counted", no)
			}
		}
	}
}
