package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSandbox_BrowserActions: in the sandbox's web UI, the moderator tries the actions as a
// newcomer would, typing the suggested commands: a ban runs at once and its message offers Undo;
// Undo unbans the account that was not banned and gives link_lou its earlier, shorter ban back; a
// mute runs at once; a ban of 25 accounts waits for the requester's Confirm, and nothing is sent
// to Tencent before it.
func TestSandbox_BrowserActions(t *testing.T) {
	b := newBrowser(t)
	sb := newSandbox(t)
	earlier, ok := sb.emu.BannedUntil(seedLive, seedEarlierBan.account)
	if !ok {
		t.Fatalf("%s is not seeded with an earlier ban", seedEarlierBan.account)
	}

	b.do("open the UI", chromedp.Navigate(sb.URL()), chromedp.WaitVisible(chromedp.CSS(`#people button[data-user="`+sandboxModerator+`"]`)))
	b.waitJS("the app to connect", `document.getElementById('status').textContent.startsWith('app connected')`)

	// A ban runs at once: no approval, a root with Undo.
	b.as(sandboxModerator, sandboxModeration)
	b.send("/ban " + seedLive + " rowdy_rex link_lou for 7d -- spam: posted links")
	b.waitJS("the moderator told it runs now", `[...document.querySelectorAll('#messages .msg.ephemeral')].some(m => m.innerText.includes('Ban #1') && m.innerText.includes('running now'))`)
	b.click("open the approval channel", `#sidebar a[data-channel="`+sandboxApprovals+`"]`)
	b.waitJS("the ban done with Undo", rootWith("Ban #1")+`?.innerText.includes('done') && `+rootWith("Ban #1")+`.querySelector('button[data-action-id="undo"]') != null`)
	week := time.Now().Add(6 * 24 * time.Hour)
	for _, a := range []string{"rowdy_rex", "link_lou"} {
		if until, ok := sb.emu.BannedUntil(seedLive, a); !ok || until.Before(week) {
			t.Fatalf("%s banned %v until %v after the ban, want about 7 days", a, ok, until)
		}
	}
	if sb.emu.IsBanned(seedLive, "troll_tia") {
		t.Fatal("troll_tia banned, though not named")
	}
	b.waitJS("the ban in the panel", panelSectionText("Banned in group "+seedLive)+`.includes('rowdy_rex')`)
	b.shot("ban-undo")

	// Undo: rowdy_rex unbanned, link_lou's earlier ban back.
	b.click("click Undo", `#messages .msg button[data-action-id="undo"]`)
	b.waitJS("the root undone, without its Undo button", rootWith("Ban #1")+`?.innerText.includes('Undone by') && `+rootWith("Ban #1")+`.querySelector('button[data-action-id="undo"]') == null`)
	b.click("open the ban's thread", `#messages .msg .replies`)
	b.waitJS("the Undo's result in the thread", `document.getElementById('thread-messages').innerText.includes('restored')`)
	if sb.emu.IsBanned(seedLive, "rowdy_rex") {
		t.Fatal("rowdy_rex still banned after Undo")
	}
	until, ok := sb.emu.BannedUntil(seedLive, seedEarlierBan.account)
	if d := until.Sub(earlier); !ok || d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("%s banned %v until %v after Undo, want its earlier ban back, ending %v", seedEarlierBan.account, ok, until, earlier)
	}
	b.shot("undone")

	// A mute runs at once.
	b.as(sandboxModerator, sandboxModeration)
	b.send("/mute " + seedFans + " caps_cal for 30m -- shouting")
	b.click("open the approval channel", `#sidebar a[data-channel="`+sandboxApprovals+`"]`)
	b.waitJS("the mute done", rootWith("Mute #3")+`?.innerText.includes('done')`)
	if until, ok := sb.emu.MutedUntil(seedFans, "caps_cal"); !ok || until.Before(time.Now().Add(25*time.Minute)) || until.After(time.Now().Add(35*time.Minute)) {
		t.Fatalf("caps_cal muted %v until %v, want for about 30 minutes", ok, until)
	}
	b.waitJS("the mute in the panel", panelSectionText("Muted in group "+seedFans)+`.includes('caps_cal')`)

	// A ban of 25 accounts waits for Confirm; nothing is banned before it.
	raid := numbered("raidbot", seedRaid, 2)
	b.as(sandboxModerator, sandboxModeration)
	b.send("/ban " + seedAMA + " " + strings.Join(raid, " ") + " for 1d -- spam: raid")
	b.waitJS("the Confirm prompt", `[...document.querySelectorAll('#messages .msg.ephemeral')].some(m => m.innerText.includes('Nothing is sent to Tencent before you Confirm') && m.querySelector('button[data-action-id="confirm"]') != null)`)
	b.shot("confirm")
	// The replies' emoji are drawn as symbols, not left as ":zap:" and ":raised_hand:" codes.
	if text := b.eval(`document.getElementById('messages').innerText`); strings.Contains(text, ":zap:") || strings.Contains(text, ":raised_hand:") {
		t.Errorf("an emoji code is shown as text:\n%s", text)
	}
	time.Sleep(500 * time.Millisecond)
	for _, a := range raid {
		if sb.emu.IsBanned(seedAMA, a) {
			t.Fatalf("%s banned before Confirm", a)
		}
	}
	if n := len(sb.slack.Messages(sandboxApprovals)); n != 2 {
		t.Fatalf("%d roots in the approval channel before Confirm, want 2 (the ban and the mute)", n)
	}
	b.click("click Confirm", `#messages .msg.ephemeral button[data-action-id="confirm"]`)
	b.waitJS("confirmed", `document.getElementById('messages').innerText.includes('Confirmed')`)
	b.click("open the approval channel", `#sidebar a[data-channel="`+sandboxApprovals+`"]`)
	b.waitJS("the mass ban done with Undo", rootWith("Ban #4")+`?.innerText.includes('done') && `+rootWith("Ban #4")+`.querySelector('button[data-action-id="undo"]') != null`)
	for _, a := range raid {
		if !sb.emu.IsBanned(seedAMA, a) {
			t.Fatalf("%s not banned after Confirm", a)
		}
	}

	// The screenshot the lead looks at: the approval channel with the three actions.
	b.eval(`document.getElementById('panels').scrollTop = 0, document.getElementById('toasts').replaceChildren(), ''`)
	b.keep("modbot-sandbox-actions.png", b.shot("actions"))
}
