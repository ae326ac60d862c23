package timtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The services and their commands.
const (
	groupService = "group_open_http_svc"
	roomService  = "room_engine_http_srv"
)

// Public codes the emulator answers.
const (
	codeHTTPParse      = 60002
	codeAccountOrSig   = 60004
	codeBadSDKAppID    = 60006
	codeFrequency      = 60007
	codeResource       = 60009
	codeNeedsAdmin     = 60010
	codeNoSDKAppID     = 60012
	codeAccountType    = 60015
	codeUnknownApp     = 70020
	codeGroupCommand   = 10003
	codeGroupParam     = 10004
	codeGroupTooMany   = 10005
	codeGroupNoPerm    = 10007
	codeGroupNotFound  = 10010
	codeGroupJSON      = 10015 // the seed page's reading; codeGroupInvalidID in the error table
	codeGroupInvalidID = 10015
	codeGroupParseJSON = 10011
	codeRoomParam      = 100002
	codeRoomNotFound   = 100004
	codeClientGone     = -499 // logged only: the client left during the latency
	maxBody            = 4 << 20
	maxLog             = 100000
	maxBanAccounts     = 20
	maxRoleAccounts    = 500
	maxMuteAccounts    = 500
	maxGroupInfoIDs    = 50
	maxPageLimit       = 100
	maxDescription     = 1000
	maxDurationSeconds = 1<<32 - 1
)

// result is an answer: an HTTP status other than 200, or an ErrorCode with its info and, on
// success, the fields that go next to the envelope.
type result struct {
	status int
	code   int
	info   string
	data   any
}

func fail(code int, format string, args ...any) result {
	return result{code: code, info: fmt.Sprintf(format, args...)}
}

func success(data any) result { return result{data: data} }

type handlerFunc func(s *Server, command string, body []byte, now time.Time) result

// commands maps each service to its commands. It is a function, not a global, to keep the
// package free of mutable state.
func commands(service, command string) (handlerFunc, bool) {
	switch service + "/" + command {
	case groupService + "/unban_group_member":
		return (*Server).unbanGroupMember, true
	case groupService + "/ban_group_member":
		return (*Server).banGroupMember, true
	case groupService + "/get_group_ban_member":
		return (*Server).getGroupBanMember, true
	case groupService + "/get_role_in_group":
		return (*Server).getRoleInGroup, true
	case groupService + "/get_group_info":
		return (*Server).getGroupInfo, true
	case groupService + "/forbid_send_msg":
		return (*Server).forbidSendMsg, true
	case groupService + "/get_group_muted_account":
		return (*Server).getGroupMutedAccount, true
	case roomService + "/ban_room_member":
		return (*Server).banRoomMember, true
	case roomService + "/unban_room_member":
		return (*Server).unbanRoomMember, true
	case roomService + "/get_banned_member_list":
		return (*Server).getBannedMemberList, true
	}
	return nil, false
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	arrived, at := s.clock(), s.now()
	command := strings.TrimPrefix(r.URL.Path, "/v4/")
	service, _, _ := strings.Cut(command, "/")
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))

	s.mu.Lock()
	s.calls[command]++
	admitted := s.admit(arrived)
	latency := s.latency
	s.mu.Unlock()

	var res result
	if !admitted {
		res = fail(codeFrequency, "REST API call frequency limit exceeded")
	} else {
		if latency > 0 {
			t := time.NewTimer(latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				s.record(Call{Command: command, Body: body, Code: codeClientGone, At: at})
				return
			}
		}
		if readErr != nil {
			res = fail(codeHTTPParse, "request body unreadable or over %d bytes", maxBody)
		} else {
			res = s.handle(r, command, body, s.now())
		}
	}

	code := res.code
	if res.status != 0 {
		code = -res.status
	}
	s.record(Call{Command: command, Body: body, Code: code, At: at})
	s.write(w, service, res)
}

// handle checks the request as Tencent does and runs the command.
func (s *Server) handle(r *http.Request, command string, body []byte, now time.Time) result {
	if r.Method != http.MethodPost {
		return fail(codeHTTPParse, "method %s not allowed: the REST API is POST only", r.Method)
	}
	parts := strings.Split(command, "/")
	if !strings.HasPrefix(r.URL.Path, "/v4/") || len(parts) != 2 || parts[1] == "" ||
		(parts[0] != groupService && parts[0] != roomService) {
		return fail(codeResource, "request resource error: no service at %q", r.URL.Path)
	}
	if res, bad := s.authenticate(r, now); bad {
		return res
	}
	h, found := commands(parts[0], parts[1])
	if !found {
		if parts[0] == groupService {
			return fail(codeGroupCommand, "invalid command word %q", parts[1])
		}
		return fail(codeResource, "request resource error: no command %q", parts[1])
	}

	s.mu.Lock()
	f, faulty := s.injected(command)
	s.mu.Unlock()
	if faulty {
		if f.http {
			return result{status: f.code}
		}
		return fail(f.code, "injected fault")
	}
	return h(s, command, body, now.Add(time.Duration(s.ahead.Load()))) // bans and mutes run on Now
}

// authenticate checks the query string and the UserSig; bad is true when res is the refusal.
func (s *Server) authenticate(r *http.Request, now time.Time) (res result, bad bool) {
	q := r.URL.Query()
	appid := q.Get("sdkappid")
	switch n, err := strconv.Atoi(appid); {
	case appid == "":
		return fail(codeNoSDKAppID, "sdkappid is missing from the URL"), true
	case err != nil:
		return fail(codeBadSDKAppID, "sdkappid %q is not a number", appid), true
	case n != s.opt.SDKAppID:
		return fail(codeUnknownApp, "SDKAppID %d not found: check it against the data centre", n), true
	}
	identifier := q.Get("identifier")
	if identifier == "" {
		return fail(codeAccountOrSig, "identifier is missing from the URL"), true
	}
	if code, info := verifyUserSig(q.Get("usersig"), s.opt.SDKAppID, s.opt.SecretKey, identifier, now); code != 0 {
		return fail(code, "%s", info), true
	}
	if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
		return fail(codeHTTPParse, "random must be an unsigned 32-bit integer"), true
	}
	if ct := q.Get("contenttype"); ct != "json" {
		return fail(codeHTTPParse, "contenttype must be json, not %q", ct), true
	}
	if !s.admins[identifier] {
		return fail(codeNeedsAdmin, "identifier %q is not an App admin", identifier), true
	}
	return result{}, false
}

// write sends res: the envelope (with a RequestId on Room Engine paths) and, on success, the
// command's fields next to it.
func (s *Server) write(w http.ResponseWriter, service string, res result) {
	if res.status != 0 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(res.status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", res.status, http.StatusText(res.status))
		return
	}
	env := envelope{ActionStatus: "OK", ErrorCode: res.code, ErrorInfo: res.info}
	if res.code != 0 {
		env.ActionStatus = "FAIL"
	}
	if service == roomService {
		env.RequestID = s.requestID()
	}
	out, err := json.Marshal(env)
	if err == nil && res.code == 0 && res.data != nil {
		var extra []byte
		if extra, err = json.Marshal(res.data); err == nil && len(extra) > 2 {
			out = append(append(out[:len(out)-1], ','), extra[1:]...)
		}
	}
	if err != nil {
		http.Error(w, "timtest: encode answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out) //nolint:errcheck // the client may be gone
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= 2*maxLog {
		s.log = append(s.log[:0:0], s.log[len(s.log)-maxLog:]...)
	}
	s.log = append(s.log, c)
}

func (s *Server) requestID() string {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	return fmt.Sprintf("Id-%032x-O-Seq-%d", uint64(n)*0x9E3779B97F4A7C15, n)
}

// decode reads a JSON object into the struct v. Field names match case-sensitively, as Tencent
// reads them (encoding/json alone would fold case); other fields are ignored. A body that is not a
// JSON object answers parseCode, an account list holding something other than strings 60015, any
// other wrongly typed field paramCode.
func decode(body []byte, v any, parseCode, paramCode int) (result, bool) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return fail(parseCode, "the request body is not a JSON object"), false
	}
	rv := reflect.ValueOf(v).Elem()
	for i := range rv.NumField() {
		name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		msg, ok := raw[name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(msg, rv.Field(i).Addr().Interface()); err != nil {
			if strings.HasSuffix(name, "_Account") && bytes.HasPrefix(bytes.TrimSpace(msg), []byte("[")) {
				return fail(codeAccountType, "%s must hold strings", name), false
			}
			return fail(paramCode, "%s has the wrong type", name), false
		}
	}
	return result{}, true
}
