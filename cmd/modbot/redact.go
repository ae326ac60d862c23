package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

// secretShapes are what a secret looks like whatever its value: Slack tokens, a UserSig or a
// Socket Mode ticket in a query string, and Slack response_url / webhook paths (anyone holding
// one may post for 30 minutes). The fake Slack's response URLs end in /response/<id>.
var secretShapes = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`\bxox[a-z]-[a-z0-9-]+`,
	`\bxapp-[a-z0-9-]+`,
	`usersig=[^&\s"']*`,
	`ticket=[^&\s"']*`,
	`https?://hooks\.slack(-gov)?\.com/[^\s"']*`,
	`https?://[^\s"'/]+/(commands|actions|response)/[^\s"']*`,
}, "|"))

// redacted replaces whatever was scrubbed. It matches none of secretShapes.
const redacted = "[REDACTED]"

// newLogger builds the logger MODBOT_LOG_LEVEL and MODBOT_LOG_FORMAT ask for, behind the
// redaction guard: secrets (the configured tokens, secret key and Redis password) and anything
// shaped like one never reach w.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by loadConfig
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(newRedactor(h, cfg.secrets()...))
}

// redactor is a slog.Handler that scrubs known secret values and secret shapes from the message
// and every attribute (strings, errors, anything that prints) before the wrapped handler sees
// them.
type redactor struct {
	next    slog.Handler
	secrets []string
}

// newRedactor wraps next; secrets are exact values to scrub (short ones, under 6 bytes, are
// ignored: they would scrub ordinary words).
func newRedactor(next slog.Handler, secrets ...string) *redactor {
	r := &redactor{next: next}
	for _, s := range secrets {
		if len(s) >= 6 {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

func (r *redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, r.scrub(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

func (r *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = r.attr(a)
	}
	return &redactor{next: r.next.WithAttrs(clean), secrets: r.secrets}
}

func (r *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: r.next.WithGroup(name), secrets: r.secrets}
}

// attr scrubs one attribute, groups recursively.
func (r *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = r.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case []byte:
			s = string(x)
		default:
			s = fmt.Sprintf("%+v", x)
		}
		if clean := r.scrub(s); clean != s {
			return slog.String(a.Key, clean)
		}
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, err.Error()) // an error prints as its text in every format
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// scrub replaces every secret value and secret shape in s.
func (r *redactor) scrub(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return secretShapes.ReplaceAllString(s, redacted)
}
