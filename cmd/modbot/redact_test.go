package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	cfg := Config{
		SlackAppToken: "xapp-1-A0TEST-123-appsecretvalue",
		SlackBotToken: "xoxb-123-456-botsecretvalue",
		TimSecretKey:  "tencent-secret-key-value",
		RedisURL:      "redis://:redis-pass-word@127.0.0.1:6379/0",
		LogLevel:      "debug",
	}
	secrets := []string{"appsecretvalue", "botsecretvalue", "tencent-secret-key-value", "redis-pass-word",
		"xoxb-", "xapp-", "usersig=", "hooks.slack.com", "/response/", "ticket="}
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		keep string // what must survive the scrubbing
	}{
		{"MessageBotToken", func(l *slog.Logger) { l.Info("token is " + cfg.SlackBotToken) }, "token is"},
		{"AttrAppToken", func(l *slog.Logger) { l.Info("connect", "token", cfg.SlackAppToken) }, "connect"},
		{"OtherSlackToken", func(l *slog.Logger) { l.Info("x", "t", "xoxp-999-888-user-token") }, `"x"`},
		{"SecretKeyInError", func(l *slog.Logger) {
			l.Error("sign", "err", fmt.Errorf("sign with %s: %w", cfg.TimSecretKey, errors.New("boom")))
		}, "boom"},
		{"UserSigInURL", func(l *slog.Logger) {
			l.Warn("call", "err", errors.New(`Post "https://adminapisgp.im.qcloud.com/v4/x?sdkappid=1&usersig=eJwtzE1&random=9": EOF`))
		}, "sdkappid=1"},
		{"ResponseURL", func(l *slog.Logger) {
			l.Info("reply", "url", "https://hooks.slack.com/commands/T0123/456/abcdef")
		}, "reply"},
		{"FakeResponseURL", func(l *slog.Logger) {
			l.Info("reply", "err", errors.New(`Post "http://127.0.0.1:4567/response/r42": EOF`))
		}, "EOF"},
		{"SocketTicket", func(l *slog.Logger) {
			l.Debug("socketmode", "msg", "dialing wss://x.slack.com/link/?ticket=abc-123&app_id=A1")
		}, "app_id=A1"},
		{"RedisPassword", func(l *slog.Logger) { l.Error("redis", "err", errors.New("auth redis-pass-word refused")) }, "refused"},
		{"WithAttrs", func(l *slog.Logger) { l.With("token", cfg.SlackBotToken).Info("hi") }, "hi"},
		{"Group", func(l *slog.Logger) { l.Info("g", slog.Group("slack", "token", cfg.SlackBotToken, "n", 3)) }, `"n":3`},
		{"WithGroup", func(l *slog.Logger) { l.WithGroup("req").Info("g", "key", cfg.TimSecretKey) }, `"req"`},
		{"Bytes", func(l *slog.Logger) {
			l.Info("raw", "body", []byte(`{"response_url":"https://hooks.slack.com/actions/T1/2/3"}`))
		}, "raw"},
		{"Struct", func(l *slog.Logger) {
			l.Info("opts", "o", struct{ Token string }{cfg.SlackBotToken})
		}, "opts"},
	}
	for _, format := range []string{"json", "text"} {
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				c := cfg
				c.LogFormat = format
				var buf bytes.Buffer
				tt.log(newLogger(c, &buf))
				out := buf.String()
				if out == "" {
					t.Fatal("nothing logged")
				}
				for _, s := range secrets {
					if strings.Contains(out, s) {
						t.Errorf("log holds %q: %s", s, out)
					}
				}
				keep := tt.keep
				if format == "text" {
					keep = strings.NewReplacer(`"`, "", ":", "=").Replace(keep)
				}
				if !strings.Contains(out, keep) {
					t.Errorf("log lost %q: %s", keep, out)
				}
				if !strings.Contains(out, redacted) {
					t.Errorf("log does not show %s where the secret was: %s", redacted, out)
				}
			})
		}
	}
}

// Ordinary text goes through unchanged, types included.
func TestRedactor_LeavesOrdinaryText(t *testing.T) {
	var buf bytes.Buffer
	l := newLogger(Config{LogFormat: "json", LogLevel: "info", SlackBotToken: "xoxb-1-2-secret"}, &buf)
	l.Info("command", "slack_user", "U0ALICE", "cmd", "/unban", "group", "@TGS#aJRGC4MH6", "accounts", 3, "err", errors.New("tim: error 10010"))
	want := `"msg":"command","slack_user":"U0ALICE","cmd":"/unban","group":"@TGS#aJRGC4MH6","accounts":3,"err":"tim: error 10010"}`
	if !strings.Contains(buf.String(), want) {
		t.Fatalf("log = %s, want it to contain %s", buf.String(), want)
	}
}
