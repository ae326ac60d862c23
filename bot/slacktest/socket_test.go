package slacktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"modbot/bot/slacktest"
)

func TestConnect_Hello(t *testing.T) {
	srv := newServer(t, slacktest.Options{AppID: "A123"})
	b := startBot(t, srv, ackEmpty)

	hello := b.next(t, socketmode.EventTypeHello)
	if got, want := hello.Request.ConnectionInfo.AppID, "A123"; got != want {
		t.Fatalf("hello app_id=%q, want %q", got, want)
	}
	if got, want := hello.Request.NumConnections, 1; got != want {
		t.Fatalf("hello num_connections=%d, want %d", got, want)
	}
	if got, want := srv.Connections(), 1; got != want {
		t.Fatalf("Connections()=%d, want %d", got, want)
	}
	if got, want := srv.ConnectionsOpened(), 1; got != want {
		t.Fatalf("ConnectionsOpened()=%d, want %d", got, want)
	}
}

func TestConnect_BadAppToken(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	api := newAPI(t, srv, slack.OptionAppLevelToken("xapp-wrong"))
	client := socketmode.New(api)
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	if err := client.RunContext(ctx); slackErr(err) != "invalid_auth" {
		t.Fatalf("RunContext()=%v, want invalid_auth", err)
	}
	if got := srv.ConnectionsOpened(); got != 0 {
		t.Fatalf("ConnectionsOpened()=%d, want 0", got)
	}
}

func TestPings_AnsweredByClient(t *testing.T) {
	srv := newServer(t, slacktest.Options{PingInterval: 10 * time.Millisecond})
	connected(t, srv, ackEmpty)
	waitFor(t, srv, "3 pongs", func(s *slacktest.Server) bool { return s.Pongs() >= 3 })
}

func TestPings_NoneMakesClientReconnect(t *testing.T) {
	srv := newServer(t, slacktest.Options{PingInterval: -1})
	connected(t, srv, ackEmpty, socketmode.OptionPingInterval(50*time.Millisecond))
	waitFor(t, srv, "a reconnect", func(s *slacktest.Server) bool { return s.ConnectionsOpened() >= 2 })
}

func TestSlashCommand_AckIsEphemeralForInvoker(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, func(c *socketmode.Client, evt socketmode.Event) {
		cmd := evt.Data.(slack.SlashCommand)
		_ = c.Ack(*evt.Request, map[string]any{"text": "queued: " + cmd.Text})
	})

	ack, err := srv.SlashCommand("U1", "C2", "/unban", "@TGS#1 user1")
	if err != nil {
		t.Fatal(err)
	}
	evt := b.next(t, socketmode.EventTypeSlashCommand)
	cmd := evt.Data.(slack.SlashCommand)
	o := srv.Options()
	for _, c := range []struct{ name, got, want string }{
		{"team_id", cmd.TeamID, o.TeamID},
		{"api_app_id", cmd.APIAppID, o.AppID},
		{"user_id", cmd.UserID, "U1"},
		{"user_name", cmd.UserName, "alice"},
		{"channel_id", cmd.ChannelID, "C2"},
		{"command", cmd.Command, "/unban"},
		{"text", cmd.Text, "@TGS#1 user1"},
		{"envelope_id", evt.Request.EnvelopeID, ack.EnvelopeID},
	} {
		if c.got != c.want {
			t.Errorf("%s=%q, want %q", c.name, c.got, c.want)
		}
	}
	if cmd.TriggerID == "" || !strings.HasPrefix(cmd.ResponseURL, strings.TrimSuffix(srv.URL, "api/")) {
		t.Errorf("trigger_id=%q response_url=%q, want a trigger and a URL on the server", cmd.TriggerID, cmd.ResponseURL)
	}
	if !evt.Request.AcceptsResponsePayload {
		t.Error("accepts_response_payload=false, want true")
	}

	var p struct{ Text string }
	if err := json.Unmarshal(ack.Payload, &p); err != nil || p.Text != "queued: @TGS#1 user1" {
		t.Fatalf("ack payload %s (%v), want text queued: …", ack.Payload, err)
	}
	eph := srv.Ephemeral("U1")
	if len(eph) != 1 || eph[0].Text != "queued: @TGS#1 user1" || eph[0].Via != "ack" || eph[0].Channel != "C2" {
		t.Fatalf("Ephemeral(U1)=%+v, want the ack payload", eph)
	}
	if got := srv.Ephemeral("U2"); len(got) != 0 {
		t.Fatalf("Ephemeral(U2)=%+v, want nothing", got)
	}
	if got := srv.Messages("C2"); len(got) != 0 {
		t.Fatalf("Messages(C2)=%+v, want nothing in the channel", got)
	}
}

func TestSlashCommand_InChannelAck(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	connected(t, srv, func(c *socketmode.Client, evt socketmode.Event) {
		_ = c.Ack(*evt.Request, map[string]any{"text": "for all", "response_type": "in_channel"})
	})
	if _, err := srv.SlashCommand("U1", "C2", "/roles", "g1 u1"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages("C2")
	if len(msgs) != 1 || msgs[0].Text != "for all" || msgs[0].User != srv.Options().BotUserID {
		t.Fatalf("Messages(C2)=%+v, want the in_channel ack", msgs)
	}
}

func TestSlashCommand_Overrides(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, ackEmpty)
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help",
		slacktest.WithTeamID("T0OTHER"), slacktest.WithAppID("A0OTHER"), slacktest.WithEnterpriseID("E1")); err != nil {
		t.Fatal(err)
	}
	cmd := b.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand)
	if cmd.TeamID != "T0OTHER" || cmd.APIAppID != "A0OTHER" || cmd.EnterpriseID != "E1" {
		t.Fatalf("team=%q app=%q enterprise=%q, want the overrides", cmd.TeamID, cmd.APIAppID, cmd.EnterpriseID)
	}
}

func TestSlashCommand_NoAck(t *testing.T) {
	srv := newServer(t, slacktest.Options{AckTimeout: 200 * time.Millisecond})
	connected(t, srv, func(*socketmode.Client, socketmode.Event) {})
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); !errors.Is(err, slacktest.ErrNoAck) {
		t.Fatalf("SlashCommand()=%v, want ErrNoAck", err)
	}
}

func TestSlashCommand_NoConnection(t *testing.T) {
	srv := newServer(t, slacktest.Options{AckTimeout: 100 * time.Millisecond})
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); !errors.Is(err, slacktest.ErrNoConnection) {
		t.Fatalf("SlashCommand()=%v, want ErrNoConnection", err)
	}
}

func TestClick_ReachesBlockActions(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, ackEmpty)
	api := newAPI(t, srv)
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("request", false), approvalBlocks("req-42"))
	if err != nil {
		t.Fatal(err)
	}

	if _, err := srv.Click("U2", "C1", ts, "approve", "req-42"); err != nil {
		t.Fatal(err)
	}
	cb := b.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	if got, want := cb.Type, slack.InteractionTypeBlockActions; got != want {
		t.Fatalf("type=%q, want %q", got, want)
	}
	if len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("block actions=%+v, want 1", cb.ActionCallback)
	}
	a := cb.ActionCallback.BlockActions[0]
	for _, c := range []struct{ name, got, want string }{
		{"action_id", a.ActionID, "approve"},
		{"block_id", a.BlockID, "approval:req-42"},
		{"value", a.Value, "req-42"},
		{"user", cb.User.ID, "U2"},
		{"team", cb.Team.ID, srv.Options().TeamID},
		{"api_app_id", cb.APIAppID, srv.Options().AppID},
		{"channel", cb.Channel.ID, "C1"},
		{"container.message_ts", cb.Container.MessageTs, ts},
		{"message.ts", cb.Message.Timestamp, ts},
	} {
		if c.got != c.want {
			t.Errorf("%s=%q, want %q", c.name, c.got, c.want)
		}
	}
	if cb.ResponseURL == "" || cb.TriggerID == "" {
		t.Errorf("response_url=%q trigger_id=%q, want both", cb.ResponseURL, cb.TriggerID)
	}

	if _, err := srv.Click("U2", "C1", ts, "approve", "req-other"); err == nil {
		t.Error("Click on a value no button has: nil error")
	}
	if _, err := srv.Click("U2", "C1", ts, "cancel", ""); err == nil {
		t.Error("Click on a missing button: nil error")
	}
}

func TestClick_ResponseURLReplacesAndDeletesOriginal(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, ackEmpty)
	api := newAPI(t, srv)
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("request", false), approvalBlocks("req-1"))
	if err != nil {
		t.Fatal(err)
	}

	click := func(ts string) string {
		t.Helper()
		if _, err := srv.Click("U2", "C1", ts, "deny", ""); err != nil {
			t.Fatal(err)
		}
		return b.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback).ResponseURL
	}
	if _, _, err := api.PostMessage("", slack.MsgOptionReplaceOriginal(click(ts)), slack.MsgOptionText("denied by bob", false)); err != nil {
		t.Fatal(err)
	}
	m, ok := srv.Message("C1", ts)
	if !ok || m.Text != "denied by bob" || !m.Edited || len(m.Buttons()) != 0 {
		t.Fatalf("Message after replace_original=%+v, want the new text, edited, no buttons", m)
	}

	_, ts2, err := api.PostMessage("C1", slack.MsgOptionText("request 2", false), approvalBlocks("req-2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("", slack.MsgOptionDeleteOriginal(click(ts2))); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Message("C1", ts2); ok {
		t.Fatal("message still there after delete_original")
	}
}

func TestClick_OnEphemeral(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, func(c *socketmode.Client, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeSlashCommand {
			_ = c.Ack(*evt.Request)
			return
		}
		_ = c.Ack(*evt.Request, map[string]any{"text": "page 1", "blocks": []slack.Block{
			slack.NewActionBlock("pager", slack.NewButtonBlockElement("next", "2", slack.NewTextBlockObject(slack.PlainTextType, "Next", false, false))),
		}})
	})
	if _, err := srv.SlashCommand("U1", "C2", "/banned", "room1"); err != nil {
		t.Fatal(err)
	}
	eph := srv.Ephemeral("U1")
	if len(eph) != 1 {
		t.Fatalf("Ephemeral(U1)=%+v, want 1", eph)
	}
	if _, err := srv.Click("U2", "C2", eph[0].TS, "next", ""); err == nil {
		t.Fatal("U2 clicked U1's ephemeral message: nil error")
	}
	if _, err := srv.Click("U1", "C2", eph[0].TS, "next", "2"); err != nil {
		t.Fatal(err)
	}
	cb := b.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	if !cb.Container.IsEphemeral {
		t.Error("container.is_ephemeral=false, want true")
	}
	if _, _, err := newAPI(t, srv).PostMessage("", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("page 2", false)); err != nil {
		t.Fatal(err)
	}
	if eph := srv.Ephemeral("U1"); len(eph) != 1 || eph[0].Text != "page 2" || !eph[0].Edited {
		t.Fatalf("Ephemeral(U1)=%+v, want page 2 replacing page 1", eph)
	}
}

func TestSocketmodeHandler_Routes(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	o := srv.Options()
	api := slack.New(o.BotToken, slack.OptionAppLevelToken(o.AppToken), slack.OptionAPIURL(srv.URL))
	client := socketmode.New(api)
	h := socketmode.NewSocketmodeHandler(client)
	approved := make(chan string, 1)
	h.HandleSlashCommand("/unban", func(evt *socketmode.Event, c *socketmode.Client) {
		cmd := evt.Data.(slack.SlashCommand)
		_ = c.Ack(*evt.Request, map[string]any{"text": "opened"})
		_, _, _ = c.PostMessage("C1", slack.MsgOptionText("request by "+cmd.UserID, false), approvalBlocks("req-7"))
	})
	h.HandleInteractionBlockAction("approve", func(evt *socketmode.Event, c *socketmode.Client) {
		_ = c.Ack(*evt.Request)
		approved <- evt.Data.(slack.InteractionCallback).ActionCallback.BlockActions[0].Value
	})
	h.HandleDefault(func(*socketmode.Event, *socketmode.Client) {})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.RunEventLoopContext(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })

	if _, err := srv.SlashCommand("U1", "C1", "/unban", "g1 u1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, srv, "the request message", func(s *slacktest.Server) bool { return len(s.Messages("C1")) == 1 })
	if _, err := srv.Click("U2", "C1", srv.Messages("C1")[0].TS, "approve", "req-7"); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-approved:
		if v != "req-7" {
			t.Fatalf("approved %q, want req-7", v)
		}
	case <-time.After(wait):
		t.Fatal("HandleInteractionBlockAction(approve) never ran")
	}
}

func TestViews_OpenSubmit(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	var submissions atomic.Int32
	b := connected(t, srv, func(c *socketmode.Client, evt socketmode.Event) {
		cb, _ := evt.Data.(slack.InteractionCallback)
		switch cb.Type {
		case slack.InteractionTypeBlockActions:
			_ = c.Ack(*evt.Request)
			_, err := c.OpenView(cb.TriggerID, slack.ModalViewRequest{
				Type: slack.VTModal, CallbackID: "deny_reason", PrivateMetadata: "req-1",
				Title: slack.NewTextBlockObject(slack.PlainTextType, "Deny", false, false),
				Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("reason",
					slack.NewTextBlockObject(slack.PlainTextType, "Reason", false, false), nil,
					slack.NewPlainTextInputBlockElement(nil, "text"))}},
			})
			if err != nil {
				t.Errorf("OpenView: %v", err)
			}
		case slack.InteractionTypeViewSubmission:
			if submissions.Add(1) == 1 {
				_ = c.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"reason": "too short"}))
				return
			}
			_ = c.Ack(*evt.Request)
		}
	})
	_, ts, err := newAPI(t, srv).PostMessage("C1", slack.MsgOptionText("request", false), approvalBlocks("req-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Click("U2", "C1", ts, "deny", "req-1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, srv, "the modal", func(s *slacktest.Server) bool { return len(s.Views("U2")) == 1 })

	for i, wantOpen := range []int{1, 0} {
		if _, err := srv.SubmitView("U2", "deny_reason", map[string]map[string]string{"reason": {"text": "spam"}}); err != nil {
			t.Fatal(err)
		}
		var cb slack.InteractionCallback
		for cb.Type != slack.InteractionTypeViewSubmission {
			cb = b.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
		}
		if got := cb.View.State.Values["reason"]["text"].Value; got != "spam" {
			t.Errorf("submission %d: value=%q, want spam", i, got)
		}
		if got := cb.View.PrivateMetadata; got != "req-1" {
			t.Errorf("submission %d: private_metadata=%q, want req-1", i, got)
		}
		if got := len(srv.Views("U2")); got != wantOpen {
			t.Fatalf("after submission %d: %d views open, want %d", i, got, wantOpen)
		}
	}
}

func TestViews_TriggerID(t *testing.T) {
	clk := newClock()
	srv := newServer(t, slacktest.Options{Now: clk.Now})
	b := connected(t, srv, ackEmpty)
	api := newAPI(t, srv)
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "x"); err != nil {
		t.Fatal(err)
	}
	trigger := b.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand).TriggerID
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "T", false, false)}

	clk.Advance(4 * time.Second)
	if _, err := api.OpenView(trigger, modal); slackErr(err) != "expired_trigger_id" {
		t.Fatalf("OpenView after 4 s: %v, want expired_trigger_id", err)
	}
	if _, err := api.OpenView("1.2.3", modal); slackErr(err) != "invalid_trigger_id" {
		t.Fatalf("OpenView with a made-up trigger: %v, want invalid_trigger_id", err)
	}
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "x"); err != nil {
		t.Fatal(err)
	}
	trigger = b.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand).TriggerID
	resp, err := api.OpenView(trigger, modal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.OpenView(trigger, modal); slackErr(err) != "exchanged_trigger_id" {
		t.Fatalf("OpenView twice: %v, want exchanged_trigger_id", err)
	}
	modal.CallbackID = "changed"
	if _, err := api.UpdateView(modal, "", "", resp.View.ID); err != nil {
		t.Fatal(err)
	}
	if v := srv.Views("U1"); len(v) != 1 || v[0].CallbackID != "changed" {
		t.Fatalf("Views(U1)=%+v, want the updated view", v)
	}
}

func TestDisconnect_ClientReconnects(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, ackEmpty)
	srv.Disconnect()
	waitFor(t, srv, "a second connection", func(s *slacktest.Server) bool {
		return s.ConnectionsOpened() == 2 && s.Connections() == 1
	})
	b.next(t, socketmode.EventTypeHello)
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != nil {
		t.Fatalf("command after reconnect: %v", err)
	}
}

func TestCloseAbruptly_ClientReconnects(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, ackEmpty)
	srv.CloseAbruptly()
	waitFor(t, srv, "a second connection", func(s *slacktest.Server) bool {
		return s.ConnectionsOpened() == 2 && s.Connections() == 1
	})
	b.next(t, socketmode.EventTypeHello)
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != nil {
		t.Fatalf("command after reconnect: %v", err)
	}
}

func TestRedeliver(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	b := connected(t, srv, ackEmpty)

	t.Run("Event", func(t *testing.T) {
		ack, err := srv.AppHomeOpened("U1")
		if err != nil {
			t.Fatal(err)
		}
		again, err := srv.Redeliver(ack.EnvelopeID)
		if err != nil {
			t.Fatal(err)
		}
		if again.EnvelopeID == ack.EnvelopeID {
			t.Errorf("redelivery kept envelope_id %s", ack.EnvelopeID)
		}
		var ids []string
		for i, wantRetry := range []int{0, 1} {
			evt := b.next(t, socketmode.EventTypeEventsAPI)
			ev := evt.Data.(slackevents.EventsAPIEvent)
			if got, want := ev.InnerEvent.Type, "app_home_opened"; got != want {
				t.Fatalf("delivery %d: inner type=%q, want %q", i, got, want)
			}
			if got := evt.Request.RetryAttempt; got != wantRetry {
				t.Errorf("delivery %d: retry_attempt=%d, want %d", i, got, wantRetry)
			}
			ids = append(ids, ev.Data.(*slackevents.EventsAPICallbackEvent).EventID)
		}
		if ids[0] == "" || ids[0] != ids[1] {
			t.Fatalf("event_ids=%q, want the same twice", ids)
		}
	})
	t.Run("SlashCommand", func(t *testing.T) {
		ack, err := srv.SlashCommand("U1", "C1", "/unban", "g1 u1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Redeliver(ack.EnvelopeID); err != nil {
			t.Fatal(err)
		}
		first := b.next(t, socketmode.EventTypeSlashCommand)
		second := b.next(t, socketmode.EventTypeSlashCommand)
		if first.Request.EnvelopeID == second.Request.EnvelopeID {
			t.Error("same envelope_id twice, want a new one")
		}
		if a, b := first.Data.(slack.SlashCommand).TriggerID, second.Data.(slack.SlashCommand).TriggerID; a != b {
			t.Errorf("trigger_ids %q and %q, want the same", a, b)
		}
	})
	t.Run("Resend", func(t *testing.T) {
		ack, err := srv.SlashCommand("U1", "C1", "/unban", "g1 u1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Resend(ack.EnvelopeID); err != nil {
			t.Fatal(err)
		}
		first := b.next(t, socketmode.EventTypeSlashCommand)
		second := b.next(t, socketmode.EventTypeSlashCommand)
		if first.Request.EnvelopeID != second.Request.EnvelopeID {
			t.Error("Resend changed the envelope_id")
		}
	})
}

func TestTwoClients_ShareEnvelopes(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	var n [2]atomic.Int32
	count := func(i int) handler {
		return func(c *socketmode.Client, evt socketmode.Event) {
			n[i].Add(1)
			_ = c.Ack(*evt.Request)
		}
	}
	connected(t, srv, count(0))
	second := connected(t, srv, count(1))
	_ = second
	waitFor(t, srv, "two connections", func(s *slacktest.Server) bool { return s.Connections() == 2 })

	const commands = 6
	for i := range commands {
		if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
	}
	if n[0].Load() == 0 || n[1].Load() == 0 || n[0].Load()+n[1].Load() != commands {
		t.Fatalf("clients handled %d and %d commands, want %d spread over both", n[0].Load(), n[1].Load(), commands)
	}
}

func TestConcurrentClicks(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	connected(t, srv, ackEmpty)
	_, ts, err := newAPI(t, srv).PostMessage("C1", slack.MsgOptionText("request", false), approvalBlocks("req-1"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := srv.Click("U2", "C1", ts, "approve", "req-1"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
