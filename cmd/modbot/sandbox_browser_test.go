package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserNames are the commands a Chromium-based browser installs as, in the order they are tried:
// Debian's chromium, Ubuntu's chromium-browser, Google Chrome, and chromedp's headless shell.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell", "headless_shell"}

// browserApps are where macOS keeps the same browsers (they are not in PATH).
var browserApps = []string{
	"/Applications/Chromium.app/Contents/MacOS/Chromium",
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
}

// findBrowser returns the first Chromium-based browser in PATH (browserNames) or, failing that,
// in the macOS application folder; "" when there is none.
func findBrowser() string {
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	for _, p := range browserApps {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// browser drives one Chromium tab against the sandbox's web UI.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// newBrowser starts a headless Chromium for the test and logs which. Without one it skips, saying
// what was looked for, unless MODBOT_TEST_BROWSER_REQUIRED=1 (CI) makes that a failure.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := findBrowser()
	if path == "" {
		msg := fmt.Sprintf("Chromium or Chrome and found none: looked for %s in PATH and %s; install one (Debian: apt-get install chromium; Ubuntu: apt-get install chromium-browser; macOS: brew install --cask chromium)",
			strings.Join(browserNames, ", "), strings.Join(browserApps, ", "))
		if os.Getenv("MODBOT_TEST_BROWSER_REQUIRED") == "1" {
			t.Fatalf("MODBOT_TEST_BROWSER_REQUIRED=1, and the browser test needs %s", msg)
		}
		t.Skip("SKIP: the browser test needs " + msg)
	}
	t.Logf("browser: %s", path)
	// The deadline bounds the whole browser; chromedp wants no timeout on the first Run's context.
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1600, 1000),
	)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return &browser{t: t, ctx: ctx}
}

// The browser is found under any of its usual names, not only Debian's /usr/bin/chromium.
func TestFindBrowser(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if got := findBrowser(); got != "" && !strings.HasPrefix(got, "/Applications/") {
		t.Fatalf("findBrowser() = %q with an empty PATH", got)
	}
	for _, name := range []string{"google-chrome-stable", "chromium-browser"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if got := findBrowser(); got != p {
			t.Fatalf("with %s in PATH: findBrowser() = %q, want %q", name, got, p)
		}
	}
}

// do runs steps, failing the test with what they were for.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// waitJS waits until the JavaScript expression is true, failing the test with what it waited
// for and the page's visible text.
func (b *browser) waitJS(what, expr string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(sandboxWait)))
	if err != nil {
		b.keep("modbot-sandbox-failed.png", b.shot("failed"))
		text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		b.t.Fatalf("wait for %s: %v\npage:\n%s", what, err, text)
	}
}

// click clicks the element css selects, finding and clicking it in one step inside the page: the
// UI re-renders on every live update and panel refresh, so a node found in one DevTools call may
// be gone by the next ("Could not find node with given id").
func (b *browser) click(what, css string) {
	b.t.Helper()
	b.waitJS(what, `(() => { const el = document.querySelector(`+js(css)+`); if (!el) return false; el.click(); return true; })()`)
}

// eval returns the value of a JavaScript expression.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// shot saves a screenshot as a test artifact (kept with go test -artifacts) and returns it.
func (b *browser) shot(name string) []byte {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return nil
	}
	path := filepath.Join(b.t.ArtifactDir(), "sandbox-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s", path)
	return png
}

// keep also writes a screenshot where a person can look at it after the test.
func (b *browser) keep(name string, png []byte) {
	b.t.Helper()
	path := filepath.Join(os.TempDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s", path)
}

// as picks the person in the UI and opens a channel.
func (b *browser) as(user, channel string) {
	b.t.Helper()
	b.click("pick "+user, `#people button[data-user="`+user+`"]`)
	b.waitJS(user+" picked", `document.querySelector(`+js(`#people button.active[data-user="`+user+`"]`)+`) != null`)
	b.click("open "+channel, `#sidebar a[data-channel="`+channel+`"]`)
	b.waitJS(channel+" open", `document.querySelector(`+js(`#sidebar a.active[data-channel="`+channel+`"]`)+`) != null`)
}

// send types text in the composer and sends it.
func (b *browser) send(text string) {
	b.t.Helper()
	b.waitJS("send "+text, `(() => { const t = document.getElementById('compose-text'), s = document.getElementById('send');
		if (!t || !s) return false; t.value = `+js(text)+`; s.click(); return true; })()`)
	b.waitJS("the composer to empty after sending", `document.getElementById('compose-text').value === ''`)
}

// js quotes s as a JavaScript string.
func js(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// rootWith is a JavaScript expression for the last root message in the main pane whose text
// contains s.
func rootWith(s string) string {
	return `[...document.querySelectorAll('#messages .msg')].filter(m => m.innerText.includes(` + js(s) + `)).pop()`
}

// panelSectionText is a JavaScript expression for the text of the panel section titled title,
// rows hidden in a collapsed table included.
func panelSectionText(title string) string {
	return `((document.querySelector('.psection[data-title=` + js(title) + `]') || {}).textContent || '')`
}

// TestSandbox_Browser is the acceptance test: a person tries modbot in Chromium through
// the sandbox's web UI, as a newcomer would.
func TestSandbox_Browser(t *testing.T) {
	b := newBrowser(t)
	sb := newSandbox(t)

	b.do("open the UI", chromedp.Navigate(sb.URL()), chromedp.WaitVisible(chromedp.CSS(`#people button[data-user="`+sandboxModerator+`"]`)))
	b.waitJS("the app to connect", `document.getElementById('status').textContent.startsWith('app connected')`)
	b.waitJS("the emulator panel", panelSectionText("Banned in group "+seedLive)+`.includes('spammer1')`)

	// The moderator asks to unban two accounts.
	b.as(sandboxModerator, sandboxModeration)
	b.send("/unban " + seedLive + " spammer1 spammer2 -- appeal accepted")
	b.waitJS("the moderator's 'request opened' reply, only visible to them",
		`[...document.querySelectorAll('#messages .msg.ephemeral')].some(m => m.innerText.includes('Request #1 opened') && m.innerText.includes('Only visible to you'))`)

	// The approver approves in the approval channel.
	b.as(sandboxApprover, sandboxApprovals)
	b.waitJS("the moderator's reply hidden from the approver", `!document.body.innerText.includes('Request #1 opened')`)
	b.waitJS("the request with Approve", rootWith("Unban request #1")+`?.querySelector('button[data-action-id="approve"]') != null`)
	b.click("click Approve", `#messages .msg button[data-action-id="approve"]`)
	b.waitJS("the root to say done", rootWith("Unban request #1")+`?.innerText.includes('done')`)
	b.click("open the thread", `#messages .msg .replies`)
	b.waitJS("the result in the thread", `document.getElementById('thread-messages').innerText.includes('all 2 account(s) unbanned')`)
	b.waitJS("the bans gone from the panel",
		`!`+panelSectionText("Banned in group "+seedLive)+`.includes('spammer1') && !`+panelSectionText("Banned in group "+seedLive)+`.includes('spammer2') && `+
			panelSectionText("Banned in group "+seedLive)+`.includes('spammer3')`)
	if sb.emu.IsBanned(seedLive, "spammer1") || sb.emu.IsBanned(seedLive, "spammer2") {
		t.Fatal("the UI shows the bans gone but the emulator still has them")
	}
	b.shot("approved")

	// Someone not on the allowlist is refused.
	b.as(sandboxOutsider, sandboxModeration)
	b.send("/unban " + seedLive + " spammer3 -- please")
	b.waitJS("the refusal", `[...document.querySelectorAll('#messages .msg.ephemeral')].some(m => m.innerText.includes("not on modbot's allowlist"))`)
	if !sb.emu.IsBanned(seedLive, "spammer3") {
		t.Fatal("a refused /unban unbanned spammer3")
	}

	// mrkdwn is rendered, and what people type stays text.
	b.send("see *this* _now_ `code` ~old~ @bob <b>x</b> & <!channel>")
	b.waitJS("the typed message", rootWith("see")+` != null`)
	got := b.eval(`(() => { const m = ` + rootWith("see") + `.querySelector('.b-text');
		return [m.querySelectorAll('b').length, m.querySelector('b')?.textContent, m.querySelector('i')?.textContent,
			m.querySelector('code')?.textContent, m.querySelector('s')?.textContent, m.querySelector('.mention')?.textContent, m.textContent].join('|'); })()`)
	if want := "1|this|now|code|old|@bob|see this now code old @bob <b>x</b> & <!channel>"; got != want {
		t.Errorf("rendered message %q, want %q", got, want)
	}

	// A permanent fault from the panel: the next unban call fails, the request ends partly done.
	// One step inside the page: the panel re-renders every 2 s and would reset a half-filled form.
	b.waitJS("fail the next unban call with 10007", `(() => {
		const f = document.querySelector('.pform[data-title="Make the next call fail"]');
		if (!f) return false;
		f.querySelector('select[name=command]').value = 'group_open_http_svc/unban_group_member';
		f.querySelector('select[name=code]').value = '10007';
		if (f.querySelector('select[name=code]').value !== '10007') return false;
		f.querySelector('button[type=submit]').click();
		return true; })()`)
	b.waitJS("the fault in the panel", panelSectionText("Faults waiting")+`.includes('next call answers 10007')`)
	b.as(sandboxModerator, sandboxModeration)
	b.send(fmt.Sprintf("/unban %s %s -- raid cleanup", seedLive, strings.Join(numbered("flood", seedFlood, 2), " ")))
	b.waitJS("request #2 opened", `document.getElementById('messages').innerText.includes('Request #2 opened')`)
	b.as(sandboxApprover, sandboxApprovals)
	b.waitJS("request #2 with Approve", rootWith("Unban request #2")+`?.querySelector('button[data-action-id="approve"]') != null`)
	b.click("approve request #2", `#messages .msg:last-child button[data-action-id="approve"]`)
	b.waitJS("the partial failure with Retry failed",
		rootWith("Unban request #2")+`?.innerText.includes('partly done') && `+rootWith("Unban request #2")+`.querySelector('button[data-action-id="retry"]') != null`)
	b.click("open request #2's thread", `#messages .msg:last-child .replies`)
	b.waitJS("the failure explained in the thread",
		`document.getElementById('thread-messages').innerText.includes('Partly done') && document.getElementById('thread-messages').innerText.includes('10007')`)
	b.shot("partial")

	// Clear the fault and retry the failed accounts.
	b.click("clear faults", `.pform[data-title="Clear faults"] button[type=submit]`)
	b.waitJS("no faults in the panel", panelSectionText("Faults waiting")+`.includes('None')`)
	b.waitJS("the panel's answer shown", `document.getElementById('toasts').innerText.includes('Faults cleared')`)
	b.click("click Retry failed", `#messages .msg:last-child button[data-action-id="retry"]`)
	b.waitJS("request #2 done", rootWith("Unban request #2")+`?.innerText.includes('done') && !`+rootWith("Unban request #2")+`.innerText.includes('partly')`)
	b.waitJS("the flood bans gone from the panel", `!`+panelSectionText("Banned in group "+seedLive)+`.includes('flood')`)
	for _, a := range numbered("flood", seedFlood, 2) {
		if sb.emu.IsBanned(seedLive, a) {
			t.Fatalf("%s still banned after Retry failed", a)
		}
	}

	// Deny opens a modal whose reason reaches the bot.
	b.as(sandboxModerator, sandboxModeration)
	b.send("/unban room " + seedStudy + " noisy_nia -- calmed down")
	b.as(sandboxApprover, sandboxApprovals)
	b.waitJS("request #3 with Deny", rootWith("Unban request #3")+`?.querySelector('button[data-action-id="deny"]') != null`)
	b.click("click Deny", `#messages .msg:last-child button[data-action-id="deny"]`)
	b.do("give a reason", chromedp.WaitVisible(chromedp.CSS(`.modal textarea`)), chromedp.SendKeys(chromedp.CSS(`.modal textarea`), "not yet"))
	b.shot("deny-modal")
	b.click("submit the modal", `#modal-submit`)
	b.waitJS("the modal closed and the request denied", `document.querySelector('.modal') == null && `+rootWith("Unban request #3")+`?.innerText.includes('denied')`)
	b.click("open request #3's thread", `#messages .msg:last-child .replies`)
	b.waitJS("the reason in the thread", `document.getElementById('thread-messages').innerText.includes('not yet')`)
	if !sb.emu.IsBannedInRoom(seedStudy, "noisy_nia") {
		t.Fatal("a denied request unbanned noisy_nia")
	}

	// The screenshot the lead looks at: the approved request's thread and the panel.
	b.as(sandboxApprover, sandboxApprovals)
	b.click("open request #2's thread again", `#messages .msg:nth-last-child(2) .replies`)
	b.waitJS("request #2's thread", `document.getElementById('thread-messages').innerText.includes('Unban request #2')`)
	b.eval(`document.getElementById('panels').scrollTop = 0, document.getElementById('toasts').replaceChildren(), ''`)
	b.keep("modbot-sandbox.png", b.shot("final"))
}
