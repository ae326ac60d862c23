package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"modbot/bot/slacktest"
	"modbot/tim"
	"modbot/tim/timtest"
)

// sandboxCommands are the Tencent commands modbot calls, as the emulator names them.
func sandboxCommands() []string {
	return []string{
		"group_open_http_svc/unban_group_member",
		"room_engine_http_srv/unban_room_member",
		"group_open_http_svc/get_group_info",
		"group_open_http_svc/get_role_in_group",
		"group_open_http_svc/get_group_ban_member",
		"room_engine_http_srv/get_banned_member_list",
		"group_open_http_svc/ban_group_member",
		"room_engine_http_srv/ban_room_member",
		"group_open_http_svc/forbid_send_msg",
		"group_open_http_svc/get_group_muted_account",
	}
}

// sandboxAccountCommands are the commands that change accounts: "Make one account fail" offers them.
func sandboxAccountCommands() []string {
	all := sandboxCommands()
	return append(all[:2:2], all[6:9]...)
}

// mount puts the panel's endpoints on the fake Slack's listener.
func (sb *sandbox) mount() {
	sb.slack.Handle("GET /sandbox/state", http.HandlerFunc(sb.serveState))
	sb.slack.Handle("POST /sandbox/fail", panelAction(sb.fail))
	sb.slack.Handle("POST /sandbox/fail-account", panelAction(sb.failAccount))
	sb.slack.Handle("POST /sandbox/latency", panelAction(sb.latency))
	sb.slack.Handle("POST /sandbox/digest", panelAction(sb.postDigest)) // sandbox_home.go
	sb.slack.Handle("POST /sandbox/outside", panelAction(sb.outside))   // sandbox_watch.go
	sb.slack.Handle("POST /sandbox/clear", panelAction(func(context.Context, map[string]string) (string, error) {
		sb.emu.ClearFaults()
		return "Faults cleared and latency back to none.", nil
	}))
	sb.slack.Handle("POST /sandbox/reset", panelAction(func(ctx context.Context, _ map[string]string) (string, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := sb.Reset(ctx); err != nil {
			return "", err
		}
		return "Sandbox reset: Tencent seeded again, Redis empty, Slack history cleared.", nil
	}))
}

// serveState answers the panel: who is banned where and until when, roles, the allowlist, calls
// and faults, and the forms that change them.
func (sb *sandbox) serveState(w http.ResponseWriter, r *http.Request) {
	snap := sb.emu.Snapshot()
	var v slacktest.PanelView

	for _, g := range snap.Groups {
		if len(g.Bans) > 0 {
			v.Sections = append(v.Sections, banSection(fmt.Sprintf("Banned in group %s", g.ID),
				fmt.Sprintf("%s · %s", g.Type, g.Name), g.Bans, snap.At))
		}
	}
	for _, g := range snap.Groups {
		if len(g.Mutes) > 0 {
			v.Sections = append(v.Sections, muteSection(g, snap.At))
		}
	}
	for _, rm := range snap.Rooms {
		if len(rm.Bans) > 0 {
			v.Sections = append(v.Sections, banSection("Banned in room "+rm.ID,
				fmt.Sprintf("%d members in the room", len(rm.Members)), rm.Bans, snap.At))
		}
	}

	groups := slacktest.PanelSection{Title: "Groups", Columns: []string{"Group", "Type", "Name", "Owner", "Admins", "Members", "Bans", "Mutes"}}
	roles := slacktest.PanelSection{Title: "Roles in groups", Columns: []string{"Group", "Account", "Role"}}
	for _, g := range snap.Groups {
		var owner string
		var admins []string
		for _, m := range g.Members {
			switch m.Role {
			case timtest.RoleOwner:
				owner = m.Account
			case timtest.RoleAdmin:
				admins = append(admins, m.Account)
			}
			roles.Rows = append(roles.Rows, []string{g.ID, m.Account, m.Role})
		}
		groups.Rows = append(groups.Rows, []string{g.ID, string(g.Type), g.Name, owner,
			strings.Join(admins, ", "), strconv.Itoa(len(g.Members)), strconv.Itoa(len(g.Bans)), strconv.Itoa(len(g.Mutes))})
	}
	rooms := slacktest.PanelSection{Title: "Rooms", Columns: []string{"Room", "Members", "Bans"}}
	for _, rm := range snap.Rooms {
		rooms.Rows = append(rooms.Rows, []string{rm.ID, strings.Join(rm.Members, ", "), strconv.Itoa(len(rm.Bans))})
	}
	v.Sections = append(v.Sections, groups, rooms, roles, sb.allowSection(r.Context()), faultSection(snap), callSection(snap))
	v.Forms = panelForms()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails
}

func banSection(title, note string, bans []timtest.Ban, now time.Time) slacktest.PanelSection {
	s := slacktest.PanelSection{Title: title, Note: fmt.Sprintf("%s · %d banned", note, len(bans)),
		Columns: []string{"Account", "Banned until"}}
	for _, b := range bans {
		s.Rows = append(s.Rows, []string{b.Account, until(now, b.Until)})
	}
	return s
}

func muteSection(g timtest.GroupSnapshot, now time.Time) slacktest.PanelSection {
	s := slacktest.PanelSection{Title: "Muted in group " + g.ID,
		Note:    fmt.Sprintf("%s · %s · %d muted (they can read, not send)", g.Type, g.Name, len(g.Mutes)),
		Columns: []string{"Account", "Muted until"}}
	for _, m := range g.Mutes {
		s.Rows = append(s.Rows, []string{m.Account, until(now, m.Until)})
	}
	return s
}

// until shows when a ban or mute ends: how long from now, and the local time; "permanent" for
// Tencent's permanent marker.
func until(now, t time.Time) string {
	if timtest.IsPermanent(t) {
		return "permanent"
	}
	d := t.Sub(now).Round(time.Minute)
	var rel string
	switch {
	case d >= 48*time.Hour:
		rel = fmt.Sprintf("%dd %dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		rel = fmt.Sprintf("%dh %02dm", d/time.Hour, d%time.Hour/time.Minute)
	default:
		rel = fmt.Sprintf("%dm", max(d/time.Minute, 1))
	}
	return fmt.Sprintf("in %s (%s)", rel, t.Local().Format("Jan 2 15:04"))
}

// allowSection lists the allowlist as the bot reads it now.
func (sb *sandbox) allowSection(ctx context.Context) slacktest.PanelSection {
	s := slacktest.PanelSection{Title: "Slack allowlist (Redis)", Columns: []string{"Person", "Role"}}
	sb.mu.Lock()
	g := sb.gen
	sb.mu.Unlock()
	if g == nil {
		s.Note = "The sandbox is resetting."
		return s
	}
	members, err := g.sys.Store.Members(ctx)
	if err != nil {
		s.Note = "Cannot read the allowlist: " + err.Error()
		return s
	}
	listed := map[string]bool{}
	for _, m := range members {
		listed[m.User] = true
		s.Rows = append(s.Rows, []string{userName(m.User) + " (" + m.User + ")", m.Role.String()})
	}
	for _, p := range sandboxPeople() {
		if !listed[p.id] {
			s.Rows = append(s.Rows, []string{p.name + " (" + p.id + ")", "not on the allowlist"})
		}
	}
	s.Note = bootstrapNote
	return s
}

// bootstrapNote tells a newcomer how the first admin comes about in a real deployment, and that
// a revoke holds across restarts (the sandbox seeds its roles directly).
const bootstrapNote = "Global roles here are seeded. In a real deployment MODBOT_BOOTSTRAP_ADMINS makes its users admins " +
	"only while the allowlist has no admin at all (a first start, or a recovery): once an admin exists it is ignored, " +
	"so an admin revoked with /modbot revoke stays revoked after a restart. Roles scoped to one group or room " +
	"(/modbot allow @user approver group:<id>) are shown by /modbot who."

func faultSection(snap timtest.Snapshot) slacktest.PanelSection {
	s := slacktest.PanelSection{Title: "Faults waiting", Columns: []string{"Command", "Fault"}}
	if snap.Latency > 0 {
		s.Note = "Every call is delayed by " + snap.Latency.String() + "."
	}
	for _, f := range snap.Faults {
		what := codeLabel(f.Code, f.HTTP)
		switch f.Kind {
		case "next":
			what = "next call answers " + what
		case "account":
			what = "every call naming " + f.Account + " answers " + what
		case "rate":
			what = fmt.Sprintf("%.0f%% of calls answer %s", f.Rate*100, what)
		}
		cmd := f.Command
		if cmd == "" {
			cmd = "every command"
		}
		s.Rows = append(s.Rows, []string{cmd, what})
	}
	if len(s.Rows) == 0 && s.Note == "" {
		s.Note = "None: Tencent answers normally."
	}
	return s
}

func callSection(snap timtest.Snapshot) slacktest.PanelSection {
	s := slacktest.PanelSection{Title: "Calls Tencent received", Columns: []string{"Command", "Calls"}}
	for _, c := range sandboxCommands() {
		if n := snap.Calls[c]; n > 0 {
			s.Rows = append(s.Rows, []string{c, strconv.Itoa(n)})
		}
	}
	if len(s.Rows) == 0 {
		s.Note = "None yet."
	}
	return s
}

// codeLabel names an injected answer with its meaning.
func codeLabel(code int, isHTTP bool) string {
	if isHTTP {
		return fmt.Sprintf("HTTP %d", code)
	}
	if m := tim.Meaning(code); m != "" {
		if len(m) > 60 {
			m = m[:strings.LastIndex(m[:60], " ")] + "…"
		}
		return fmt.Sprintf("%d (%s)", code, m)
	}
	return strconv.Itoa(code)
}

// panelForms are the panel's controls: fault injection, latency, clearing, reset.
func panelForms() []slacktest.PanelForm {
	var cmds []slacktest.PanelOption
	for _, c := range sandboxCommands() {
		cmds = append(cmds, slacktest.PanelOption{Value: c, Label: c[strings.IndexByte(c, '/')+1:]})
	}
	code := func(c int, how string) slacktest.PanelOption {
		return slacktest.PanelOption{Value: strconv.Itoa(c), Label: fmt.Sprintf("%d: %s", c, how)}
	}
	codes := []slacktest.PanelOption{
		code(10007, "permission denied (permanent)"),
		code(10004, "invalid parameter (permanent; the bot splits the call)"),
		code(10010, "group dismissed (permanent)"),
		code(10002, "internal error (retried)"),
		code(60007, "over the frequency limit (retried)"),
		{Value: "http502", Label: "HTTP 502 (retried)"},
	}
	var writes []slacktest.PanelOption
	for _, c := range sandboxAccountCommands() {
		writes = append(writes, slacktest.PanelOption{Value: c, Label: c[strings.IndexByte(c, '/')+1:]})
	}
	return []slacktest.PanelForm{
		outsideForm(), // sandbox_watch.go
		{
			Title: "Make the next call fail", Action: "/sandbox/fail", Submit: "Fail next call",
			Fields: []slacktest.PanelField{
				{Name: "command", Label: "Command", Options: cmds, Value: cmds[0].Value},
				{Name: "code", Label: "Answer", Options: codes, Value: codes[0].Value},
				{Name: "times", Label: "How many calls", Value: "1"},
			},
		},
		{
			Title: "Make one account fail", Action: "/sandbox/fail-account", Submit: "Fail calls naming it",
			Fields: []slacktest.PanelField{
				{Name: "command", Label: "Command", Options: writes, Value: writes[0].Value},
				{Name: "account", Label: "Account", Value: "spammer2"},
				{Name: "code", Label: "Answer", Options: codes[:3], Value: "10004"},
			},
		},
		{
			Title: "Latency", Action: "/sandbox/latency", Submit: "Set latency",
			Fields: []slacktest.PanelField{{Name: "ms", Label: "Added to every call (ms)", Value: "500"}},
		},
		{Title: "Clear faults", Action: "/sandbox/clear", Submit: "Clear faults and latency"},
		digestForm(), // sandbox_home.go
		{
			Title: "Start over", Action: "/sandbox/reset", Submit: "Reset the sandbox",
			Confirm: "Seed Tencent again, empty Redis and clear every Slack channel?",
		},
	}
}

// panelAction turns a form handler into an endpoint: the form's JSON in, plain text out.
func panelAction(act func(ctx context.Context, form map[string]string) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		var form map[string]string
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&form); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "read the form: %v", err)
			return
		}
		msg, err := act(r.Context(), form)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, err.Error())
			return
		}
		io.WriteString(w, msg)
	})
}

func (sb *sandbox) fail(_ context.Context, form map[string]string) (string, error) {
	cmd, err := pickCommand(form["command"], sandboxCommands())
	if err != nil {
		return "", err
	}
	times, err := strconv.Atoi(strings.TrimSpace(form["times"]))
	if err != nil || times < 1 || times > 100 {
		return "", fmt.Errorf("how many calls: want a number from 1 to 100, not %q", form["times"])
	}
	if form["code"] == "http502" {
		for range times {
			sb.emu.FailNextHTTP(cmd, http.StatusBadGateway)
		}
		return fmt.Sprintf("The next %d call(s) of %s answer HTTP 502.", times, cmd), nil
	}
	code, err := errorCode(form["code"])
	if err != nil {
		return "", err
	}
	for range times {
		sb.emu.FailNext(cmd, code)
	}
	return fmt.Sprintf("The next %d call(s) of %s answer %s.", times, cmd, codeLabel(code, false)), nil
}

func (sb *sandbox) failAccount(_ context.Context, form map[string]string) (string, error) {
	cmd, err := pickCommand(form["command"], sandboxAccountCommands())
	if err != nil {
		return "", err
	}
	account := strings.TrimSpace(form["account"])
	if account == "" || len(account) > 32 {
		return "", fmt.Errorf("account: want a Tencent UserID of 1 to 32 bytes, not %q", account)
	}
	code, err := errorCode(form["code"])
	if err != nil {
		return "", err
	}
	sb.emu.FailAccount(cmd, account, code)
	return fmt.Sprintf("Every call of %s naming %s answers %s, until you clear faults.", cmd, account, codeLabel(code, false)), nil
}

func (sb *sandbox) latency(_ context.Context, form map[string]string) (string, error) {
	ms, err := strconv.Atoi(strings.TrimSpace(form["ms"]))
	if err != nil || ms < 0 || ms > 30_000 {
		return "", fmt.Errorf("latency: want milliseconds from 0 to 30000, not %q", form["ms"])
	}
	d := time.Duration(ms) * time.Millisecond
	sb.emu.SetLatency(d)
	return "Every Tencent call now takes " + d.String() + " longer.", nil
}

func pickCommand(c string, allowed []string) (string, error) {
	for _, a := range allowed {
		if c == a {
			return c, nil
		}
	}
	return "", fmt.Errorf("command: want one of %s, not %q", strings.Join(allowed, ", "), c)
}

func errorCode(s string) (int, error) {
	code, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || code <= 0 {
		return 0, fmt.Errorf("answer: want a positive Tencent error code, not %q", s)
	}
	return code, nil
}
