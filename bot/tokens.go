package bot

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cmdToken is one separated word of a text.
type cmdToken struct {
	s     string
	atoms []slackAtom // offsets relative to s
	end   int         // offset in the text just after the token
}

// tokens splits the text at separators; atoms are never split.
func (t cmdText) tokens() []cmdToken {
	var toks []cmdToken
	start, first := -1, 0 // start of the current token, its first atom
	next := 0             // next atom
	emit := func(end int) {
		k := cmdToken{s: t.s[start:end], end: end}
		for _, a := range t.atoms[first:next] {
			a.start -= start
			a.end -= start
			k.atoms = append(k.atoms, a)
		}
		toks = append(toks, k)
		start = -1
	}
	for i := 0; i < len(t.s); {
		if next < len(t.atoms) && t.atoms[next].start == i {
			if start < 0 {
				start, first = i, next
			}
			i = t.atoms[next].end
			next++
			continue
		}
		r, size := utf8.DecodeRuneInString(t.s[i:])
		switch {
		case isSeparator(r):
			if start >= 0 {
				emit(i)
			}
		case start < 0:
			start, first = i, next
		}
		i += size
	}
	if start >= 0 {
		emit(len(t.s))
	}
	return toks
}

// splitReason returns the tokens before the first standalone "--" (or the
// "—" or "–" a phone makes of it) and the text after it, untrimmed.
func (t cmdText) splitReason() (args []cmdToken, reason string, found bool) {
	toks := t.tokens()
	for i, k := range toks {
		if isReasonMarker(k) {
			return toks[:i], t.s[k.end:], true
		}
	}
	return toks, "", false
}

// isSeparator reports whether r separates tokens: any Unicode space, the zero-width
// spaces and joiners Slack and pasted text carry, and commas.
func isSeparator(r rune) bool {
	switch r {
	case ',', '\u200b', '\u2060', '\ufeff', '\u00a0', '\u202f', '\u2007':
		return true
	}
	return unicode.IsSpace(r)
}

func isReasonMarker(k cmdToken) bool {
	return k.plain() && (k.s == "--" || k.s == "—" || k.s == "–")
}

// gluedReasonMarker reports a token that starts with a reason marker but is not one,
// e.g. "--spam", and returns the marker.
func gluedReasonMarker(k cmdToken) (string, bool) {
	for _, d := range []string{"--", "—", "–"} {
		if len(k.s) > len(d) && strings.HasPrefix(k.s, d) && (len(k.atoms) == 0 || k.atoms[0].start >= len(d)) {
			return d, true
		}
	}
	return "", false
}

func (k cmdToken) plain() bool { return len(k.atoms) == 0 }

// is reports whether k is the keyword w, in any case.
func (k cmdToken) is(w string) bool { return k.plain() && strings.EqualFold(k.s, w) }

// cutKey splits a filter "key:value" where key is one of /modbot log's
// filters, in any case; the value keeps its atoms (by:<@U1|bob>).
func (k cmdToken) cutKey() (key string, v cmdToken, ok bool) {
	i := strings.IndexByte(k.s, ':')
	if i < 0 || (len(k.atoms) > 0 && k.atoms[0].start < i) {
		return "", cmdToken{}, false
	}
	key = strings.ToLower(k.s[:i])
	switch key {
	case "account", "group", "room", "by", "action", "reason":
	default:
		return "", cmdToken{}, false
	}
	v = cmdToken{s: k.s[i+1:], end: k.end}
	for _, a := range k.atoms {
		a.start -= i + 1
		a.end -= i + 1
		v.atoms = append(v.atoms, a)
	}
	return key, v, true
}

func (k cmdToken) quoted() string { return quoteInput(k.s) }

// quoteInput shows user input in an error: quoted, invisible characters escaped,
// cut after 64 bytes.
func quoteInput(s string) string {
	return strconv.QuoteToGraphic(Truncate(s, 64))
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// withCommas formats a count with commas: 1,000.
func withCommas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
