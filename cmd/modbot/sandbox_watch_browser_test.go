package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSandbox_BrowserWatch: a newcomer sees a change made outside modbot arrive. In the web UI,
// the admin lists the watched targets; the panel bans an account "as a group admin in the app"
// (straight on the emulator); after the next sweep the audit channel shows the outside ban, and
// /lookup of the account shows it banned (from the snapshot) with the entry in its history.
func TestSandbox_BrowserWatch(t *testing.T) {
	b := newBrowser(t)
	sb := newSandboxSweeping(t, time.Second)

	b.do("open the UI", chromedp.Navigate(sb.URL()), chromedp.WaitVisible(chromedp.CSS(`#people button[data-user="`+sandboxAdmin+`"]`)))
	b.waitJS("the app to connect", `document.getElementById('status').textContent.startsWith('app connected')`)

	// The baseline sweep has run: /modbot watched says when.
	b.as(sandboxAdmin, sandboxModeration)
	b.send("/modbot watched")
	b.waitJS("the watched targets, swept", `[...document.querySelectorAll('#messages .msg.ephemeral')].some(m => m.innerText.includes('Watched targets (6)') && m.innerText.includes('Swept every 1s') && m.innerText.includes('swept less than a minute ago'))`)
	if a := b.eval(`[...document.querySelectorAll('#messages .msg.ephemeral')].pop().innerText`); !strings.Contains(a, seedLive) || !strings.Contains(a, seedStudy) {
		t.Fatalf("/modbot watched does not list the seeded targets:\n%s", a)
	}

	// A group admin bans viewer03 in the app: modbot did not do it.
	b.waitJS("ban viewer03 in the app", `(() => {
		const f = document.querySelector('.pform[data-title="Act in the app (outside modbot)"]');
		if (!f) return false;
		f.querySelector('select[name=action]').value = 'ban';
		f.querySelector('select[name=where]').value = 'group:`+seedLive+`';
		f.querySelector('input[name=account]').value = 'viewer03';
		f.querySelector('input[name=minutes]').value = '90';
		if (f.querySelector('select[name=where]').value !== 'group:`+seedLive+`') return false;
		f.querySelector('button[type=submit]').click();
		return true; })()`)
	b.waitJS("the panel's answer", `document.getElementById('toasts').innerText.includes('Done in the app')`)
	if !sb.emu.IsBanned(seedLive, "viewer03") {
		t.Fatal("the panel said done but the emulator has no ban")
	}

	// The sweep finds it and the feed posts it in #mod-audit.
	b.click("open the audit channel", `#sidebar a[data-channel="`+sandboxAudit+`"]`)
	b.waitJS("the outside ban in #mod-audit", `[...document.querySelectorAll('#messages .msg')].some(m => m.innerText.includes('viewer03') && m.innerText.includes('outside'))`)
	b.shot("watch-audit")

	// /lookup shows it.
	b.as(sandboxModerator, sandboxModeration)
	b.send("/lookup viewer03")
	b.waitJS("the case file", `[...document.querySelectorAll('#messages .msg.ephemeral')].some(m => m.innerText.includes('Case file: viewer03') && m.innerText.includes('banned in group') && m.innerText.includes('outside'))`)
	b.keep("modbot-sandbox-lookup.png", b.shot("lookup"))
}
