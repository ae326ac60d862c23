package slacktest_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"modbot/bot/slacktest"
)

func TestTwoClients_HelloCountsConnections(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	connected(t, srv, ackEmpty)
	second := startBot(t, srv, ackEmpty).next(t, socketmode.EventTypeHello)
	if got, want := second.Request.NumConnections, 2; got != want {
		t.Fatalf("second hello num_connections=%d, want %d", got, want)
	}
}

func TestSubscribe(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	ch, cancel := srv.Subscribe()
	defer cancel()
	before := srv.Version()
	if _, _, err := newAPI(t, srv).PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(wait):
		t.Fatal("no change notification after a post")
	}
	if srv.Version() <= before {
		t.Fatalf("Version()=%d, want > %d", srv.Version(), before)
	}
}

func TestClose_NoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()

	srv := slacktest.New(slacktest.Options{PingInterval: 10 * time.Millisecond})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	srv.AddUser("U1", "alice")
	srv.AddChannel("C1", "general", true)
	b := connected(t, srv, ackEmpty)
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != nil {
		t.Fatal(err)
	}
	srv.Disconnect()
	waitFor(t, srv, "a reconnect", func(s *slacktest.Server) bool { return s.ConnectionsOpened() == 2 && s.Connections() == 1 })
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != nil {
		t.Fatal(err)
	}
	b.stop()
	srv.Close()
	srv.Close() // idempotent
	if _, err := srv.SlashCommand("U1", "C1", "/modbot", "help"); err != slacktest.ErrClosed {
		t.Fatalf("SlashCommand after Close=%v, want ErrClosed", err)
	}

	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines after Close, want at most %d:\n%s", runtime.NumGoroutine(), before, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
