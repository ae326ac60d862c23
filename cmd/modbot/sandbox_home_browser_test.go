package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSandbox_BrowserHome: in the sandbox's web UI, the approver opens modbot's Home tab under
// Apps, sees the moderator's request waiting with Approve, approves it there, sees the Home tab
// published again without it, and finds the thread's root done; the panel's digest button posts
// the digest in the audit channel.
func TestSandbox_BrowserHome(t *testing.T) {
	b := newBrowser(t)
	sb := newSandbox(t)

	b.do("open the UI", chromedp.Navigate(sb.URL()), chromedp.WaitVisible(chromedp.CSS(`#people button[data-user="`+sandboxModerator+`"]`)))
	b.waitJS("the app to connect", `document.getElementById('status').textContent.startsWith('app connected')`)
	b.as(sandboxModerator, sandboxModeration)
	b.send("/unban " + seedLive + " spammer1 -- appeal accepted")
	b.waitJS("request #1 opened", `document.getElementById('messages').innerText.includes('Request #1 opened')`)

	b.as(sandboxApprover, sandboxApprovals)
	b.waitJS("the request's root", rootWith("Unban request #1")+` != null`)
	b.click("open modbot's Home tab", `#apps #app-home`)
	b.waitJS("the Home tab with the request and Approve", `(() => { const v = document.getElementById('home-view');
		return v != null && v.innerText.includes('Waiting for your decision (1)') && v.querySelector('button[data-action-id="approve"]') != null; })()`)
	b.keep("modbot-sandbox-home.png", b.shot("home"))
	b.click("approve from the Home tab", `#home-view button[data-action-id="approve"]`)
	b.waitJS("the Home tab published again without it", `(() => { const v = document.getElementById('home-view');
		return v != null && v.innerText.includes('Waiting for your decision (0)') && v.querySelector('button[data-action-id="approve"]') == null; })()`)
	b.waitJS("the last actions on the Home tab", `document.getElementById('home-view').innerText.includes('unban')`)
	b.click("back to the approval channel", `#sidebar a[data-channel="`+sandboxApprovals+`"]`)
	b.waitJS("the thread's root done", rootWith("Unban request #1")+`?.innerText.includes('done')`)
	if sb.emu.IsBanned(seedLive, "spammer1") {
		t.Fatal("the root says done but spammer1 is still banned")
	}

	b.click("post today's digest now", `.pform[data-title="Daily digest"] button[type=submit]`)
	b.click("open the audit channel", `#sidebar a[data-channel="`+sandboxAudit+`"]`)
	b.waitJS("the digest in the audit channel", `document.getElementById('messages').innerText.includes('modbot daily digest')`)
	b.keep("modbot-sandbox-digest.png", b.shot("digest"))
}
