package timtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// answer is what the server said to one request.
type answer struct {
	Status int
	Raw    []byte
	Env    envelope
	Fields map[string]json.RawMessage
}

// post sends body to command as the App admin and decodes the answer.
func post(tb testing.TB, s *Server, command, body string) answer {
	tb.Helper()
	return postURL(tb, s.SignedURL(command), body)
}

// postURL sends body to url and decodes the answer.
func postURL(tb testing.TB, url, body string) answer {
	tb.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewBufferString(body))
	if err != nil {
		tb.Fatalf("POST: %v", err)
	}
	return decodeAnswer(tb, resp)
}

// decodeAnswer reads resp; a 200 answer must be a JSON object.
func decodeAnswer(tb testing.TB, resp *http.Response) answer {
	tb.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read answer: %v", err)
	}
	a := answer{Status: resp.StatusCode, Raw: raw}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &a.Env); err != nil {
			tb.Fatalf("answer %s is not JSON: %v", raw, err)
		}
		if err := json.Unmarshal(raw, &a.Fields); err != nil {
			tb.Fatalf("answer %s is not a JSON object: %v", raw, err)
		}
	}
	return a
}

// mustCode fails the test unless the answer carries ErrorCode want (and the matching ActionStatus).
func mustCode(tb testing.TB, a answer, want int) {
	tb.Helper()
	if a.Status != http.StatusOK {
		tb.Fatalf("HTTP %d %s, want 200 with ErrorCode %d", a.Status, a.Raw, want)
	}
	if got := a.Env.ErrorCode; got != want {
		tb.Fatalf("ErrorCode=%d (%s), want %d", got, a.Env.ErrorInfo, want)
	}
	status := "OK"
	if want != 0 {
		status = "FAIL"
	}
	if got := a.Env.ActionStatus; got != status {
		tb.Fatalf("ActionStatus=%q, want %q", got, status)
	}
}

// field decodes one top-level field of the answer into v.
func field(tb testing.TB, a answer, name string, v any) {
	tb.Helper()
	raw, ok := a.Fields[name]
	if !ok {
		tb.Fatalf("answer %s has no %s", a.Raw, name)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
}

// clock is a settable clock for Options.Now and Server.clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Commands, spelled out as a client spells them.
const (
	cmdUnban     = "group_open_http_svc/unban_group_member"
	cmdBan       = "group_open_http_svc/ban_group_member"
	cmdBanList   = "group_open_http_svc/get_group_ban_member"
	cmdRoles     = "group_open_http_svc/get_role_in_group"
	cmdInfo      = "group_open_http_svc/get_group_info"
	cmdMute      = "group_open_http_svc/forbid_send_msg"
	cmdMutedList = "group_open_http_svc/get_group_muted_account"
	cmdRoomBan   = "room_engine_http_srv/ban_room_member"
	cmdRoomUnban = "room_engine_http_srv/unban_room_member"
	cmdRoomList  = "room_engine_http_srv/get_banned_member_list"
)

// accountsJSON is a JSON array of n accounts named prefix0, prefix1, ….
func accountsJSON(prefix string, n int) string {
	list := make([]string, n)
	for i := range list {
		list[i] = prefix + itoa(i)
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
