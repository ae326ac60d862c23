package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"modbot/store"
)

// actionRequest is an immediate action on n accounts, run at once by alice.
func actionRequest(a store.ActionKind, n int, secs uint32) *store.Request {
	r := testRequest(n)
	r.Action, r.Duration, r.ApprovalsNeeded = a, secs, 0
	r.ReasonCode, r.Reason = "spam", "links <!channel> five times"
	r.Preview = "1 " + actionKinds[a].list + " (the soonest ends Mar 2 09:30 UTC), 2 not " + actionKinds[a].list
	r.State, r.DecidedBy, r.DecidedAt = store.Executing, rqAlice, rqT0
	r.UndoWindow = 15 * time.Minute
	return r
}

func doneAction(r *store.Request) *store.Request {
	r = finished(r, nil)
	r.UndoUntil = r.FinishedAt.Add(r.UndoWindow)
	return r
}

// undoOf is the Undo request of r, finished done.
func undoOf(r *store.Request) *store.Request {
	u := testRequest(2)
	u.Number, u.UndoOf, u.UndoOfNumber = 43, r.ID, r.Number
	u.Action, u.ApprovalsNeeded, u.Reason = store.ActionKind(r.Action).Inverse(), 0, "Undo of #42"
	u.Requester, u.DecidedBy, u.DecidedAt, u.State = rqBob, rqBob, rqT0.Add(5*time.Minute), store.Executing
	u.Plan = map[string]uint32{"user0001": 3600, "user0002": 0}
	return finished(u, nil)
}

func TestActionMessages_Golden(t *testing.T) {
	ban := doneAction(actionRequest(store.BanAction, 3, 7*86400))
	inWindow := ban.FinishedAt.Add(time.Minute)
	asked := doneAction(actionRequest(store.BanAction, 3, 7*86400))
	asked.UndoneBy, asked.UndoActor, asked.UndoAt = "u1", rqBob, asked.FinishedAt.Add(2*time.Minute)
	undone := *asked
	undone.State = store.Undone
	mute := doneAction(actionRequest(store.MuteAction, 3, 1800))
	unmute := doneAction(actionRequest(store.UnmuteAction, 3, 0))
	unmute.Outcomes["user0003"] = store.Outcome{Account: "user0003", Skipped: true, Info: skippedNotMuted}
	unmute.State = store.Done
	room := actionRequest(store.BanAction, 2, store.PermanentDuration)
	room.Target = store.Target{Kind: store.KindRoom, ID: "standup-42"}
	room = doneAction(room)
	skippedBan := doneAction(actionRequest(store.BanAction, 3, 86400))
	skippedBan.Outcomes["user0002"] = store.Outcome{Account: "user0002", Skipped: true, Info: "already banned until 2025-04-01 09:30 UTC, later than this ban would end"}
	confirming := actionRequest(store.BanAction, 25, 86400)
	confirming.State, confirming.NeedsConfirm, confirming.ExpiresAt = store.Confirming, true, rqT0.Add(store.ConfirmWindow)
	approvalBan := actionRequest(store.BanAction, 3, 86400)
	approvalBan.ApprovalsNeeded, approvalBan.State, approvalBan.UndoWindow = 1, store.Pending, 0
	undo := undoOf(ban)
	undoFailed := undoOf(ban)
	undoFailed.Outcomes["user0001"] = store.Outcome{Account: "user0001", Code: 10004, Info: "bad"}
	undoFailed.State = store.Partial

	for _, tc := range []struct {
		name string
		m    message
	}{
		{"root_ban_running", rootMessageAt(actionRequest(store.BanAction, 3, 7*86400), rqT0)},
		{"root_ban_done_undo", rootMessageAt(ban, inWindow)},
		{"root_ban_undo_closed", rootMessageAt(ban, ban.UndoUntil.Add(time.Second))},
		{"root_ban_undo_asked", rootMessageAt(asked, inWindow)},
		{"root_ban_undone", rootMessageAt(&undone, inWindow)},
		{"root_ban_room_permanent", rootMessageAt(room, room.FinishedAt)},
		{"root_ban_needs_approval", rootMessageAt(approvalBan, rqT0)},
		{"root_mute_done", rootMessageAt(mute, mute.FinishedAt)},
		{"root_unmute_skipped", rootMessageAt(unmute, unmute.FinishedAt)},
		{"progress_ban", progressMessage(ban, 3, counts{done: 1})},
		{"progress_mute_final", progressMessage(mute, 3, counts{done: 3})},
		{"result_ban_done", resultMessage(ban)},
		{"result_ban_skipped_longer", resultMessage(skippedBan)},
		{"result_mute_done", resultMessage(mute)},
		{"result_unmute_skipped", resultMessage(unmute)},
		{"result_undo_done", resultMessage(undo)},
		{"result_undo_partial", resultMessage(undoFailed)},
		{"notice_dm_ban_done", requesterNotice(ban, false)},
		{"notice_thread_mute_done", requesterNotice(mute, true)},
		{"notice_dm_undo_done", requesterNotice(undo, false)},
		{"confirm_prompt", confirmPrompt(confirming)},
		{"notice_dm_confirm_expired", requesterNotice(func() *store.Request {
			r := *confirming
			r.State, r.DecidedAt = store.Expired, r.ExpiresAt
			return &r
		}(), false)},
		{"started", startedMessage(actionRequest(store.BanAction, 3, 7*86400))},
		{"confirmed", confirmedMessage(confirming)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkLimits(t, tc.m)
			checkGolden(t, "action_"+tc.name, wire(tc.m))
		})
	}
}

// TestRootMessage_UndoButton: Undo shows on a done or partial immediate action only while its
// window is open and nobody asked for it.
func TestRootMessage_UndoButton(t *testing.T) {
	ban := doneAction(actionRequest(store.BanAction, 3, 86400))
	has := func(r *store.Request, now time.Time) bool {
		return strings.Contains(strings.Join(rootButtons(rootMessageAt(r, now)), " "), actionUndo)
	}
	if !has(ban, ban.FinishedAt) {
		t.Fatal("no Undo in the window")
	}
	if has(ban, ban.UndoUntil) {
		t.Fatal("Undo after the window")
	}
	asked := *ban
	asked.UndoneBy = "x"
	if has(&asked, ban.FinishedAt) {
		t.Fatal("Undo offered twice")
	}
	approval := doneAction(actionRequest(store.BanAction, 3, 86400))
	approval.UndoWindow = 0
	if has(approval, ban.FinishedAt) {
		t.Fatal("Undo on an action without a window")
	}
}

func TestDurationText(t *testing.T) {
	for secs, want := range map[uint32]string{60: "for 1 minute", 1800: "for 30 minutes", 7200: "for 2 hours", 86400: "for 1 day",
		604800: "for 1 week", 1209600: "for 2 weeks", 90: "for 90 seconds", store.PermanentDuration: "permanently"} {
		if got := durationText(secs); got != want {
			t.Errorf("durationText(%d) = %q, want %q", secs, got, want)
		}
	}
}

// rootButtons lists the action IDs of a message's buttons.
func rootButtons(m message) []string {
	var got []string
	for _, b := range m.Blocks {
		raw, _ := json.Marshal(b)
		var v struct {
			Elements []struct {
				ActionID string `json:"action_id"`
			} `json:"elements"`
		}
		_ = json.Unmarshal(raw, &v)
		for _, e := range v.Elements {
			if e.ActionID != "" {
				got = append(got, e.ActionID)
			}
		}
	}
	return got
}

func TestPreviewText(t *testing.T) {
	soon := time.Date(2025, 12, 2, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		a                        store.ActionKind
		total, active, permanent int
		want                     string
	}{
		{store.UnbanAction, 15, 12, 0, "12 banned (the soonest ends Dec 2 08:00 UTC), 3 not banned: nothing to undo for them"},
		{store.BanAction, 3, 1, 1, "1 banned (the soonest ends Dec 2 08:00 UTC; 1 permanently) already: a longer one is kept, a shorter one replaced (Undo gives it back), 2 not banned"},
		{store.MuteAction, 2, 0, 0, "2 not muted"},
		{store.UnmuteAction, 2, 2, 0, "2 muted (the soonest ends Dec 2 08:00 UTC)"},
	} {
		if got := previewText(actionKinds[tc.a], tc.total, tc.active, tc.permanent, soon); got != tc.want {
			t.Errorf("%s: %q\nwant %q", tc.a, got, tc.want)
		}
	}
}
