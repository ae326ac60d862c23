// Package slacktest is a working, stateful stand-in for Slack that the real
// slack-go Socket Mode client connects to, in the manner of net/http/httptest.
//
// One listener on 127.0.0.1 serves the Web API (under Server.URL), the Socket
// Mode WebSockets (hello, PING frames, envelopes out, acks in) and the
// response_url of every slash command and button click. The Server keeps what
// each person would see — channel messages and threads with their current
// content, DMs, and what only the invoker saw (ack payloads, ephemeral posts) —
// and lets a test act as a person: type a slash command, click a button, submit
// a modal, trigger an event.
//
// # Usage
//
//	srv := slacktest.NewServer(t, slacktest.Options{})
//	srv.AddUser("U1", "alice")
//	srv.AddChannel("C1", "approvals", true) // the bot is a member
//
//	o := srv.Options()
//	api := slack.New(o.BotToken, slack.OptionAppLevelToken(o.AppToken), slack.OptionAPIURL(srv.URL))
//	client := socketmode.New(api)
//	go client.RunContext(ctx) // and a loop over client.Events that acks,
//	                          // each envelope in its own goroutine
//
//	ack, err := srv.SlashCommand("U1", "C1", "/unban", "@TGS#1 user1 -- spam")
//	// ack.Payload is what the bot answered; srv.Ephemeral("U1") shows it too.
//	err = srv.WaitFor(ctx, func(s *slacktest.Server) bool { return len(s.Messages("C1")) == 1 })
//	root := srv.Messages("C1")[0]
//	_, err = srv.Click("U2", "C1", root.TS, "approve", "")
//
// A program (a sandbox, say) uses New(Options) and Start(addr) instead of
// NewServer, and Close when done.
//
// # API summary
//
// Setup: New, Start, NewServer, Close, Options, Reset; AddUser, SetProfile, AddChannel,
// Join, Leave, DMChannel, Say (a person posts); SetUI, Handle (web UI).
//
// Acting as a person (each pushes one envelope on an open connection, round-robin
// over all of them as Slack does, and waits for its ack within
// Options.AckTimeout, returning the Ack with its payload and the time it took):
// SlashCommand, Click, SubmitView, Event, AppHomeOpened, ClickHome (a button on
// the person's Home tab: a "view" container, no response_url) (and CloseView, which
// pushes nothing); InputOption values
// WithTeamID, WithAppID and WithEnterpriseID make a payload claim another
// workspace, app or org.
//
// Web API, with the bot token as Authorization: Bearer or as the token field:
// auth.test, chat.postMessage, chat.update, chat.delete, chat.postEphemeral,
// conversations.open, conversations.info, conversations.replies, users.info,
// views.open, views.push, views.update, views.publish (a Home tab: user_id, type home,
// at most 100 blocks; Home returns what was published); apps.connections.open with
// the app token.
// Answers have Slack's shapes and error codes: not_in_channel, channel_not_found,
// invalid_auth, not_authed, not_allowed_token_type, no_text, msg_too_long,
// invalid_blocks (more than 50 blocks, a section over 3,000 characters and the
// other Block Kit limits), msg_blocks_too_long (over 12,000 characters of block
// text), message_not_found, cant_update_message, thread_not_found,
// invalid_trigger_id, expired_trigger_id, exchanged_trigger_id, user_not_found,
// hash_conflict, view_too_large (a published view over 250 kB, a limit Slack does not
// document), unknown_method.
//
// response_url: valid 30 minutes by Options.Now, at most 5 posts; ephemeral
// (default) or in_channel; replace_original and delete_original act on the
// clicked message (block actions) or the command's latest ephemeral reply.
// Errors answer HTTP 404 (no_such_url, expired_url, used_url) or 400.
//
// Inspection: Messages, Thread, Message, DMs, Ephemeral, Views, Users, Channels,
// Calls, Connections, ConnectionsOpened, Pongs; Message.Buttons, ActionIDs and
// VisibleText for assertions. Changes: WaitFor, Subscribe, Version.
//
// Faults: RateLimitNext (HTTP 429 with Retry-After), FailNext (an error code),
// Disconnect (a refresh_requested disconnect frame on every connection),
// CloseAbruptly (TCP closed without a close frame), Redeliver (same payload, new
// envelope_id, retry_attempt+1 for events), Resend (an exact duplicate),
// Options.PingInterval < 0 (no pings: the client's dead-man timer reconnects) and
// Options.AckTimeout.
//
// # Web UI
//
// The same listener serves a web UI under /ui/ (GET / redirects there): a
// Slack-like client, embedded in the package, in which a person is picked and
// channels, threads and DMs are read with their Block Kit rendered, ephemeral
// replies shown only to their person, slash commands typed, buttons clicked and
// modals submitted — each through the same input methods a test uses — with
// live updates over Server-Sent Events. SetUI gives it a title, notes on the
// people, example commands and extra panels; Handle mounts a program's own
// endpoints (a panel's JSON, its forms) on the listener. Reset starts the
// workspace's history over. The UI and Handle's endpoints answer only requests
// to a loopback host, and only same-origin JSON POSTs.
//
// Timestamps are unique and strictly increasing ("1700000000.000100"), from
// Options.Now. All methods are safe for concurrent use.
package slacktest
