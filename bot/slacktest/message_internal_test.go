package slacktest

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestCheckMessage(t *testing.T) {
	section := func(text string) string {
		return `{"type":"section","text":{"type":"mrkdwn","text":` + strconv.Quote(text) + `}}`
	}
	button := func(id, text, value string) string {
		return `{"type":"button","action_id":"` + id + `","text":{"type":"plain_text","text":` + strconv.Quote(text) + `},"value":` + strconv.Quote(value) + `}`
	}
	list := func(blocks ...string) string { return "[" + strings.Join(blocks, ",") + "]" }
	many := func(n int, b string) string { return list(slices.Repeat([]string{b}, n)...) }
	fields := func(n, size int) string {
		f := slices.Repeat([]string{`{"type":"mrkdwn","text":"` + strings.Repeat("x", size) + `"}`}, n)
		return `{"type":"section","fields":[` + strings.Join(f, ",") + `]}`
	}
	tests := []struct {
		name   string
		text   string
		blocks string // "" for none
		want   string
	}{
		{"TextOnly", "hi", "", ""},
		{"NoText", "", "", "no_text"},
		{"BlankText", " \n", "", "no_text"},
		{"EmptyBlocksNoText", "", "[]", "no_text"},
		{"MsgTooLong", strings.Repeat("é", maxTextChars+1), "", "msg_too_long"},
		{"TextAtLimit", strings.Repeat("é", maxTextChars), "", ""},
		{"BlocksNotJSON", "", "{", "invalid_blocks_format"},
		{"FiftyBlocks", "", many(50, section("x")), ""},
		{"FiftyOneBlocks", "", many(51, section("x")), "invalid_blocks"},
		{"SectionAtLimit", "", list(section(strings.Repeat("x", 3000))), ""},
		{"SectionTooLong", "", list(section(strings.Repeat("x", 3001))), "invalid_blocks"},
		{"SectionEmpty", "", list(`{"type":"section"}`), "invalid_blocks"},
		{"TenFields", "", list(fields(10, 1000)), ""},
		{"ElevenFields", "", list(fields(11, 1)), "invalid_blocks"},
		{"FieldTooLong", "", list(fields(1, 2001)), "invalid_blocks"},
		{"HeaderTooLong", "", list(`{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("x", 151) + `"}}`), "invalid_blocks"},
		{"HeaderMrkdwn", "", list(`{"type":"header","text":{"type":"mrkdwn","text":"x"}}`), "invalid_blocks"},
		{"DuplicateBlockID", "", list(`{"type":"divider","block_id":"a"}`, `{"type":"divider","block_id":"a"}`), "invalid_blocks"},
		{"NoType", "", list(`{"text":"x"}`), "invalid_blocks"},
		{"Buttons", "", list(`{"type":"actions","elements":[` + button("a", "A", "1") + `,` + button("b", "B", "2") + `]}`), ""},
		{"DuplicateActionID", "", list(`{"type":"actions","elements":[` + button("a", "A", "1") + `,` + button("a", "B", "2") + `]}`), "invalid_blocks"},
		{"ButtonTextTooLong", "", list(`{"type":"actions","elements":[` + button("a", strings.Repeat("x", 76), "1") + `]}`), "invalid_blocks"},
		{"ButtonValueTooLong", "", list(`{"type":"actions","elements":[` + button("a", "A", strings.Repeat("x", 2001)) + `]}`), "invalid_blocks"},
		{"TooManyActions", "", list(`{"type":"actions","elements":[` + strings.Join(func() []string {
			var b []string
			for i := range 26 {
				b = append(b, button(strconv.Itoa(i), "A", "1"))
			}
			return b
		}(), ",") + `]}`), "invalid_blocks"},
		{"BlocksTextTooLong", "", many(5, section(strings.Repeat("x", 2500))), "msg_blocks_too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkMessage(tt.text, []byte(tt.blocks), tt.blocks != ""); got != tt.want {
				t.Fatalf("checkMessage()=%q, want %q", got, tt.want)
			}
		})
	}
}

func TestMessage_ButtonsAndVisibleText(t *testing.T) {
	m := Message{Text: "fallback", Blocks: json.RawMessage(`[
		{"type":"header","text":{"type":"plain_text","text":"Unban request #7"}},
		{"type":"section","block_id":"s","text":{"type":"mrkdwn","text":"*group* @TGS#1"},
		 "fields":[{"type":"mrkdwn","text":"f1"},{"type":"mrkdwn","text":"f2"}],
		 "accessory":{"type":"button","action_id":"open","text":{"type":"plain_text","text":"Open"},"value":"o"}},
		{"type":"actions","block_id":"approval:7","elements":[
		  {"type":"button","action_id":"approve","style":"primary","value":"7","text":{"type":"plain_text","text":"Approve"},
		   "confirm":{"title":{"type":"plain_text","text":"Sure?"},"text":{"type":"plain_text","text":"Really"}}},
		  {"type":"button","action_id":"deny","style":"danger","value":"7","text":{"type":"plain_text","text":"Deny"}}]},
		{"type":"context","elements":[{"type":"mrkdwn","text":"requested by <@U1>"}]}
	]`)}
	want := []Button{
		{BlockID: "s", ActionID: "open", Value: "o", Text: "Open"},
		{BlockID: "approval:7", ActionID: "approve", Value: "7", Text: "Approve", Style: "primary"},
		{BlockID: "approval:7", ActionID: "deny", Value: "7", Text: "Deny", Style: "danger"},
	}
	if got := m.Buttons(); !slices.Equal(got, want) {
		t.Fatalf("Buttons()=%+v, want %+v", got, want)
	}
	if got, want := m.ActionIDs(), []string{"open", "approve", "deny"}; !slices.Equal(got, want) {
		t.Fatalf("ActionIDs()=%q, want %q", got, want)
	}
	wantText := "Unban request #7\n*group* @TGS#1\nf1\nf2\nOpen\nApprove\nDeny\nrequested by <@U1>"
	if got := m.VisibleText(); got != wantText {
		t.Fatalf("VisibleText()=%q, want %q", got, wantText)
	}
	if got := (Message{Text: "plain"}).VisibleText(); got != "plain" {
		t.Fatalf("VisibleText() without blocks=%q, want plain", got)
	}
}

func TestNextTS_StrictlyIncreasing(t *testing.T) {
	s := New(Options{})
	s.lastTS = s.opts.Now().UnixMicro() + 10 // the clock lags behind the last stamp
	prev := ""
	for range 1000 {
		ts := s.nextTSLocked()
		if len(ts) != len("1700000000.000100") || ts <= prev {
			t.Fatalf("timestamp %q after %q, want a greater one of the same form", ts, prev)
		}
		prev = ts
	}
}

// TestImports keeps the package graph honest: the standard library, gorilla
// and slack-go only, in non-test files.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			std := !strings.Contains(first, ".")
			if !std && path != "github.com/gorilla/websocket" && !strings.HasPrefix(path, "github.com/slack-go/slack") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
