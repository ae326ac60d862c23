package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes user-supplied text safe to put into Slack mrkdwn or a
// message's fallback text: it replaces &, < and > with entities and nothing
// else, so "<!channel>", "<@U123>" and "<http://evil|innocent>" in the text
// show as typed and neither notify anyone nor turn into links.
func Escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Code renders s (an ID, an account, any user-supplied word) as an inert
// inline code span: escaped like Escape, with backticks replaced by the
// lookalike ˋ (U+02CB) so they cannot close the span, line breaks and tabs
// by spaces, and control and bidirectional-override characters (which could
// make the text read differently from what it is) and invalid UTF-8 by �.
// An empty s renders as _(empty)_.
func Code(s string) string {
	if s == "" {
		return "_(empty)_"
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('`')
	for _, r := range s {
		switch {
		case r == '`':
			b.WriteRune('ˋ')
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\n', r == '\r', r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r), isBidiControl(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('`')
	return b.String()
}

// Mention renders a Slack user as a mention (<@U123>) when userID is a
// well-formed member ID (U… or W…, uppercase letters and digits); anything
// else is shown with Code and mentions no one.
func Mention(userID string) string {
	if isMemberID(userID) {
		return "<@" + userID + ">"
	}
	return Code(userID)
}

// Truncate shortens s to at most maxBytes bytes, cutting on a rune boundary
// and ending with "…" when it cuts. Truncate before escaping: escaping can
// make text longer, and cutting escaped text could split an entity.
func Truncate(s string, maxBytes int) string {
	const ellipsis = "…"
	if len(s) <= maxBytes {
		return s
	}
	if maxBytes <= 0 {
		return ""
	}
	cut := maxBytes - len(ellipsis)
	suffix := ellipsis
	if cut < 0 { // no room for the ellipsis
		cut, suffix = maxBytes, ""
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + suffix
}

// isBidiControl reports the invisible characters that reorder text.
func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// Reading: a slash command's text arrives in Slack's own syntax, the inverse
// of Escape. lexCommand undoes it for the parser.

// cmdText is a command's text with Slack's escaping undone: links are replaced
// by their labels and &amp; &lt; &gt; unescaped, while mentions, channel
// links and special mentions stay as <…> and are recorded as atoms.
type cmdText struct {
	s     string
	atoms []slackAtom // in order
}

// slackAtom is a Slack <…> token kept in a text; it is never split into tokens.
type slackAtom struct {
	start, end int
	kind       atomKind
	user       string // atomMention: the member ID
}

type atomKind int

const (
	atomMention atomKind = iota + 1 // <@U123|name>
	atomChannel                     // <#C123|name>
	atomSpecial                     // <!channel>, <!subteam^S1|@team>, anything else unusual
)

func (k atomKind) String() string {
	switch k {
	case atomMention:
		return "user mention"
	case atomChannel:
		return "channel link"
	}
	return "special mention"
}

// lexCommand reads a command's text as Slack sends it: links Slack wrapped
// around a word become the word, user mentions, channel links and special
// mentions become atoms, and the rest is unescaped. A '<' with no closing
// '>' (Slack never sends one) stays text.
func lexCommand(raw string) cmdText {
	var b strings.Builder
	var atoms []slackAtom
	for raw != "" {
		i := strings.IndexByte(raw, '<')
		if i < 0 {
			b.WriteString(unescapeSlack(raw))
			break
		}
		b.WriteString(unescapeSlack(raw[:i]))
		raw = raw[i:]
		j := strings.IndexAny(raw[1:], "<>")
		if j < 0 { // no Slack token can follow: the rest is text
			b.WriteString(unescapeSlack(raw))
			break
		}
		if raw[1+j] == '<' { // not a Slack token: keep this '<' as text
			b.WriteString(unescapeSlack(raw[:1+j]))
			raw = raw[1+j:]
			continue
		}
		body := raw[1 : 1+j]
		raw = raw[2+j:]
		a := slackAtom{start: b.Len(), kind: atomSpecial}
		switch {
		case strings.HasPrefix(body, "@"):
			id, _, _ := strings.Cut(body[1:], "|")
			if isMemberID(id) {
				a.kind, a.user = atomMention, id
			}
		case strings.HasPrefix(body, "#"):
			a.kind = atomChannel
		case strings.HasPrefix(body, "!"), body == "":
		default: // a link Slack made of a word: the label is what the user typed
			url, label, ok := strings.Cut(body, "|")
			if !ok {
				label = strings.TrimPrefix(url, "mailto:")
			}
			b.WriteString(unescapeSlack(label))
			continue
		}
		b.WriteString("<" + unescapeSlack(body) + ">")
		a.end = b.Len()
		atoms = append(atoms, a)
	}
	return cmdText{s: b.String(), atoms: atoms}
}

// unescapeSlack undoes Slack's escaping of &, < and >.
func unescapeSlack(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "&amp;"):
			b.WriteByte('&')
			s = s[5:]
		case strings.HasPrefix(s, "&lt;"):
			b.WriteByte('<')
			s = s[4:]
		case strings.HasPrefix(s, "&gt;"):
			b.WriteByte('>')
			s = s[4:]
		default:
			b.WriteByte('&')
			s = s[1:]
		}
	}
}

// Prose renders free text a person typed (a reason, a deny reason) for mrkdwn so that it shows
// as typed and cannot pass for modbot's own words: & < > are escaped as Escape does; the mrkdwn
// markers * _ ~ ` at a word's edge, where Slack would format, become lookalikes (∗ ˍ ∼ ˋ) so
// "*State* approved" is not bold, while "link_lou" stays as typed; bidi controls
// and other control characters are removed and invalid UTF-8 becomes �; line breaks (including
// U+2028/U+2029) are kept, blank runs folded, and every line starts with "> ", so a multi-line
// text is one block quote whose lines cannot look like a field. The result is at most max bytes,
// cut with "…" where it had to be cut.
func Prose(s string, max int) string {
	lines := inertLines(s, true)
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return cutInert(strings.Join(lines, "\n"), max)
}

// escapeWithin renders one line of outside text (Tencent's error info, a short reason) like
// Prose but without line breaks or the quote marker: at most max bytes, cut with "…".
func escapeWithin(s string, max int) string {
	return cutInert(strings.Join(inertLines(s, false), " "), max)
}

// cutInert shortens already escaped text to at most max bytes, ending with "…" when it cuts,
// on a rune boundary and never inside an entity ("&amp;").
func cutInert(s string, max int) string {
	const ellipsis = "…"
	if len(s) <= max {
		return s
	}
	room := max - len(ellipsis)
	cut := 0
	for cut < len(s) {
		n := 1
		if s[cut] == '&' {
			if j := strings.IndexByte(s[cut:], ';'); j > 0 {
				n = j + 1
			}
		} else {
			_, n = utf8.DecodeRuneInString(s[cut:])
		}
		if cut+n > room {
			break
		}
		cut += n
	}
	if room < 0 {
		return ""
	}
	return s[:cut] + ellipsis
}

// inertLines splits s into lines of inert mrkdwn (see Prose). With multiline false the line
// breaks become spaces and one line comes back.
func inertLines(s string, multiline bool) []string {
	var lines []string
	var b strings.Builder
	blank := 0
	flush := func() {
		line := strings.TrimRight(b.String(), " ")
		b.Reset()
		if line == "" {
			blank++
			return
		}
		if blank > 0 && len(lines) > 0 {
			lines = append(lines, "")
		}
		blank = 0
		lines = append(lines, line)
	}
	for i, w := 0, 0; i < len(s); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r' && strings.HasPrefix(s[i+1:], "\n"):
		case r == '\n', r == '\r', r == '\v', r == '\f', r == '\u0085', r == '\u2028', r == '\u2029':
			if multiline {
				flush()
			} else {
				b.WriteByte(' ')
			}
		case r == '\t':
			b.WriteByte(' ')
		case isBidiControl(r), unicode.IsControl(r):
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case lookalike[r] != 0 && atWordEdge(s, i, w):
			b.WriteRune(lookalike[r])
		default:
			b.WriteRune(r)
		}
	}
	flush()
	if len(lines) == 0 {
		return []string{""}
	}
	return lines
}

// lookalike maps each mrkdwn marker to a character that looks the same but formats nothing.
var lookalike = map[rune]rune{'*': '∗', '_': 'ˍ', '~': '∼', '`': 'ˋ'}

// atWordEdge reports whether the rune at s[i:i+w] has no letter or digit on one side: only there
// can Slack read it as the start or end of formatting (an "_" inside "link_lou" formats nothing).
func atWordEdge(s string, i, w int) bool {
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	next, _ := utf8.DecodeRuneInString(s[i+w:])
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	return i == 0 || i+w == len(s) || !word(prev) || !word(next)
}
