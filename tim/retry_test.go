package tim_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

// op runs one client operation against srv's fixtures and returns its error
// (for bulk operations, the outcome of the first account).
type op func(ctx context.Context, c *tim.Client) error

func firstOutcome(out []tim.Outcome, err error) error {
	if err != nil {
		return err
	}
	return out[0].Err
}

// fixtures creates a live group, a work group and a room, and returns the
// operations the code table uses.
func fixtures(srv *timtest.Server) map[string]op {
	live := tim.GroupID(srv.CreateGroup(timtest.AVChatRoom))
	work := tim.GroupID(srv.CreateGroup(timtest.Private))
	srv.CreateRoom("room-1")
	one := []tim.UserID{"u1"}
	return map[string]op{
		cmdUnbanGroup: func(ctx context.Context, c *tim.Client) error {
			return firstOutcome(c.UnbanGroupMembers(ctx, live, one, tim.BulkOptions{}))
		},
		cmdBanGroup: func(ctx context.Context, c *tim.Client) error {
			return firstOutcome(c.BanGroupMembers(ctx, live, one, time.Hour, "", tim.BulkOptions{}))
		},
		cmdRoles: func(ctx context.Context, c *tim.Client) error {
			_, err := c.GetRolesInGroup(ctx, work, one)
			return err
		},
		cmdGroupBanList: func(ctx context.Context, c *tim.Client) error {
			_, err := c.GroupBannedMembers(ctx, live)
			return err
		},
		cmdGroupInfo: func(ctx context.Context, c *tim.Client) error {
			_, err := c.GroupInfo(ctx, work)
			return err
		},
		cmdUnbanRoom: func(ctx context.Context, c *tim.Client) error {
			return firstOutcome(c.UnbanRoomMembers(ctx, "room-1", one, tim.BulkOptions{}))
		},
		cmdBanRoom: func(ctx context.Context, c *tim.Client) error {
			return firstOutcome(c.BanRoomMembers(ctx, "room-1", one, time.Hour, "abuse", tim.BulkOptions{}))
		},
		cmdRoomBanList: func(ctx context.Context, c *tim.Client) error {
			_, err := c.RoomBannedMembers(ctx, "room-1")
			return err
		},
		cmdMute: func(ctx context.Context, c *tim.Client) error {
			return firstOutcome(c.MuteGroupMembers(ctx, live, one, time.Hour, tim.BulkOptions{}))
		},
		cmdMutedList: func(ctx context.Context, c *tim.Client) error {
			_, err := c.GroupMutedMembers(ctx, live)
			return err
		},
	}
}

// TestClient_Codes meets every code of the seed pages, and the retry classes,
// through the emulator: wantCalls counts the HTTP requests, wantCode the code
// of the final error (0: success, -1: an error without a Tencent code).
func TestClient_Codes(t *testing.T) {
	tests := []struct {
		name      string
		command   string
		faults    []int // FailNext codes; negative: FailNextHTTP status
		wantCalls int
		wantCode  int
		retryable bool
	}{
		{"10002RetriedThenOK", cmdUnbanGroup, []int{10002}, 2, 0, false},
		{"10003", cmdUnbanGroup, []int{10003}, 1, 10003, false},
		{"10004NotRetried", cmdUnbanGroup, []int{10004}, 1, 10004, false},
		{"10005", cmdUnbanGroup, []int{10005}, 1, 10005, false},
		{"10007", cmdUnbanGroup, []int{10007}, 1, 10007, false},
		{"10007Roles", cmdRoles, []int{10007}, 1, 10007, false},
		{"10010", cmdRoles, []int{10010}, 1, 10010, false},
		{"10015", cmdRoles, []int{10015}, 1, 10015, false},
		{"10002Roles", cmdRoles, []int{10002, 10002}, 3, 0, false},
		{"10002GaveUp", cmdGroupInfo, []int{10002, 10002, 10002}, 3, 10002, true},
		{"100001RetriedThenOK", cmdUnbanRoom, []int{100001}, 2, 0, false},
		{"100001List", cmdRoomBanList, []int{100001}, 2, 0, false},
		{"100002", cmdUnbanRoom, []int{100002}, 1, 100002, false},
		{"100004", cmdRoomBanList, []int{100004}, 1, 100004, false},
		{"100005", cmdUnbanRoom, []int{100005}, 1, 100005, false},
		{"100006", cmdBanRoom, []int{100006}, 1, 100006, false},
		{"60007Throttled", cmdGroupBanList, []int{60007}, 2, 0, false},
		{"10006ThrottledBan", cmdBanGroup, []int{10006}, 2, 0, false},
		{"60007ThrottledRoomBan", cmdBanRoom, []int{60007}, 2, 0, false},
		{"70001ResignOnce", cmdUnbanGroup, []int{70001}, 2, 0, false},
		{"70052ResignOnce", cmdBanGroup, []int{70052}, 2, 0, false},
		{"70001Twice", cmdGroupInfo, []int{70001, 70001}, 2, 70001, false},
		{"70050NotRetried", cmdGroupInfo, []int{70050}, 1, 70050, false},
		{"502RetriedThenOK", cmdUnbanGroup, []int{-502}, 2, 0, false},
		{"503List", cmdGroupBanList, []int{-503, -504}, 3, 0, false},
		{"404NotRetried", cmdGroupInfo, []int{-404}, 1, -1, false},
		{"BanNot10002", cmdBanGroup, []int{10002}, 1, 10002, true},
		{"BanNot502", cmdBanGroup, []int{-502}, 1, -1, true},
		{"RoomBanNot100001", cmdBanRoom, []int{100001}, 1, 100001, true},
		{"MuteNot10002", cmdMute, []int{10002}, 1, 10002, true},
		{"MuteNot502", cmdMute, []int{-502}, 1, -1, true},
		{"MuteThrottled", cmdMute, []int{60007}, 2, 0, false},
		{"MuteResign", cmdMute, []int{70001}, 2, 0, false},
		{"Mute10007", cmdMute, []int{10007}, 1, 10007, false},
		{"MutedList10002", cmdMutedList, []int{10002}, 2, 0, false},
		{"MutedList10010", cmdMutedList, []int{10010}, 1, 10010, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := timtest.NewServer(t)
			ops := fixtures(srv)
			c := newClient(t, srv, func(o *tim.Options) { o.MaxAttempts = 3 })
			for _, code := range tt.faults {
				if code < 0 {
					srv.FailNextHTTP(tt.command, -code)
				} else {
					srv.FailNext(tt.command, code)
				}
			}
			err := ops[tt.command](t.Context(), c)
			if got := srv.Calls(tt.command); got != tt.wantCalls {
				t.Fatalf("%d calls, want %d (err %v)", got, tt.wantCalls, err)
			}
			if got, want := err == nil, tt.wantCode == 0; got != want {
				t.Fatalf("err = %v, want success: %v", err, want)
			}
			if got, want := tim.Code(err), max(tt.wantCode, 0); got != want {
				t.Fatalf("code %d (err %v), want %d", got, err, want)
			}
			if err != nil {
				if got := tim.Retryable(err); got != tt.retryable {
					t.Fatalf("Retryable(%v) = %v, want %v", err, got, tt.retryable)
				}
			}
		})
	}
}

func TestClient_UserSig(t *testing.T) {
	srv := timtest.NewServer(t)
	g := srv.CreateGroup(timtest.Public)

	t.Run("Accepted", func(t *testing.T) {
		if _, err := newClient(t, srv).GroupInfo(t.Context(), tim.GroupID(g)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		const key = "0000000000000000000000000000000000000000000000000000000000000000"
		before := srv.Calls(cmdGroupInfo)
		c := newClient(t, srv, func(o *tim.Options) { o.SecretKey = key })
		_, err := c.GroupInfo(t.Context(), tim.GroupID(g))
		var te *tim.Error
		if !errors.As(err, &te) || te.Code != 70009 {
			t.Fatalf("err = %v, want *tim.Error 70009", err)
		}
		if got, want := srv.Calls(cmdGroupInfo)-before, 1; got != want {
			t.Fatalf("%d calls, want %d (70009 is not retried)", got, want)
		}
		if tim.Retryable(err) || strings.Contains(err.Error(), key) {
			t.Fatalf("err %q: retryable or shows the key", err)
		}
	})
}

// TestClient_NoSecretsInErrors checks transport errors for the UserSig and
// the secret key.
func TestClient_NoSecretsInErrors(t *testing.T) {
	srv := timtest.NewServer(t)
	g := tim.GroupID(srv.CreateGroup(timtest.Public))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name  string
		setup func() func(*tim.Options)
		want  string // in the error
	}{
		{"ConnectionRefused", func() func(*tim.Options) {
			return func(o *tim.Options) { o.BaseURL = closed }
		}, "REDACTED"},
		{"502", func() func(*tim.Options) {
			srv.FailNextHTTP(cmdGroupInfo, 502)
			return func(*tim.Options) {}
		}, "502"},
		{"Timeout", func() func(*tim.Options) {
			srv.SetLatency(5 * time.Second)
			return func(o *tim.Options) { o.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} }
		}, "REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer srv.ClearFaults()
			c := newClient(t, srv, tt.setup(), func(o *tim.Options) { o.MaxAttempts = 1 })
			_, err := c.GroupInfo(t.Context(), g)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, secret := range []string{"usersig", "eJ", srv.SecretKey()} {
				if strings.Contains(msg, secret) {
					t.Fatalf("error %q contains %q", msg, secret)
				}
			}
			if !strings.Contains(msg, tt.want) || !tim.Retryable(err) {
				t.Fatalf("error %q: want %q in it and retryable", msg, tt.want)
			}
		})
	}
}

// TestClient_Request checks the URL, method and body of what the client sends.
func TestClient_Request(t *testing.T) {
	var (
		mu      sync.Mutex
		randoms []string
	)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		if !strings.HasPrefix(r.URL.RawQuery, "sdkappid=1400000001&identifier=admin&usersig=") {
			t.Errorf("query %.40s…: want Tencent's order", r.URL.RawQuery)
		}
		switch {
		case r.Method != http.MethodPost, r.URL.Path != "/v4/group_open_http_svc/get_group_info",
			q.Get("sdkappid") != "1400000001", q.Get("identifier") != "admin", q.Get("usersig") == "",
			q.Get("contenttype") != "json", len(q) != 5, !strings.HasPrefix(string(body), `{"GroupIdList":["@TGS#1A"]`):
			t.Errorf("unexpected request %s %s %s", r.Method, r.URL.Path, body)
		}
		if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
			t.Errorf("random: %v", err)
		}
		mu.Lock()
		randoms = append(randoms, q.Get("random"))
		mu.Unlock()
		io.WriteString(w, `{"ActionStatus":"OK","ErrorCode":0,"GroupInfo":[{"GroupId":"@TGS#1A","ErrorCode":0,"Type":"Meeting","Name":"n","MemberNum":3}]}`)
	}))
	defer hs.Close()
	c, err := tim.New(tim.Options{SDKAppID: 1400000001, SecretKey: "k", Admin: "admin", BaseURL: hs.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		info, err := c.GroupInfo(t.Context(), "@TGS#1A")
		if err != nil {
			t.Fatal(err)
		}
		if want := (tim.GroupInfo{ID: "@TGS#1A", Type: tim.ChatRoom, Name: "n", MemberNum: 3}); info != want {
			t.Fatalf("info = %+v, want %+v", info, want)
		}
	}
	if len(randoms) != 2 || randoms[0] == randoms[1] {
		t.Fatalf("randoms %v, want two fresh values", randoms)
	}
}

func TestClient_Observer(t *testing.T) {
	srv := timtest.NewServer(t)
	g := tim.GroupID(srv.CreateGroup(timtest.Public))
	type event struct {
		command string
		code    int
		class   string
		retry   bool
	}
	var (
		mu     sync.Mutex
		events []event
	)
	obs := tim.ObserverFunc(func(command string, code int, err error, d time.Duration, retry bool) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, event{command, code, tim.ErrorClass(err), retry})
	})
	c := newClient(t, srv, func(o *tim.Options) { o.Observer = obs })
	srv.FailNext(cmdGroupInfo, 10002)
	if _, err := c.GroupInfo(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	want := []event{{cmdGroupInfo, 10002, "transient", false}, {cmdGroupInfo, 0, "", true}}
	if len(events) != 2 || events[0] != want[0] || events[1] != want[1] {
		t.Fatalf("events = %v, want %v", events, want)
	}
}

// TestClient_CancelDuringBackoff: a cancelled context ends a backoff sleep at
// once (the backoff here would otherwise be at least 100 s).
func TestClient_CancelDuringBackoff(t *testing.T) {
	srv := timtest.NewServer(t)
	g := tim.GroupID(srv.CreateGroup(timtest.Public))
	ctx, cancel := context.WithCancel(t.Context())
	c := newClient(t, srv, func(o *tim.Options) {
		o.RetryBase = 100 * time.Second
		o.Observer = tim.ObserverFunc(func(string, int, error, time.Duration, bool) { cancel() })
	})
	srv.FailNext(cmdGroupInfo, 60007)
	_, err := c.GroupInfo(ctx, g)
	if !errors.Is(err, context.Canceled) || tim.Retryable(err) {
		t.Fatalf("err = %v, want context.Canceled, not retryable", err)
	}
	if got, want := srv.Calls(cmdGroupInfo), 1; got != want {
		t.Fatalf("%d calls, want %d", got, want)
	}
}
