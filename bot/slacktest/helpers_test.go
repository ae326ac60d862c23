package slacktest_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"modbot/bot/slacktest"
)

// wait bounds every wait in these tests; generous, for a loaded machine.
const wait = 15 * time.Second

// clock is an injectable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1700000000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newServer starts a Server with two people and two channels: C1 (#general, the
// bot is a member) and C2 (#random, it is not).
func newServer(t *testing.T, opts slacktest.Options) *slacktest.Server {
	t.Helper()
	srv := slacktest.NewServer(t, opts)
	srv.AddUser("U1", "alice")
	srv.AddUser("U2", "bob")
	srv.AddChannel("C1", "general", true)
	srv.AddChannel("C2", "random", false)
	for _, ch := range []string{"C1", "C2"} {
		for _, u := range []string{"U1", "U2"} {
			if err := srv.Join(ch, u); err != nil {
				t.Fatal(err)
			}
		}
	}
	return srv
}

// newAPI returns a Web API client for srv with the bot token.
func newAPI(t *testing.T, srv *slacktest.Server, opts ...slack.Option) *slack.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	opts = append([]slack.Option{slack.OptionAPIURL(srv.URL), slack.OptionHTTPClient(&http.Client{Transport: tr})}, opts...)
	return slack.New(srv.Options().BotToken, opts...)
}

// bot is the real slack-go Socket Mode client, connected to a Server.
type bot struct {
	client *socketmode.Client
	got    chan socketmode.Event // every event carrying a request: hello, commands, interactions, events
	stop   func()
}

// handler answers one envelope; it must ack.
type handler func(c *socketmode.Client, evt socketmode.Event)

// ackEmpty acks with no payload.
func ackEmpty(c *socketmode.Client, evt socketmode.Event) {
	_ = c.Ack(*evt.Request)
}

// startBot runs a socketmode client against srv until the test ends; each
// envelope is handled in its own goroutine, as SocketmodeHandler does.
func startBot(t *testing.T, srv *slacktest.Server, h handler, opts ...socketmode.Option) *bot {
	t.Helper()
	o := srv.Options()
	tr := &http.Transport{}
	api := slack.New(o.BotToken, slack.OptionAppLevelToken(o.AppToken), slack.OptionAPIURL(srv.URL),
		slack.OptionHTTPClient(&http.Client{Transport: tr}))
	client := socketmode.New(api, opts...)
	b := &bot{client: client, got: make(chan socketmode.Event, 256)}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := client.RunContext(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("RunContext: %v", err)
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				if evt.Request == nil {
					continue
				}
				if evt.Type != socketmode.EventTypeHello {
					wg.Go(func() { h(client, evt) })
				}
				select {
				case b.got <- evt:
				default:
					t.Errorf("bot: event buffer full")
				}
			}
		}
	})
	var once sync.Once
	b.stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			tr.CloseIdleConnections()
		})
	}
	t.Cleanup(b.stop)
	return b
}

// next returns the next event of type typ, skipping others.
func (b *bot) next(t *testing.T, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case evt := <-b.got:
			if evt.Type == typ {
				return evt
			}
		case <-timeout:
			t.Fatalf("no %s event within %v", typ, wait)
		}
	}
}

// connected starts a bot and waits for its hello.
func connected(t *testing.T, srv *slacktest.Server, h handler, opts ...socketmode.Option) *bot {
	t.Helper()
	b := startBot(t, srv, h, opts...)
	b.next(t, socketmode.EventTypeHello)
	return b
}

// waitFor waits for cond on srv, failing the test after the deadline.
func waitFor(t *testing.T, srv *slacktest.Server, what string, cond func(*slacktest.Server) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	if err := srv.WaitFor(ctx, cond); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// slackErr returns the Slack error code in err, or "" when there is none.
func slackErr(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// approvalBlocks is a message with Approve / Deny buttons for request id.
func approvalBlocks(id string) slack.MsgOption {
	return slack.MsgOptionBlocks(
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Unban request *"+id+"*", false, false), nil, nil),
		slack.NewActionBlock("approval:"+id,
			slack.NewButtonBlockElement("approve", id, slack.NewTextBlockObject(slack.PlainTextType, "Approve", false, false)).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement("deny", id, slack.NewTextBlockObject(slack.PlainTextType, "Deny", false, false)).WithStyle(slack.StyleDanger),
		),
	)
}
