package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Empty", "", ""},
		{"Plain", "spam wave ended", "spam wave ended"},
		{"Channel", "<!channel> wake up", "&lt;!channel&gt; wake up"},
		{"Here", "<!here|here>", "&lt;!here|here&gt;"},
		{"UserMention", "<@U123>", "&lt;@U123&gt;"},
		{"Link", "<http://evil.example|innocent>", "&lt;http://evil.example|innocent&gt;"},
		{"Entity", "&lt;", "&amp;lt;"},
		{"Ampersand", "a & b", "a &amp; b"},
		{"FormattingKept", "*bold* _it_ `code`", "*bold* _it_ `code`"},
		{"Emoji", "🙂 <3 🇯🇵", "🙂 &lt;3 🇯🇵"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Fatalf("Escape(%q)=%q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCode(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Empty", "", "_(empty)_"},
		{"ID", "@TGS#aJRGC4MH6", "`@TGS#aJRGC4MH6`"},
		{"Channel", "<!channel>", "`&lt;!channel&gt;`"},
		{"UserMention", "<@U123>", "`&lt;@U123&gt;`"},
		{"Entity", "a&lt;b", "`a&amp;lt;b`"},
		{"Backticks", "a`b``", "`aˋbˋˋ`"},
		{"BreakOut", "` <!here> `", "`ˋ &lt;!here&gt; ˋ`"},
		{"LineBreaks", "a\nb\r\tc", "`a b  c`"},
		{"Controls", "a\x00b\u202ec\u2066d\x7f", "`a\uFFFDb\uFFFDc\uFFFDd\uFFFD`"},
		{"InvalidUTF8", "a\xffb", "`a\uFFFDb`"},
		{"Emoji", "🙂", "`🙂`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Code(tt.in)
			if got != tt.want {
				t.Fatalf("Code(%q)=%q, want %q", tt.in, got, tt.want)
			}
			if tt.in != "" && strings.Count(got, "`") != 2 {
				t.Fatalf("Code(%q)=%q has backticks inside", tt.in, got)
			}
		})
	}
}

func TestMention(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Member", "U123ABC", "<@U123ABC>"},
		{"Enterprise", "W0AB", "<@W0AB>"},
		{"Lowercase", "u123", "`u123`"},
		{"Channel", "<!channel>", "`&lt;!channel&gt;`"},
		{"Smuggled", "U1>|<!here", "`U1&gt;|&lt;!here`"},
		{"Empty", "", "_(empty)_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mention(tt.in); got != tt.want {
				t.Fatalf("Mention(%q)=%q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"Short", "abc", 10, "abc"},
		{"Exact", "abcde", 5, "abcde"},
		{"ASCII", "abcdefgh", 6, "abc…"},
		{"MultiByte", "ééé", 5, "é…"},
		{"RuneBoundary", "ééé", 4, "…"},
		{"Emoji", "🙂🙂🙂", 7, "🙂…"},
		{"EmojiBoundary", "🙂🙂🙂", 9, "🙂…"},
		{"NoRoomForEllipsis", "abcdef", 2, "ab"},
		{"NoRoomForEllipsisMultiByte", "éé", 2, "é"},
		{"NoRoomAtAll", "ééé", 1, ""},
		{"Zero", "abc", 0, ""},
		{"Negative", "abc", -1, ""},
		{"EmptyInput", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Truncate(tt.in, tt.max); got != tt.want {
				t.Fatalf("Truncate(%q, %d)=%q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
	t.Run("VeryLong", func(t *testing.T) {
		long := strings.Repeat("a🙂é", 10000)
		for n := 3000; n < 3040; n++ {
			got := Truncate(long, n)
			if len(got) > n || len(got) < n-6 || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
				t.Fatalf("Truncate(long, %d): %d bytes, valid=%v, tail %q", n, len(got), utf8.ValidString(got), got[len(got)-8:])
			}
		}
	})
}

func TestProse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 100, "> plain"},
		{"x\n*State* approved", 100, "> x\n> ∗State∗ approved"},
		{"_it_ ~st~ `c` <!channel> & co", 100, "> ˍitˍ ∼st∼ ˋcˋ &lt;!channel&gt; &amp; co"},
		{"alt of link_lou, 2*3", 100, "> alt of link_lou, 2*3"},
		{"\u202Eevil\u202C\u2066\u2069\u200E\u200F\u061C!", 100, "> evil!"},
		{"a\r\nb\u2028c\u2029d\re", 100, "> a\n> b\n> c\n> d\n> e"},
		{"a\n\n\n\nb\n\n", 100, "> a\n> \n> b"},
		{"\n\n  \t\n", 100, "> "},
		{"bad\xffbyte\x00\x1b[31m", 100, "> bad\uFFFDbyte[31m"},
		{"<<<<", 14, "> &lt;&lt;…"},
		{"one\ntwo\nthree", 12, "> one\n> t…"},
		{"ééé", 7, "> é…"},
	} {
		got := Prose(tc.in, tc.max)
		if got != tc.want || len(got) > tc.max {
			t.Errorf("Prose(%q, %d) = %q (%d bytes), want %q", tc.in, tc.max, got, len(got), tc.want)
		}
	}
}
